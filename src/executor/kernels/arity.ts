/**
 * Plan-time check of how many inputs a node passes, so a malformed node fails at load with a message that
 * says what the operator takes, instead of a TypeError from deep inside its loop on the first run.
 */
import { KernelError } from '../../errors.js';
import { describeNode } from '../../ir/graph.js';
import type { KernelInit } from '../kernel.js';

/**
 * Throws unless inputs `0..required-1` are present (non-empty names) and there are at most `max` inputs.
 * Trailing optional inputs may be omitted or given as `''`.
 */
export function requireInputs(init: KernelInit, required: number, max = required): void {
  const inputs = init.node.inputs;
  const what = describeNode(init.node);
  const range = required === max ? `${required}` : max === Infinity ? `at least ${required}` : `${required} to ${max}`;
  if (inputs.length > max) throw new KernelError(`${what}: takes ${range} inputs, got ${inputs.length}`);
  for (let i = 0; i < required; i++) {
    if (inputs[i] === undefined || inputs[i] === '') {
      throw new KernelError(`${what}: takes ${range} inputs; input ${i} is missing`);
    }
  }
}
