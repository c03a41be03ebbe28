/**
 * `window` on real builtin sessions: per-window mode on a bidirectional LSTM (each window one run from zero
 * state) and streaming mode on a GRU step model. Reference: the session driven by hand on the same frames;
 * same backend, so atol 1e-6.
 */
import { firstValueFrom, from, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createStepSession } from '../src/session/step-session.js';
import { window } from '../src/stream/window.js';
import { tensor } from '../src/tensor.js';
import { biLstmWindow, gruStep } from '../examples/stream-models.js';

const frames = Array.from({ length: 19 }, (_, t) => Float32Array.from({ length: 4 }, (_, k) => Math.sin(0.5 * t + k)));
const close = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-6);
};

describe('window on real sessions', () => {
  it('per-window mode runs a bidirectional LSTM over each window and emits per-frame outputs', async () => {
    const { model, card } = biLstmWindow({ input: 4, hidden: 6 }, 3);
    const session = await createStepSession(model, { backend: 'builtin', card });
    const got = await firstValueFrom(from(frames).pipe(window(session, { size: 5, hop: 3, mode: 'per-window', reduce: 'all', partial: 'emit' }), toArray()));
    expect(got.map((w) => [w.start, w.length])).toEqual([[0, 5], [3, 5], [6, 5], [9, 5], [12, 5], [15, 4]]);
    const ref = await createStepSession(model, { backend: 'builtin', card });
    for (const w of got) {
      const data = new Float32Array(w.length * 4);
      frames.slice(w.start, w.start + w.length).forEach((f, i) => data.set(f, i * 4));
      const want = (await ref.step({ x: tensor('float32', [w.length, 1, 4], data) })).y!;
      expect(w.outputs.y!.dims).toEqual([w.length, 2, 1, 6]);
      close(w.outputs.y!.data as Float32Array, want.data as Float32Array);
    }
    // mean over the time axis of one window equals the mean of its per-frame outputs.
    const mean = await firstValueFrom(from(frames.slice(0, 5)).pipe(window(session, { size: 5, mode: 'per-window', reduce: 'mean' })));
    const all = got[0]!.outputs.y!;
    expect(mean.outputs.y!.dims).toEqual([1, 2, 1, 6]);
    const want = Array.from({ length: 12 }, (_, i) => [0, 1, 2, 3, 4].reduce((s, t) => s + (all.data[t * 12 + i] as number), 0) / 5);
    close(mean.outputs.y!.data as Float32Array, want);
  });

  it('streaming mode carries state across windows (mean of per-step outputs)', async () => {
    const { model, card } = gruStep('tagger', { input: 4, hidden: 8, classes: 3 }, 5);
    const session = await createStepSession(model, { backend: 'builtin', card });
    const got = await firstValueFrom(from(frames).pipe(window(session, { size: 4, hop: 2, reduce: 'mean' }), toArray()));
    const ref = await createStepSession(model, { backend: 'builtin', card });
    const steps: Float32Array[] = [];
    for (const f of frames) steps.push(((await ref.step(f)).out!.data as Float32Array).slice());
    expect(got).toHaveLength(8);
    for (const w of got) {
      const want = [0, 1, 2].map((k) => steps.slice(w.start, w.start + 4).reduce((s, o) => s + o[k]!, 0) / 4);
      close(w.outputs.out!.data as Float32Array, want);
    }
    expect(Object.keys(got[0]!.outputs)).toEqual(['out']);
  });
});
