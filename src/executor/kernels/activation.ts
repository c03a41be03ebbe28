/** Kernels: Softmax, LogSoftmax, HardSigmoid, LeakyRelu, Relu, Sigmoid, Tanh (and a few cheap relatives). */
import { KernelError } from '../../errors.js';
import { attrFloat, attrInt } from '../../ir/attributes.js';
import { describeNode } from '../../ir/graph.js';
import type { DType, Tensor } from '../../tensor.js';
import type { KernelDef } from '../kernel.js';
import type { Node } from '../../ir/graph.js';
import { requireInputs } from './arity.js';
import { unaryKernel, type UnaryLoop } from './elementwise-impl.js';

/** Logistic function without overflow for large |x|. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

const FLOATS: readonly DType[] = ['float32', 'float64'];
const SIGNED_NUMERIC: readonly DType[] = ['float32', 'float64', 'int8', 'int16', 'int32', 'int64'];

/** An activation whose parameters are float attributes, read once at plan time into its loop. */
function parametric(opType: string, sinceVersion: number, make: (node: Node) => UnaryLoop): KernelDef {
  return {
    opType,
    sinceVersion,
    freshOutputs: true,
    create(init) {
      return unaryKernel(opType, sinceVersion, { num: make(init.node) }).create(init);
    },
  };
}

/**
 * Softmax and LogSoftmax. Before opset 13 the input is coerced to 2-D at `axis` (default 1) and the
 * normalisation runs over everything from `axis` on; from 13 it runs over the single `axis` (default -1).
 * Sums run in double precision with the row maximum subtracted first.
 */
function softmaxKernel(opType: 'Softmax' | 'LogSoftmax', sinceVersion: number, untilVersion?: number): KernelDef {
  const log = opType === 'LogSoftmax';
  return {
    opType,
    sinceVersion,
    freshOutputs: true,
    ...(untilVersion !== undefined ? { untilVersion } : {}),
    create(init) {
      requireInputs(init, 1);
      const what = describeNode(init.node);
      const coerce2d = init.opset < 13;
      const axisAttr = attrInt(init.node, 'axis', coerce2d ? 1 : -1);
      const result: (Tensor | undefined)[] = [undefined];
      return {
        run(inputs, ctx) {
          const x = inputs[0]!;
          if (!FLOATS.includes(x.dtype)) throw new KernelError(`${what}: ${opType} takes float32/float64, got ${x.dtype}`);
          const rank = x.dims.length;
          const axis = axisAttr < 0 ? axisAttr + rank : axisAttr;
          if (axis < 0 || axis >= Math.max(rank, 1)) {
            throw new KernelError(`${what}: axis ${axisAttr} is out of range for rank ${rank}`);
          }
          let outer = 1;
          for (let i = 0; i < axis; i++) outer *= x.dims[i]!;
          let n = 1;
          let inner = 1;
          if (coerce2d) {
            for (let i = axis; i < rank; i++) n *= x.dims[i]!;
          } else {
            n = rank === 0 ? 1 : x.dims[axis]!;
            for (let i = axis + 1; i < rank; i++) inner *= x.dims[i]!;
          }
          const out = ctx.output(0, x.dtype, x.dims);
          const xd = x.data as Float32Array;
          const od = out.data as Float32Array;
          for (let o = 0; o < outer; o++) {
            for (let j = 0; j < inner; j++) {
              const base = o * n * inner + j;
              let max = -Infinity;
              for (let k = 0, p = base; k < n; k++, p += inner) if (xd[p]! > max) max = xd[p]!;
              let sum = 0;
              for (let k = 0, p = base; k < n; k++, p += inner) sum += Math.exp(xd[p]! - max);
              if (log) {
                const shift = max + Math.log(sum);
                for (let k = 0, p = base; k < n; k++, p += inner) od[p] = xd[p]! - shift;
              } else {
                for (let k = 0, p = base; k < n; k++, p += inner) od[p] = Math.exp(xd[p]! - max) / sum;
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

export const kernels: KernelDef[] = [
  unaryKernel('Tanh', 1, {
    num: (x, o, n) => {
      for (let i = 0; i < n; i++) o[i] = Math.tanh(x[i]);
    },
  }),
  unaryKernel('Sigmoid', 1, {
    num: (x, o, n) => {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        // the exponent is never positive, so it cannot overflow
        if (v >= 0) o[i] = 1 / (1 + Math.exp(-v));
        else {
          const e = Math.exp(v);
          o[i] = e / (1 + e);
        }
      }
    },
  }),
  unaryKernel('Relu', 1, {
    // NaN stays NaN (`v > 0` is false for NaN, and `v < 0` too)
    num: (x, o, n) => {
      for (let i = 0; i < n; i++) o[i] = x[i] < 0 ? 0 : x[i];
    },
    big: (x, o, n) => {
      for (let i = 0; i < n; i++) o[i] = x[i] < 0n ? 0n : x[i];
    },
    dtypes: SIGNED_NUMERIC,
  }),
  parametric('LeakyRelu', 1, (node) => {
    const alpha = attrFloat(node, 'alpha', 0.01);
    return (x, o, n) => {
      for (let i = 0; i < n; i++) o[i] = x[i] >= 0 ? x[i] : alpha * x[i];
    };
  }),
  parametric('HardSigmoid', 1, (node) => {
    const alpha = attrFloat(node, 'alpha', 0.2);
    const beta = attrFloat(node, 'beta', 0.5);
    return (x, o, n) => {
      for (let i = 0; i < n; i++) o[i] = Math.max(0, Math.min(1, alpha * x[i] + beta));
    };
  }),
  parametric('Elu', 1, (node) => {
    const alpha = attrFloat(node, 'alpha', 1);
    return (x, o, n) => {
      for (let i = 0; i < n; i++) o[i] = x[i] >= 0 ? x[i] : alpha * (Math.exp(x[i]) - 1);
    };
  }),
  parametric('Selu', 1, (node) => {
    const alpha = attrFloat(node, 'alpha', 1.67326319217681884765625);
    const gamma = attrFloat(node, 'gamma', 1.05070102214813232421875);
    return (x, o, n) => {
      for (let i = 0; i < n; i++) o[i] = gamma * (x[i] > 0 ? x[i] : alpha * (Math.exp(x[i]) - 1));
    };
  }),
  unaryKernel('Softsign', 1, {
    num: (x, o, n) => {
      for (let i = 0; i < n; i++) o[i] = x[i] / (1 + Math.abs(x[i]));
    },
  }),
  unaryKernel('Softplus', 1, {
    // log(1 + e^x) without overflow for large x
    num: (x, o, n) => {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        o[i] = v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
      }
    },
  }),
  softmaxKernel('Softmax', 1, 12),
  softmaxKernel('Softmax', 13),
  softmaxKernel('LogSoftmax', 1, 12),
  softmaxKernel('LogSoftmax', 13),
];
