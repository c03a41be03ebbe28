/** Kernels: unary and binary math with numpy broadcasting, comparisons, logic, Where, Clip, Pow, Max/Min. */
import { KernelError } from '../../errors.js';
import { attrFloat } from '../../ir/attributes.js';
import { describeNode } from '../../ir/graph.js';
import { isBigIntDType, type DType, type Tensor, type TypedArray } from '../../tensor.js';
import { Broadcaster } from '../broadcast.js';
import type { Kernel, KernelDef, KernelInit } from '../kernel.js';
import {
  binaryKernel,
  isFloat,
  isInt32ish,
  unaryKernel,
  type Arr,
  type BinaryOp,
  type RowFn,
  type UnaryLoop,
} from './elementwise-impl.js';
import { requireInputs } from './arity.js';

// ---- row loops -------------------------------------------------------------------------------------
// Integer results are stored into integer typed arrays, which wrap modulo 2^bits as ONNX integer
// arithmetic does; 32-bit products go through Math.imul because a double cannot hold them exactly.

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

const ADD = arith('Add', add, add, add, add);
const SUB = arith('Sub', sub, sub, sub, sub);
const MUL = arith('Mul', mul, mul, imul, mul);
const DIV = arith('Div', div, idiv, idiv, bigDiv);
const compare = (name: string, fn: RowFn): BinaryOp => ({ name, num: () => fn, big: fn, outType: () => 'bool' });
const logic = (name: string, fn: RowFn): BinaryOp => ({
  name,
  num: () => fn,
  outType: () => 'bool',
  accepts: (a, b) => a === 'bool' && b === 'bool',
});

