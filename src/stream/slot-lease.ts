/** Resolving an operator's target to a slot, and giving back only what the operator itself created. */
import type { Slot, StepSession } from '../session/types.js';
import type { StepTarget } from './flow-options.js';

export interface SlotLease {
  readonly slot: Slot;
  /** The session the slot belongs to, when the operator was given a session. */
  readonly session: StepSession | undefined;
  /** Removes the slot if the operator added it; a slot the caller passed in is left alone. */
  release(): void;
}

export function isStepSession(target: StepTarget): target is StepSession {
  return typeof (target as StepSession).addSlot === 'function';
}

export function leaseSlot(target: StepTarget): SlotLease {
  if (!isStepSession(target)) return { slot: target, session: undefined, release: () => {} };
  const slot = target.addSlot();
  let released = false;
  return {
    slot,
    session: target,
    release: () => {
      if (released) return;
      released = true;
      slot.remove();
    },
  };
}
