/**
 * Slots: many streams in one session, stacked along the batch axis into one backend call. The reference is
 * the obvious one: the same streams, each in its own session (atol 1e-5, per the issue). Driven on the
 * project's 2-layer LSTM and GRU step models on builtin, ort-node and ort-web, with per-slot reset, removal
 * and addition mid-stream, and a bad input in one slot that must fail that entry alone.
 */
import { describe, expect, it } from 'vitest';
import { buildGruStep, buildLstm2Step, GRU_CARD, LSTM2_CARD } from '../scripts/build-step-models.js';
import { writeModel } from '../src/onnx/write.js';
import { InputError } from '../src/errors.js';
import { createStepSession } from '../src/session/step-session.js';
import type { BackendName } from '../src/backends/backend.js';
import type { Model } from '../src/ir/graph.js';
import type { ModelCard } from '../src/session/card.js';
import type { Slot, StepOutputs } from '../src/session/types.js';

const STREAMS = 64;
const STEPS = 6;
const ATOL = 1e-5;

/** Deterministic frames: stream s, step t. */
function frame(size: number, s: number, t: number): Float32Array {
  return Float32Array.from({ length: size }, (_, i) => Math.sin(0.37 * i + 1.3 * s + 0.71 * t) * 0.8);
}

function expectClose(got: StepOutputs, want: StepOutputs, what: string): void {
  for (const name of Object.keys(want)) {
    const a = got[name]!;
    const b = want[name]!;
    expect(a.dims, `${what} ${name} dims`).toEqual(b.dims);
    let m = 0;
    for (let i = 0; i < b.data.length; i++) m = Math.max(m, Math.abs((a.data[i] as number) - (b.data[i] as number)));
    expect(m, `${what} ${name} max |diff|`).toBeLessThanOrEqual(ATOL);
  }
}

function copy(o: StepOutputs): StepOutputs {
  const c: StepOutputs = {};
  for (const [k, t] of Object.entries(o)) c[k] = { dtype: t.dtype, dims: [...t.dims], data: t.data.slice() } as typeof t;
  return c;
}

const MODELS: [string, () => Model, ModelCard, number][] = [
  ['lstm2-step', buildLstm2Step, LSTM2_CARD, 16],
  ['gru-step', buildGruStep, GRU_CARD, 12],
];

