/**
 * Buffer sharing between nodes: two values whose lifetimes do not overlap may use the same pool slot.
 *
 * A value lives from the step that produces it to the last step that reads it (a subgraph's reads count as
 * reads by the node holding it); graph outputs live forever. A node not known to write fresh buffers may
 * return an input or a view of one, so its inputs live as long as its outputs (followed backwards through
 * chains of such nodes). Only values whose dtype and whole shape are known at plan time and equal share a
 * slot — sizes, or symbolic names such as the model's `'batch'`, which are equal on every run — so a shared
 * slot keeps one buffer and one tensor object from run to run: no allocation in steady state. Correctness
 * never depends on those static shapes being right (a wrong guess costs a reallocation, not a wrong
 * answer, because lifetimes do not overlap).
 */

/** What slot assignment needs to know about one planned step. */
export interface StepUse {
  /** Value ids read (inputs and subgraph reads); negative entries are ignored. */
  readonly reads: readonly number[];
  /** Value id per output; -1 for an omitted output (it still gets a private slot). */
  readonly outIds: readonly number[];
  /** The kernel never returns an input or a view of one. */
  readonly fresh: boolean;
}

/**
 * Returns, per step and output index, the pool slot to use.
 * @param shareKey dtype+shape key of a value when known exactly, else undefined (never shared)
 * @param reserve makes a new pool slot
 */
export function assignSlots(
  steps: readonly StepUse[],
  graphOutputs: readonly number[],
  shareKey: (id: number) => string | undefined,
  reserve: () => number,
): number[][] {
  const lastUse = new Map<number, number>();
  steps.forEach((step, s) => {
    for (const id of step.reads) if (id >= 0) lastUse.set(id, s);
  });
  for (const id of graphOutputs) lastUse.set(id, Infinity);
  // Aliasing: a non-fresh step's inputs stay alive as long as any of its outputs. Walking backwards
  // carries this along chains (Reshape of a Squeeze of x keeps x alive).
  for (let s = steps.length - 1; s >= 0; s--) {
    const step = steps[s]!;
    if (step.fresh) continue;
    let end = s;
    for (const id of step.outIds) if (id >= 0) end = Math.max(end, lastUse.get(id) ?? s);
    for (const id of step.reads) if (id >= 0) lastUse.set(id, Math.max(lastUse.get(id) ?? s, end));
  }
  const free = new Map<string, number[]>();
  const releaseAt = new Map<number, { key: string; slot: number }[]>();
  const slots: number[][] = [];
  steps.forEach((step, s) => {
    const mine: number[] = [];
    for (const id of step.outIds) {
      const key = id >= 0 ? shareKey(id) : undefined;
      if (key === undefined) {
        mine.push(reserve());
        continue;
      }
      const slot = free.get(key)?.pop() ?? reserve();
      mine.push(slot);
      const end = lastUse.get(id) ?? s; // an output nobody reads is free right after it is written
      if (end !== Infinity) {
        let list = releaseAt.get(end);
        if (list === undefined) releaseAt.set(end, (list = []));
        list.push({ key, slot });
      }
    }
    slots.push(mine);
    // Released after this step's outputs were placed, so no output shares a slot with a live input.
    for (const { key, slot } of releaseAt.get(s) ?? []) {
      let list = free.get(key);
      if (list === undefined) free.set(key, (list = []));
      list.push(slot);
    }
  });
  return slots;
}
