/**
 * The ONNX protobuf schema, loaded from the generated JSON descriptor through protobufjs' light build
 * (no .proto parser, no `fs`: this module is browser-safe), plus the shapes of the decoded messages.
 *
 * Field names are camelCase (protobufjs' default). int64 fields decode as long.js `Long` objects (or as
 * plain numbers if protobufjs was loaded without long.js); {@link int64ToBigInt} turns either into an
 * exact bigint, and {@link bigintToInt64} makes the `{low, high}` form the encoder accepts without long.js.
 */
import protobuf from 'protobufjs/light.js';
import { onnxDescriptor } from './onnx-descriptor.js';

const root = protobuf.Root.fromJSON(onnxDescriptor as protobuf.INamespace);

export const ModelProtoType = root.lookupType('onnx.ModelProto');
export const TensorProtoType = root.lookupType('onnx.TensorProto');
export const SequenceProtoType = root.lookupType('onnx.SequenceProto');
export const OptionalProtoType = root.lookupType('onnx.OptionalProto');
export const FunctionProtoType = root.lookupType('onnx.FunctionProto');

/** A decoded int64: long.js `Long`, a number (no long.js) — or on encode, any `{low, high}` pair. */
export type Int64 = number | { low: number; high: number; unsigned?: boolean };

/** AttributeProto.AttributeType numbers. */
export const AttributeTypeNumber = {
  UNDEFINED: 0,
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
  TENSORS: 9,
  GRAPHS: 10,
  SPARSE_TENSOR: 11,
  SPARSE_TENSORS: 12,
  TYPE_PROTO: 13,
  TYPE_PROTOS: 14,
} as const;

/** TensorProto.DataLocation: EXTERNAL means the bytes live in another file named by `external_data`. */
export const DATA_LOCATION_EXTERNAL = 1;

export interface StringStringEntryMsg {
  key?: string;
  value?: string;
}

export interface TensorMsg {
  dims?: Int64[];
  dataType?: number;
  segment?: { begin?: Int64; end?: Int64 } | null;
  floatData?: number[];
  int32Data?: number[];
  stringData?: Uint8Array[];
  int64Data?: Int64[];
  name?: string;
  docString?: string;
  rawData?: Uint8Array;
  externalData?: StringStringEntryMsg[];
  dataLocation?: number;
  doubleData?: number[];
  uint64Data?: Int64[];
}

export interface DimensionMsg {
  dimValue?: Int64;
  dimParam?: string;
  /** Which member of the `value` oneof is set, when one is. */
  value?: 'dimValue' | 'dimParam';
  denotation?: string;
}

export interface TypeMsg {
  tensorType?: { elemType?: number; shape?: { dim?: DimensionMsg[] } | null } | null;
  sequenceType?: { elemType?: TypeMsg | null } | null;
  mapType?: { keyType?: number; valueType?: TypeMsg | null } | null;
  optionalType?: { elemType?: TypeMsg | null } | null;
  sparseTensorType?: { elemType?: number; shape?: { dim?: DimensionMsg[] } | null } | null;
  value?: 'tensorType' | 'sequenceType' | 'mapType' | 'optionalType' | 'sparseTensorType';
  denotation?: string;
}

export interface ValueInfoMsg {
  name?: string;
  type?: TypeMsg | null;
  docString?: string;
}

export interface AttributeMsg {
  name?: string;
  refAttrName?: string;
  docString?: string;
  type?: number;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: TensorMsg | null;
  g?: GraphMsg | null;
  floats?: number[];
  ints?: Int64[];
  strings?: Uint8Array[];
  tensors?: TensorMsg[];
  graphs?: GraphMsg[];
  sparseTensor?: SparseTensorMsg | null;
  sparseTensors?: SparseTensorMsg[];
  tp?: TypeMsg | null;
  typeProtos?: TypeMsg[];
}

/** A sparse tensor: `values` [NNZ] (its name is the tensor's), `indices` [NNZ, rank] or linear [NNZ], `dims`. */
export interface SparseTensorMsg {
  values?: TensorMsg | null;
  indices?: TensorMsg | null;
  dims?: Int64[];
}

export interface NodeMsg {
  input?: string[];
  output?: string[];
  name?: string;
  opType?: string;
  domain?: string;
  /** With (domain, op_type), names the model-local function a node calls when several share a name. */
  overload?: string;
  attribute?: AttributeMsg[];
  docString?: string;
}

export interface GraphMsg {
  node?: NodeMsg[];
  name?: string;
  initializer?: TensorMsg[];
  sparseInitializer?: SparseTensorMsg[];
  docString?: string;
  input?: ValueInfoMsg[];
  output?: ValueInfoMsg[];
  valueInfo?: ValueInfoMsg[];
}

export interface ModelMsg {
  irVersion?: Int64;
  opsetImport?: OpsetImportMsg[];
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: Int64;
  docString?: string;
  graph?: GraphMsg | null;
  metadataProps?: StringStringEntryMsg[];
  functions?: FunctionMsg[];
}

export interface OpsetImportMsg {
  domain?: string;
  version?: Int64;
}

/** A model-local function, called by nodes whose (domain, op_type, overload) is its (domain, name, overload). */
export interface FunctionMsg {
  name?: string;
  input?: string[];
  output?: string[];
  /** Attribute names the function takes without a default. */
  attribute?: string[];
  /** Attributes the function takes with a default value (the attribute's value). */
  attributeProto?: AttributeMsg[];
  node?: NodeMsg[];
  docString?: string;
  opsetImport?: OpsetImportMsg[];
  domain?: string;
  overload?: string;
  valueInfo?: ValueInfoMsg[];
  metadataProps?: StringStringEntryMsg[];
}

/** onnx-data.proto's SequenceProto (maps are not read). */
export interface SequenceMsg {
  name?: string;
  elemType?: number;
  tensorValues?: TensorMsg[];
  sequenceValues?: SequenceMsg[];
  optionalValues?: OptionalMsg[];
}

/** onnx-data.proto's OptionalProto. */
export interface OptionalMsg {
  name?: string;
  elemType?: number;
  tensorValue?: TensorMsg | null;
  sequenceValue?: SequenceMsg | null;
  optionalValue?: OptionalMsg | null;
}

const TWO_32 = 4294967296n;

/**
 * An exact bigint from a decoded int64 (signed unless `unsigned`). Returns `undefined` for a plain number
 * that is not a safe integer — precision was already lost and the caller must report it.
 */
export function int64ToBigInt(v: Int64, unsigned = false): bigint | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : undefined;
  const bits = (BigInt(v.high >>> 0) * TWO_32) + BigInt(v.low >>> 0);
  return unsigned ? bits : BigInt.asIntN(64, bits);
}

/** The `{low, high}` pair protobufjs' encoder accepts for an int64/uint64 field (no long.js needed). */
export function bigintToInt64(v: bigint): { low: number; high: number; unsigned: boolean } {
  const bits = BigInt.asUintN(64, v);
  return { low: Number(bits & 0xffffffffn) | 0, high: Number(bits >> 32n) | 0, unsigned: false };
}
