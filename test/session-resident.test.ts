/**
 * Resident slots: when the same slots are stepped together again, their state stays in the stacked run
 * buffers (src/session/resident.ts). Whatever else happens to those slots in between — a solo step, a
 * read, a reset, setState, restore, a bad input in one of them, another order, a subset, a removal, a
 * reset while an asynchronous run is in flight — every output and every state must equal the same streams
 * each run in a session of its own (atol 1e-5, the slots test's bound).
 */
import { describe, expect, it } from 'vitest';
import { buildGruStep, buildLstm2Step, GRU_CARD, LSTM2_CARD } from '../scripts/build-step-models.js';
import type { BackendName } from '../src/backends/backend.js';
import { InputError } from '../src/errors.js';
import type { Model } from '../src/ir/graph.js';
import { writeModel } from '../src/onnx/write.js';
import type { ModelCard } from '../src/session/card.js';
import { createStepSession } from '../src/session/step-session.js';
import type { Slot, StepOutputs, StepSession } from '../src/session/types.js';
import type { Tensor } from '../src/tensor.js';

const STREAMS = 6;
const ATOL = 1e-5;

function frame(size: number, s: number, t: number): Float32Array {
  return Float32Array.from({ length: size }, (_, i) => Math.sin(0.37 * i + 1.3 * s + 0.71 * t) * 0.8);
}

function maxDiff(a: Tensor, b: Tensor): number {
  expect(a.dims).toEqual(b.dims);
  let m = 0;
  for (let i = 0; i < b.data.length; i++) m = Math.max(m, Math.abs((a.data[i] as number) - (b.data[i] as number)));
  return m;
}

function expectOutputs(got: StepOutputs | Error, want: StepOutputs, what: string): void {
  expect(got, what).not.toBeInstanceOf(Error);
  for (const name of Object.keys(want)) expect(maxDiff((got as StepOutputs)[name]!, want[name]!), `${what} ${name}`).toBeLessThanOrEqual(ATOL);
}

function expectSameState(slot: Slot, single: StepSession, card: ModelCard, what: string): void {
  for (const b of card.state!) expect(maxDiff(slot.getState(b.input), single.defaultSlot.getState(b.input)), `${what} ${b.input}`).toBeLessThanOrEqual(ATOL);
}

const MODELS: [string, () => Model, ModelCard, number][] = [
  ['lstm2-step', buildLstm2Step, LSTM2_CARD, 16],
  ['gru-step', buildGruStep, GRU_CARD, 12],
];

/** Makes the session's engine asynchronous and holds each run until `release()`; `started` resolves when one begins. */
function gateEngine(session: StepSession): { started: () => Promise<void>; release: () => void } {
  type Feeds = Record<string, Tensor>;
  const engine = (session as unknown as { engine: { run: (f: Feeds) => Promise<Feeds>; runSync?: (f: Feeds) => Feeds } }).engine;
  const run = engine.runSync!.bind(engine);
  engine.runSync = undefined;
  let onStart: () => void = () => {};
  let open: () => void = () => {};
  engine.run = async (feeds) => {
    onStart();
    await new Promise<void>((r) => (open = r));
    return run(feeds);
  };
  return { started: () => new Promise<void>((r) => (onStart = r)), release: () => open() };
}

