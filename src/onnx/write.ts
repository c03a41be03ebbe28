/**
 * IR → ONNX bytes. Tensors are written as little-endian `raw_data` (the compact form every ONNX runtime
 * reads); everything the IR holds is written, so `readModel(writeModel(m))` gives `m` back.
 *
 * No FunctionProto is ever written: the reader inlines model-local functions, so the IR holds no function
 * call and a written model needs none.
 */
import type { Attribute, Dim, Graph, Model, Node, ValueInfo, ValueType } from '../ir/graph.js';
import { isBigIntDType, type Tensor } from '../tensor.js';
import { dataTypeNumberOf } from './element-types.js';
import {
  AttributeTypeNumber,
  bigintToInt64,
  ModelProtoType,
  TensorProtoType,
  type AttributeMsg,
  type DimensionMsg,
  type GraphMsg,
  type ModelMsg,
  type NodeMsg,
  type TensorMsg,
  type TypeMsg,
  type ValueInfoMsg,
} from './proto.js';

const utf8 = new TextEncoder();
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Serialises a model to ONNX protobuf bytes.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from 'rxrnn';
 * const b = new GraphBuilder({ opset: 21 });
 * b.output(b.sigmoid(b.input('x', 'float32', [1, 4])));
 * const bytes = writeModel(b.build()); // feed to onnxruntime's InferenceSession.create(bytes)
 * ```
 */
export function writeModel(model: Model): Uint8Array {
  return finish(ModelProtoType.encode(modelToMsg(model)).finish());
}

/** Serialises one tensor as an ONNX TensorProto (the format of the conformance `input_0.pb` files). */
export function writeTensor(t: Tensor, name?: string): Uint8Array {
  return finish(TensorProtoType.encode(tensorToMsg(t, name)).finish());
}

/** A plain Uint8Array copy: in Node protobufjs returns a Buffer that may be a view into a shared pool. */
function finish(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

function modelToMsg(m: Model): ModelMsg {
  const msg: ModelMsg = {
    irVersion: bigintToInt64(BigInt(m.irVersion)),
    opsetImport: m.opsetImports.map((o) => ({ domain: o.domain, version: bigintToInt64(BigInt(o.version)) })),
    graph: graphToMsg(m.graph),
    metadataProps: Object.entries(m.metadata).map(([key, value]) => ({ key, value })),
  };
  if (m.producerName !== undefined) msg.producerName = m.producerName;
  if (m.producerVersion !== undefined) msg.producerVersion = m.producerVersion;
  if (m.domain !== undefined) msg.domain = m.domain;
  if (m.modelVersion !== undefined) msg.modelVersion = bigintToInt64(BigInt(m.modelVersion));
  if (m.doc !== undefined) msg.docString = m.doc;
  return msg;
}

function graphToMsg(g: Graph): GraphMsg {
  const msg: GraphMsg = {
    name: g.name,
    node: g.nodes.map(nodeToMsg),
    initializer: [...g.initializers].map(([name, t]) => tensorToMsg(t, name)),
    input: g.inputs.map(valueInfoToMsg),
    output: g.outputs.map(valueInfoToMsg),
    valueInfo: g.valueInfo.map(valueInfoToMsg),
  };
  if (g.doc !== undefined) msg.docString = g.doc;
  return msg;
}

function nodeToMsg(n: Node): NodeMsg {
  const msg: NodeMsg = {
    name: n.name,
    opType: n.opType,
    domain: n.domain,
    input: n.inputs,
    output: n.outputs,
    attribute: Object.entries(n.attributes).map(([name, a]) => attributeToMsg(name, a)),
  };
  if (n.doc !== undefined) msg.docString = n.doc;
  return msg;
}

function attributeToMsg(name: string, a: Attribute): AttributeMsg {
  switch (a.type) {
    case 'float':
      return { name, type: AttributeTypeNumber.FLOAT, f: a.value };
    case 'int':
      return { name, type: AttributeTypeNumber.INT, i: bigintToInt64(a.value) };
    case 'string':
      return { name, type: AttributeTypeNumber.STRING, s: utf8.encode(a.value) };
    case 'tensor':
      return { name, type: AttributeTypeNumber.TENSOR, t: tensorToMsg(a.value) };
    case 'graph':
      return { name, type: AttributeTypeNumber.GRAPH, g: graphToMsg(a.value) };
    case 'floats':
      return { name, type: AttributeTypeNumber.FLOATS, floats: a.value };
    case 'ints':
      return { name, type: AttributeTypeNumber.INTS, ints: a.value.map(bigintToInt64) };
    case 'strings':
      return { name, type: AttributeTypeNumber.STRINGS, strings: a.value.map((s) => utf8.encode(s)) };
    case 'tensors':
      return { name, type: AttributeTypeNumber.TENSORS, tensors: a.value.map((t) => tensorToMsg(t)) };
    case 'graphs':
      return { name, type: AttributeTypeNumber.GRAPHS, graphs: a.value.map(graphToMsg) };
    case 'typeProto':
      return { name, type: AttributeTypeNumber.TYPE_PROTO, tp: typeToMsg(a.value) };
    case 'typeProtos':
      return { name, type: AttributeTypeNumber.TYPE_PROTOS, typeProtos: a.value.map(typeToMsg) };
  }
}

function valueInfoToMsg(v: ValueInfo): ValueInfoMsg {
  const msg: ValueInfoMsg = { name: v.name };
  if (v.type !== undefined) msg.type = typeToMsg(v.type);
  if (v.doc !== undefined) msg.docString = v.doc;
  return msg;
}

function typeToMsg(t: ValueType): TypeMsg {
  switch (t.kind) {
    case 'tensor': {
      const tensorType: NonNullable<TypeMsg['tensorType']> = { elemType: dataTypeNumberOf(t.elemType) };
      if (t.shape !== undefined) tensorType.shape = { dim: t.shape.map(dimToMsg) };
      return { tensorType };
    }
    case 'sequence':
      return { sequenceType: { elemType: typeToMsg(t.elem) } };
    case 'optional':
      return { optionalType: { elemType: typeToMsg(t.elem) } };
  }
}

function dimToMsg(d: Dim): DimensionMsg {
  if (typeof d === 'number') return { dimValue: bigintToInt64(BigInt(d)) };
  if (typeof d === 'string') return { dimParam: d };
  return {}; // an unknown dimension: neither dim_value nor dim_param
}

function tensorToMsg(t: Tensor, name?: string): TensorMsg {
  const msg: TensorMsg = {
    dims: t.dims.map((d) => bigintToInt64(BigInt(d))),
    dataType: dataTypeNumberOf(t.dtype),
    rawData: rawBytes(t),
  };
  if (name !== undefined) msg.name = name;
  return msg;
}

/** The tensor's elements as little-endian bytes (bool as one 0/1 byte each, as ONNX requires). */
function rawBytes(t: Tensor): Uint8Array {
  const { data } = t;
  if (t.dtype === 'bool') {
    const out = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = data[i] ? 1 : 0;
    return out;
  }
  if (LITTLE_ENDIAN_HOST || data.BYTES_PER_ELEMENT === 1) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  }
  // Big-endian host: write element by element through a DataView.
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  const size = data.BYTES_PER_ELEMENT;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    const at = i * size;
    if (isBigIntDType(t.dtype)) view.setBigUint64(at, BigInt.asUintN(64, v as bigint), true);
    else if (t.dtype === 'float32') view.setFloat32(at, v as number, true);
    else if (t.dtype === 'float64') view.setFloat64(at, v as number, true);
    else if (size === 2) view.setUint16(at, (v as number) & 0xffff, true);
    else view.setUint32(at, (v as number) >>> 0, true);
  }
  return out;
}
