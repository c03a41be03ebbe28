/**
 * The binary element-wise operators as row loops (see elementwise-impl.ts for the row contract): arithmetic,
 * Pow over mixed dtypes, comparisons and logic. Integer results are stored into integer typed arrays, which
 * wrap modulo 2^bits as ONNX integer arithmetic does.
 */
import { KernelError } from '../../errors.js';
import { isBigIntDType, type DType } from '../../tensor.js';
import { isFloat, isInt32ish, type BinaryOp, type RowFn } from './elementwise-impl.js';

// ---- row loops -------------------------------------------------------------------------------------
// 32-bit integer products go through Math.imul because a double cannot hold them exactly.

const add: RowFn = (out, o, a, ao, as, b, bo, bs, len) => {
  for (let i = 0; i < len; i++, ao += as, bo += bs) out[o + i] = a[ao] + b[bo];
};
const sub: RowFn = (out, o, a, ao, as, b, bo, bs, len) => {
  for (let i = 0; i < len; i++, ao += as, bo += bs) out[o + i] = a[ao] - b[bo];
};
const mul: RowFn = (out, o, a, ao, as, b, bo, bs, len) => {
  for (let i = 0; i < len; i++, ao += as, bo += bs) out[o + i] = a[ao] * b[bo];
};
const imul: RowFn = (out, o, a, ao, as, b, bo, bs, len) => {
  for (let i = 0; i < len; i++, ao += as, bo += bs) out[o + i] = Math.imul(a[ao], b[bo]);
};
const div: RowFn = (out, o, a, ao, as, b, bo, bs, len) => {
  for (let i = 0; i < len; i++, ao += as, bo += bs) out[o + i] = a[ao] / b[bo];
};
/** Integer division truncates toward zero (C semantics, as onnxruntime and the ONNX tests use). */
const idiv: RowFn = (out, o, a, ao, as, b, bo, bs, len) => {
  for (let i = 0; i < len; i++, ao += as, bo += bs) {
    const d = b[bo];
    if (d === 0) throw new KernelError('integer division by zero');
    out[o + i] = Math.trunc(a[ao] / d);
  }
};
const bigDiv: RowFn = (out, o, a, ao, as, b, bo, bs, len) => {
  for (let i = 0; i < len; i++, ao += as, bo += bs) {
    const d: bigint = b[bo];
    if (d === 0n) throw new KernelError('integer division by zero');
    out[o + i] = a[ao] / d; // BigInt division truncates toward zero
  }
};
const equal: RowFn = (out, o, a, ao, as, b, bo, bs, len) => {
  for (let i = 0; i < len; i++, ao += as, bo += bs) out[o + i] = a[ao] === b[bo] ? 1 : 0;
};
const less: RowFn = (out, o, a, ao, as, b, bo, bs, len) => {
  for (let i = 0; i < len; i++, ao += as, bo += bs) out[o + i] = a[ao] < b[bo] ? 1 : 0;
};
const greater: RowFn = (out, o, a, ao, as, b, bo, bs, len) => {
  for (let i = 0; i < len; i++, ao += as, bo += bs) out[o + i] = a[ao] > b[bo] ? 1 : 0;
};
const lessOrEqual: RowFn = (out, o, a, ao, as, b, bo, bs, len) => {
  for (let i = 0; i < len; i++, ao += as, bo += bs) out[o + i] = a[ao] <= b[bo] ? 1 : 0;
};
const greaterOrEqual: RowFn = (out, o, a, ao, as, b, bo, bs, len) => {
  for (let i = 0; i < len; i++, ao += as, bo += bs) out[o + i] = a[ao] >= b[bo] ? 1 : 0;
};
const and: RowFn = (out, o, a, ao, as, b, bo, bs, len) => {
  for (let i = 0; i < len; i++, ao += as, bo += bs) out[o + i] = a[ao] && b[bo] ? 1 : 0;
};
const or: RowFn = (out, o, a, ao, as, b, bo, bs, len) => {
  for (let i = 0; i < len; i++, ao += as, bo += bs) out[o + i] = a[ao] || b[bo] ? 1 : 0;
};
const xor: RowFn = (out, o, a, ao, as, b, bo, bs, len) => {
  for (let i = 0; i < len; i++, ao += as, bo += bs) out[o + i] = (a[ao] ? 1 : 0) ^ (b[bo] ? 1 : 0);
};
const pow: RowFn = (out, o, a, ao, as, b, bo, bs, len) => {
  for (let i = 0; i < len; i++, ao += as, bo += bs) out[o + i] = Math.pow(a[ao], b[bo]);
};
const powBigBig: RowFn = (out, o, a, ao, as, b, bo, bs, len) => {
  for (let i = 0; i < len; i++, ao += as, bo += bs) out[o + i] = bigPow(a[ao], b[bo]);
};
/** int64 base, number exponent: computed in double and truncated, as numpy's `astype` of the result. */
const powBigNum: RowFn = (out, o, a, ao, as, b, bo, bs, len) => {
  for (let i = 0; i < len; i++, ao += as, bo += bs) out[o + i] = truncToBig(Math.pow(Number(a[ao]), b[bo]));
};
const powNumBig: RowFn = (out, o, a, ao, as, b, bo, bs, len) => {
  for (let i = 0; i < len; i++, ao += as, bo += bs) out[o + i] = Math.pow(a[ao], Number(b[bo]));
};
/** int64 base, 32-bit-or-smaller integer exponent: exact integer power. */
const powBigInt: RowFn = (out, o, a, ao, as, b, bo, bs, len) => {
  for (let i = 0; i < len; i++, ao += as, bo += bs) out[o + i] = bigPow(a[ao], BigInt(b[bo]));
};
/** Small integer base, int64 exponent: exact integer power (exponents beyond 2^53 only matter for 0/±1). */
const powIntBig: RowFn = (out, o, a, ao, as, b, bo, bs, len) => {
  for (let i = 0; i < len; i++, ao += as, bo += bs) out[o + i] = intPow(a[ao], Number(b[bo]));
};
/** Integer base and exponent of at most 32 bits: exact, wrapping like C integer multiplication. */
const powInt: RowFn = (out, o, a, ao, as, b, bo, bs, len) => {
  for (let i = 0; i < len; i++, ao += as, bo += bs) out[o + i] = intPow(a[ao], b[bo]);
};

