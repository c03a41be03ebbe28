/**
 * ONNX bytes → the project's IR ({@link Model}), with limits and validation.
 *
 * Everything that can go wrong with the bytes — not protobuf, truncated, not a model, inconsistent tensors,
 * an invalid graph — ends in a {@link ModelLoadError} that names the node, tensor or value and says what was
 * expected and what came. Calls to model-local functions are inlined first (./inline-functions.ts), so the IR
 * never holds one. Browser-safe; Node's `readModelFile` (src/node/read-model-file.ts) adds paths and
 * external data files.
 */
import { ModelLoadError } from '../errors.js';
import type { Attribute, Dim, Graph, Model, Node, OpsetImport, ValueInfo, ValueType } from '../ir/graph.js';
import type { Tensor } from '../tensor.js';
import { describeDataTypeNumber, elementTypeOf } from './element-types.js';
import { inlineFunctions } from './inline-functions.js';
import { denseFromSparse } from './sparse-tensor.js';
import {
  AttributeTypeNumber,
  int64ToBigInt,
  ModelProtoType,
  TensorProtoType,
  type AttributeMsg,
  type GraphMsg,
  type Int64,
  type ModelMsg,
  type NodeMsg,
  type TensorMsg,
  type TypeMsg,
  type ValueInfoMsg,
} from './proto.js';
import { DEFAULT_MAX_TENSOR_BYTES, tensorFromMsg, type TensorLimits } from './tensor-data.js';
import { validateGraph } from './validate.js';

export { DEFAULT_MAX_TENSOR_BYTES } from './tensor-data.js';

export interface ReadModelOptions {
  /** Largest tensor, in bytes, the reader materialises (default 2 GiB). Checked before allocating. */
  maxTensorBytes?: number;
  /**
   * Supplies the bytes of an external data file (a tensor with `data_location = EXTERNAL`) given its
   * `location`. Without it such a model is refused with a message saying how to load it.
   */
  externalData?: (location: string) => Uint8Array;
}

const utf8 = new TextDecoder('utf-8');

function has(msg: object, field: string): boolean {
  return Object.prototype.hasOwnProperty.call(msg, field);
}

/**
 * Reads an ONNX model from its bytes.
 *
 * @example
 * ```ts
 * import { readModel } from 'rxrnn';
 * const model = readModel(new Uint8Array(await (await fetch('/silero_vad_v5.onnx')).arrayBuffer()));
 * console.log(model.graph.inputs.map((v) => v.name)); // ['input', 'state', 'sr']
 * ```
 */
export function readModel(bytes: Uint8Array | ArrayBuffer, options: ReadModelOptions = {}): Model {
  const msg = decode<ModelMsg>(ModelProtoType, bytes, 'an ONNX model (ModelProto)');
  const limits = limitsOf(options);
  if (!msg.graph || !has(msg, 'graph')) {
    throw new ModelLoadError('not an ONNX model: the bytes decode as protobuf but hold no graph (ModelProto.graph)');
  }
  const irVersion = smallInt(msg.irVersion ?? 0, 'ModelProto.ir_version');
  if (irVersion < 1) throw new ModelLoadError(`not an ONNX model: ir_version must be 1 or more, got ${irVersion}`);
  const inlined = inlineFunctions({ ...msg, graph: msg.graph });
  const opsetImports: OpsetImport[] = inlined.opsetImport.map((o, i) => ({
    domain: o.domain ?? '',
    version: smallInt(o.version ?? 0, `opset_import #${i} (domain '${o.domain ?? ''}')`),
  }));
  const model: Model = {
    irVersion,
    opsetImports,
    metadata: entriesToRecord(msg.metadataProps ?? []),
    graph: graphFromMsg(inlined.graph, 'main graph', limits),
  };
  if (has(msg, 'producerName')) model.producerName = msg.producerName!;
  if (has(msg, 'producerVersion')) model.producerVersion = msg.producerVersion!;
  if (has(msg, 'domain')) model.domain = msg.domain!;
  if (has(msg, 'modelVersion')) model.modelVersion = smallInt(msg.modelVersion!, 'ModelProto.model_version');
  if (has(msg, 'docString')) model.doc = msg.docString!;
  validateGraph(model.graph);
  return model;
}

