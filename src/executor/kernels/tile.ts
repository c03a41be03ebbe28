/**
 * Tile (opset 6/13): the input repeated `repeats[i]` times along each axis i. `repeats` is an int64 1-D
 * tensor with one non-negative entry per input axis. Every dtype moves, int64/uint64 as 32-bit word pairs
 * (no BigInt per element).
 *
 * The copy builds the output from the inside out: each input row is written, repeated along the last axis,
 * at its place in the output; then, axis by axis towards the front, the part already filled is copied
 * forward `repeats - 1` times with `copyWithin` (a memmove), so most of the output costs no per-element
 * JavaScript at all.
 */
import type { Node } from '../../ir/graph.js';
import { shapeToString, type Tensor } from '../../tensor.js';
import type { Kernel, KernelDef } from '../kernel.js';
import { requireInputs } from './arity.js';
import { DimsMemo, dimsText, kernelError, movable, OneResult, readInts, slotsPerElement, type ElementArray } from './shape-impl.js';

type Writable = ElementArray & { [index: number]: number | bigint; copyWithin(target: number, start: number, end: number): unknown };

function tiledDims(node: Node, inDims: readonly number[], repeats: Tensor): number[] {
  if (repeats.dtype !== 'int64') throw kernelError(node, `repeats must be an int64 tensor, got ${repeats.dtype}`);
  if (repeats.dims.length !== 1) throw kernelError(node, `repeats must be 1-D, got shape ${shapeToString(repeats.dims)}`);
  const reps = readInts(node, repeats, 'repeats');
  if (reps.length !== inDims.length) {
    throw kernelError(node, `repeats has ${reps.length} entries but the input ${dimsText(inDims)} has rank ${inDims.length}: one per axis is needed`);
  }
  return inDims.map((d, i) => {
    const r = reps[i]!;
    if (!Number.isSafeInteger(r) || r < 0) throw kernelError(node, `repeats [${reps.join(', ')}] must be non-negative; entry ${i} is ${r}`);
    return d * r;
  });
}

const tile: KernelDef = {
  opType: 'Tile',
  sinceVersion: 6,
  freshOutputs: true,
  create(init): Kernel {
    requireInputs(init, 2);
    const { node } = init;
    const memo = new DimsMemo<number[]>();
    const result = new OneResult();
    return {
      run(inputs, ctx) {
        const x = inputs[0]!;
        const repeats = inputs[1]!;
        const outDims = memo.hit(x.dims, repeats) ?? memo.store(tiledDims(node, x.dims, repeats), x.dims, repeats);
        const out = ctx.output(0, x.dtype, outDims);
        if (out.data.length > 0) tileInto(movable(x.data), x.dims, movable(out.data) as Writable, outDims, slotsPerElement(x.dtype));
        return result.of(out);
      },
    };
  },
};

/** Fills a non-empty `dst` of shape `outDims` with `src` of shape `inDims` tiled; offsets count slots. */
function tileInto(src: ElementArray, inDims: readonly number[], dst: Writable, outDims: readonly number[], scale: 1 | 2): void {
  const rank = inDims.length;
  if (rank === 0) {
    for (let i = 0; i < scale; i++) dst[i] = src[i]!;
    return;
  }
  const inner = inDims[rank - 1]! * scale;
  const innerReps = outDims[rank - 1]! / inDims[rank - 1]!;
  let rows = 1;
  for (let a = 0; a < rank - 1; a++) rows *= inDims[a]!;
  for (let row = 0; row < rows; row++) {
    // Where input row (i0, ..., i[rank-2]) starts in the output: its indices times the output strides.
    let rest = row;
    let at = 0;
    let stride = outDims[rank - 1]! * scale;
    for (let a = rank - 2; a >= 0; a--) {
      const d = inDims[a]!;
      const i = rest % d;
      rest = (rest - i) / d;
      at += i * stride;
      stride *= outDims[a]!;
    }
    const from = row * inner;
    for (let t = 0; t < innerReps; t++, at += inner) {
      for (let i = 0; i < inner; i++) dst[at + i] = src[from + i]!;
    }
  }
  // Axis a: for every input-sized prefix (i0, ..., i[a-1]), the first inDims[a] blocks along a are complete;
  // copy them over the remaining repeats.
  let block = outDims[rank - 1]! * scale;
  for (let a = rank - 2; a >= 0; a--) {
    const filled = inDims[a]! * block;
    const span = outDims[a]! * block;
    const reps = outDims[a]! / inDims[a]!;
    let prefixes = 1;
    for (let b = 0; b < a; b++) prefixes *= inDims[b]!;
    for (let p = 0; p < prefixes; p++) {
      let rest = p;
      let base = 0;
      let stride = span;
      for (let b = a - 1; b >= 0; b--) {
        const d = inDims[b]!;
        const i = rest % d;
        rest = (rest - i) / d;
        base += i * stride;
        stride *= outDims[b]!;
      }
      for (let t = 1; t < reps; t++) dst.copyWithin(base + t * filled, base, base + filled);
    }
    block = span;
  }
}

export const tileKernels: KernelDef[] = [tile];
