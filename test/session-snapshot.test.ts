/**
 * Snapshots: a gateway that restarts resumes exactly where it was. 100 steps, snapshot, JSON round trip, a
 * NEW session on ANOTHER backend restores it, and its next 100 outputs match an uninterrupted run
 * (atol 1e-5: the backends' float32 arithmetic differs in summation order only). Snapshots of another
 * model, or damaged ones, are refused with a SnapshotError and leave the state untouched.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildGruStep, buildLstm2Step, GRU_CARD, LSTM2_CARD } from '../scripts/build-step-models.js';
import { SnapshotError } from '../src/errors.js';
import { writeModel } from '../src/onnx/write.js';
import { createStepSession } from '../src/session/step-session.js';
import type { BackendName } from '../src/backends/backend.js';
import type { Snapshot } from '../src/session/types.js';

const ATOL = 1e-5;

function frame(size: number, t: number): Float32Array {
  return Float32Array.from({ length: size }, (_, i) => Math.sin(0.21 * i + 0.53 * t) * 0.9);
}

async function outputsFrom(session: Awaited<ReturnType<typeof createStepSession>>, size: number, from: number, to: number, key: string): Promise<number[][]> {
  const out: number[][] = [];
  for (let t = from; t < to; t++) out.push(Array.from((await session.step(frame(size, t)))[key]!.data as Float32Array));
  return out;
}

function maxDiff(a: number[][], b: number[][]): number {
  let m = 0;
  a.forEach((row, i) => row.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i]![j]!)))));
  return m;
}

const PAIRS: [BackendName, BackendName][] = [
  ['ort-node', 'builtin'],
  ['builtin', 'ort-web'],
  ['ort-web', 'ort-node'],
];

describe('snapshot and restore across backends', () => {
  const lstm = writeModel(buildLstm2Step());

  it.each(PAIRS)('lstm2-step: 100 steps on %s, restored on %s, next 100 match an uninterrupted run', async (from, to) => {
    const a = await createStepSession(lstm, { backend: from, card: LSTM2_CARD });
    await outputsFrom(a, 16, 0, 100, 'probs');
    const wire = JSON.stringify(a.snapshot());
    const uninterrupted = await outputsFrom(a, 16, 100, 200, 'probs');
    await a.dispose();

    const b = await createStepSession(lstm, { backend: to, card: LSTM2_CARD });
    b.restore(JSON.parse(wire) as Snapshot);
    const resumed = await outputsFrom(b, 16, 100, 200, 'probs');
    expect(maxDiff(resumed, uninterrupted)).toBeLessThanOrEqual(ATOL);
    // And restoring is not a no-op: a fresh session gives something else.
    b.reset();
    expect(maxDiff(await outputsFrom(b, 16, 100, 101, 'probs'), uninterrupted.slice(0, 1))).toBeGreaterThan(1e-3);
    await b.dispose();
  });

  it('Silero v5: the carried 64-sample context travels with the snapshot (ort-node → ort-web)', async () => {
    const card = JSON.parse(readFileSync('models/silero-vad/v5.card.json', 'utf8'));
    const path = 'node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx';
    const a = await createStepSession(path, { backend: 'ort-node', card });
    for (let t = 0; t < 20; t++) await a.step(frame(512, t));
    const snap = JSON.parse(JSON.stringify(a.snapshot())) as Snapshot;
    expect(Object.keys(snap.context ?? {})).toEqual(['input']);
    const cont = await outputsFrom(a, 512, 20, 30, 'output');
    const b = await createStepSession(path, { backend: 'ort-web', card });
    b.restore(snap);
    expect(maxDiff(await outputsFrom(b, 512, 20, 30, 'output'), cont)).toBeLessThanOrEqual(1e-4);
    await Promise.all([a.dispose(), b.dispose()]);
  });

  it('refuses a snapshot of another model, naming both, and keeps the state', async () => {
    const gru = await createStepSession(writeModel(buildGruStep()), { backend: 'ort-node', card: GRU_CARD });
    const other = await createStepSession(writeModel(buildGruStep(7)), { backend: 'ort-node', card: GRU_CARD });
    await gru.step(frame(12, 0));
    const before = gru.snapshot();
    await other.step(frame(12, 1));
    const foreign = other.snapshot();
    expect(() => gru.restore(foreign)).toThrow(SnapshotError);
    expect(() => gru.restore(foreign)).toThrow(/another model/);
    expect(gru.snapshot()).toEqual(before);
    await Promise.all([gru.dispose(), other.dispose()]);
  });

  it('refuses damaged snapshots without touching the state', async () => {
    const s = await createStepSession(lstm, { backend: 'builtin', card: LSTM2_CARD });
    await s.step(frame(16, 0));
    const good = s.snapshot();
    const bad: unknown[] = [
      null,
      { ...good, format: 'something-else' },
      { ...good, version: 2 },
      { ...good, state: { ...good.state, h0_in: { ...good.state.h0_in!, data: good.state.h0_in!.data.slice(4) } } },
      { ...good, state: { ...good.state, h0_in: { ...good.state.h0_in!, data: '!!!!' + good.state.h0_in!.data.slice(4) } } },
      { ...good, state: { ...good.state, h0_in: { ...good.state.h0_in!, dtype: 'float64' } } },
      { ...good, state: { h0_in: good.state.h0_in } },
    ];
    // Take a new step so "untouched" differs from `good`.
    await s.step(frame(16, 1));
    const now = s.snapshot();
    for (const b of bad) {
      expect(() => s.restore(b as Snapshot)).toThrow(SnapshotError);
      expect(s.snapshot()).toEqual(now);
    }
    s.restore(good);
    expect(s.snapshot()).toEqual(good);
    await s.dispose();
  });

  it('the same model gets the same fingerprint from bytes, IR or a path, on any backend', async () => {
    const ir = buildGruStep();
    const fromIr = await createStepSession(ir, { backend: 'builtin', card: GRU_CARD });
    const fromBytes = await createStepSession(writeModel(ir), { backend: 'ort-web', card: GRU_CARD });
    const fromPath = await createStepSession('models/gru-step/model.onnx', { backend: 'ort-node' });
    expect(fromIr.info.model).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(fromBytes.info.model).toBe(fromIr.info.model);
    expect(fromPath.info.model).toBe(fromIr.info.model);
    await Promise.all([fromIr.dispose(), fromBytes.dispose(), fromPath.dispose()]);
  });
});
