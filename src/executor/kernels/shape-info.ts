/** Shape and Size: read a tensor's dims into an int64 tensor. */
import { attrInt } from '../../ir/attributes.js';
import { sizeOf } from '../../tensor.js';
import type { Kernel, KernelDef } from '../kernel.js';
import { int64Words, setInt64 } from './int64-words.js';
import { kernelError, OneResult } from './shape-impl.js';

const SCALAR: readonly number[] = [];

/** Shape's `start`/`end` (opset 15+): negative values count from the end, then clamp into [0, rank]. */
export function shapeRange(rank: number, start: number, end: number): [number, number] {
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  const s = clamp(start);
  return [s, Math.max(s, clamp(end))];
}

const shape: KernelDef = {
  opType: 'Shape',
  sinceVersion: 1,
  create({ node, opset }): Kernel {
    const start = opset >= 15 ? attrInt(node, 'start', 0) : 0;
    const end = opset >= 15 ? attrInt(node, 'end', Number.MAX_SAFE_INTEGER) : Number.MAX_SAFE_INTEGER;
    const result = new OneResult();
    // The output shape depends only on the input's rank; remember it so a steady run allocates no dims.
    let rank = -1;
    let range: [number, number] = [0, 0];
    let outDims: number[] = [0];
    return {
      run(inputs, ctx) {
        const data = inputs[0];
        if (data === undefined) throw kernelError(node, `input 0 (data) is required`);
        if (data.dims.length !== rank) {
          rank = data.dims.length;
          range = shapeRange(rank, start, end);
          outDims = [range[1] - range[0]];
        }
        const [s, e] = range;
        const out = ctx.output(0, 'int64', outDims);
        const words = int64Words(out.data);
        for (let i = s; i < e; i++) setInt64(out.data, words, i - s, data.dims[i]!);
        return result.of(out);
      },
    };
  },
};

const size: KernelDef = {
  opType: 'Size',
  sinceVersion: 1,
  create({ node }): Kernel {
    const result = new OneResult();
    return {
      run(inputs, ctx) {
        const data = inputs[0];
        if (data === undefined) throw kernelError(node, `input 0 (data) is required`);
        const out = ctx.output(0, 'int64', SCALAR);
        setInt64(out.data, int64Words(out.data), 0, sizeOf(data.dims));
        return result.of(out);
      },
    };
  },
};

export const infoKernels: KernelDef[] = [shape, size];
