/**
 * Kernels: the unary operators exporters put around recurrent layers — Erf, Gelu, HardSwish, Sin, Cos,
 * Sign, Round — and the float tests IsNaN and IsInf. Every loop computes in double and rounds once, when
 * it stores, so float32 outputs carry no float32 intermediate rounding.
 */
import { KernelError } from '../../errors.js';
import { attrInt, attrString } from '../../ir/attributes.js';
import { describeNode, type Node } from '../../ir/graph.js';
import type { DType, Tensor } from '../../tensor.js';
import type { KernelDef } from '../kernel.js';
import { requireInputs } from './arity.js';
import { unaryKernel, type Arr, type UnaryLoop } from './elementwise-impl.js';
import { erfLoop } from './erf.js';
import { int64Words } from './int64-words.js';

const FLOATS: readonly DType[] = ['float32', 'float64'];
const NUMERIC: readonly DType[] = ['float32', 'float64', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64'];

const erfOf: UnaryLoop = (x, o, n) => erfLoop(x, o, n, false);

/**
 * Sign of int64/uint64 from the 32-bit words, which needs no BigInt: the high word carries the sign and
 * the value is zero only when both words are.
 */
const signBig: UnaryLoop = (x, o, n) => {
  const xw = int64Words(x);
  const ow = int64Words(o);
  if (xw === undefined || ow === undefined) {
    // big-endian host: word order unknown
    for (let i = 0; i < n; i++) o[i] = x[i] > 0n ? 1n : x[i] < 0n ? -1n : 0n;
    return;
  }
  const unsigned = x instanceof BigUint64Array;
  for (let i = 0; i < n; i++) {
    const lo = xw[2 * i]!;
    const hi = xw[2 * i + 1]!;
    const negative = !unsigned && hi < 0;
    ow[2 * i] = negative ? -1 : lo !== 0 || hi !== 0 ? 1 : 0;
    ow[2 * i + 1] = negative ? -1 : 0;
  }
};

/** Gelu (opset 20): exact with `approximate = 'none'`, the tanh formula with `'tanh'`. */
const geluKernel: KernelDef = {
  opType: 'Gelu',
  sinceVersion: 20,
  freshOutputs: true,
  create(init) {
    requireInputs(init, 1);
    const what = describeNode(init.node);
    const approximate = attrString(init.node, 'approximate', 'none');
    if (approximate !== 'none' && approximate !== 'tanh') {
      throw new KernelError(`${what}: approximate must be 'none' or 'tanh', got '${approximate}'`);
    }
    checkDeclared(init.inputInfo[0]?.dtype, FLOATS, what, 'Gelu');
    const result: (Tensor | undefined)[] = [undefined];
    return {
      run(inputs, ctx) {
        const x = inputs[0]!;
        checkDtype(x.dtype, FLOATS, what, 'Gelu');
        const out = ctx.output(0, x.dtype, x.dims);
        const xd = x.data as Arr;
        const od = out.data as Arr;
        const n = xd.length;
        if (approximate === 'tanh') {
          // ½·x·(1 + tanh z) written as x / (1 + e^(-2z)): the same value without 1 + tanh z cancelling to
          // nothing for x ≪ 0; z = √(2/π)·(x + 0.044715·x³).
          for (let i = 0; i < n; i++) {
            const v = xd[i];
            od[i] = v / (1 + Math.exp(-1.5957691216057308 * (v + 0.044715 * v * v * v)));
          }
        } else {
          // x·Φ(x) = ½·x·erfc(-x/√2): erfc keeps full relative precision where 1 + erf(x/√2) would cancel
          // (x ≪ 0). The argument goes through a float64 scratch so a float32 output never rounds it.
          const t = ctx.scratch(0, 'float64', n);
          for (let i = 0; i < n; i++) t[i] = -xd[i] * Math.SQRT1_2;
          erfLoop(t, t, n, true);
          for (let i = 0; i < n; i++) od[i] = 0.5 * xd[i] * t[i]!;
        }
        result[0] = out;
        return result;
      },
    };
  },
};

/** A float-to-bool test (IsNaN, IsInf); its loop is made once per node from the node's attributes. */
function floatTest(opType: string, sinceVersion: number, make: (node: Node) => UnaryLoop): KernelDef {
  return {
    opType,
    sinceVersion,
    freshOutputs: true,
    create(init) {
      requireInputs(init, 1);
      const what = describeNode(init.node);
      checkDeclared(init.inputInfo[0]?.dtype, FLOATS, what, opType);
      const loop = make(init.node);
      const result: (Tensor | undefined)[] = [undefined];
      return {
        run(inputs, ctx) {
          const x = inputs[0]!;
          checkDtype(x.dtype, FLOATS, what, opType);
          const out = ctx.output(0, 'bool', x.dims);
          loop(x.data, out.data, x.data.length);
          result[0] = out;
          return result;
        },
      };
    },
  };
}

function checkDeclared(declared: DType | undefined, dtypes: readonly DType[], what: string, opType: string): void {
  if (declared !== undefined) checkDtype(declared, dtypes, what, opType);
}

function checkDtype(dtype: DType, dtypes: readonly DType[], what: string, opType: string): void {
  if (!dtypes.includes(dtype)) throw new KernelError(`${what}: ${opType} takes ${dtypes.join('/')}, got ${dtype}`);
}

// Every operator here is open-ended from its first version: later versions only add float16/bfloat16
// (and float8 for IsNaN/IsInf), types this runtime does not hold.
export const elementwiseMoreKernels: KernelDef[] = [
  // Erf-9 also lists integer types; erf of an integer truncates to 0 for every value, and onnxruntime
  // implements float32 only, so integers are refused rather than carried as a constant zero.
  unaryKernel('Erf', 9, { num: erfOf }),
  geluKernel,
  unaryKernel('HardSwish', 14, {
    // x·max(0, min(1, x/6 + ½)); -∞ gives -∞·0 = NaN, as the formula (and onnxruntime) does
    num: (x, o, n) => {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        const g = v / 6 + 0.5;
        o[i] = v * (g < 0 ? 0 : g > 1 ? 1 : g);
      }
    },
  }),
  unaryKernel('Sin', 7, {
    num: (x, o, n) => {
      for (let i = 0; i < n; i++) o[i] = Math.sin(x[i]);
    },
  }),
  unaryKernel('Cos', 7, {
    num: (x, o, n) => {
      for (let i = 0; i < n; i++) o[i] = Math.cos(x[i]);
    },
  }),
  unaryKernel('Sign', 9, {
    // NaN stays NaN and both zeros give +0, as onnxruntime does
    num: (x, o, n) => {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        o[i] = v > 0 ? 1 : v < 0 ? -1 : v === 0 ? 0 : v;
      }
    },
    big: signBig,
    dtypes: NUMERIC,
  }),
  unaryKernel('Round', 11, {
    // Half to even (numpy.round, C nearbyint): Math.round takes halves up, so a half that landed on an odd
    // integer steps back down. `r - v` is exact, and 0 for every |v| >= 2^52 (already integers); ±0, ±∞
    // and NaN pass through.
    num: (x, o, n) => {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        let r = Math.round(v);
        if (r - v === 0.5 && r % 2 !== 0) r -= 1;
        o[i] = r;
      }
    },
  }),
  floatTest('IsNaN', 9, () => (x, o, n) => {
    for (let i = 0; i < n; i++) o[i] = x[i] !== x[i] ? 1 : 0;
  }),
  floatTest('IsInf', 10, (node) => {
    const negative = attrInt(node, 'detect_negative', 1) !== 0;
    const positive = attrInt(node, 'detect_positive', 1) !== 0;
    return (x: Arr, o: Arr, n: number) => {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        o[i] = (positive && v === Infinity) || (negative && v === -Infinity) ? 1 : 0;
      }
    };
  }),
];
