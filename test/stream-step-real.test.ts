/**
 * The `step` operator over real step sessions, where its lean paths apply: on builtin a step runs
 * synchronously through `slot.stepSync` (no promise per item), and a session that refuses non-finite input
 * itself is not scanned twice (the operator looks for the NaN only after the step failed). Outputs are
 * compared exactly with a bare loop over a second session of the same model on the same backend (same
 * engine, same arithmetic: no tolerance needed).
 */
import { firstValueFrom, from, Subject, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { buildLstm2Step, LSTM2, LSTM2_CARD } from '../scripts/build-step-models.js';
import type { BackendName } from '../src/backends/backend.js';
import { InputError } from '../src/errors.js';
import { writeModel } from '../src/onnx/write.js';
import { createStepSession } from '../src/session/step-session.js';
import { StreamMetrics } from '../src/stream/metrics.js';
import { step } from '../src/stream/step.js';
import type { Tensor } from '../src/tensor.js';

const bytes = writeModel(buildLstm2Step());
const frames = Array.from({ length: 12 }, (_, t) => Float32Array.from({ length: LSTM2.input }, (_, i) => Math.sin(0.3 * i + 0.9 * t)));
const open = (backend: BackendName) => createStepSession(bytes, { backend, card: LSTM2_CARD });
const probs = (o: Record<string, Tensor>) => Array.from(o.probs!.data as Float32Array);

/** The reference: the same frames through a bare loop on a fresh session. */
async function bareLoop(backend: BackendName, input: Float32Array[]): Promise<number[][]> {
  const s = await open(backend);
  const out: number[][] = [];
  for (const f of input) out.push(probs(await s.step(f)));
  await s.dispose();
  return out;
}

describe.each(['builtin', 'ort-node'] as BackendName[])('step over a %s session', (backend) => {
  it('emits what a bare loop computes, in order', async () => {
    const s = await open(backend);
    const outs = await firstValueFrom(from(frames).pipe(step(s), toArray()));
    expect(outs.map(probs)).toEqual(await bareLoop(backend, frames));
    expect(s.slots.size).toBe(1); // the operator's slot is gone again
    await s.dispose();
  });

  it('non-finite input: error (typed, state untouched), skip and reset, as on any session', async () => {
    const bad = frames.slice(0, 3).map((f) => f.slice());
    bad[1]![4] = NaN;
    const s = await open(backend);
    const slot = s.addSlot();
    const before = slot.snapshot();
    const err = await firstValueFrom(from(bad.slice(1)).pipe(step(slot), toArray())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/item 0 has a non-finite value \(input\[4\] is NaN\)/);
    expect(slot.snapshot()).toEqual(before);

    const metrics = new StreamMetrics();
    const skipped = await firstValueFrom(from(bad).pipe(step(s, { nonFinite: 'skip', metrics }), toArray()));
    expect(skipped.map(probs)).toEqual(await bareLoop(backend, [bad[0]!, bad[2]!]));
    expect(metrics.nonFinite).toBe(1);

    const reset = await firstValueFrom(from(bad).pipe(step(s, { nonFinite: 'reset' }), toArray()));
    expect(reset.map(probs)).toEqual([...(await bareLoop(backend, [bad[0]!])), ...(await bareLoop(backend, [bad[2]!]))]);
    await s.dispose();
  });

  it('other bad input is the session\'s own InputError, not taken for a NaN', async () => {
    const s = await open(backend);
    const err = await firstValueFrom(from([new Float32Array(3)]).pipe(step(s, { nonFinite: 'skip' }), toArray())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/expects 16 values per step, got 3/);
    await s.dispose();
  });
});

describe('step over a builtin session: the synchronous path', () => {
  it('emits during the source\'s own next(): no promise per item', async () => {
    const s = await open('builtin');
    const src = new Subject<Float32Array>();
    const got: number[][] = [];
    const sub = src.pipe(step(s)).subscribe((o) => got.push(probs(o)));
    for (const f of frames) {
      src.next(f);
      expect(got).toHaveLength(frames.indexOf(f) + 1);
    }
    sub.unsubscribe();
    expect(got).toEqual(await bareLoop('builtin', frames));
    expect(s.slots.size).toBe(1); // nothing was in flight: the slot went at once
    await s.dispose();
  });

  it('falls back to awaiting the step while the session has other steps queued, keeping the order', async () => {
    const s = await open('builtin');
    const other = s.addSlot();
    const got: number[][] = [];
    const done = new Promise<void>((resolve, reject) => {
      const src = new Subject<Float32Array>();
      src.pipe(step(s)).subscribe({ next: (o) => got.push(probs(o)), complete: resolve, error: reject });
      // Queued work on the same session: the operator's first steps must wait behind it, in order.
      void s.stepMany([{ slot: other, input: frames[0]! }]);
      for (const f of frames) src.next(f);
      expect(got).toHaveLength(0);
      src.complete();
    });
    await done;
    expect(got).toEqual(await bareLoop('builtin', frames));
    await s.dispose();
  });

  it('take(n) inside a synchronous emission stops stepping at n and frees the slot', async () => {
    const s = await open('builtin');
    const runs = s.stats.runs;
    const outs = await firstValueFrom(from(frames).pipe(step(s), take(2), toArray()));
    expect(outs).toHaveLength(2);
    expect(s.stats.runs - runs).toBe(2);
    expect(s.slots.size).toBe(1);
    await s.dispose();
  });
});
