/**
 * Before an engine is timed, its outputs are checked against a reference engine on the same model and
 * frames from a zero state: a fast wrong answer is not a result. The bound, |a − b| ≤ 1e-4 + 1e-4·|b| on
 * every value of every step, is far above float32 rounding differences between summation orders (about
 * 1e-6 here) and far below what a wrong gate order, bias or state hand-over gives (0.01 and up).
 */
import type { AgreementCheck, EngineName, ModelName } from './types.js';

export const CHECK_ATOL = 1e-4;
export const CHECK_RTOL = 1e-4;

/** Copies of one output after each step. */
export type Trace = Float32Array[];

/** Runs `steps` steps (step k returns the output to compare) and keeps a copy of each. */
export async function trace(steps: number, step: (k: number) => Promise<ArrayLike<number>> | ArrayLike<number>): Promise<Trace> {
  const out: Trace = [];
  for (let k = 0; k < steps; k++) out.push(Float32Array.from(await step(k)));
  return out;
}

export function compareTraces(
  got: Trace,
  want: Trace,
  what: { engine: EngineName; model: ModelName; input: number; hidden: number; reference: EngineName; note?: string },
): AgreementCheck {
  let maxAbsDiff = 0;
  let nan = false;
  let ok = got.length === want.length;
  for (let k = 0; ok && k < want.length; k++) {
    const g = got[k]!;
    const w = want[k]!;
    if (g.length !== w.length) {
      ok = false;
      break;
    }
    for (let i = 0; i < w.length; i++) {
      const d = Math.abs(g[i]! - w[i]!);
      if (Number.isNaN(d)) nan = true;
      else if (d > maxAbsDiff) maxAbsDiff = d;
      // Written so that NaN fails too.
      if (!(d <= CHECK_ATOL + CHECK_RTOL * Math.abs(w[i]!))) ok = false;
    }
  }
  return { ...what, steps: want.length, maxAbsDiff: nan ? NaN : maxAbsDiff, atol: CHECK_ATOL, rtol: CHECK_RTOL, ok };
}
