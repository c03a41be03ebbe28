/**
 * The ONNX backend test runner's comparison rule, browser-safe: same dtype, same shape, and
 * `|actual - expected| <= atol + rtol·|expected|` element by element with NaN equal to NaN (numpy's
 * `assert_allclose`, which the runner applies to every numeric output).
 */
import { shapeToString, type Tensor } from '../tensor.js';

export interface Tolerance {
  /** Relative tolerance; the ONNX runner's default is 1e-3. */
  rtol: number;
  /** Absolute tolerance; the ONNX runner's default is 1e-7. */
  atol: number;
}

/** The ONNX runner's defaults (`load_model_tests` in onnx/backend/test/loader). */
export const ONNX_RUNNER_TOLERANCE: Readonly<Tolerance> = { rtol: 1e-3, atol: 1e-7 };

export interface Comparison {
  ok: boolean;
  /** Largest |actual - expected| over all elements (Infinity where a NaN or an infinity disagrees); null when shapes or dtypes differ. */
  maxAbsError: number | null;
  /** What disagreed, when something did. */
  error?: string;
}

/**
 * Compares `actual` with `expected` by the ONNX runner's rule.
 *
 * @example
 * ```ts
 * const { ok, maxAbsError } = compareTensors(out.Y, expectedY, { rtol: 1e-3, atol: 1e-7 });
 * ```
 */
export function compareTensors(actual: Tensor, expected: Tensor, tol: Tolerance = ONNX_RUNNER_TOLERANCE): Comparison {
  if (actual.dtype !== expected.dtype) {
    return { ok: false, maxAbsError: null, error: `dtype: expected ${expected.dtype}, got ${actual.dtype}` };
  }
  const sameShape = actual.dims.length === expected.dims.length && actual.dims.every((d, i) => d === expected.dims[i]);
  if (!sameShape) {
    return { ok: false, maxAbsError: null, error: `shape: expected ${shapeToString(expected.dims)}, got ${shapeToString(actual.dims)}` };
  }
  let maxAbsError = 0;
  let bad = 0;
  let firstBad = -1;
  const n = expected.data.length;
  for (let i = 0; i < n; i++) {
    const av = actual.data[i]!;
    const ev = expected.data[i]!;
    if (av === ev) continue; // exact, also for BigInt and equal infinities
    const a = Number(av);
    const e = Number(ev);
    let diff: number;
    let ok: boolean;
    if (Number.isNaN(a) || Number.isNaN(e)) {
      ok = Number.isNaN(a) && Number.isNaN(e);
      diff = ok ? 0 : Infinity;
    } else {
      diff = Math.abs(a - e);
      if (Number.isNaN(diff)) diff = Infinity; // opposite infinities
      ok = diff <= tol.atol + tol.rtol * Math.abs(e);
    }
    if (diff > maxAbsError) maxAbsError = diff;
    if (!ok) {
      bad++;
      if (firstBad < 0) firstBad = i;
    }
  }
  if (bad === 0) return { ok: true, maxAbsError };
  return {
    ok: false,
    maxAbsError,
    error:
      `${bad} of ${n} elements differ beyond atol ${tol.atol} + rtol ${tol.rtol}·|expected|; ` +
      `first at flat index ${firstBad}: expected ${String(expected.data[firstBad])}, got ${String(actual.data[firstBad])}`,
  };
}
