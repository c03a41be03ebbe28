/**
 * Slots whose state stays in the stacked run buffers between steps. When the same slots are stepped
 * together again and again (a gateway serving a stable set of streams), copying every slot's state into
 * the batch before each run and back out after it is most of the session's cost. A resident group keeps
 * slot `k`'s state as row `k` of the stacked state feeds instead: a run reads it in place, and the new
 * state comes back with one bulk copy per binding for all slots together.
 *
 * The stacked rows are the authority only while the group is intact. Anything that needs a slot's own
 * state buffers (a solo step, another grouping, reset/restore/setState/remove) dissolves the group first,
 * which copies every row back to its slot; reads (snapshot/getState) copy the one row out and leave the
 * group intact. Dissolving only reads the stacked buffers, so it is safe while an asynchronous engine
 * still holds them for a run in flight.
 */
import type { Tensor, TypedArray } from '../tensor.js';
import { blocks, unstackFrom } from './stack.js';
import type { StateBinding } from './types.js';

/** What a resident group needs of a slot (implemented by SlotImpl). */
export interface ResidentMember {
  readonly state: ReadonlyMap<string, Tensor>;
  resident: ResidentGroup | undefined;
  /** The slot's row in its resident group's stacked buffers. */
  row: number;
}

export class ResidentGroup {
  /** False once dissolved: the rows are no longer anyone's state. */
  intact = true;
  private readonly layout: { input: string; outer: number; inner: number }[];

  /**
   * @param members the slots, in row order; each one's state must already be its row of `feeds`.
   * @param feeds the stacked run feeds (state inputs stacked along their batch axes, `members.length` rows).
   * @param signature the input signature the feeds were made for (steps with another one cannot use them).
   * @param inputs block sizes of each step input around its batch axis, in the plan's step-input order.
   */
  constructor(
    readonly members: readonly ResidentMember[],
    readonly feeds: Readonly<Record<string, Tensor>>,
    readonly signature: string,
    bindings: readonly StateBinding[],
    readonly inputs: readonly { outer: number; inner: number }[],
  ) {
    this.layout = bindings.map((b) => ({ input: b.input, ...blocks(b.dims, b.batchAxis) }));
    for (let k = 0; k < members.length; k++) {
      members[k]!.resident = this;
      members[k]!.row = k;
    }
  }

  /** Whether `batch` is exactly this group's slots in row order. */
  matches(batch: readonly { slot: unknown }[]): boolean {
    const m = this.members;
    if (!this.intact || batch.length !== m.length) return false;
    for (let k = 0; k < m.length; k++) if (batch[k]!.slot !== m[k]) return false;
    return true;
  }

  /** The new state for every row at once: the engine's state outputs have the stacked layout already. */
  absorb(outputs: Readonly<Record<string, Tensor>>, bindings: readonly StateBinding[]): void {
    for (const b of bindings) {
      const src = outputs[b.output]!.data;
      const dst = this.feeds[b.input]!.data;
      // An engine may hand an input straight back as an output (a pass-through graph): nothing to copy.
      if (src !== dst) (dst as Float32Array).set(src as Float32Array);
    }
  }

  /** Copies `member`'s row into its own state buffers; the group stays intact. */
  syncOut(member: ResidentMember): void {
    const n = this.members.length;
    for (const { input, outer, inner } of this.layout) {
      unstackFrom(this.feeds[input]!.data, member.state.get(input)!.data as TypedArray, member.row, n, outer, inner);
    }
  }

  /** Every row back to its slot's own buffers; the slots stop being resident. Idempotent. */
  dissolve(): void {
    if (!this.intact) return;
    this.intact = false;
    for (const m of this.members) {
      this.syncOut(m);
      m.resident = undefined;
    }
  }
}
