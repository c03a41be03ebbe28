/**
 * Concat and Split: both view a tensor as [outer, axis, inner] and move contiguous `axis*inner` blocks.
 */
import { attrInt, attrInts } from '../../ir/attributes.js';
import type { Node } from '../../ir/graph.js';
import { sizeOf, type Tensor } from '../../tensor.js';
import type { Kernel, KernelDef } from '../kernel.js';
import { DimsMemo, dimsText, kernelError, normalizeAxis, readIntList, sameDims, type ElementArray } from './shape-impl.js';

type Writable = { [index: number]: number | bigint };

/** Copies `count` elements; a plain loop, because `subarray` would allocate a view object per block. */
function copyBlock(src: ElementArray, from: number, dst: Writable, to: number, count: number): void {
  for (let i = 0; i < count; i++) dst[to + i] = src[from + i]!;
}

interface ConcatPlan {
  dims: number[];
  axis: number;
  outer: number;
  /** Elements per outer index contributed by each input (its axis size × inner). */
  blocks: number[];
}

export function concatPlan(node: Node, parts: readonly Tensor[], axisAttr: number): ConcatPlan {
  const first = parts[0]!;
  const rank = first.dims.length;
  const axis = normalizeAxis(node, axisAttr, rank);
  const dims = [...first.dims];
  dims[axis] = 0;
  for (const [k, t] of parts.entries()) {
    if (t.dtype !== first.dtype) throw kernelError(node, `input ${k} is ${t.dtype} but input 0 is ${first.dtype}`);
    const same = t.dims.length === rank && t.dims.every((d, i) => i === axis || d === first.dims[i]);
    if (!same) {
      throw kernelError(node, `input ${k} has shape ${dimsText(t.dims)}, which does not match input 0 ${dimsText(first.dims)} outside axis ${axis}`);
    }
    dims[axis] += t.dims[axis]!;
  }
  const inner = sizeOf(first.dims.slice(axis + 1));
  return { dims, axis, outer: sizeOf(first.dims.slice(0, axis)), blocks: parts.map((t) => t.dims[axis]! * inner) };
}

const concat: KernelDef = {
  opType: 'Concat',
  sinceVersion: 1,
  create({ node, opset }): Kernel {
    const axisAttr = attrInt(node, 'axis') ?? (opset < 4 ? 1 : undefined);
    if (axisAttr === undefined) throw kernelError(node, `attribute 'axis' is required`);
    let memoDims: (readonly number[])[] = [];
    let memoPlan: ConcatPlan | undefined;
    return {
      run(inputs, ctx) {
        const parts = inputs as Tensor[];
        if (parts.length === 0 || parts.some((t) => t === undefined)) throw kernelError(node, `every input must be present`);
        if (!memoPlan || memoDims.length !== parts.length || memoDims.some((d, i) => !sameDims(d, parts[i]!.dims))) {
          memoPlan = concatPlan(node, parts, axisAttr);
          memoDims = parts.map((t) => [...t.dims]);
        }
        const plan = memoPlan;
        const out = ctx.output(0, parts[0]!.dtype, plan.dims);
        const dst = out.data as Writable;
        let o = 0;
        for (let b = 0; b < plan.outer; b++) {
          for (let k = 0; k < parts.length; k++) {
            const n = plan.blocks[k]!;
            copyBlock(parts[k]!.data as ElementArray, b * n, dst, o, n);
            o += n;
          }
        }
        return [out];
      },
    };
  },
};

/**
 * Chunk sizes along the split axis. Sources by opset: `split` attribute (before 13) or input (13+);
 * `num_outputs` (18+, last chunk may be smaller); otherwise equal chunks, one per output.
 */
export function splitSizes(node: Node, dim: number, outputs: number, split: readonly number[] | undefined, numOutputs: number | undefined): number[] {
  if (split !== undefined) {
    if (split.length !== outputs) throw kernelError(node, `split [${split.join(', ')}] has ${split.length} entries for ${outputs} outputs`);
    const total = split.reduce((a, b) => a + b, 0);
    if (split.some((s) => s < 0) || total !== dim) {
      throw kernelError(node, `split [${split.join(', ')}] must be non-negative and sum to the axis size ${dim}`);
    }
    return [...split];
  }
  if (numOutputs !== undefined) {
    if (numOutputs !== outputs) throw kernelError(node, `num_outputs is ${numOutputs} but the node has ${outputs} outputs`);
    const chunk = Math.ceil(dim / outputs);
    const last = dim - chunk * (outputs - 1);
    if (last < 0) throw kernelError(node, `axis size ${dim} cannot be split into ${outputs} chunks of ${chunk} (last chunk would be ${last})`);
    return Array.from({ length: outputs }, (_, i) => (i === outputs - 1 ? last : chunk));
  }
  if (dim % outputs !== 0) {
    throw kernelError(node, `axis size ${dim} is not divisible into ${outputs} equal outputs; give 'split' or 'num_outputs'`);
  }
  return new Array<number>(outputs).fill(dim / outputs);
}

const split: KernelDef = {
  opType: 'Split',
  sinceVersion: 1,
  create({ node, opset }): Kernel {
    const axisAttr = attrInt(node, 'axis', 0);
    const splitAttr = opset < 13 ? attrInts(node, 'split') : undefined;
    const numOutputs = opset >= 18 ? attrInt(node, 'num_outputs') : undefined;
    const outputs = node.outputs.length;
    const memo = new DimsMemo<{ axis: number; outer: number; inner: number; sizes: number[]; dims: number[][] }>();
    return {
      run(inputs, ctx) {
        const data = inputs[0];
        if (data === undefined) throw kernelError(node, `input 0 (input) is required`);
        const splitT = opset >= 13 ? inputs[1] : undefined;
        const plan = memo.get(data.dims, [splitT], () => {
          const axis = normalizeAxis(node, axisAttr, data.dims.length);
          const sizes = splitSizes(node, data.dims[axis]!, outputs, splitT ? readIntList(node, splitT, 'split') : splitAttr, numOutputs);
          const dims = sizes.map((s) => data.dims.map((d, i) => (i === axis ? s : d)));
          return { axis, outer: sizeOf(data.dims.slice(0, axis)), inner: sizeOf(data.dims.slice(axis + 1)), sizes, dims };
        });
        const src = data.data as ElementArray;
        const rowLength = data.dims[plan.axis]! * plan.inner;
        const results: Tensor[] = [];
        let start = 0;
        for (let k = 0; k < outputs; k++) {
          const out = ctx.output(k, data.dtype, plan.dims[k]!);
          const n = plan.sizes[k]! * plan.inner;
          for (let b = 0; b < plan.outer; b++) copyBlock(src, b * rowLength + start, out.data as Writable, b * n, n);
          start += n;
          results.push(out);
        }
        return results;
      },
    };
  },
};

export const concatSplitKernels: KernelDef[] = [concat, split];
