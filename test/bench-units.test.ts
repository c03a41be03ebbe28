/**
 * The benchmark's own arithmetic, on made-up inputs: the agreement bound (NaN fails, the bound is
 * atol + rtol·|ref|), records (per-stream cost and rate for batched and separate streams), target
 * judgement (ratios against the bounds; sizes not measured are left out, never guessed) and the
 * median/p99 summary.
 */
import { describe, expect, it } from 'vitest';
import { compareTraces, CHECK_ATOL, CHECK_RTOL } from '../bench/agreement.js';
import { summarise } from '../bench/measure.js';
import { toRecord } from '../bench/record.js';
import { judgeTargets } from '../bench/targets.js';
import type { BenchRecord, EngineName, Results } from '../bench/types.js';

const what = { engine: 'builtin', model: 'lstm', input: 16, hidden: 32, reference: 'ort-node-1t' } as const;
const f32 = (...v: number[]) => Float32Array.from(v);

describe('compareTraces', () => {
  it('passes within atol + rtol·|ref| and reports the largest difference', () => {
    const c = compareTraces([f32(1, 0.5)], [f32(1 + 1.5e-4, 0.5)], what);
    expect(c.ok).toBe(true);
    expect(c.maxAbsDiff).toBeCloseTo(1.5e-4, 6);
    expect(c.atol).toBe(CHECK_ATOL);
    expect(c.rtol).toBe(CHECK_RTOL);
  });

  it('fails just past the bound, on NaN, and on a length mismatch', () => {
    expect(compareTraces([f32(0.5 + 2e-4)], [f32(0.5)], what).ok).toBe(false);
    const nan = compareTraces([f32(NaN, 0)], [f32(0, 0)], what);
    expect(nan.ok).toBe(false);
    expect(Number.isNaN(nan.maxAbsDiff)).toBe(true);
    expect(compareTraces([f32(0)], [f32(0), f32(0)], what).ok).toBe(false);
    expect(compareTraces([f32(0, 0)], [f32(0)], what).ok).toBe(false);
  });
});

describe('toRecord', () => {
  const timing = { medianUs: 640, p99Us: 900, samples: 10 };
  it('divides a batched call by its batch and a round of separate sessions by its streams', () => {
    const batched = toRecord({ engine: 'builtin', model: 'lstm', input: 64, hidden: 64, batch: 64 }, timing, 100);
    expect(batched).toMatchObject({ batch: 64, perStreamStepUs: 10, stepsPerSecond: 100_000, rssMB: 100 });
    expect(batched).not.toHaveProperty('streams');
    const separate = toRecord({ engine: 'builtin', model: 'lstm', input: 64, hidden: 64, batch: 1, streams: 64 }, timing, 100);
    expect(separate).toMatchObject({ batch: 1, streams: 64, perStreamStepUs: 10, stepsPerSecond: 100_000 });
  });
});

describe('summarise', () => {
  it('takes the median and the p99 of the samples given', () => {
    const s = Float64Array.from({ length: 101 }, (_, i) => 100 - i);
    expect(summarise(s, 101)).toEqual({ medianUs: 50, p99Us: 99, samples: 101 });
    expect(summarise(s, 1)).toEqual({ medianUs: 100, p99Us: 100, samples: 1 });
  });
});

function rec(engine: EngineName, model: 'lstm' | 'gru' | 'silero-v5', hidden: number, medianUs: number, batch = 1, extra: Partial<BenchRecord> = {}): BenchRecord {
  return { ...toRecord({ engine, model, input: hidden, hidden, batch }, { medianUs, p99Us: medianUs, samples: 1 }, 1), ...extra };
}

function results(records: BenchRecord[]): Results {
  return { machine: { cpu: 'x', cores: 1, node: '20' }, records, checks: [], memory: [], breakdown: [], targets: [], failures: [] };
}

describe('judgeTargets', () => {
  it('judges builtin against ort-node-1t per size with the issue bounds', () => {
    const t = judgeTargets(
      results([rec('builtin', 'lstm', 32, 10), rec('ort-node-1t', 'lstm', 32, 19), rec('builtin', 'lstm', 512, 390), rec('ort-node-1t', 'lstm', 512, 133)]),
      undefined,
    );
    const h32 = t.find((x) => x.id === 'lstm-h32-vs-ort-node-1t')!;
    expect(h32.value).toBeCloseTo(10 / 19, 3);
    expect(h32.met).toBe(false); // 0.53 > 0.5: not 2× faster
    const h512 = t.find((x) => x.id === 'lstm-h512-vs-ort-node-1t')!;
    expect(h512.met).toBe(true); // 2.93 ≤ 3
    // Sizes not measured are not judged.
    expect(t.some((x) => x.id.startsWith('lstm-h64') || x.id.startsWith('gru-'))).toBe(false);
  });

  it('judges batching per stream-step against the lone step of the same engine and model', () => {
    const t = judgeTargets(
      results([rec('builtin', 'lstm', 64, 8), rec('builtin', 'lstm', 64, 64 * 2, 64), rec('ort-node', 'lstm', 64, 30), rec('ort-node', 'lstm', 64, 64 * 4, 64)]),
      undefined,
    );
    const b = t.find((x) => x.id === 'batch64-vs-lone-builtin')!;
    expect(b.value).toBe(0.25);
    expect(b.met).toBe(true);
    const o = t.find((x) => x.id === 'batch64-vs-lone-ort-node')!;
    expect(o.value).toBeCloseTo(4 / 30, 3);
    expect(o.met).toBe(false);
  });

  it('judges Silero RTF and ratio, operator overhead and heap growth', () => {
    const r = results([rec('builtin', 'silero-v5', 128, 1700, 1, { realTimeFactor: 1700 / 32000 }), rec('ort-node-1t', 'silero-v5', 128, 500)]);
    r.memory.push({ engine: 'builtin', model: 'lstm', input: 64, hidden: 64, steps: 100_000, heapBeforeBytes: 0, heapAfterBytes: 50_000, heapGrowthBytes: 50_000, bufferAllocations: 1, method: '' });
    const timing = (medianUs: number) => ({ medianUs, p99Us: medianUs, samples: 1 });
    const t = judgeTargets(r, { input: 64, hidden: 64, bare: timing(10), operator: timing(10.5), bareOneByOne: timing(10), operatorOneByOne: timing(12) });
    expect(t.find((x) => x.id === 'silero-rtf-builtin')!.met).toBe(false); // 0.053 > 0.05
    expect(t.find((x) => x.id === 'silero-vs-ort-node-1t')!.met).toBe(false); // 3.4× > 3×
    const op = t.find((x) => x.id === 'operator-overhead')!;
    expect(op.value).toBe(1.05);
    expect(op.met).toBe(true);
    // 0.5 B/step would pass, but one tensor buffer allocated in steady state fails it.
    expect(t.find((x) => x.id === 'heap-growth-builtin')!.met).toBe(false);
  });
});
