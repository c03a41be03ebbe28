import { from, Subject, firstValueFrom, toArray, take } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { BackpressureError, InputError } from '../src/errors.js';
import { StreamMetrics } from '../src/stream/metrics.js';
import { step } from '../src/stream/step.js';
import type { Tensor } from '../src/tensor.js';
import { FakeSession, referenceOutputs } from './stream-fake-session.js';

const frames = Array.from({ length: 20 }, (_, i) => [Math.sin(i), Math.cos(i * 0.7)]);
const ys = (outs: Record<string, Tensor>[]) => outs.map((o) => Array.from(o.y!.data as Float32Array));

describe('step', () => {
  it('emits one output per item, in order, equal to the same arithmetic on one stream', async () => {
    for (const timing of ['sync', 'microtask', 1] as const) {
      const session = new FakeSession({ timing });
      const outs = await firstValueFrom(from(frames).pipe(step(session), toArray()));
      expect(ys(outs)).toEqual(referenceOutputs(frames));
      expect(session.violations).toEqual([]);
    }
  });

  it('emits copies: later steps do not change what was emitted', async () => {
    const session = new FakeSession();
    const outs = await firstValueFrom(from(frames.slice(0, 3)).pipe(step(session), toArray()));
    expect(outs[0]!.y!.data).not.toBe(outs[1]!.y!.data);
    expect(Array.from(outs[0]!.y!.data as Float32Array)).toEqual(referenceOutputs(frames.slice(0, 1))[0]);
  });

  it('gives each subscription its own slot and removes it afterwards; a caller slot is never removed', async () => {
    const session = new FakeSession();
    const a = firstValueFrom(from(frames).pipe(step(session), toArray()));
    const b = firstValueFrom(from(frames).pipe(step(session), toArray()));
    expect(session.slots.size).toBe(3);
    const [ra, rb] = await Promise.all([a, b]);
    expect(ys(ra)).toEqual(ys(rb));
    expect(session.slots.size).toBe(1);
    const mine = session.addSlot();
    await firstValueFrom(from(frames).pipe(step(mine), toArray()));
    expect(session.slots.has(mine.id)).toBe(true);
    expect(mine.steps).toBe(frames.length);
  });

  it('maps items with toInput and outputs with project (zero-copy path)', async () => {
    const session = new FakeSession();
    const out = await firstValueFrom(
      from(frames.map((f, i) => ({ i, f }))).pipe(
        step(session, { toInput: (it) => ({ x: it.f }), project: (o, it) => `${it.i}:${(o.y!.data[0] as number).toFixed(3)}` }),
        toArray(),
      ),
    );
    expect(out[3]).toBe(`3:${referenceOutputs(frames)[3]![0]!.toFixed(3)}`);
  });

  it('non-finite input: error (typed, state untouched), skip, reset', async () => {
    const bad = [[1, 1], [NaN, 0], [1, 1]];
    const session = new FakeSession();
    const err = await firstValueFrom(from(bad).pipe(step(session), toArray())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(String((err as Error).message)).toMatch(/item 1.*NaN/);

    const metrics = new StreamMetrics();
    const skipped = await firstValueFrom(from(bad).pipe(step(session, { nonFinite: 'skip', metrics }), toArray()));
    expect(ys(skipped)).toEqual(referenceOutputs([[1, 1], [1, 1]]));
    expect(metrics.nonFinite).toBe(1);

    const reset = await firstValueFrom(from(bad).pipe(step(session, { nonFinite: 'reset' }), toArray()));
    expect(ys(reset)).toEqual([...referenceOutputs([[1, 1]]), ...referenceOutputs([[1, 1]])]);
  });

  it('backpressure: buffer overflows with BackpressureError past the high-water mark, never silently', async () => {
    const session = new FakeSession({ timing: 1 });
    const err = await firstValueFrom(from(frames).pipe(step(session, { highWaterMark: 5 }), toArray())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackpressureError);
    // 1 in flight + 5 waiting fit; the 7th item overflows.
    const ok = await firstValueFrom(from(frames.slice(0, 6)).pipe(step(session, { highWaterMark: 5 }), toArray()));
    expect(ok).toHaveLength(6);
  });

  it('backpressure: drop-oldest keeps the newest, drop-newest keeps the oldest, both counted', async () => {
    const session = new FakeSession({ timing: 1 });
    const m1 = new StreamMetrics();
    const newest = await firstValueFrom(from(frames).pipe(step(session, { backpressure: 'drop-oldest', highWaterMark: 3, metrics: m1 }), toArray()));
    // the first item was in flight; the last three survive.
    expect(ys(newest)).toEqual(referenceOutputs([frames[0]!, ...frames.slice(-3)]));
    expect(m1.dropped).toBe(16);
    const m2 = new StreamMetrics();
    const oldest = await firstValueFrom(from(frames).pipe(step(session, { backpressure: 'drop-newest', highWaterMark: 3, metrics: m2 }), toArray()));
    expect(ys(oldest)).toEqual(referenceOutputs(frames.slice(0, 4)));
    expect(m2.dropped).toBe(16);
    const s = m2.snapshot();
    expect(s.steps).toBe(4);
    expect(s.backendRuns).toBe(4);
    expect(s.meanBatchSize).toBe(1);
    expect(s.queueDepth).toBe(0);
    expect(s.maxQueueDepth).toBe(3);
    expect(s.latency.count).toBe(4);
    expect(s.latency.counts.reduce((a, b) => a + b, 0)).toBe(4);
  });

  it('unsubscribing mid-stream stops stepping and frees the slot once the step in flight settles', async () => {
    const session = new FakeSession({ timing: 2 });
    const src = new Subject<number[]>();
    const got: unknown[] = [];
    const sub = src.pipe(step(session)).subscribe((o) => got.push(o));
    src.next(frames[0]!);
    src.next(frames[1]!);
    sub.unsubscribe();
    expect(session.slots.size).toBe(2); // still in flight
    // Polled, not a fixed sleep: on a loaded machine the fake's 2 ms timer may fire late.
    await vi.waitFor(() => expect(session.slots.size).toBe(1), { timeout: 5000, interval: 5 });
    expect(got).toHaveLength(0);
    expect(session.violations).toEqual([]);
  });

  it('10,000 subscribe/unsubscribe cycles leak no slots', async () => {
    const session = new FakeSession({ timing: 'sync' });
    const src = new Subject<number[]>();
    for (let i = 0; i < 10_000; i++) {
      const sub = src.pipe(step(session)).subscribe();
      if (i % 2 === 0) src.next(frames[0]!);
      sub.unsubscribe();
    }
    await new Promise((r) => setTimeout(r, 0));
    expect(session.slotsAdded).toBe(10_000);
    expect(session.slots.size).toBe(1);
    expect(src.observed).toBe(false);
    expect(session.violations).toEqual([]);
  });

  it('take(n) downstream ends stepping after n outputs', async () => {
    const session = new FakeSession();
    const outs = await firstValueFrom(from(frames).pipe(step(session), take(3), toArray()));
    expect(outs).toHaveLength(3);
    await new Promise((r) => setTimeout(r, 0));
    expect(session.defaultSlot.steps + [...session.slots.values()].reduce((a, s) => a + s.steps, 0)).toBeLessThanOrEqual(3);
  });
});
