/**
 * Kernels that rearrange elements into a new pooled buffer by a strided walk: Transpose, Slice, Expand.
 * Each computes (offset, strides, output dims) once per input shape and hands them to {@link StridedCopier}.
 */
import { attrInts } from '../../ir/attributes.js';
import type { Node } from '../../ir/graph.js';
import type { Tensor } from '../../tensor.js';
import type { Kernel, KernelDef } from '../kernel.js';
import {
  DimsMemo,
  dimsText,
  kernelError,
  movable,
  normalizeAxes,
  OneResult,
  readIntList,
  StridedCopier,
  slotsPerElement,
  stridesOf,
} from './shape-impl.js';

/** Where to read: element `(i0, i1, ...)` of an output shaped `dims` is `src[offset + Σ ik*strides[k]]`. */
export interface StridedPlan {
  dims: number[];
  offset: number;
  strides: number[];
}

function input(node: Node, inputs: readonly (Tensor | undefined)[], index: number, what: string): Tensor {
  const t = inputs[index];
  if (t === undefined) throw kernelError(node, `input ${index} (${what}) is required`);
  return t;
}

function runStrided(copier: StridedCopier, data: Tensor, plan: StridedPlan, ctx: Parameters<Kernel['run']>[1]): Tensor {
  const out = ctx.output(0, data.dtype, plan.dims);
  copier.copy(movable(data.data), plan.offset, plan.strides, plan.dims, movable(out.data), slotsPerElement(data.dtype));
  return out;
}

export function transposePlan(node: Node, inDims: readonly number[], permAttr: readonly number[] | undefined): StridedPlan {
  const rank = inDims.length;
  const perm = permAttr ?? inDims.map((_, i) => rank - 1 - i);
  const sorted = [...perm].sort((a, b) => a - b);
  if (perm.length !== rank || sorted.some((p, i) => p !== i)) {
    throw kernelError(node, `perm [${perm.join(', ')}] is not a permutation of the ${rank} axes of input ${dimsText(inDims)}`);
  }
  const inStrides = stridesOf(inDims);
  return { dims: perm.map((p) => inDims[p]!), offset: 0, strides: perm.map((p) => inStrides[p]!) };
}

const transpose: KernelDef = {
  opType: 'Transpose',
  sinceVersion: 1,
  create({ node }): Kernel {
    const perm = attrInts(node, 'perm');
    const memo = new DimsMemo<StridedPlan>();
    const copier = new StridedCopier();
    const result = new OneResult();
    return {
      run(inputs, ctx) {
        const data = input(node, inputs, 0, 'data');
        const plan = memo.hit(data.dims) ?? memo.store(transposePlan(node, data.dims, perm), data.dims);
        return result.of(runStrided(copier, data, plan, ctx));
      },
    };
  },
};

/**
 * ONNX Slice semantics (opset 13 text, which also describes 10..12 and the attribute form of 1..9):
 * negative starts/ends count from the end; starts clamp to [0, dim] (step > 0) or [0, dim-1] (step < 0);
 * ends clamp to [0, dim] or [-1, dim-1]. INT64_MAX / INT64_MIN sentinels land outside and clamp.
 */
export function slicePlan(
  node: Node,
  inDims: readonly number[],
  starts: readonly number[],
  ends: readonly number[],
  axesIn: readonly number[] | undefined,
  stepsIn: readonly number[] | undefined,
): StridedPlan {
  const rank = inDims.length;
  if (ends.length !== starts.length) {
    throw kernelError(node, `starts has ${starts.length} entries but ends has ${ends.length}`);
  }
  const axes = normalizeAxes(node, axesIn ?? starts.map((_, i) => i), rank);
  if (axes.length !== starts.length) throw kernelError(node, `axes has ${axes.length} entries but starts has ${starts.length}`);
  const steps = stepsIn ?? starts.map(() => 1);
  if (steps.length !== starts.length) throw kernelError(node, `steps has ${steps.length} entries but starts has ${starts.length}`);

  const inStrides = stridesOf(inDims);
  const dims = [...inDims];
  const strides = [...inStrides];
  let offset = 0;
  for (let i = 0; i < axes.length; i++) {
    const axis = axes[i]!;
    const dim = inDims[axis]!;
    const step = steps[i]!;
    if (step === 0 || !Number.isInteger(step)) throw kernelError(node, `steps[${i}] is ${step}; a step must be a non-zero integer`);
    let start = starts[i]!;
    let end = ends[i]!;
    if (start < 0) start += dim;
    if (end < 0) end += dim;
    let count: number;
    if (step > 0) {
      start = Math.min(Math.max(start, 0), dim);
      end = Math.min(Math.max(end, 0), dim);
      count = end > start ? Math.ceil((end - start) / step) : 0;
    } else {
      start = Math.min(Math.max(start, 0), dim - 1);
      end = Math.min(Math.max(end, -1), dim - 1);
      count = start > end ? Math.ceil((start - end) / -step) : 0;
    }
    dims[axis] = count;
    strides[axis] = inStrides[axis]! * step;
    if (count > 0) offset += start * inStrides[axis]!;
  }
  return { dims, offset, strides };
}

