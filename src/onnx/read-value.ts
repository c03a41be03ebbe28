/**
 * Serialized ONNX values of any kind the IR types: a TensorProto, or the SequenceProto / OptionalProto of
 * onnx-data.proto that ONNX test data uses when a graph input or output is a sequence or an optional.
 * The declared {@link ValueType} says which message to expect, and the decoded value is checked against it.
 */
import { ModelLoadError } from '../errors.js';
import type { ValueType } from '../ir/graph.js';
import type { Tensor } from '../tensor.js';
import { OptionalProtoType, SequenceProtoType, type OptionalMsg, type SequenceMsg, type TensorMsg } from './proto.js';
import { readTensor, type ReadModelOptions } from './read.js';
import { DEFAULT_MAX_TENSOR_BYTES, tensorFromMsg, type TensorLimits } from './tensor-data.js';

/** A decoded ONNX value: a tensor, a sequence of values, or an optional that may be empty. */
export type DataValue =
  | { kind: 'tensor'; tensor: Tensor }
  | { kind: 'sequence'; elements: DataValue[] }
  | { kind: 'optional'; value: DataValue | undefined };

/** SequenceProto/OptionalProto.DataType numbers. */
const ELEM = { UNDEFINED: 0, TENSOR: 1, SPARSE_TENSOR: 2, SEQUENCE: 3, MAP: 4, OPTIONAL: 5 } as const;
const KIND_OF_ELEM: Readonly<Record<number, string>> = { 0: 'undefined', 1: 'tensor', 2: 'sparse tensor', 3: 'sequence', 4: 'map', 5: 'optional' };

/**
 * Reads a serialized value declared as `type` (e.g. a conformance `input_0.pb` for `model.graph.inputs[0].type`).
 *
 * @example
 * ```ts
 * const vi = model.graph.inputs[0]!;
 * const value = readValue(readFileSync('test_data_set_0/input_0.pb'), vi.type!);
 * if (value.kind === 'sequence') console.log(value.elements.length);
 * ```
 */
export function readValue(bytes: Uint8Array, type: ValueType, options: ReadModelOptions = {}): DataValue & { name?: string } {
  const limits: TensorLimits = { maxTensorBytes: options.maxTensorBytes ?? DEFAULT_MAX_TENSOR_BYTES, externalData: options.externalData };
  if (type.kind === 'tensor') {
    const { name, ...t } = readTensor(bytes, options);
    checkTensor(t, type, 'tensor');
    return name === undefined ? { kind: 'tensor', tensor: t } : { kind: 'tensor', tensor: t, name };
  }
  const what = type.kind === 'sequence' ? 'an ONNX sequence (SequenceProto)' : 'an ONNX optional (OptionalProto)';
  let msg: SequenceMsg | OptionalMsg;
  try {
    msg = (type.kind === 'sequence' ? SequenceProtoType : OptionalProtoType).decode(bytes) as unknown as SequenceMsg | OptionalMsg;
  } catch (e) {
    throw new ModelLoadError(`expected ${what}, but the bytes are not valid protobuf: ${(e as Error).message}`, { cause: e });
  }
  const value = type.kind === 'sequence' ? sequenceFromMsg(msg as SequenceMsg, type, 'sequence', limits) : optionalFromMsg(msg as OptionalMsg, type, 'optional', limits);
  return msg.name ? { ...value, name: msg.name } : value;
}

function valueOfElem(
  elemType: number,
  declared: ValueType,
  what: string,
  limits: TensorLimits,
  tensor: () => TensorMsg | null | undefined,
  sequence: () => SequenceMsg | null | undefined,
  optional: () => OptionalMsg | null | undefined,
): DataValue {
  const expected = declared.kind === 'tensor' ? ELEM.TENSOR : declared.kind === 'sequence' ? ELEM.SEQUENCE : ELEM.OPTIONAL;
  if (elemType !== expected) {
    throw new ModelLoadError(`${what}: holds ${KIND_OF_ELEM[elemType] ?? `element type ${elemType}`} values, expected ${declared.kind} values`);
  }
  if (declared.kind === 'tensor') {
    const t = tensorFromMsg(tensor() ?? {}, what, limits);
    checkTensor(t, declared, what);
    return { kind: 'tensor', tensor: t };
  }
  if (declared.kind === 'sequence') return sequenceFromMsg(sequence() ?? {}, declared, what, limits);
  return optionalFromMsg(optional() ?? {}, declared, what, limits);
}

function sequenceFromMsg(msg: SequenceMsg, type: Extract<ValueType, { kind: 'sequence' }>, what: string, limits: TensorLimits): DataValue {
  const elemType = msg.elemType ?? ELEM.UNDEFINED;
  const lists = [msg.tensorValues ?? [], msg.sequenceValues ?? [], msg.optionalValues ?? []];
  const count = Math.max(...lists.map((l) => l.length));
  if (count === 0) return { kind: 'sequence', elements: [] }; // an empty sequence may leave elem_type unset
  const elements: DataValue[] = [];
  for (let i = 0; i < count; i++) {
    elements.push(valueOfElem(elemType, type.elem, `${what}[${i}]`, limits,
      () => msg.tensorValues?.[i], () => msg.sequenceValues?.[i], () => msg.optionalValues?.[i]));
  }
  return { kind: 'sequence', elements };
}

function optionalFromMsg(msg: OptionalMsg, type: Extract<ValueType, { kind: 'optional' }>, what: string, limits: TensorLimits): DataValue {
  const elemType = msg.elemType ?? ELEM.UNDEFINED;
  const present = Boolean(msg.tensorValue || msg.sequenceValue || msg.optionalValue);
  if (!present) return { kind: 'optional', value: undefined };
  return {
    kind: 'optional',
    value: valueOfElem(elemType, type.elem, `${what} value`, limits, () => msg.tensorValue, () => msg.sequenceValue, () => msg.optionalValue),
  };
}

function checkTensor(t: Tensor, type: Extract<ValueType, { kind: 'tensor' }>, what: string): void {
  if (t.dtype !== type.elemType) throw new ModelLoadError(`${what}: element type is ${t.dtype}, expected ${type.elemType}`);
  if (type.shape && (type.shape.length !== t.dims.length || type.shape.some((d, i) => typeof d === 'number' && d !== t.dims[i]))) {
    throw new ModelLoadError(`${what}: shape [${t.dims.join(', ')}] does not fit the declared [${type.shape.map((d) => d ?? '?').join(', ')}]`);
  }
}
