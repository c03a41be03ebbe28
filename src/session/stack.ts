/**
 * Stacking per-stream tensors along a batch axis and splitting them back (sherpa-onnx's StackStates /
 * UnStackStates). A per-stream tensor has size 1 on the batch axis; with `outer` = product of the dims
 * before it and `inner` = product of the dims after it, stream `s` of `n` owns, for each outer index `o`,
 * the contiguous run `[(o * n + s) * inner, (o * n + s + 1) * inner)` of the stacked data.
 */
import type { TypedArray } from '../tensor.js';

/** Outer and inner block sizes of `dims` around `axis`. */
export function blocks(dims: readonly number[], axis: number): { outer: number; inner: number } {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= dims[i]!;
  for (let i = axis + 1; i < dims.length; i++) inner *= dims[i]!;
  return { outer, inner };
}

/** Writes stream `s` (of `n`) into `stacked`. */
export function stackInto(stacked: TypedArray, stream: TypedArray, s: number, n: number, outer: number, inner: number): void {
  if (n === 1) {
    (stacked as Float32Array).set(stream as Float32Array);
    return;
  }
  // Plain loops, not subarray(): a step must not allocate, and subarray makes a view object per call.
  const dst = stacked as Float32Array;
  const src = stream as Float32Array;
  for (let o = 0; o < outer; o++) {
    const to = (o * n + s) * inner;
    const from = o * inner;
    for (let k = 0; k < inner; k++) dst[to + k] = src[from + k]!;
  }
}

/** Reads stream `s` (of `n`) out of `stacked` into `stream`. */
export function unstackFrom(stacked: TypedArray, stream: TypedArray, s: number, n: number, outer: number, inner: number): void {
  if (n === 1) {
    (stream as Float32Array).set(stacked as Float32Array);
    return;
  }
  const src = stacked as Float32Array;
  const dst = stream as Float32Array;
  for (let o = 0; o < outer; o++) {
    const from = (o * n + s) * inner;
    const to = o * inner;
    for (let k = 0; k < inner; k++) dst[to + k] = src[from + k]!;
  }
}
