/**
 * Checks one feed against its graph input before anything runs, so bad input is refused with an
 * `InputError` that names the input and says what was expected and what came, and no state is touched.
 */
import { InputError } from '../errors.js';
import { shapeToString, sizeOf, type Tensor, type TypedArray } from '../tensor.js';
import type { InputBinding } from './plan.js';

const ARRAY_OF: Record<string, (a: unknown) => boolean> = {
  float32: (a) => a instanceof Float32Array,
  float64: (a) => a instanceof Float64Array,
  int8: (a) => a instanceof Int8Array,
  int16: (a) => a instanceof Int16Array,
  int32: (a) => a instanceof Int32Array,
  int64: (a) => a instanceof BigInt64Array,
  uint8: (a) => a instanceof Uint8Array,
  uint16: (a) => a instanceof Uint16Array,
  uint32: (a) => a instanceof Uint32Array,
  uint64: (a) => a instanceof BigUint64Array,
  bool: (a) => a instanceof Uint8Array,
};

/** Throws `InputError` unless `t` fits `input`'s declared dtype, rank and fixed dimensions. */
export function checkFeed(input: InputBinding, t: Tensor): void {
  const name = input.name;
  if (t === null || typeof t !== 'object' || !Array.isArray(t.dims) || typeof t.dtype !== 'string') {
    throw new InputError(`input '${name}': expected a tensor { dtype, dims, data }, got ${describe(t)}`);
  }
  const check = ARRAY_OF[t.dtype];
  if (check === undefined || !check(t.data)) {
    throw new InputError(`input '${name}': dtype '${t.dtype}' does not match its data (${describe(t.data)})`);
  }
  const n = sizeOf(t.dims);
  let dimsOk = true;
  for (let i = 0; i < t.dims.length; i++) {
    const d = t.dims[i]!;
    if (!Number.isInteger(d) || d < 0) dimsOk = false;
  }
  if (!dimsOk || (t.data as TypedArray).length !== n) {
    throw new InputError(
      `input '${name}': dims ${shapeToString(t.dims)} hold ${n} elements, but data has ${(t.data as TypedArray).length}`,
    );
  }
  const want = input.info;
  if (want?.dtype !== undefined && t.dtype !== want.dtype) {
    throw new InputError(`input '${name}': expected dtype ${want.dtype}, got ${t.dtype}`);
  }
  const dims = input.declaredDims;
  if (dims !== undefined) {
    let ok = dims.length === t.dims.length;
    for (let i = 0; ok && i < dims.length; i++) {
      const d = dims[i];
      if (typeof d === 'number' && d !== t.dims[i]) ok = false;
    }
    if (!ok) {
      throw new InputError(`input '${name}': expected shape ${shapeToString(dims)}, got ${shapeToString(t.dims)}`);
    }
  }
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x !== 'object') return typeof x;
  return (x as object).constructor?.name ?? 'object';
}
