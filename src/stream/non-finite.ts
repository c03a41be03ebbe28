/** Finding NaN / ±Infinity in a step's input, so a policy can act before the state sees it. */
import type { StepInput } from '../session/types.js';
import type { Tensor } from '../tensor.js';

function scan(name: string, values: ArrayLike<number | bigint>): string | undefined {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    // bigint elements (int64) are always finite.
    if (typeof v === 'number' && !Number.isFinite(v)) return `${name}[${i}] is ${String(v)}`;
  }
  return undefined;
}

function isTensor(x: unknown): x is Tensor {
  return typeof x === 'object' && x !== null && 'dtype' in x && 'dims' in x && 'data' in x;
}

/**
 * Describes the first NaN or infinite value in `input` (e.g. `"x[3] is NaN"`), or `undefined` when all are
 * finite. Integer tensors are skipped: they cannot hold either.
 */
export function findNonFinite(input: StepInput): string | undefined {
  if (input instanceof Float32Array || Array.isArray(input)) return scan('input', input as ArrayLike<number>);
  for (const [name, value] of Object.entries(input)) {
    if (isTensor(value)) {
      if (value.dtype === 'float32' || value.dtype === 'float64') {
        const found = scan(name, value.data as ArrayLike<number>);
        if (found) return found;
      }
    } else if (!(value instanceof BigInt64Array)) {
      const found = scan(name, value as ArrayLike<number>);
      if (found) return found;
    }
  }
  return undefined;
}
