/** Copies of a step's outputs: sessions reuse their output buffers on the next step, downstream must not see that. */
import type { StepOutputs } from '../session/types.js';
import { cloneTensor, type Tensor } from '../tensor.js';

/** A deep copy of the named outputs (all when `names` is absent). */
export function copyOutputs(outputs: StepOutputs, names?: readonly string[]): Record<string, Tensor> {
  const copy: Record<string, Tensor> = {};
  for (const name of names ?? Object.keys(outputs)) {
    const t = outputs[name];
    if (t !== undefined) copy[name] = cloneTensor(t);
  }
  return copy;
}