describe.each(MODELS)('%s: resident slots', (_name, build, card, size) => {
  const bytes = writeModel(build());

  it.each(['builtin', 'ort-node'] as BackendName[])('match separate sessions through every interleaving on %s', async (backend) => {
    const session = await createStepSession(bytes, { backend, card });
    const slots: Slot[] = [session.defaultSlot, ...Array.from({ length: STREAMS - 1 }, () => session.addSlot())];
    const singles = await Promise.all(slots.map(() => createStepSession(bytes, { backend, card })));
    let t = 0;
    /** Steps `order` (stream indices) in one stepMany and checks each against its single session. */
    const together = async (order: number[], bad?: number) => {
      const runs = session.stats.runs;
      const outs = await session.stepMany(order.map((s) => ({ slot: slots[s]!, input: s === bad ? frame(size, s, t).fill(NaN, 2, 3) : frame(size, s, t) })));
      expect(session.stats.runs - runs, 'one backend call').toBe(1);
      for (let k = 0; k < order.length; k++) {
        const s = order[k]!;
        if (s === bad) {
          expect(outs[k]).toBeInstanceOf(InputError);
          continue;
        }
        expectOutputs(outs[k]!, await singles[s]!.step(frame(size, s, t)), `t=${t} stream ${s}`);
      }
      t++;
    };
    const all = slots.map((_, s) => s);

    await together(all); // general path; the slots become resident
    await together(all); // resident
    expectSameState(slots[2]!, singles[2]!, card, 'read while resident');
    expect(slots[3]!.snapshot().state).toEqual(singles[3]!.snapshot().state);
    await together(all); // still resident after reads

    expectOutputs(await slots[3]!.step(frame(size, 3, 50)), await singles[3]!.step(frame(size, 3, 50)), 'solo step of a resident slot');
    await together(all);
    await together(all, 1); // a bad input: that entry fails, its state stays, the others step
    expectSameState(slots[1]!, singles[1]!, card, 'state of the slot with bad input');
    await together(all);

    slots[4]!.reset();
    singles[4]!.reset();
    const h = card.state![0]!.input;
    const value = slots[0]!.getState(h);
    (value.data as Float32Array).fill(0.25);
    slots[0]!.setState(h, value);
    singles[0]!.defaultSlot.setState(h, value);
    const snap = singles[2]!.snapshot();
    slots[5]!.restore(snap);
    singles[5]!.restore(snap);
    await together(all);
    await together(all);

    await together([...all].reverse()); // another order: general path, then resident in that order
    await together([...all].reverse());
    await together([0, 2, 4]);
    await together(all);
    slots[3]!.remove();
    const live = all.filter((s) => s !== 3);
    await together(live);
    await together(live);
    for (const s of live) expectSameState(slots[s]!, singles[s]!, card, `final stream ${s}`);
    await Promise.all([session.dispose(), ...singles.map((x) => x.dispose())]);
  });

  it('a reset and a read while an asynchronous resident run is in flight', async () => {
    const session = await createStepSession(bytes, { backend: 'builtin', card });
    const slots: Slot[] = [session.defaultSlot, ...Array.from({ length: STREAMS - 1 }, () => session.addSlot())];
    const singles = await Promise.all(slots.map(() => createStepSession(bytes, { backend: 'builtin', card })));
    const gate = gateEngine(session);
    const stepAll = async (t: number, during?: () => void) => {
      const started = gate.started();
      const pending = session.stepMany(slots.map((slot, s) => ({ slot, input: frame(size, s, t) })));
      await started;
      during?.();
      gate.release();
      return pending;
    };
    for (let t = 0; t < 2; t++) {
      const outs = await stepAll(t);
      for (let s = 0; s < STREAMS; s++) expectOutputs(outs[s]!, await singles[s]!.step(frame(size, s, t)), `t=${t} stream ${s}`);
    }
    const h = card.state![0]!.input;
    let readDuring: Tensor | undefined;
    const outs = await stepAll(2, () => {
      readDuring = slots[1]!.getState(h); // the state before this step: the run has not finished
      slots[2]!.reset(); // requested after the step: the step must not undo it
    });
    expect(maxDiff(readDuring!, singles[1]!.defaultSlot.getState(h))).toBeLessThanOrEqual(ATOL);
    for (let s = 0; s < STREAMS; s++) {
      // Slot 2's outputs are those of the step as requested; its state is the reset one.
      expectOutputs(outs[s]!, await singles[s]!.step(frame(size, s, 2)), `in-flight step, stream ${s}`);
    }
    singles[2]!.reset();
    for (let s = 0; s < STREAMS; s++) expectSameState(slots[s]!, singles[s]!, card, `after the in-flight reset, stream ${s}`);
    for (let t = 3; t < 5; t++) {
      const next = await stepAll(t);
      for (let s = 0; s < STREAMS; s++) expectOutputs(next[s]!, await singles[s]!.step(frame(size, s, t)), `t=${t} stream ${s}`);
    }
    await Promise.all([session.dispose(), ...singles.map((x) => x.dispose())]);
  });
});