function intPow(base: number, exp: number): number {
  if (exp < 0) {
    if (base === 1) return 1;
    if (base === -1) return exp % 2 === 0 ? 1 : -1;
    if (base === 0) throw new KernelError('integer Pow: 0 to a negative power');
    return 0;
  }
  let result = 1;
  let b = base | 0;
  let e = exp;
  while (e > 0) {
    if (e & 1) result = Math.imul(result, b);
    b = Math.imul(b, b);
    e = Math.floor(e / 2);
  }
  return result;
}

/**
 * A float result converted to int64 the way onnxruntime's C++ cast does on x86-64: NaN, infinities and
 * out-of-range values become the "integer indefinite" value, INT64_MIN (e.g. `0 ** -1`).
 */
function truncToBig(v: number): bigint {
  return Number.isFinite(v) && Math.abs(v) < 9223372036854775808 ? BigInt(Math.trunc(v)) : -9223372036854775808n;
}

/** int32 base, float exponent: as above with INT32_MIN as the indefinite value. */
const powI32Float: RowFn = (out, o, a, ao, as, b, bo, bs, len) => {
  for (let i = 0; i < len; i++, ao += as, bo += bs) {
    const v = Math.pow(a[ao], b[bo]);
    out[o + i] = Number.isFinite(v) && Math.abs(v) < 2147483648 ? Math.trunc(v) : -2147483648;
  }
};

/** Integer power with wrap-around at 64 bits (square-and-multiply), negative exponents as C truncation. */
export function bigPow(base: bigint, exp: bigint): bigint {
  if (exp < 0n) {
    if (base === 1n) return 1n;
    if (base === -1n) return exp % 2n === 0n ? 1n : -1n;
    if (base === 0n) throw new KernelError('integer Pow: 0 to a negative power');
    return 0n;
  }
  let result = 1n;
  let b = BigInt.asIntN(64, base);
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = BigInt.asIntN(64, result * b);
    b = BigInt.asIntN(64, b * b);
    e >>= 1n;
  }
  return result;
}

// ---- binary operators --------------------------------------------------------------------------------

const arith = (name: string, float: RowFn, int: RowFn, int32: RowFn, big: RowFn): BinaryOp => ({
  name,
  num: (t: DType) => (isFloat(t) ? float : isInt32ish(t) ? int32 : int),
  big,
});

export const ADD = arith('Add', add, add, add, add);
export const SUB = arith('Sub', sub, sub, sub, sub);
export const MUL = arith('Mul', mul, mul, imul, mul);
export const DIV = arith('Div', div, idiv, idiv, bigDiv);
const compare = (name: string, fn: RowFn): BinaryOp => ({ name, num: () => fn, big: fn, outType: () => 'bool' });
const logic = (name: string, fn: RowFn): BinaryOp => ({
  name,
  num: () => fn,
  outType: () => 'bool',
  accepts: (a, b) => a === 'bool' && b === 'bool',
});

/** Pow's base (T) and exponent (T1) may differ in dtype since opset 12; the output has the base's dtype. */
export const POW: BinaryOp = {
  name: 'Pow',
  accepts: (a, b) => a !== 'bool' && b !== 'bool',
  select: (a, b) => {
    const ba = isBigIntDType(a);
    const bb = isBigIntDType(b);
    if (ba && bb) return powBigBig;
    if (ba) return isFloat(b) ? powBigNum : powBigInt;
    if (bb) return isFloat(a) ? powNumBig : powIntBig;
    if (a === 'int32' && isFloat(b)) return powI32Float;
    return isFloat(a) || isFloat(b) ? pow : powInt;
  },
};

export const EQUAL = compare('Equal', equal);
export const LESS = compare('Less', less);
export const GREATER = compare('Greater', greater);
export const LESS_OR_EQUAL = compare('LessOrEqual', lessOrEqual);
export const GREATER_OR_EQUAL = compare('GreaterOrEqual', greaterOrEqual);
export const AND = logic('And', and);
export const OR = logic('Or', or);
export const XOR = logic('Xor', xor);
