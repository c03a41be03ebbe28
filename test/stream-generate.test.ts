import { firstValueFrom, from, of, take, tap, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { BindingError, InputError } from '../src/errors.js';
import { generate } from '../src/stream/generate.js';
import { StreamMetrics } from '../src/stream/metrics.js';
import { seq2seq } from '../src/stream/seq2seq.js';
import { TokenSampler } from '../src/text/sampling.js';
import { FakeSession } from './stream-fake-session.js';

const V = 5;
// A Markov chain: logits for the next token are row `last token` of M (the fake's state is the one-hot
// of the last token when decay = 0).
const M = [
  [0, 3, 1, 0, -1],
  [0, 0, 2, 4, 0],
  [1, 0, 0, 0, 5],
  [2, 1, 0, 0, 0.5],
  [0, 0, 0, 0, 0],
];
const markov = (decay = 0) =>
  new FakeSession({
    size: V,
    decay,
    readout: (h, y) => {
      for (let j = 0; j < V; j++) {
        let s = 0;
        for (let i = 0; i < V; i++) s += h[i]! * M[i]![j]!;
        y[j] = s;
      }
    },
  });
const argmax = (row: readonly number[]) => row.indexOf(Math.max(...row));

describe('generate', () => {
  it('greedy follows the argmax chain, ends at a stop token (not emitted) or maxLength', async () => {
    const tokens = await firstValueFrom(of(0).pipe(generate(markov(), { strategy: 'greedy', stopTokens: [4], maxLength: 10 }), toArray()));
    // 0 → 1 → 3 → 0 → 1 → 3 ... never 4 from these rows, so maxLength ends it.
    const want: number[] = [];
    for (let t = 0, i = 0; i < 10; i++) want.push((t = argmax(M[t]!)));
    expect(tokens.map((t) => t.token)).toEqual(want);
    expect(tokens.map((t) => t.position)).toEqual([...Array(10).keys()]);
    const stopped = await firstValueFrom(of(2).pipe(generate(markov(), { strategy: 'greedy', stopTokens: [4] }), toArray()));
    expect(stopped).toEqual([]);
    const withStop = await firstValueFrom(of(2).pipe(generate(markov(), { strategy: 'greedy', stopTokens: [4], emitStopToken: true }), toArray()));
    expect(withStop.map((t) => t.token)).toEqual([4]);
  });

  it('sampling: same seed, same tokens; equal to driving the sampler by hand', async () => {
    const opts = { temperature: 1.5, topK: 4, topP: 0.95, seed: 1234, maxLength: 40 };
    const a = await firstValueFrom(of([0, 2]).pipe(generate(markov(), opts), toArray()));
    const b = await firstValueFrom(of([0, 2]).pipe(generate(markov(), opts), toArray()));
    expect(a.map((t) => t.token)).toEqual(b.map((t) => t.token));
    const c = await firstValueFrom(of([0, 2]).pipe(generate(markov(), { ...opts, seed: 99 }), toArray()));
    expect(c.map((t) => t.token)).not.toEqual(a.map((t) => t.token));
    const sampler = new TokenSampler(V, opts);
    let last = 2;
    const want: number[] = [];
    for (let i = 0; i < 40; i++) want.push((last = sampler.sample(M[last]!)));
    expect(a.map((t) => t.token)).toEqual(want);
  });

  it('runs seeds one after another with their own sequence numbers', async () => {
    const tokens = await firstValueFrom(from([0, 2, 3]).pipe(generate(markov(), { strategy: 'greedy', maxLength: 2 }), toArray()));
    expect(tokens.map((t) => [t.sequence, t.token])).toEqual([[0, 1], [0, 3], [1, 4], [1, 0], [2, 0], [2, 1]]);
  });

  it('unsubscribing stops before the next step', async () => {
    const session = markov();
    const got = await firstValueFrom(of(0).pipe(generate(session, { strategy: 'greedy', maxLength: 100 }), take(3), toArray()));
    expect(got).toHaveLength(3);
    await new Promise((r) => setTimeout(r, 5));
    const steps = [...session.slots.values()].reduce((n, s) => n + s.steps, 0) + session.defaultSlot.steps;
    // the slot was removed: count the steps the fake recorded in its runs instead
    expect(session.runs.length).toBe(3); // seed token, then tokens 1 and 2 fed back; token 3 emitted, never fed
    expect(steps).toBe(0);
    expect(session.slots.size).toBe(1);
  });

  it('yields to the event loop during long generations', async () => {
    const session = new FakeSession({ size: V, decay: 0, timing: 'sync', readout: (_h, y) => y.fill(0).fill(1, 1, 2) });
    // A macrotask queued before generation starts runs at the first yield, not after the last token.
    // (setImmediate rather than a 1 ms timer, which a fast machine could outrun and a slow one delay.)
    let probeRanAt = -1;
    let emitted = 0;
    setImmediate(() => (probeRanAt = emitted));
    await firstValueFrom(
      of(0).pipe(
        generate(session, { strategy: 'greedy', maxLength: 500, yieldEvery: 8 }),
        tap(() => emitted++),
        toArray(),
      ),
    );
    expect(emitted).toBe(500);
    expect(probeRanAt).toBeGreaterThanOrEqual(0);
    expect(probeRanAt).toBeLessThanOrEqual(8);
  });

  it('starts from a vector input or from state; errors are typed', async () => {
    const fromInput = await firstValueFrom(
      of({ input: Float32Array.from([0, 0, 1, 0, 0]) }).pipe(generate(markov(), { strategy: 'greedy', maxLength: 1 }), toArray()),
    );
    expect(fromInput.map((t) => t.token)).toEqual([4]);
    const err = await firstValueFrom(of({ tokens: [] }).pipe(generate(markov()))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    const badToken = await firstValueFrom(of(9).pipe(generate(markov()))).catch((e: unknown) => e);
    expect(badToken).toBeInstanceOf(InputError);
    const noLogits = await firstValueFrom(of(0).pipe(generate(markov().addSlot()))).catch((e: unknown) => e);
    expect(noLogits).toBeInstanceOf(BindingError);
  });
  it('a seed holding NaN: an InputError by default; with skip or reset it yields nothing, is counted, and the next seed runs', async () => {
    const bad = { input: Float32Array.from([0, NaN, 1, 0, 0]) };
    const good = { input: Float32Array.from([0, 0, 1, 0, 0]) };
    const err = await firstValueFrom(of(bad).pipe(generate(markov(), { strategy: 'greedy', maxLength: 1 }))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/seed 0 has a non-finite value.*nonFinite: 'skip'/);
    for (const policy of ['skip', 'reset'] as const) {
      const metrics = new StreamMetrics();
      const got = await firstValueFrom(
        from([bad, good]).pipe(generate(markov(), { strategy: 'greedy', maxLength: 1, nonFinite: policy, metrics }), toArray()),
      );
      expect(got.map((t) => [t.sequence, t.token])).toEqual([[1, 4]]);
      expect(metrics.snapshot().nonFinite).toBe(1);
    }
  });
});

describe('seq2seq', () => {
  it("seeds the decoder with the encoder's final state and generates from startToken", async () => {
    const encoder = new FakeSession({ size: V, decay: 0.5 });
    const decoder = markov(1); // decay 1: the decoder's state keeps the encoder's summary
    const sequence = [[1, 0, 0, 0, 0], [0, 0, 0, 1, 0]];
    const got = await firstValueFrom(of(sequence).pipe(seq2seq(encoder, decoder, { startToken: 2, strategy: 'greedy', maxLength: 3 }), toArray()));
    // Reference: encoder state, then the decoder accumulates one-hots of the fed tokens.
    const h = [0, 0, 0, 0, 0];
    for (const x of sequence) for (let i = 0; i < V; i++) h[i] = 0.5 * h[i]! + x[i]!;
    const want: number[] = [];
    let fed = 2;
    for (let n = 0; n < 3; n++) {
      h[fed] = h[fed]! + 1;
      const logits = M[0]!.map((_, j) => h.reduce((s, hi, i) => s + hi * M[i]![j]!, 0));
      want.push((fed = argmax(logits)));
    }
    expect(got.map((t) => t.token)).toEqual(want);
    expect(encoder.slots.size).toBe(1);
    expect(decoder.slots.size).toBe(1);
  });

  it('a custom bridge maps state; unpairable states ask for one', async () => {
    const encoder = new FakeSession({ size: 3 });
    const decoder = markov(1);
    const err = await firstValueFrom(of([[1, 2, 3]]).pipe(seq2seq(encoder, decoder, { startToken: 0 }))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError); // same state name 'h' but 3 vs 5 values: rejected by setState
    const got = await firstValueFrom(
      of([[1, 0, 0]]).pipe(
        seq2seq(encoder, decoder, { startToken: 0, strategy: 'greedy', maxLength: 1, bridge: (s) => ({ h: [...(s.h!.data as Float32Array), 0, 0] }) }),
        toArray(),
      ),
    );
    // decoder h = [1,0,0,0,0] + one-hot(0) = [2,0,0,0,0] → argmax of 2·M[0] = 1
    expect(got.map((t) => t.token)).toEqual([1]);
  });

  it('an encoder item holding NaN: an InputError by default; skip leaves it out, reset encodes from the next item', async () => {
    const run = async (sequence: number[][], policy?: 'skip' | 'reset', metrics?: StreamMetrics) =>
      (
        await firstValueFrom(
          of(sequence).pipe(
            seq2seq(new FakeSession({ size: V, decay: 0.5 }), markov(1), { startToken: 2, strategy: 'greedy', maxLength: 3, nonFinite: policy, metrics }),
            toArray(),
          ),
        )
      ).map((t) => t.token);
    const a = [1, 0, 0, 0, 0], b = [0, 0, 0, 1, 0], c = [0, 1, 0, 0, 1], nan = [0, NaN, 0, 0, 0];
    const err = await run([a, nan, b]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/item 1 of sequence 0 has a non-finite value/);
    const metrics = new StreamMetrics();
    expect(await run([a, nan, b, c], 'skip', metrics)).toEqual(await run([a, b, c]));
    expect(await run([a, nan, b, c], 'reset', metrics)).toEqual(await run([b, c]));
    expect(metrics.snapshot().nonFinite).toBe(2);
  });
});
