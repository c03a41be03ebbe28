/**
 * TensorProto.DataType numbers ↔ the IR's element type names. The numbers are those of onnx.proto; a
 * number missing here is one rxrnn cannot represent, and the reader reports it.
 */
import type { ElementType } from '../ir/graph.js';
import { isDType, type DType } from '../tensor.js';

const BY_NUMBER: Readonly<Record<number, ElementType>> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
  17: 'float8e4m3fn',
  18: 'float8e4m3fnuz',
  19: 'float8e5m2',
  20: 'float8e5m2fnuz',
  21: 'uint4',
  22: 'int4',
  23: 'float4e2m1',
};

/** ONNX names of the numbers, for error messages (includes types the IR cannot hold). */
const ONNX_NAMES = [
  'UNDEFINED', 'FLOAT', 'UINT8', 'INT8', 'UINT16', 'INT16', 'INT32', 'INT64', 'STRING', 'BOOL', 'FLOAT16',
  'DOUBLE', 'UINT32', 'UINT64', 'COMPLEX64', 'COMPLEX128', 'BFLOAT16', 'FLOAT8E4M3FN', 'FLOAT8E4M3FNUZ',
  'FLOAT8E5M2', 'FLOAT8E5M2FNUZ', 'UINT4', 'INT4', 'FLOAT4E2M1', 'FLOAT8E8M0', 'UINT2', 'INT2',
];

const BY_NAME = new Map<ElementType, number>(
  Object.entries(BY_NUMBER).map(([n, t]) => [t, Number(n)] as [ElementType, number]),
);

/** The IR element type of a DataType number, or undefined when rxrnn has no name for it. */
export function elementTypeOf(n: number): ElementType | undefined {
  return Object.prototype.hasOwnProperty.call(BY_NUMBER, n) ? BY_NUMBER[n] : undefined;
}

/** The DataType number of an IR element type. */
export function dataTypeNumberOf(t: ElementType): number {
  const n = BY_NAME.get(t);
  if (n === undefined) throw new TypeError(`no ONNX DataType number for element type '${String(t)}'`);
  return n;
}

/** `7 (INT64)` — a DataType number with its ONNX name, for messages. */
export function describeDataTypeNumber(n: number): string {
  const name = Number.isInteger(n) && n >= 0 && n < ONNX_NAMES.length ? ONNX_NAMES[n] : 'unknown';
  return `${n} (${name})`;
}

/** Whether values of this element type can be held in a {@link Tensor} (i.e. it is a {@link DType}). */
export function isTensorDType(t: ElementType): t is DType {
  return isDType(t);
}

/** The tensor dtype of a DataType number (Cast's `to`), or undefined when a Tensor cannot hold it. */
export function dtypeOfDataTypeNumber(n: number): DType | undefined {
  const t = elementTypeOf(n);
  return t !== undefined && isDType(t) ? t : undefined;
}
