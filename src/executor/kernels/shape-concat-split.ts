/**
 * Concat and Split: both view a tensor as [outer, axis, inner] and move contiguous `axis*inner` blocks.
 */
import { attrInt, attrInts } from '../../ir/attributes.js';
import type { Node } from '../../ir/graph.js';
import { sizeOf, type Tensor } from '../../tensor.js';
import type { Kernel, KernelDef } from '../kernel.js';
import { DimsMemo, dimsText, kernelError, movable, normalizeAxis, OneResult, readIntList, sameDims, slotsPerElement, type ElementArray } from './shape-impl.js';

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
    const result = new OneResult();
    return {
      run(inputs, ctx) {
        const parts = inputs as Tensor[];
        let fresh = memoPlan !== undefined && memoDims.length === parts.length;
        for (let k = 0; k < parts.length; k++) {
          if (parts[k] === undefined) throw kernelError(node, `input ${k} is missing; every Concat input is required`);
          if (fresh && !sameDims(memoDims[k], parts[k]!.dims)) fresh = false;
        }
        if (parts.length === 0) throw kernelError(node, `needs at least one input`);
        if (!fresh) {
          memoPlan = concatPlan(node, parts, axisAttr);
          memoDims = parts.map((t) => [...t.dims]);
        }
        const plan = memoPlan!;
        const out = ctx.output(0, parts[0]!.dtype, plan.dims);
        const dst = movable(out.data) as Writable;
        const scale = slotsPerElement(out.dtype);
        let o = 0;
        for (let b = 0; b < plan.outer; b++) {
          for (let k = 0; k < parts.length; k++) {
            const n = plan.blocks[k]! * scale;
            copyBlock(movable(parts[k]!.data), b * n, dst, o, n);
            o += n;
          }
        }
        return result.of(out);
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

interface SplitPlan {
  axis: number;
  outer: number;
  inner: number;
  sizes: number[];
  /** Output dims per output. */
  dims: number[][];
}

function splitPlan(node: Node, inDims: readonly number[], axisAttr: number, outputs: number, split: readonly number[] | undefined, numOutputs: number | undefined): SplitPlan {
  const axis = normalizeAxis(node, axisAttr, inDims.length);
  const sizes = splitSizes(node, inDims[axis]!, outputs, split, numOutputs);
  const dims = sizes.map((s) => inDims.map((d, i) => (i === axis ? s : d)));
  return { axis, outer: sizeOf(inDims.slice(0, axis)), inner: sizeOf(inDims.slice(axis + 1)), sizes, dims };
}

const split: KernelDef = {
  opType: 'Split',
  sinceVersion: 1,
  create({ node, opset }): Kernel {
    const axisAttr = attrInt(node, 'axis', 0);
    const splitAttr = opset < 13 ? attrInts(node, 'split') : undefined;
    const numOutputs = opset >= 18 ? attrInt(node, 'num_outputs') : undefined;
    const outputs = node.outputs.length;
    const memo = new DimsMemo<SplitPlan>();
    const results: (Tensor | undefined)[] = new Array(outputs);
    return {
      run(inputs, ctx) {
        const data = inputs[0];
        if (data === undefined) throw kernelError(node, `input 0 (input) is required`);
        const splitT = opset >= 13 ? inputs[1] : undefined;
        const plan =
          memo.hit(data.dims, splitT) ??
          memo.store(splitPlan(node, data.dims, axisAttr, outputs, splitT ? readIntList(node, splitT, 'split') : splitAttr, numOutputs), data.dims, splitT);
        const src = movable(data.data);
        const scale = slotsPerElement(data.dtype);
        const rowLength = data.dims[plan.axis]! * plan.inner * scale;
        let start = 0;
        for (let k = 0; k < outputs; k++) {
          const out = ctx.output(k, data.dtype, plan.dims[k]!);
          const n = plan.sizes[k]! * plan.inner * scale;
          const dst = movable(out.data) as Writable;
          for (let b = 0; b < plan.outer; b++) copyBlock(src, b * rowLength + start, dst, b * n, n);
          start += n;
          results[k] = out;
        }
        return results;
      },
    };
  },
};

export const concatSplitKernels: KernelDef[] = [concat, split];
