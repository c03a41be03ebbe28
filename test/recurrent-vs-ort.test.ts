/**
 * Property test: random RNN / LSTM / GRU models (every attribute in random mixes; see
 * recurrent-random-models.ts) run on the recurrent kernels (through recurrent-harness.ts, as the plan calls
 * them) and on onnxruntime-node from the same model bytes. Tolerance rtol 1e-4, atol 1e-5 (issue 2 §4), elementwise |a - e| <= atol + rtol·|e|.
 *
 * Each case runs on both matrix-product paths (WebAssembly SIMD and plain JavaScript). onnxruntime rejects
 * layout = 1, so a layout-1 copy of every case runs on the built-in executor and is compared with
 * onnxruntime's layout-0 result, transposed.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { setRecurrentMatmulImpl, type RecurrentMatmulImpl } from '../src/executor/kernels/recurrent/workspace.js';
import type { Model } from '../src/ir/graph.js';
import { writeModel } from '../src/onnx/write.js';
import type { Tensor } from '../src/tensor.js';
import { createRecurrentRunner } from './recurrent-harness.js';
import {
  buildCaseModel,
  caseFeeds,
  describeCase,
  outputNames,
  randomCase,
  swap01,
  type RecurrentCase,
} from './recurrent-random-models.js';

const RTOL = 1e-4;
const ATOL = 1e-5;
/** RXRNN_RECURRENT_CASES raises the count for a longer local soak. */
const CASES = Number(process.env.RXRNN_RECURRENT_CASES ?? 400);

async function runOrt(model: Model, feeds: Record<string, Tensor>): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(writeModel(model), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(t.dtype, t.data as never, t.dims as number[]);
    const result = await session.run(ortFeeds);
    const out: Record<string, Float32Array> = {};
    for (const [name, t] of Object.entries(result)) out[name] = (t.data as Float32Array).slice();
    return out;
  } finally {
    await session.release();
  }
}

function runBuiltin(model: Model, feeds: Record<string, Tensor>, impl: RecurrentMatmulImpl): Record<string, Tensor> {
  setRecurrentMatmulImpl(impl);
  try {
    const runner = createRecurrentRunner(model);
    const used = (runner.kernel as unknown as { matmulImpl: string }).matmulImpl;
    if (used !== impl) throw new Error(`asked for the ${impl} matrix product, the kernel runs ${used}`);
    return runner.run(feeds);
  } finally {
    setRecurrentMatmulImpl('auto');
  }
}

/** The largest violation of |a - e| <= atol + rtol·|e|, as a message, or undefined when all pass. */
function mismatch(actual: Float32Array, expected: Float32Array, what: string): string | undefined {
  if (actual.length !== expected.length) return `${what}: length ${actual.length}, expected ${expected.length}`;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (a === e || (Number.isNaN(a) && Number.isNaN(e))) continue; // includes equal infinities
    if (!(Math.abs(a - e) <= ATOL + RTOL * Math.abs(e))) return `${what}[${i}]: got ${a}, expected ${e}`;
  }
  return undefined;
}

/** Layout-1 outputs back to layout 0: Y [B,T,D,H] → [T,D,B,H]; Y_h/Y_c [B,D,H] → [D,B,H]. */
function toLayout0(name: string, data: Float32Array, c: RecurrentCase): Float32Array {
  const D = c.direction === 'bidirectional' ? 2 : 1;
  if (name === 'Y') {
    // [B, T, D, H] → [T, D, B, H]: view as [B, T·D, H], swap → [T·D, B, H].
    return swap01(data, c.batch, c.T * D, c.hidden);
  }
  return swap01(data, c.batch, D, c.hidden);
}

/**
 * Random activations (Affine, Softplus, Relu as gates; a Tanh gate with input_forget, so f = 1 - i reaches
 * 2) can make a recurrence expand. An expanding recurrence amplifies float32 rounding: on such a case
 * (seed 642 at 1500 cases, values near 100) a float64 evaluation of the ONNX equations put onnxruntime
 * 5e-4 and this kernel 1e-3 (JS) / 2e-3 (wasm) away from it, i.e. both are right to float32 precision
 * and still differ by more than rtol 1e-4; past overflow they differ as Inf vs NaN. A reference output
 * beyond ±50 (the weights are scaled so a contracting recurrence stays far below that) marks such a case:
 * it is counted, not compared, and the test requires such cases to stay rare.
 */
const DIVERGED = 50;

function diverged(outputs: Record<string, Float32Array>): boolean {
  for (const data of Object.values(outputs)) for (const v of data) if (!(Math.abs(v) <= DIVERGED)) return true;
  return false;
}

async function checkCase(c: RecurrentCase): Promise<string[] | 'diverged'> {
  const problems: string[] = [];
  const model0 = buildCaseModel(c, 0);
  const expected = await runOrt(model0, caseFeeds(c, 0));
  if (diverged(expected)) return 'diverged';
  const names = outputNames(c).filter((n) => n !== '');
  for (const impl of ['wasm', 'js'] as const) {
    for (const layout of [0, 1] as const) {
      const model = layout === 0 ? model0 : buildCaseModel(c, 1);
      let got: Record<string, Tensor>;
      try {
        got = runBuiltin(model, caseFeeds(c, layout), impl);
      } catch (e) {
        problems.push(`${impl} layout ${layout}: threw ${(e as Error).message}`);
        continue;
      }
      for (const name of names) {
        const t = got[name];
        if (t === undefined) {
          problems.push(`${impl} layout ${layout}: output ${name} missing`);
          continue;
        }
        const data = layout === 0 ? (t.data as Float32Array) : toLayout0(name, t.data as Float32Array, c);
        const m = mismatch(data, expected[name]!, `${impl} layout ${layout} ${name}`);
        if (m !== undefined) problems.push(m);
      }
    }
  }
  return problems;
}

describe('recurrent kernels vs onnxruntime-node (random models)', () => {
  it(`${CASES} random RNN/LSTM/GRU cases agree at rtol ${RTOL}, atol ${ATOL}`, async () => {
    const failures: string[] = [];
    const seen = { RNN: 0, LSTM: 0, GRU: 0 };
    let divergedCases = 0;
    for (let seed = 1; seed <= CASES; seed++) {
      const c = randomCase(seed);
      const problems = await checkCase(c).catch((e: Error) => [`threw: ${e.message}`]);
      if (problems === 'diverged') {
        divergedCases++;
        continue;
      }
      seen[c.op]++;
      if (problems.length > 0) failures.push(`${describeCase(c)}\n    ${problems.slice(0, 3).join('\n    ')}`);
    }
    expect(failures.slice(0, 5).join('\n')).toBe('');
    console.info(`recurrent-vs-ort: ${CASES - divergedCases} cases compared, ${divergedCases} expanding cases counted only`);
    expect(divergedCases, 'expanding cases').toBeLessThanOrEqual(CASES * 0.05);
    // The mix really covers all three operators.
    expect(Math.min(seen.RNN, seen.LSTM, seen.GRU)).toBeGreaterThan(CASES / 6);
  });
});
