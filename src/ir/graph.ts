/**
 * The project's in-memory model: what the ONNX reader produces, what the Keras importer produces, what the
 * writer serialises and what the executor plans. Plain data, no behaviour, so it can be built by hand in
 * tests and compared with `toEqual`.
 *
 * Conventions taken from ONNX: a node input named `''` is an omitted optional input; values are named by
 * strings unique within a graph; a subgraph (If branch) may read any value of an enclosing graph by name.
 */
import type { DType, Tensor } from '../tensor.js';

/**
 * Element types as ONNX names them (TensorProto.DataType). A superset of {@link DType}: the reader keeps
 * every type a model declares, and a backend that cannot handle one declines it with an error.
 */
export type ElementType =
  | DType
  | 'float16'
  | 'bfloat16'
  | 'string'
  | 'complex64'
  | 'complex128'
  | 'float8e4m3fn'
  | 'float8e4m3fnuz'
  | 'float8e5m2'
  | 'float8e5m2fnuz'
  | 'uint4'
  | 'int4'
  | 'float4e2m1';

/** One dimension: a fixed size, a symbolic name (`dim_param`, e.g. `'batch'`), or unknown (`null`). */
export type Dim = number | string | null;

/** A value's type: ONNX TypeProto restricted to the kinds rxrnn reads. */
export type ValueType =
  | { kind: 'tensor'; elemType: ElementType; shape?: Dim[] }
  | { kind: 'sequence'; elem: ValueType }
  | { kind: 'optional'; elem: ValueType };

/** A named, typed value: a graph input, output or intermediate annotation. */
export interface ValueInfo {
  name: string;
  /** Absent when the model does not declare a type for this value. */
  type?: ValueType;
  doc?: string;
}

/**
 * An attribute value. Integers are `bigint` so int64 attributes round-trip exactly (Slice's INT64_MAX
 * `ends`); read them in kernels through the helpers in `ir/attributes.ts`, which convert to number.
 */
export type Attribute =
  | { type: 'float'; value: number }
  | { type: 'int'; value: bigint }
  | { type: 'string'; value: string }
  | { type: 'tensor'; value: Tensor }
  | { type: 'graph'; value: Graph }
  | { type: 'floats'; value: number[] }
  | { type: 'ints'; value: bigint[] }
  | { type: 'strings'; value: string[] }
  | { type: 'tensors'; value: Tensor[] }
  | { type: 'graphs'; value: Graph[] }
  /** A type (ONNX TYPE_PROTO), e.g. the `type` attribute of `Optional`. */
  | { type: 'typeProto'; value: ValueType }
  | { type: 'typeProtos'; value: ValueType[] };

export interface Node {
  /** May be empty in ONNX; error messages then name the node by op type and first output. */
  name: string;
  opType: string;
  /** `''` is the default ONNX domain (`ai.onnx`). */
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, Attribute>;
  doc?: string;
}

export interface Graph {
  name: string;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  /** Constant tensors by name (ONNX initializers). An initializer may also be listed in `inputs` (a default). */
  initializers: Map<string, Tensor>;
  nodes: Node[];
  /** Type annotations of intermediate values (ONNX `value_info`). */
  valueInfo: ValueInfo[];
  doc?: string;
}

export interface OpsetImport {
  domain: string;
  version: number;
}

export interface Model {
  irVersion: number;
  opsetImports: OpsetImport[];
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: number;
  doc?: string;
  /** ONNX `metadata_props`. */
  metadata: Record<string, string>;
  graph: Graph;
}

/** The opset version a model imports for a domain (`''` and `'ai.onnx'` are the same domain). */
export function opsetOf(model: Pick<Model, 'opsetImports'>, domain = ''): number | undefined {
  const norm = (d: string) => (d === 'ai.onnx' ? '' : d);
  return model.opsetImports.find((o) => norm(o.domain) === norm(domain))?.version;
}

/** A readable name for a node in error messages: its name, else `OpType(->firstOutput)`. */
export function describeNode(node: Pick<Node, 'name' | 'opType' | 'outputs'>): string {
  return node.name ? `${node.opType} node '${node.name}'` : `${node.opType} node (-> '${node.outputs[0] ?? ''}')`;
}
