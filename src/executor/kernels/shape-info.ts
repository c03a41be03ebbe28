/** Shape and Size: read a tensor's dims into an int64 tensor. */
import { attrInt } from '../../ir/attributes.js';
import { sizeOf } from '../../tensor.js';
import type { Kernel, KernelDef } from '../kernel.js';
import { kernelError } from './shape-impl.js';

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
    return {
      run(inputs, ctx) {
        const data = inputs[0];
        if (data === undefined) throw kernelError(node, `input 0 (data) is required`);
        const [s, e] = shapeRange(data.dims.length, start, end);
        const out = ctx.output(0, 'int64', [e - s]);
        for (let i = s; i < e; i++) out.data[i - s] = BigInt(data.dims[i]!);
        return [out];
      },
    };
  },
};

const size: KernelDef = {
  opType: 'Size',
  sinceVersion: 1,
  create({ node }): Kernel {
    return {
      run(inputs, ctx) {
        const data = inputs[0];
        if (data === undefined) throw kernelError(node, `input 0 (data) is required`);
        const out = ctx.output(0, 'int64', []);
        out.data[0] = BigInt(sizeOf(data.dims));
        return [out];
      },
    };
  },
};

export const infoKernels: KernelDef[] = [shape, size];