/**
 * Reads one serialized TensorProto (e.g. a conformance test's `input_0.pb`).
 *
 * @example
 * ```ts
 * const x = readTensor(readFileSync('test_data_set_0/input_0.pb')); // { name: 'x', dtype, dims, data }
 * ```
 */
export function readTensor(bytes: Uint8Array | ArrayBuffer, options: ReadModelOptions = {}): Tensor & { name?: string } {
  const msg = decode<TensorMsg>(TensorProtoType, bytes, 'an ONNX tensor (TensorProto)');
  const name = has(msg, 'name') ? msg.name! : undefined;
  const t = tensorFromMsg(msg, name ? `tensor '${name}'` : 'tensor', limitsOf(options));
  return name === undefined ? t : { ...t, name };
}

function limitsOf(options: ReadModelOptions): TensorLimits {
  const max = options.maxTensorBytes ?? DEFAULT_MAX_TENSOR_BYTES;
  if (!(max >= 0)) throw new ModelLoadError(`maxTensorBytes must be a non-negative number, got ${max}`);
  return { maxTensorBytes: max, externalData: options.externalData };
}

function decode<T>(type: typeof ModelProtoType, bytes: Uint8Array | ArrayBuffer, what: string): T {
  const view = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  if (!(view instanceof Uint8Array)) {
    throw new ModelLoadError(`expected the bytes of ${what} as a Uint8Array or ArrayBuffer, got ${typeof bytes}`);
  }
  if (view.length === 0) throw new ModelLoadError(`expected ${what}, got 0 bytes`);
  try {
    return type.decode(view) as unknown as T;
  } catch (e) {
    // protobufjs throws plain Errors/RangeErrors for bad wire data: "index out of range", "invalid wire type".
    throw new ModelLoadError(
      `expected ${what}, but ${view.length} bytes are not valid protobuf (truncated or not ONNX): ${(e as Error).message}`,
      { cause: e },
    );
  }
}

/** An int64 header field (versions) as a number; they are small in every real model. */
function smallInt(v: Int64, what: string): number {
  const b = int64ToBigInt(v);
  if (b === undefined || b > BigInt(Number.MAX_SAFE_INTEGER) || b < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ModelLoadError(`${what} is out of range: ${String(b ?? v)}`);
  }
  return Number(b);
}

/** A record without a prototype chain surprise: keys like `__proto__` become ordinary properties. */
function setKey<V>(record: Record<string, V>, key: string, value: V): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

function entriesToRecord(entries: readonly { key?: string; value?: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) setKey(out, e.key ?? '', e.value ?? '');
  return out;
}

function graphFromMsg(msg: GraphMsg, where: string, limits: TensorLimits): Graph {
  const initializers = new Map<string, Tensor>();
  (msg.initializer ?? []).forEach((t, i) => {
    const name = t.name ?? '';
    if (!name) throw new ModelLoadError(`${where}: initializer #${i} has no name`);
    if (initializers.has(name)) throw new ModelLoadError(`${where}: initializer '${name}' appears twice`);
    initializers.set(name, tensorFromMsg(t, `initializer '${name}'`, limits));
  });
  // Sparse initializers are made dense here: the IR and the writer know only dense tensors.
  (msg.sparseInitializer ?? []).forEach((sp, i) => {
    const { name, ...t } = denseFromSparse(sp, `${where}: sparse initializer #${i}${sp.values?.name ? ` '${sp.values.name}'` : ''}`, limits);
    if (!name) throw new ModelLoadError(`${where}: sparse initializer #${i} has no name (its values tensor names it)`);
    if (initializers.has(name)) throw new ModelLoadError(`${where}: initializer '${name}' appears twice`);
    initializers.set(name, t);
  });
  const graph: Graph = {
    name: msg.name ?? '',
    inputs: (msg.input ?? []).map((v) => valueInfoFromMsg(v, 'graph input')),
    outputs: (msg.output ?? []).map((v) => valueInfoFromMsg(v, 'graph output')),
    initializers,
    nodes: (msg.node ?? []).map((n, i) => nodeFromMsg(n, i, where, limits)),
    valueInfo: (msg.valueInfo ?? []).map((v) => valueInfoFromMsg(v, 'value_info')),
  };
  if (has(msg, 'docString')) graph.doc = msg.docString!;
  return graph;
}

