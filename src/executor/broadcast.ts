/**
 * numpy-style multidirectional broadcasting, planned as "rows": the output is walked as `rows` runs of
 * `rowLen` contiguous elements, and each input contributes a start offset per row and a step inside the
 * row (1 when it varies along the row, 0 when it is broadcast across it). Element loops then stay tight
 * (one per op, no index arithmetic per element), and trailing dimensions that all inputs share are merged
 * so the common cases — same shape, scalar operand, a bias along the last axis — are a few long rows.
 *
 * A kernel owns one {@link Broadcaster} and calls {@link Broadcaster.plan} every run; the arrays it fills
 * live in the kernel's scratch memory, so a steady-state run allocates nothing.
 */
import { KernelError } from '../errors.js';
import { shapeToString, type Tensor } from '../tensor.js';
import type { RunContext } from './kernel.js';

/** The output shape of broadcasting `shapes` together, or a KernelError naming the clash. */
export function broadcastShapes(shapes: readonly (readonly number[])[], out: number[], what: string): number[] {
  let rank = 0;
  for (const s of shapes) if (s.length > rank) rank = s.length;
  out.length = rank;
  for (let i = 0; i < rank; i++) out[i] = 1;
  for (const s of shapes) {
    const off = rank - s.length;
    for (let i = 0; i < s.length; i++) {
      const d = s[i]!;
      const o = out[off + i]!;
      if (d === o || d === 1) continue;
      if (o === 1) out[off + i] = d;
      else {
        throw new KernelError(
          `${what}: shapes ${shapes.map((x) => shapeToString(x)).join(' and ')} cannot be broadcast together (dimension ${i - s.length} is ${d} vs ${o})`,
        );
      }
    }
  }
  return out;
}

export class Broadcaster {
  /** Output dims of the last plan (reused array; copy before keeping). */
  readonly dims: number[] = [];
  size = 0;
  rows = 0;
  rowLen = 0;
  /** Per input: element step inside a row (0 or 1). */
  readonly steps: number[] = [];
  /** Per input: start offset of each row. */
  readonly offsets: Int32Array[] = [];

  private readonly shapes: (readonly number[])[] = [];
  private readonly counter: number[] = [];
  private readonly strides: number[] = [];

  /**
   * @param arity number of inputs this broadcaster serves
   * @param scratchBase first scratch slot it may use (it uses `arity` slots from there)
   */
  constructor(
    private readonly arity: number,
    private readonly scratchBase = 0,
  ) {
    for (let k = 0; k < arity; k++) {
      this.shapes.push([]);
      this.steps.push(0);
      this.offsets.push(new Int32Array(0));
    }
  }

  plan(inputs: readonly Tensor[], ctx: RunContext, what: string): this {
    const n = this.arity;
    for (let k = 0; k < n; k++) this.shapes[k] = inputs[k]!.dims;
    const dims = broadcastShapes(this.shapes, this.dims, what);
    const rank = dims.length;
    let size = 1;
    for (let i = 0; i < rank; i++) size *= dims[i]!;
    this.size = size;
    // Merge trailing dims while every input is either full or broadcast over all of them.
    let split = rank;
    let rowLen = 1;
    for (let k = 0; k < n; k++) this.steps[k] = -1; // -1: not yet decided
    while (split > 0) {
      const d = dims[split - 1]!;
      let consistent = true;
      if (d !== 1) {
        for (let k = 0; k < n; k++) {
          const s = this.shapes[k]!;
          const ax = s.length - (rank - (split - 1));
          const full = ax >= 0 && s[ax] !== 1 ? 1 : 0;
          const st = this.steps[k]!;
          if (st !== -1 && st !== full) consistent = false;
        }
      }
      if (!consistent) break;
      if (d !== 1) {
        for (let k = 0; k < n; k++) {
          const s = this.shapes[k]!;
          const ax = s.length - (rank - (split - 1));
          this.steps[k] = ax >= 0 && s[ax] !== 1 ? 1 : 0;
        }
      }
      rowLen *= d;
      split--;
    }
    for (let k = 0; k < n; k++) if (this.steps[k] === -1) this.steps[k] = 0;
    this.rowLen = rowLen;
    const rows = rowLen === 0 ? 0 : size / rowLen;
    this.rows = rows;
    // Row offsets: odometer over dims[0..split).
    for (let k = 0; k < n; k++) {
      const offs = ctx.scratch(this.scratchBase + k, 'int32', rows);
      this.offsets[k] = offs;
      if (rows === 0) continue;
      const s = this.shapes[k]!;
      const counter = this.counter;
      const strides = this.strides;
      // input k's element stride along each outer output axis (0 where it is broadcast)
      for (let i = 0; i < rank; i++) counter[i] = 0;
      for (let i = rank - 1, st = 1; i >= 0; i--) {
        const ax = s.length - (rank - i);
        strides[i] = ax >= 0 && s[ax] !== 1 ? st : 0;
        if (ax >= 0) st *= s[ax]!;
      }
      let off = 0;
      for (let r = 0; r < rows; r++) {
        offs[r] = off;
        // advance the odometer; `off` follows input k's strides (0 on its broadcast dims)
        for (let i = split - 1; i >= 0; i--) {
          const stride = strides[i]!;
          counter[i]!++;
          off += stride;
          if (counter[i]! < dims[i]!) break;
          off -= stride * counter[i]!;
          counter[i] = 0;
        }
      }
    }
    return this;
  }
}