/** Pow's base (T) and exponent (T1) may differ in dtype since opset 12; the output has the base's dtype. */
const POW: BinaryOp = {
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

// ---- variadic Max / Min ----------------------------------------------------------------------------------

function variadicKernel(opType: string, pickMax: boolean): KernelDef {
  return {
    opType,
    sinceVersion: 1,
    freshOutputs: true,
    create(init: KernelInit): Kernel {
      requireInputs(init, init.node.inputs.length === 0 ? 1 : init.node.inputs.length);
      const what = describeNode(init.node);
      const n = init.node.inputs.length;
      const bc = new Broadcaster(n);
      const ins: Tensor[] = [];
      const result: (Tensor | undefined)[] = [undefined];
      return {
        run(inputs, ctx) {
          const dtype = inputs[0]!.dtype;
          for (let k = 0; k < n; k++) {
            const t = inputs[k]!;
            if (t.dtype !== dtype) throw new KernelError(`${what}: all inputs must share a dtype; input 0 is ${dtype}, input ${k} is ${t.dtype}`);
            ins[k] = t;
          }
          if (dtype === 'bool') throw new KernelError(`${what}: ${opType} does not accept bool`);
          bc.plan(ins, ctx, what);
          const out = ctx.output(0, dtype, bc.dims);
          const od = out.data as Arr;
          const len = bc.rowLen;
          for (let r = 0, o = 0; r < bc.rows; r++, o += len) {
            // Seed the row with input 0, then fold the others in.
            let src = ins[0]!.data as Arr;
            let s = bc.steps[0]!;
            let off = bc.offsets[0]![r]!;
            for (let i = 0; i < len; i++, off += s) od[o + i] = src[off];
            for (let k = 1; k < n; k++) {
              src = ins[k]!.data as Arr;
              s = bc.steps[k]!;
              off = bc.offsets[k]![r]!;
              if (pickMax) {
                for (let i = 0; i < len; i++, off += s) {
                  const v = src[off];
                  const cur = od[o + i];
                  // NaN propagates, as numpy.maximum / std::max-with-NaN-check do.
                  if (v > cur || v !== v) od[o + i] = v;
                }
              } else {
                for (let i = 0; i < len; i++, off += s) {
                  const v = src[off];
                  const cur = od[o + i];
                  if (v < cur || v !== v) od[o + i] = v;
                }
              }
            }
          }
          result[0] = out;
          return result;
        },
      };
    },
  };
}

// ---- Where -------------------------------------------------------------------------------------------------

const whereKernel: KernelDef = {
  opType: 'Where',
  sinceVersion: 9,
  freshOutputs: true,
  create(init) {
    requireInputs(init, 3);
    const what = describeNode(init.node);
    const bc = new Broadcaster(3);
    const ins: Tensor[] = [];
    const result: (Tensor | undefined)[] = [undefined];
    return {
      run(inputs, ctx) {
        const c = inputs[0]!;
        const x = inputs[1]!;
        const y = inputs[2]!;
        if (c.dtype !== 'bool') throw new KernelError(`${what}: condition must be bool, got ${c.dtype}`);
        if (x.dtype !== y.dtype) throw new KernelError(`${what}: X and Y must share a dtype, got ${x.dtype} and ${y.dtype}`);
        ins[0] = c;
        ins[1] = x;
        ins[2] = y;
        bc.plan(ins, ctx, what);
        const out = ctx.output(0, x.dtype, bc.dims);
        const od = out.data as Arr;
        const cd = c.data;
        const xd = x.data as Arr;
        const yd = y.data as Arr;
        const [sc, sx, sy] = [bc.steps[0]!, bc.steps[1]!, bc.steps[2]!];
        const len = bc.rowLen;
        for (let r = 0, o = 0; r < bc.rows; r++, o += len) {
          let co = bc.offsets[0]![r]!;
          let xo = bc.offsets[1]![r]!;
          let yo = bc.offsets[2]![r]!;
          for (let i = 0; i < len; i++, co += sc, xo += sx, yo += sy) od[o + i] = cd[co] ? xd[xo] : yd[yo];
        }
        result[0] = out;
        return result;
      },
    };
  },
};

// ---- Clip --------------------------------------------------------------------------------------------------

/**
 * Clip: bounds are attributes before opset 11 and optional scalar inputs from 11 on. Applying min then max
 * makes every value `max` when min > max, as the operator text requires; NaN passes through.
 */
function clipKernel(sinceVersion: number, untilVersion: number | undefined): KernelDef {
  return {
    opType: 'Clip',
    sinceVersion,
    freshOutputs: true,
    ...(untilVersion !== undefined ? { untilVersion } : {}),
    create(init) {
      requireInputs(init, 1, init.opset < 11 ? 1 : 3);
      const what = describeNode(init.node);
      const fromAttrs = init.opset < 11;
      // Bounds live in a Float64Array so the loop reads them as raw doubles: a bound held as a tagged value
      // (number | undefined) would make V8 keep the loop variable tagged and box every element it reads.
      const bounds = new Float64Array([
        fromAttrs ? attrFloat(init.node, 'min', -3.4028234663852886e38) : -Infinity,
        fromAttrs ? attrFloat(init.node, 'max', 3.4028234663852886e38) : Infinity,
      ]);
      const result: (Tensor | undefined)[] = [undefined];
      const checkBound = (t: Tensor | undefined, name: string, dtype: DType): void => {
        if (t === undefined) return;
        if (t.data.length !== 1) throw new KernelError(`${what}: '${name}' must be a scalar, got ${t.data.length} elements`);
        if (t.dtype !== dtype) throw new KernelError(`${what}: '${name}' must be ${dtype} like the input, got ${t.dtype}`);
      };
      return {
        run(inputs, ctx) {
          const x = inputs[0]!;
          if (x.dtype === 'bool') throw new KernelError(`${what}: Clip does not accept bool`);
          const minT = fromAttrs ? undefined : inputs[1];
          const maxT = fromAttrs ? undefined : inputs[2];
          checkBound(minT, 'min', x.dtype);
          checkBound(maxT, 'max', x.dtype);
          const out = ctx.output(0, x.dtype, x.dims);
          if (isBigIntDType(x.dtype)) {
            clipBig(x.data as BigInt64Array, out.data as BigInt64Array, minT?.data[0] as bigint | undefined, maxT?.data[0] as bigint | undefined);
          } else {
            // Absent bounds stay infinities.
            if (minT !== undefined) bounds[0] = minT.data[0] as number;
            if (maxT !== undefined) bounds[1] = maxT.data[0] as number;
            const lo = bounds[0]!;
            const hi = bounds[1]!;
            // inline rather than a helper call: passing the doubles as arguments would box them
            const xd = x.data as Float32Array;
            const od = out.data as Float32Array;
            for (let i = 0; i < xd.length; i++) {
              let v = xd[i]!;
              if (v < lo) v = lo;
              if (v > hi) v = hi;
              od[i] = v;
            }
          }
          result[0] = out;
          return result;
        },
      };
    },
  };
}

function clipBig(xd: BigInt64Array, od: BigInt64Array, lo: bigint | undefined, hi: bigint | undefined): void {
  for (let i = 0; i < xd.length; i++) {
    let v = xd[i]!;
    if (lo !== undefined && v < lo) v = lo;
    if (hi !== undefined && v > hi) v = hi;
    od[i] = v;
  }
}

// ---- Not ------------------------------------------------------------------------------------------------------

const notKernel: KernelDef = {
  opType: 'Not',
  sinceVersion: 1,
  freshOutputs: true,
  create(init) {
    requireInputs(init, 1);
    const what = describeNode(init.node);
    const result: (Tensor | undefined)[] = [undefined];
    return {
      run(inputs, ctx) {
        const x = inputs[0]!;
        if (x.dtype !== 'bool') throw new KernelError(`${what}: Not takes bool, got ${x.dtype}`);
        const out = ctx.output(0, 'bool', x.dims);
        const xd = x.data as TypedArray as Uint8Array;
        const od = out.data;
        for (let i = 0; i < xd.length; i++) od[i] = xd[i] ? 0 : 1;
        result[0] = out;
        return result;
      },
    };
  },
};

/** Negation; integer arrays wrap (-(-128) stays -128 in int8), as C does. Works for number and bigint arrays. */
const negLoop: UnaryLoop = (x, o, n) => {
  for (let i = 0; i < n; i++) o[i] = -x[i];
};

const SIGNED: readonly DType[] = ['float32', 'float64', 'int8', 'int16', 'int32', 'int64'];
const NUMERIC: readonly DType[] = [...SIGNED, 'uint8', 'uint16', 'uint32', 'uint64'];

// Unary operators, Max/Min and Clip start at opset 1: their versions before 6 differ only by the legacy
// `consumed_inputs` attribute, which changes nothing about the result. Add/Sub/Mul/Div/Pow/comparisons
// start at 7, where numpy broadcasting replaced the old `broadcast`/`axis` attributes.
export const kernels: KernelDef[] = [
  binaryKernel('Add', 7, ADD),
  binaryKernel('Sub', 7, SUB),
  binaryKernel('Mul', 7, MUL),
  binaryKernel('Div', 7, DIV),
  binaryKernel('Pow', 7, POW),
  binaryKernel('Equal', 7, compare('Equal', equal)),
  binaryKernel('Less', 7, compare('Less', less)),
  binaryKernel('Greater', 7, compare('Greater', greater)),
  binaryKernel('LessOrEqual', 12, compare('LessOrEqual', lessOrEqual)),
  binaryKernel('GreaterOrEqual', 12, compare('GreaterOrEqual', greaterOrEqual)),
  binaryKernel('And', 7, logic('And', and)),
  binaryKernel('Or', 7, logic('Or', or)),
  binaryKernel('Xor', 7, logic('Xor', xor)),
  notKernel,
  whereKernel,
  variadicKernel('Max', true),
  variadicKernel('Min', false),
  clipKernel(1, 10),
  clipKernel(11, undefined),
  unaryKernel('Exp', 1, {
    num: (x, o, n) => {
      for (let i = 0; i < n; i++) o[i] = Math.exp(x[i]);
    },
  }),
  unaryKernel('Log', 1, {
    num: (x, o, n) => {
      for (let i = 0; i < n; i++) o[i] = Math.log(x[i]);
    },
  }),
  unaryKernel('Sqrt', 1, {
    num: (x, o, n) => {
      for (let i = 0; i < n; i++) o[i] = Math.sqrt(x[i]);
    },
  }),
  unaryKernel('Neg', 1, { num: negLoop, big: negLoop, dtypes: SIGNED }),
  unaryKernel('Abs', 1, {
    num: (x, o, n) => {
      for (let i = 0; i < n; i++) o[i] = Math.abs(x[i]);
    },
    big: (x, o, n) => {
      for (let i = 0; i < n; i++) o[i] = x[i] < 0n ? -x[i] : x[i];
    },
    dtypes: NUMERIC,
  }),
  unaryKernel('Reciprocal', 1, {
    num: (x, o, n) => {
      for (let i = 0; i < n; i++) o[i] = 1 / x[i];
    },
  }),
  unaryKernel('Floor', 1, {
    num: (x, o, n) => {
      for (let i = 0; i < n; i++) o[i] = Math.floor(x[i]);
    },
  }),
  unaryKernel('Ceil', 1, {
    num: (x, o, n) => {
      for (let i = 0; i < n; i++) o[i] = Math.ceil(x[i]);
    },
  }),
];