describe.each(MODELS)('%s: 64 streams through slots', (_name, build, card, size) => {
  const bytes = writeModel(build());

  it.each(['builtin', 'ort-node', 'ort-web'] as BackendName[])('equal 64 separate sessions on %s (atol 1e-5)', async (backend) => {
    const batched = await createStepSession(bytes, { backend, card });
    expect(batched.info.batchable).toBe(true);
    const slots: Slot[] = [batched.defaultSlot];
    for (let s = 1; s < STREAMS; s++) slots.push(batched.addSlot());
    const singles = await Promise.all(Array.from({ length: STREAMS }, () => createStepSession(bytes, { backend, card })));

    let live = slots.map((_, s) => s);
    for (let t = 0; t < STEPS; t++) {
      if (t === 2) {
        // Reset stream 5 and remove stream 7: neither may disturb the others.
        slots[5]!.reset();
        singles[5]!.reset();
        slots[7]!.remove();
        live = live.filter((s) => s !== 7);
      }
      const runsBefore = batched.stats.runs;
      const outs = await batched.stepMany(live.map((s) => ({ slot: slots[s]!, input: frame(size, s, t) })));
      expect(batched.stats.runs - runsBefore, 'one backend call for all slots').toBe(1);
      for (let k = 0; k < live.length; k++) {
        const s = live[k]!;
        const got = outs[k]!;
        expect(got).not.toBeInstanceOf(Error);
        const want = await singles[s]!.step(frame(size, s, t));
        expectClose(got as StepOutputs, want, `step ${t} stream ${s}`);
      }
    }
    // A slot added late starts from zero state, like a fresh session.
    const late = batched.addSlot();
    const fresh = await createStepSession(bytes, { backend, card });
    const [a, b] = await batched.stepMany([
      { slot: late, input: frame(size, 99, 0) },
      { slot: slots[0]!, input: frame(size, 0, STEPS) },
    ]);
    expectClose(a as StepOutputs, await fresh.step(frame(size, 99, 0)), 'late slot');
    expectClose(b as StepOutputs, await singles[0]!.step(frame(size, 0, STEPS)), 'stream 0 after late add');
    await Promise.all([batched.dispose(), fresh.dispose(), ...singles.map((s) => s.dispose())]);
  });

  it('a bad input in one slot fails that entry only and moves no state', async () => {
    const session = await createStepSession(bytes, { backend: 'ort-node', card });
    const a = session.defaultSlot;
    const b = session.addSlot();
    const c = session.addSlot();
    await session.stepMany([a, b, c].map((slot, s) => ({ slot, input: frame(size, s, 0) })));
    const before = [a, b, c].map((slot) => slot.snapshot());
    const bad = frame(size, 1, 1);
    bad[3] = Number.NaN;
    const res = await session.stepMany([
      { slot: a, input: frame(size, 0, 1) },
      { slot: b, input: bad },
      { slot: c, input: frame(size, 2, 1) },
    ]);
    expect(res[1]).toBeInstanceOf(InputError);
    expect((res[1] as Error).message).toMatch(/NaN at element 3/);
    expect(res[0]).not.toBeInstanceOf(Error);
    expect(res[2]).not.toBeInstanceOf(Error);
    expect(b.snapshot()).toEqual(before[1]);
    expect(a.snapshot()).not.toEqual(before[0]);
    // The good entries equal what a session without the bad one gives.
    const ref = await createStepSession(bytes, { backend: 'ort-node', card });
    ref.restore(before[2]!);
    expectClose(res[2] as StepOutputs, await ref.step(frame(size, 2, 1)), 'slot c');
    await Promise.all([session.dispose(), ref.dispose()]);
  });

  it('a model card saying batch is fixed steps each slot in its own call, with the same results', async () => {
    const fixed = await createStepSession(bytes, { backend: 'ort-node', card: { ...card, batch: 'fixed' } });
    const dynamic = await createStepSession(bytes, { backend: 'ort-node', card });
    expect(fixed.info.batchable).toBe(false);
    const fs = [fixed.defaultSlot, fixed.addSlot(), fixed.addSlot()];
    const ds = [dynamic.defaultSlot, dynamic.addSlot(), dynamic.addSlot()];
    for (let t = 0; t < 3; t++) {
      const runs = fixed.stats.runs;
      const f = (await fixed.stepMany(fs.map((slot, s) => ({ slot, input: frame(size, s, t) })))).map((o) => copy(o as StepOutputs));
      expect(fixed.stats.runs - runs).toBe(3);
      const d = await dynamic.stepMany(ds.map((slot, s) => ({ slot, input: frame(size, s, t) })));
      f.forEach((o, s) => expectClose(o, d[s] as StepOutputs, `fixed vs dynamic, step ${t} slot ${s}`));
    }
    await Promise.all([fixed.dispose(), dynamic.dispose()]);
  });
});

describe('stacked outputs that cannot be split', () => {
  it('a card naming the wrong batch axis fails the whole run before any slot state moves', async () => {
    const card: ModelCard = { ...GRU_CARD, outputs: { logits: { batchAxis: 1 } } };
    const s = await createStepSession(writeModel(buildGruStep()), { backend: 'ort-node', card });
    const slots = [s.defaultSlot, s.addSlot()];
    await s.stepMany(slots.map((slot, k) => ({ slot, input: frame(12, k, 0) })));
    const before = slots.map((x) => x.snapshot());
    const res = await s.stepMany(slots.map((slot, k) => ({ slot, input: frame(12, k, 1) })));
    for (const r of res) expect((r as Error).message).toMatch(/output 'logits' \[2, 4\] has no batch axis of size 2/);
    expect(slots.map((x) => x.snapshot())).toEqual(before);
    await s.dispose();
  });
});

it("createStepSession with backend 'auto' reports the backend it picked and why", async () => {
  const s = await createStepSession('models/gru-step/model.onnx', { backend: 'auto' });
  expect(s.info.backend).toBe('ort-node');
  expect(s.info.backendReason).toMatch(/auto picked ort-node/);
  await s.dispose();
});
