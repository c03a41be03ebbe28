/**
 * Helpers shared by the data-movement kernels (shape.ts family, Pad, Conv, Cast, If): reading integer
 * parameter tensors, normalising axes, strides, errors that name the node, moving int64 without BigInts,
 * memoising per-shape plans, and the strided copy that Transpose, Slice and Expand share.
 */
import { KernelError } from '../../errors.js';
import { describeNode, type Node } from '../../ir/graph.js';
import { isBigIntDType, sameDims, type DType, type Tensor, type TypedArray } from '../../tensor.js';
import { wordView } from './int64-words.js';

/** Indexable view of any typed array, for kernels that only move elements and never do arithmetic on them. */
export type ElementArray = { [index: number]: number | bigint; readonly length: number };

/**
 * The array to move elements through. int64/uint64 data is moved as 32-bit word pairs: reading a
 * BigInt64Array element creates a heap BigInt, which a steady-state step must not do.
 */
export function movable(data: TypedArray): ElementArray {
  return data instanceof BigInt64Array || data instanceof BigUint64Array ? wordView(data) : data;
}

/** Slots one element takes in its {@link movable} array. */
export function slotsPerElement(dtype: DType): 1 | 2 {
  return isBigIntDType(dtype) ? 2 : 1;
}

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

/**
 * Remembers the last result of a shape computation so a steady-state step reuses it (and the same `dims`
 * array) instead of recomputing and allocating. The key is the input dims plus up to four parameter
 * tensors' contents (shape, axes, starts, ...), compared by value because a runtime parameter may arrive in
 * a new buffer every run. Fixed arity on purpose: no rest arrays or closures on the hot path.
 */
export class DimsMemo<T> {
  private dims: number[] | undefined;
  /** Copies of the parameters' {@link movable} contents (int64 as word pairs, so comparing reads no BigInt). */
  private readonly params: (ArrayLike<number | bigint> | undefined)[] = [undefined, undefined, undefined, undefined];
  private value: T | undefined;

  hit(dims: readonly number[], p0?: Tensor, p1?: Tensor, p2?: Tensor, p3?: Tensor): T | undefined {
    if (this.value === undefined || !sameDims(this.dims, dims)) return undefined;
    if (!this.same(0, p0) || !this.same(1, p1) || !this.same(2, p2) || !this.same(3, p3)) return undefined;
    return this.value;
  }

  store(value: T, dims: readonly number[], p0?: Tensor, p1?: Tensor, p2?: Tensor, p3?: Tensor): T {
    this.dims = [...dims];
    const copy = (p: Tensor | undefined) => (p === undefined ? undefined : Array.from(movable(p.data)));
    this.params[0] = copy(p0);
    this.params[1] = copy(p1);
    this.params[2] = copy(p2);
    this.params[3] = copy(p3);
    this.value = value;
    return value;
  }

  private same(i: number, p: Tensor | undefined): boolean {
    const kept = this.params[i];
    if (p === undefined || kept === undefined) return p === undefined && kept === undefined;
    const cur = movable(p.data);
    if (cur.length !== kept.length) return false;
    for (let j = 0; j < kept.length; j++) if (cur[j] !== kept[j]) return false;
    return true;
  }
}

/**
 * A reused one-element result array for single-output kernels: the plan copies the entry out before the
 * kernel runs again, so handing back the same array every run is safe and allocates nothing.
 */
export class OneResult {
  private readonly result: (Tensor | undefined)[] = [undefined];
  of(t: Tensor): (Tensor | undefined)[] {
    this.result[0] = t;
    return this.result;
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
    /** 2 when src/dst are {@link movable} word views of int64 data: offsets count elements, not slots. */
    scale: 1 | 2 = 1,
  ): void {
    const rank = outDims.length;
    const w = dst as { [index: number]: number | bigint };
    if (rank === 0) {
      w[0] = src[offset * scale]!;
      if (scale === 2) w[1] = src[offset * 2 + 1]!;
      return;
    }
    for (const d of outDims) if (d === 0) return;
    if (this.counter.length < rank) this.counter = new Int32Array(rank);
    const counter = this.counter;
    counter.fill(0, 0, rank);
    const inner = outDims[rank - 1]!;
    const innerStride = strides[rank - 1]!;
    let o = 0;
    let base = offset;
    for (;;) {
      let s = base;
      if (scale === 1) {
        for (let i = 0; i < inner; i++, s += innerStride) w[o++] = src[s]!;
      } else {
        for (let i = 0; i < inner; i++, s += innerStride) {
          w[o++] = src[2 * s]!;
          w[o++] = src[2 * s + 1]!;
        }
      }
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

export { sameDims };