const slice: KernelDef = {
  opType: 'Slice',
  sinceVersion: 1,
  create({ node, opset }): Kernel {
    const memo = new DimsMemo<StridedPlan>();
    const copier = new StridedCopier();
    const result = new OneResult();
    if (opset < 10) {
      const starts = attrInts(node, 'starts');
      const ends = attrInts(node, 'ends');
      if (starts === undefined || ends === undefined) throw kernelError(node, `attributes 'starts' and 'ends' are required before opset 10`);
      const axes = attrInts(node, 'axes');
      return {
        run(inputs, ctx) {
          const data = input(node, inputs, 0, 'data');
          const plan = memo.hit(data.dims) ?? memo.store(slicePlan(node, data.dims, starts, ends, axes, undefined), data.dims);
          return result.of(runStrided(copier, data, plan, ctx));
        },
      };
    }
    return {
      run(inputs, ctx) {
        const data = input(node, inputs, 0, 'data');
        const startsT = input(node, inputs, 1, 'starts');
        const endsT = input(node, inputs, 2, 'ends');
        const axesT = inputs[3];
        const stepsT = inputs[4];
        const plan =
          memo.hit(data.dims, startsT, endsT, axesT, stepsT) ??
          memo.store(
            slicePlan(
              node,
              data.dims,
              readIntList(node, startsT, 'starts'),
              readIntList(node, endsT, 'ends'),
              axesT && readIntList(node, axesT, 'axes'),
              stepsT && readIntList(node, stepsT, 'steps'),
            ),
            data.dims,
            startsT,
            endsT,
            axesT,
            stepsT,
          );
        return result.of(runStrided(copier, data, plan, ctx));
      },
    };
  },
};

/** Numpy (bidirectional) broadcast of the input's shape with the requested one; size-1 axes read stride 0. */
export function expandPlan(node: Node, inDims: readonly number[], shape: readonly number[]): StridedPlan {
  const rank = Math.max(inDims.length, shape.length);
  const inStrides = stridesOf(inDims);
  const dims = new Array<number>(rank);
  const strides = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const ii = i - (rank - inDims.length);
    const si = i - (rank - shape.length);
    const a = ii >= 0 ? inDims[ii]! : 1;
    const b = si >= 0 ? shape[si]! : 1;
    if (b < 0 || !Number.isInteger(b)) throw kernelError(node, `shape ${dimsText(shape)} has an invalid dimension ${b}`);
    if (a !== b && a !== 1 && b !== 1) {
      throw kernelError(node, `cannot broadcast input ${dimsText(inDims)} to shape ${dimsText(shape)} (axis ${i}: ${a} vs ${b})`);
    }
    dims[i] = a === 1 ? b : a;
    strides[i] = a === 1 || ii < 0 ? 0 : inStrides[ii]!;
  }
  return { dims, offset: 0, strides };
}

const expand: KernelDef = {
  opType: 'Expand',
  sinceVersion: 8,
  create({ node }): Kernel {
    const memo = new DimsMemo<StridedPlan>();
    const copier = new StridedCopier();
    const result = new OneResult();
    return {
      run(inputs, ctx) {
        const data = input(node, inputs, 0, 'input');
        const shapeT = input(node, inputs, 1, 'shape');
        const plan = memo.hit(data.dims, shapeT) ?? memo.store(expandPlan(node, data.dims, readIntList(node, shapeT, 'shape')), data.dims, shapeT);
        return result.of(runStrided(copier, data, plan, ctx));
      },
    };
  },
};

export const layoutKernels: KernelDef[] = [transpose, slice, expand];