function valueInfoFromMsg(msg: ValueInfoMsg, role: string): ValueInfo {
  const name = msg.name ?? '';
  const v: ValueInfo = { name };
  if (msg.type && has(msg, 'type')) {
    const type = typeFromMsg(msg.type, `${role} '${name}'`);
    if (type !== undefined) v.type = type;
  }
  if (has(msg, 'docString')) v.doc = msg.docString!;
  return v;
}

function typeFromMsg(msg: TypeMsg, what: string): ValueType | undefined {
  if (has(msg, 'tensorType') && msg.tensorType) {
    const tt = msg.tensorType;
    const n = tt.elemType ?? 0;
    const elemType = elementTypeOf(n);
    if (elemType === undefined) {
      throw new ModelLoadError(`${what}: unknown element type ${describeDataTypeNumber(n)}; expected a TensorProto.DataType from 1 to 23`);
    }
    if (!tt.shape || !has(tt, 'shape')) return { kind: 'tensor', elemType };
    return { kind: 'tensor', elemType, shape: (tt.shape.dim ?? []).map((d) => dimFromMsg(d, what)) };
  }
  if (has(msg, 'sequenceType') && msg.sequenceType) {
    const elem = msg.sequenceType.elemType ? typeFromMsg(msg.sequenceType.elemType, `${what} (sequence element)`) : undefined;
    if (elem === undefined) throw new ModelLoadError(`${what}: sequence type without an element type`);
    return { kind: 'sequence', elem };
  }
  if (has(msg, 'optionalType') && msg.optionalType) {
    const elem = msg.optionalType.elemType ? typeFromMsg(msg.optionalType.elemType, `${what} (optional element)`) : undefined;
    if (elem === undefined) throw new ModelLoadError(`${what}: optional type without an element type`);
    return { kind: 'optional', elem };
  }
  if (has(msg, 'mapType') || has(msg, 'sparseTensorType')) {
    const kind = has(msg, 'mapType') ? 'map' : 'sparse tensor';
    throw new ModelLoadError(`${what}: ${kind} types are not supported (rxrnn reads tensor, sequence and optional types)`);
  }
  return undefined; // a TypeProto with no kind set: the value's type is undeclared
}

function dimFromMsg(d: { dimValue?: Int64; dimParam?: string }, what: string): Dim {
  if (has(d, 'dimValue')) {
    const v = int64ToBigInt(d.dimValue!);
    if (v === undefined || v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ModelLoadError(`${what}: shape dimensions must be non-negative integers, got ${String(v ?? d.dimValue)}`);
    }
    return Number(v);
  }
  if (has(d, 'dimParam')) return d.dimParam!;
  return null;
}

function nodeFromMsg(msg: NodeMsg, index: number, where: string, limits: TensorLimits): Node {
  const outputs = [...(msg.output ?? [])];
  const label = msg.name ? `node '${msg.name}'` : `node #${index}${outputs[0] ? ` (-> '${outputs[0]}')` : ''}`;
  if (!msg.opType) throw new ModelLoadError(`${where}: ${label} has no op_type`);
  const node: Node = {
    name: msg.name ?? '',
    opType: msg.opType,
    domain: msg.domain ?? '',
    inputs: [...(msg.input ?? [])],
    outputs,
    attributes: {},
  };
  for (const a of msg.attribute ?? []) {
    const name = a.name ?? '';
    const what = `${msg.opType} ${label}: attribute '${name}'`;
    if (!name) throw new ModelLoadError(`${msg.opType} ${label}: an attribute has no name`);
    if (has(node.attributes, name)) throw new ModelLoadError(`${what} appears twice`);
    setKey(node.attributes, name, attributeFromMsg(a, what, limits));
  }
  // A Constant's sparse_value arrives dense (see attributeFromMsg): it is then simply the node's value, and
  // written back as one.
  const sparse = node.attributes['sparse_value'];
  if (msg.opType === 'Constant' && (msg.domain ?? '') === '' && sparse !== undefined && !has(node.attributes, 'value')) {
    delete node.attributes['sparse_value'];
    setKey(node.attributes, 'value', sparse);
  }
  if (has(msg, 'docString')) node.doc = msg.docString!;
  return node;
}

const T = AttributeTypeNumber;

