/**
 * The one tensor type of rxrnn: a plain `{ dtype, dims, data }` record over a typed array.
 *
 * It is deliberately the same shape as onnxruntime's tensors so that crossing a backend boundary is a
 * wrap, not a copy. int64/uint64 live in BigInt64Array/BigUint64Array so no value ever loses precision
 * silently; kernels that need numbers convert explicitly.
 */

/** Element types a {@link Tensor} can hold. */
export type DType =
  | 'float32'
  | 'float64'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'bool';

/** The typed array behind each {@link DType}. `bool` is one byte per element, 0 or 1. */
export interface DataTypeMap {
  float32: Float32Array;
  float64: Float64Array;
  int8: Int8Array;
  int16: Int16Array;
  int32: Int32Array;
  int64: BigInt64Array;
  uint8: Uint8Array;
  uint16: Uint16Array;
  uint32: Uint32Array;
  uint64: BigUint64Array;
  bool: Uint8Array;
}

export type TypedArray = DataTypeMap[DType];

/**
 * A dense, row-major tensor.
 *
 * @example
 * ```ts
 * import { tensor } from 'rxrnn';
 * const x = tensor('float32', [1, 3], [0.1, 0.2, 0.3]);
 * ```
 */
export interface Tensor<D extends DType = DType> {
  readonly dtype: D;
  readonly dims: readonly number[];
  readonly data: DataTypeMap[D];
}

export const DTYPES: readonly DType[] = [
  'float32',
  'float64',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'bool',
];

const CONSTRUCTORS = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
} as const;

/** Bytes per element of each dtype. */
export const BYTES_PER_ELEMENT: Readonly<Record<DType, number>> = {
  float32: 4,
  float64: 8,
  int8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  uint8: 1,
  uint16: 2,
  uint32: 4,
  uint64: 8,
  bool: 1,
};

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && (DTYPES as readonly string[]).includes(x);
}

export function isBigIntDType(dtype: DType): dtype is 'int64' | 'uint64' {
  return dtype === 'int64' || dtype === 'uint64';
}

/** Number of elements of a shape; `[]` (a scalar) has one. */
export function sizeOf(dims: readonly number[]): number {
  let n = 1;
  // Indexed, not for-of: once callers pass dims arrays of several element kinds, V8 stops inlining this and
  // for-of then allocates an iterator per call, on every executor run (checkFeed) — a per-step allocation.
  for (let i = 0; i < dims.length; i++) n *= dims[i]!;
  return n;
}

/** Whether two shapes are equal (`undefined` — no shape yet — equals nothing). No allocation: for hot paths. */
export function sameDims(a: readonly number[] | undefined, b: readonly number[]): boolean {
  if (a === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A zero-filled typed array for `dtype` with `length` elements. */
export function allocData<D extends DType>(dtype: D, length: number): DataTypeMap[D] {
  return new CONSTRUCTORS[dtype](length) as DataTypeMap[D];
}

/** The dtype a typed array stands for (Uint8Array is read as uint8, never bool). */
export function dtypeOfArray(data: TypedArray): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Uint32Array) return 'uint32';
  return 'uint64';
}

/**
 * Makes a tensor, copying `values` into a fresh typed array when they are not already one of the right type.
 *
 * @example
 * ```ts
 * const h = tensor('float32', [1, 1, 64]);          // zeros
 * const sr = tensor('int64', [], [16000n]);           // int64 scalar
 * const ids = tensor('int64', [1, 3], [4, 8, 15]);    // numbers are accepted for int64 too
 * ```
 */
export function tensor<D extends DType>(
  dtype: D,
  dims: readonly number[],
  values?: ArrayLike<number | bigint | boolean> | DataTypeMap[D],
): Tensor<D> {
  const n = sizeOf(dims);
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`tensor: dims must be non-negative integers, got [${dims.join(', ')}]`);
  }
  if (values === undefined) return { dtype, dims: [...dims], data: allocData(dtype, n) };
  if (values.length !== n) {
    throw new RangeError(`tensor: shape [${dims.join(', ')}] holds ${n} elements, got ${values.length} values`);
  }
  const Ctor = CONSTRUCTORS[dtype];
  if (values instanceof Ctor) {
    return { dtype, dims: [...dims], data: values as DataTypeMap[D] };
  }
  const data = allocData(dtype, n);
  if (isBigIntDType(dtype)) {
    const out = data as BigInt64Array | BigUint64Array;
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      out[i] = typeof v === 'bigint' ? v : BigInt(typeof v === 'boolean' ? Number(v) : Math.trunc(v));
    }
  } else {
    const out = data as Exclude<TypedArray, BigInt64Array | BigUint64Array>;
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      out[i] = typeof v === 'number' ? v : Number(v);
    }
  }
  return { dtype, dims: [...dims], data };
}

/** A deep copy (new typed array) of a tensor. */
export function cloneTensor<D extends DType>(t: Tensor<D>): Tensor<D> {
  return { dtype: t.dtype, dims: [...t.dims], data: t.data.slice() as DataTypeMap[D] };
}

/** Reads element `i` as a JavaScript number (int64 is converted; exactness beyond 2^53 is the caller's concern). */
export function elementAsNumber(t: Tensor, i: number): number {
  const v = t.data[i]!;
  return typeof v === 'bigint' ? Number(v) : v;
}

/** Copies the whole tensor into a number array (int64 via Number()). For shapes, indices and test output. */
export function toNumberArray(t: Tensor): number[] {
  const out = new Array<number>(t.data.length);
  for (let i = 0; i < t.data.length; i++) out[i] = elementAsNumber(t, i);
  return out;
}

export function shapeToString(dims: readonly (number | string | null)[]): string {
  return `[${dims.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}
