/** Gather: picks slices along one axis by an int32/int64 index tensor; negative indices count from the end. */
import { attrInt } from '../../ir/attributes.js';
import type { Node } from '../../ir/graph.js';
import { sizeOf } from '../../tensor.js';
import type { Kernel, KernelDef } from '../kernel.js';
import { DimsMemo, dimsText, kernelError, movable, normalizeAxis, OneResult, sameDims, slotsPerElement } from './shape-impl.js';
import { int32At, int64Words } from './int64-words.js';

type Writable = { [index: number]: number | bigint };

interface GatherPlan {
  axis: number;
  outer: number;
  inner: number;
}

function gatherPlan(node: Node, inDims: readonly number[], axisAttr: number): GatherPlan {
  if (inDims.length === 0) throw kernelError(node, `data must have rank >= 1, got a scalar`);
  const axis = normalizeAxis(node, axisAttr, inDims.length);
  return { axis, outer: sizeOf(inDims.slice(0, axis)), inner: sizeOf(inDims.slice(axis + 1)) };
}

const gather: KernelDef = {
  opType: 'Gather',
  sinceVersion: 1,
  create({ node }): Kernel {
    const axisAttr = attrInt(node, 'axis', 0);
    const memo = new DimsMemo<GatherPlan>();
    let outDims: number[] | undefined;
    let outIndexDims: number[] | undefined;
    let outFor: GatherPlan | undefined;
    const result = new OneResult();
    return {
      run(inputs, ctx) {
        const data = inputs[0];
        const indices = inputs[1];
        if (data === undefined || indices === undefined) throw kernelError(node, `inputs 'data' and 'indices' are required`);
        if (indices.dtype !== 'int64' && indices.dtype !== 'int32') {
          throw kernelError(node, `indices must be int64 or int32, got ${indices.dtype}`);
        }
        const plan = memo.hit(data.dims) ?? memo.store(gatherPlan(node, data.dims, axisAttr), data.dims);
        if (outDims === undefined || plan !== outFor || !sameDims(outIndexDims, indices.dims)) {
          outDims = [...data.dims.slice(0, plan.axis), ...indices.dims, ...data.dims.slice(plan.axis + 1)];
          outIndexDims = [...indices.dims];
          outFor = plan;
        }
        const dim = data.dims[plan.axis]!;
        const count = indices.data.length;
        // Normalise and validate every index before writing, so a bad index reports cleanly instead of
        // half-filling the output; int64 indices are read as word pairs (no BigInt per element).
        const at = ctx.scratch(0, 'int32', count);
        const idx64 = indices.dtype === 'int64' ? (indices.data as BigInt64Array) : undefined;
        const words = idx64 && int64Words(idx64);
        for (let j = 0; j < count; j++) {
          const v = idx64 ? int32At(idx64, words, j) : (indices.data as Int32Array)[j]!;
          if (v === undefined || v < -dim || v >= dim) {
            throw kernelError(node, `index ${String(indices.data[j])} at position ${j} is out of range for axis ${plan.axis} of size ${dim} in data ${dimsText(data.dims)}`);
          }
          at[j] = v < 0 ? v + dim : v;
        }
        const out = ctx.output(0, data.dtype, outDims);
        const scale = slotsPerElement(data.dtype);
        const src = movable(data.data);
        const dst = movable(out.data) as Writable;
        const inner = plan.inner * scale;
        let o = 0;
        for (let b = 0; b < plan.outer; b++) {
          const base = b * dim * inner;
          for (let j = 0; j < count; j++) {
            const from = base + at[j]! * inner;
            for (let i = 0; i < inner; i++) dst[o++] = src[from + i]!;
          }
        }
        return result.of(out);
      },
    };
  },
};

export const gatherKernels: KernelDef[] = [gather];