function attributeFromMsg(a: AttributeMsg, what: string, limits: TensorLimits): Attribute {
  if (a.refAttrName) {
    throw new ModelLoadError(`${what} refers to function attribute '${a.refAttrName}', which is only valid inside a function body`);
  }
  const type = a.type && has(a, 'type') ? a.type : inferAttributeType(a);
  switch (type) {
    case T.FLOAT:
      return { type: 'float', value: a.f ?? 0 };
    case T.INT:
      return { type: 'int', value: exactInt(a.i ?? 0, what) };
    case T.STRING:
      return { type: 'string', value: utf8.decode(a.s ?? new Uint8Array()) };
    case T.TENSOR:
      if (!a.t) throw new ModelLoadError(`${what} is declared TENSOR but holds no tensor`);
      return { type: 'tensor', value: tensorFromMsg(a.t, `${what} (tensor)`, limits) };
    case T.GRAPH:
      if (!a.g) throw new ModelLoadError(`${what} is declared GRAPH but holds no graph`);
      return { type: 'graph', value: graphFromMsg(a.g, `${what} (subgraph)`, limits) };
    case T.FLOATS:
      return { type: 'floats', value: [...(a.floats ?? [])] };
    case T.INTS:
      return { type: 'ints', value: (a.ints ?? []).map((v) => exactInt(v, what)) };
    case T.STRINGS:
      return { type: 'strings', value: (a.strings ?? []).map((s) => utf8.decode(s)) };
    case T.TENSORS:
      return { type: 'tensors', value: (a.tensors ?? []).map((t, i) => tensorFromMsg(t, `${what} (tensor #${i})`, limits)) };
    case T.GRAPHS:
      return { type: 'graphs', value: (a.graphs ?? []).map((g, i) => graphFromMsg(g, `${what} (subgraph #${i})`, limits)) };
    case T.TYPE_PROTO:
      return { type: 'typeProto', value: requiredType(a.tp, what) };
    case T.TYPE_PROTOS:
      return { type: 'typeProtos', value: (a.typeProtos ?? []).map((tp, i) => requiredType(tp, `${what} (type #${i})`)) };
    // Sparse tensors become dense ones (a Constant's sparse_value is then its value).
    case T.SPARSE_TENSOR: {
      if (!a.sparseTensor) throw new ModelLoadError(`${what} is declared SPARSE_TENSOR but holds no sparse tensor`);
      const { name: _name, ...t } = denseFromSparse(a.sparseTensor, `${what} (sparse tensor)`, limits);
      return { type: 'tensor', value: t };
    }
    case T.SPARSE_TENSORS:
      return {
        type: 'tensors',
        value: (a.sparseTensors ?? []).map((sp, i) => {
          const { name: _name, ...t } = denseFromSparse(sp, `${what} (sparse tensor #${i})`, limits);
          return t;
        }),
      };
    default:
      throw new ModelLoadError(`${what}: unknown attribute type ${String(type)}; expected an AttributeProto.AttributeType from 1 to 14`);
  }
}

function requiredType(tp: TypeMsg | null | undefined, what: string): ValueType {
  const type = tp ? typeFromMsg(tp, what) : undefined;
  if (type === undefined) throw new ModelLoadError(`${what} is declared TYPE_PROTO but holds no type`);
  return type;
}

/** IR version 1 attributes carry no type: the field that is set says what it is. */
function inferAttributeType(a: AttributeMsg): number {
  if (has(a, 'f')) return T.FLOAT;
  if (has(a, 'i')) return T.INT;
  if (has(a, 's')) return T.STRING;
  if (has(a, 't')) return T.TENSOR;
  if (has(a, 'g')) return T.GRAPH;
  if ((a.floats ?? []).length) return T.FLOATS;
  if ((a.ints ?? []).length) return T.INTS;
  if ((a.strings ?? []).length) return T.STRINGS;
  if ((a.tensors ?? []).length) return T.TENSORS;
  if ((a.graphs ?? []).length) return T.GRAPHS;
  if (has(a, 'tp')) return T.TYPE_PROTO;
  if ((a.typeProtos ?? []).length) return T.TYPE_PROTOS;
  return T.UNDEFINED;
}

function exactInt(v: Int64, what: string): bigint {
  const b = int64ToBigInt(v);
  if (b === undefined) throw new ModelLoadError(`${what}: int64 value lost precision while decoding (protobufjs without long.js)`);
  return b;
}
