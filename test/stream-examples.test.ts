/**
 * The stream examples, run on real step sessions (builtin backend) over models made with the graph
 * builder, each checked against an independent reference: the same session API driven by hand, without
 * the operators. Same backend on both sides, so results agree to float32 rounding: atol 1e-6 (1e-5 for the
 * keyed gateway, where batched and single runs may sum in another order).
 */
import { describe, expect, it } from 'vitest';
import { createStepSession } from '../src/session/step-session.js';
import { TokenSampler } from '../src/text/sampling.js';
import * as classifyExample from '../examples/classify-sequences.js';
import * as encDec from '../examples/encoder-decoder.js';
import * as generateExample from '../examples/generate-tokens.js';
import * as gateway from '../examples/keyed-gateway.js';
import * as tagFrames from '../examples/tag-frames.js';
import { gruStep } from '../examples/stream-models.js';

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

describe('stream examples on real sessions', () => {
  it('tag-frames: per-frame outputs equal stepping the frames cut from the whole signal', async () => {
    const { scores, tags, steps } = await tagFrames.main();
    const signal = Float32Array.from(tagFrames.sensorChunks().flatMap((c) => Array.from(c)));
    expect(steps).toBe(Math.ceil(signal.length / 8));
    expect(tags).toHaveLength(steps);
    const { model, card } = gruStep('tagger', { input: 8, hidden: 16, classes: 3 }, 11);
    const ref = await createStepSession(model, { backend: 'builtin', card });
    for (let f = 0; f < steps; f++) {
      const x = new Float32Array(8);
      x.set(signal.subarray(f * 8, f * 8 + 8));
      const want = (await ref.step(x)).out!.data as Float32Array;
      expect(maxDiff(scores[f]!, want)).toBeLessThanOrEqual(1e-6);
    }
  });

  it('classify-sequences: one output per gesture, equal to a fresh state stepped over that gesture', async () => {
    const results = await classifyExample.main();
    expect(results.map((r) => r.length)).toEqual([14, 9, 21]);
    const { model, card } = gruStep('gestures', { input: 6, hidden: 12, classes: 4 }, 21);
    const ref = await createStepSession(model, { backend: 'builtin', card });
    const samples = classifyExample.gestureSamples();
    let at = 0;
    for (const r of results) {
      ref.reset();
      let last: Float32Array | undefined;
      for (let i = 0; i < r.length; i++) last = (await ref.step(samples[at++]!.values)).out!.data as Float32Array;
      expect(maxDiff(r.outputs.out!.data as Float32Array, last!)).toBeLessThanOrEqual(1e-6);
    }
  });

  it('generate-tokens: same seed, same text; equal to sampling by hand from the session', async () => {
    const a = await generateExample.main(7);
    const b = await generateExample.main(7);
    expect(a.tokens.map((t) => t.token)).toEqual(b.tokens.map((t) => t.token));
    expect(a.tokens.length).toBeGreaterThan(0);
    const V = generateExample.VOCAB.length;
    const { model, card } = gruStep('word_lm', { input: V, hidden: 24, classes: V }, 31);
    const ref = await createStepSession(model, { backend: 'builtin', card });
    const sampler = new TokenSampler(V, { temperature: 0.9, topK: 6, seed: 7 });
    const oneHot = (t: number) => Float32Array.from({ length: V }, (_, i) => (i === t ? 1 : 0));
    let out;
    for (const t of [0, 2, 3]) out = await ref.step(oneHot(t));
    const want: number[] = [];
    for (let i = 0; i < 24; i++) {
      const t = sampler.sample(out!.out!.data as Float32Array);
      if (t === 1) break;
      want.push(t);
      out = await ref.step(oneHot(t));
    }
    expect(a.tokens.map((t) => t.token)).toEqual(want);
  });

  it("encoder-decoder: the decoder starts from the bridged encoder state and generates greedily", async () => {
    const tokens = await encDec.main();
    const V = encDec.VOCAB.length;
    const e = gruStep('encoder', { input: 5, hidden: 16, classes: 2 }, 41);
    const d = gruStep('decoder', { input: V, hidden: 16, classes: V }, 44);
    const encoder = await createStepSession(e.model, { backend: 'builtin', card: e.card });
    const decoder = await createStepSession(d.model, { backend: 'builtin', card: d.card });
    const oneHot = (t: number) => Float32Array.from({ length: V }, (_, i) => (i === t ? 1 : 0));
    const want: [number, number][] = [];
    for (const [s, seq] of encDec.inputSequences().entries()) {
      encoder.reset();
      for (const x of seq) await encoder.step(x);
      decoder.reset();
      decoder.defaultSlot.setState('h', (encoder.defaultSlot.getState('h').data as Float32Array).map((v) => v * 1.5));
      let out = await decoder.step(oneHot(0));
      for (let i = 0; i < 12; i++) {
        const logits = Array.from(out.out!.data as Float32Array);
        const t = logits.indexOf(Math.max(...logits));
        if (t === 1) break;
        want.push([s, t]);
        out = await decoder.step(oneHot(t));
      }
    }
    expect(tokens.map((t) => [t.sequence, t.token])).toEqual(want);
  });

  it('keyed-gateway: 500 sensors through one keyed session equal 500 separate sessions (atol 1e-5)', async () => {
    const { maxAbsDiff, metrics, results } = await gateway.main(500, 4);
    expect(results).toBe(2000);
    expect(maxAbsDiff).toBeLessThanOrEqual(1e-5);
    expect(metrics.meanBatchSize).toBeGreaterThan(32);
    expect(metrics.steps).toBe(2000);
  });
});
