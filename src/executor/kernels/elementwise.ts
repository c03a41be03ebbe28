/** Kernels: unary and binary math with numpy broadcasting, comparisons, logic, Where, Clip, Pow (Max/Min: variadic.ts). */
import { KernelError } from '../../errors.js';
import { attrFloat } from '../../ir/attributes.js';
import { describeNode } from '../../ir/graph.js';
import { isBigIntDType, type DType, type Tensor, type TypedArray } from '../../tensor.js';
import { Broadcaster } from '../broadcast.js';
import type { KernelDef } from '../kernel.js';
import { binaryKernel, unaryKernel, type Arr, type UnaryLoop } from './elementwise-impl.js';
import {
  ADD,
  AND,
  DIV,
  EQUAL,
  GREATER,
  GREATER_OR_EQUAL,
  LESS,
  LESS_OR_EQUAL,
  MUL,
  OR,
  POW,
  SUB,
  XOR,
} from './elementwise-binary.js';
import { requireInputs } from './arity.js';

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

// Unary operators and Clip start at opset 1: their versions before 6 differ only by the legacy
// `consumed_inputs` attribute, which changes nothing about the result. Add/Sub/Mul/Div/Pow/comparisons
// start at 7, where numpy broadcasting replaced the old `broadcast`/`axis` attributes.
export const kernels: KernelDef[] = [
  binaryKernel('Add', 7, ADD),
  binaryKernel('Sub', 7, SUB),
  binaryKernel('Mul', 7, MUL),
  binaryKernel('Div', 7, DIV),
  binaryKernel('Pow', 7, POW),
  binaryKernel('Equal', 7, EQUAL),
  binaryKernel('Less', 7, LESS),
  binaryKernel('Greater', 7, GREATER),
  binaryKernel('LessOrEqual', 12, LESS_OR_EQUAL),
  binaryKernel('GreaterOrEqual', 12, GREATER_OR_EQUAL),
  binaryKernel('And', 7, AND),
  binaryKernel('Or', 7, OR),
  binaryKernel('Xor', 7, XOR),
  notKernel,
  whereKernel,
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
