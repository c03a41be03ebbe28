/**
 * Helpers shared by the data-movement kernels (shape.ts family, Pad, Conv, Cast): reading integer parameter
 * tensors, normalising axes, strides, and errors that name the node.
 */
import { KernelError } from '../../errors.js';
import { describeNode, type Node } from '../../ir/graph.js';
import type { Tensor, TypedArray } from '../../tensor.js';

/** Indexable view of any typed array, for kernels that only move elements and never do arithmetic on them. */
export type ElementArray = { [index: number]: number | bigint; readonly length: number };

/** A KernelError whose message starts with the node's readable name. */
export function kernelError(node: Node, message: string): KernelError {
  return new KernelError(`${describeNode(node)}: ${message}`);
}

/** `[a, b, c]` for messages. */
export function dimsText(dims: readonly number[]): string {
  return `[${dims.join(', ')}]`;
}

/**
 * Reads an int32/int64 tensor (shape, axes, starts, pads...) as numbers. int64 values beyond 2^53 only occur
 * as INT64_MIN/INT64_MAX sentinels ("to the end"), which stay far outside any dimension after conversion.
 */
export function readInts(node: Node, t: Tensor, what: string): number[] {
  if (t.dtype !== 'int64' && t.dtype !== 'int32') {
    throw kernelError(node, `${what} must be an int64 or int32 tensor, got ${t.dtype}`);
  }
  const out = new Array<number>(t.data.length);
  for (let i = 0; i < t.data.length; i++) out[i] = Number(t.data[i]);
  return out;
}

/** Like {@link readInts} for a 1-D tensor; a scalar is accepted as one value. */
export function readIntList(node: Node, t: Tensor, what: string): number[] {
  if (t.dims.length > 1) throw kernelError(node, `${what} must be a 1-D tensor, got shape ${dimsText(t.dims)}`);
  return readInts(node, t, what);
}

/** Maps a possibly negative axis into `[0, rank)`; throws when it is outside `[-rank, rank)`. */
export function normalizeAxis(node: Node, axis: number, rank: number, what = 'axis'): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw kernelError(node, `${what} ${axis} is out of range for rank ${rank} (expected ${-rank}..${rank - 1})`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Normalises a list of axes and rejects repeats. */
export function normalizeAxes(node: Node, axes: readonly number[], rank: number, what = 'axes'): number[] {
  const out = axes.map((a) => normalizeAxis(node, a, rank, what.replace(/s$/, '')));
  if (new Set(out).size !== out.length) throw kernelError(node, `${what} [${axes.join(', ')}] repeat an axis`);
  return out;
}

/** Row-major strides of a shape. */
export function stridesOf(dims: readonly number[]): number[] {
  const strides = new Array<number>(dims.length);
  let s = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= dims[i]!;
  }
  return strides;
}

export function sameDims(a: readonly number[] | undefined, b: readonly number[]): boolean {
  if (a === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Remembers the last result of a shape computation so a steady-state step reuses the same `dims` array
 * instead of allocating a new one. The key is the input dims plus the parameter tensors' contents.
 */
export class DimsMemo<T> {
  private keyDims: number[] | undefined;
  private keyParams: TypedArray[] = [];
  private keyCopies: (number | bigint)[][] = [];
  private value: T | undefined;

  get(dims: readonly number[], params: readonly (Tensor | undefined)[], compute: () => T): T {
    if (this.value !== undefined && sameDims(this.keyDims, dims) && this.sameParams(params)) return this.value;
    const value = compute();
    this.keyDims = [...dims];
    this.keyParams = params.map((p) => p?.data as TypedArray);
    this.keyCopies = params.map((p) => (p ? Array.from(p.data as ArrayLike<number | bigint>) : []));
    this.value = value;
    return value;
  }

  private sameParams(params: readonly (Tensor | undefined)[]): boolean {
    if (params.length !== this.keyCopies.length) return false;
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      const copy = this.keyCopies[i]!;
      if (p === undefined) {
        if (this.keyParams[i] !== undefined) return false;
        continue;
      }
      if (p.data.length !== copy.length) return false;
      for (let j = 0; j < copy.length; j++) if (p.data[j] !== copy[j]) return false;
    }
    return true;
  }
}

/**
 * Copies a strided view of `src` into `dst` in row-major order of `outDims`: element `(i0, i1, ...)` of the
 * output is `src[offset + i0*strides[0] + i1*strides[1] + ...]`. Transpose (permuted strides), Slice
 * (scaled, possibly negative strides) and Expand (zero strides on broadcast axes) are all this one loop.
 * The odometer lives in a buffer the caller keeps, so a steady-state call allocates nothing.
 */
export class StridedCopier {
  private counter = new Int32Array(8);

  copy(
    src: ElementArray,
    offset: number,
    strides: readonly number[],
    outDims: readonly number[],
    dst: ElementArray,
    dstOffset = 0,
  ): void {
    const rank = outDims.length;
    const w = dst as { [index: number]: number | bigint };
    if (rank === 0) {
      w[dstOffset] = src[offset]!;
      return;
    }
    for (const d of outDims) if (d === 0) return;
    if (this.counter.length < rank) this.counter = new Int32Array(rank);
    const counter = this.counter;
    counter.fill(0, 0, rank);
    const inner = outDims[rank - 1]!;
    const innerStride = strides[rank - 1]!;
    let o = dstOffset;
    let base = offset;
    for (;;) {
      let s = base;
      for (let i = 0; i < inner; i++, s += innerStride) w[o++] = src[s]!;
      // Advance the odometer over the outer axes, keeping `base` in step with it.
      let axis = rank - 2;
      for (; axis >= 0; axis--) {
        base += strides[axis]!;
        if (++counter[axis]! < outDims[axis]!) break;
        base -= strides[axis]! * outDims[axis]!;
        counter[axis] = 0;
      }
      if (axis < 0) return;
    }
  }
}
