/**
 * Kernels: GlobalAveragePool and GlobalMaxPool (opset 1): one mean or maximum per (n, c) plane of
 * X [N, C, D1, ...], output [N, C, 1, ...]. The mean sums in float64 and rounds once; the maximum keeps a
 * plane's first element until a strictly greater one comes, as MaxPool does.
 */
import type { Kernel, KernelDef } from '../kernel.js';
import { requireInputs } from './arity.js';
import { dimsText, kernelError, OneResult, sameDims } from './shape-impl.js';

type FloatArray = Float32Array | Float64Array;

function globalPool(opType: string, reduce: (x: FloatArray, from: number, to: number) => number): KernelDef {
  return {
    opType,
    sinceVersion: 1,
    freshOutputs: true,
    create(init): Kernel {
      requireInputs(init, 1);
      const { node } = init;
      const one = new OneResult();
      let key: number[] | undefined;
      let outDims: number[] = [];
      let planes = 0;
      let plane = 0;
      return {
        run(inputs, ctx) {
          const x = inputs[0]!;
          if (x.dtype !== 'float32' && x.dtype !== 'float64') throw kernelError(node, `X must be float32 or float64, got ${x.dtype}`);
          if (!sameDims(key, x.dims)) {
            if (x.dims.length < 3) throw kernelError(node, `X must be [N, C, D1, ...] with at least one spatial axis, got ${dimsText(x.dims)}`);
            if (x.dims.slice(2).includes(0)) throw kernelError(node, `X ${dimsText(x.dims)} has an empty spatial axis; there is nothing to pool`);
            outDims = x.dims.map((dim, i) => (i < 2 ? dim : 1));
            planes = x.dims[0]! * x.dims[1]!;
            plane = 1;
            for (let i = 2; i < x.dims.length; i++) plane *= x.dims[i]!;
            key = [...x.dims];
          }
          const y = ctx.output(0, x.dtype, outDims);
          const src = x.data as FloatArray;
          const dst = y.data as FloatArray;
          for (let p = 0; p < planes; p++) dst[p] = reduce(src, p * plane, (p + 1) * plane);
          return one.of(y);
        },
      };
    },
  };
}

function mean(x: FloatArray, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += x[i]!;
  return sum / (to - from);
}

function max(x: FloatArray, from: number, to: number): number {
  let best = x[from]!;
  for (let i = from + 1; i < to; i++) if (x[i]! > best) best = x[i]!;
  return best;
}

export const globalPoolKernels: KernelDef[] = [globalPool('GlobalAveragePool', mean), globalPool('GlobalMaxPool', max)];
