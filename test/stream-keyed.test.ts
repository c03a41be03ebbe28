import { firstValueFrom, from, Subject, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { BackpressureError, InputError } from '../src/errors.js';
import type { Snapshot } from '../src/session/types.js';
import { keyed, type KeyedResult } from '../src/stream/keyed.js';
import { StreamMetrics } from '../src/stream/metrics.js';
import { FakeSession, referenceOutputs, VirtualTime } from './stream-fake-session.js';

interface Reading { id: number; x: number[] }
const reading = (id: number, t: number): Reading => ({ id, x: [Math.sin(id + t), ((id * 7 + t) % 11) - 5] });
const opts = { key: (r: Reading) => r.id, toInput: (r: Reading) => r.x };
const ok = <K>(r: KeyedResult<K>) => (r.ok ? Array.from(r.outputs.y!.data as Float32Array) : r.error);

describe('keyed', () => {
  it('500 interleaved keys: each key equals its own separate stream; runs are shared', async () => {
    const keys = 500, steps = 6;
    const items: Reading[] = [];
    for (let t = 0; t < steps; t++) for (let id = 0; id < keys; id++) items.push(reading((id * 37) % keys, t));
    const session = new FakeSession();
    const metrics = new StreamMetrics();
    const out = await firstValueFrom(from(items).pipe(keyed(session, { ...opts, maxBatch: 64, metrics, highWaterMark: 16 }), toArray()));
    expect(out).toHaveLength(keys * steps);
    for (let id = 0; id < keys; id++) {
      const mine = out.filter((r) => r.key === id);
      expect(mine.map((r) => r.index)).toEqual([...Array(steps).keys()]);
      expect(mine.map(ok)).toEqual(referenceOutputs(items.filter((r) => r.id === id).map((r) => r.x)));
    }
    expect(session.violations).toEqual([]);
    expect(Math.max(...session.runs)).toBe(64);
    expect(session.runs.length).toBeLessThan(keys * steps / 32);
    const m = metrics.snapshot();
    expect(m.steps).toBe(keys * steps);
    expect(m.meanBatchSize).toBeGreaterThan(32);
    expect(m.queueDepth).toBe(0);
    expect(session.slots.size).toBe(1);
  });

  it('maxDelayMs: an item waits at most that long for company; maxBatch ready keys run at once', async () => {
    const clock = new VirtualTime();
    const session = new FakeSession({ timing: 'sync' });
    const src = new Subject<Reading>();
    const log: [number, number][] = [];
    src.pipe(keyed(session, { ...opts, maxBatch: 3, maxDelayMs: 5, scheduler: clock.scheduler })).subscribe((r) => log.push([clock.scheduler.now(), r.key]));
    clock.at(0, () => src.next(reading(1, 0)));
    clock.at(3, () => src.next(reading(2, 0)));
    clock.at(20, () => src.next(reading(3, 0)));
    clock.at(40, () => { src.next(reading(4, 0)); src.next(reading(5, 0)); src.next(reading(6, 0)); });
    clock.at(50, () => { src.next(reading(7, 0)); src.next(reading(7, 1)); });
    await clock.advanceTo(70);
    expect(log).toEqual([[5, 1], [5, 2], [25, 3], [40, 4], [40, 5], [40, 6], [55, 7], [60, 7]]);
    expect(session.runs).toEqual([2, 1, 3, 1, 1]);
  });

  it('evicts idle keys after idleTimeoutMs, giving the hook their snapshot; restore resumes them', async () => {
    const clock = new VirtualTime();
    const session = new FakeSession({ timing: 'sync' });
    const src = new Subject<Reading>();
    const saved = new Map<number, Snapshot>();
    const evicted: [number, number, string][] = [];
    const out: KeyedResult<number>[] = [];
    src.pipe(keyed(session, {
      ...opts,
      idleTimeoutMs: 100,
      scheduler: clock.scheduler,
      onEvict: (key, snap, reason) => { evicted.push([clock.scheduler.now(), key, reason]); saved.set(key, snap); },
      restore: (key) => saved.get(key),
    })).subscribe((r) => out.push(r));
    clock.at(0, () => src.next({ id: 1, x: [1, 1] }));
    clock.at(50, () => src.next({ id: 2, x: [2, 2] }));
    clock.at(90, () => src.next({ id: 1, x: [1, 1] }));
    clock.at(200, () => src.next({ id: 1, x: [3, 3] }));
    await clock.advanceTo(150);
    expect(evicted).toEqual([[150, 2, 'idle']]);
    await clock.advanceTo(300);
    expect(evicted).toEqual([[150, 2, 'idle'], [190, 1, 'idle'], [300, 1, 'idle']]);
    // key 1 resumed from its snapshot at 200: its third output continues the same state.
    expect(ok(out.at(-1)!)).toEqual(referenceOutputs([[1, 1], [1, 1], [3, 3]]).at(-1));
    expect(session.slots.size).toBe(1);
    expect(clock.scheduler.actions.length).toBe(0);
  });

  it('maxKeys evicts the least recently active idle key', async () => {
    const evicted: [number, string][] = [];
    const items = [reading(1, 0), reading(2, 0), reading(1, 1), reading(3, 0)];
    const session = new FakeSession({ timing: 'sync' });
    const clock = new VirtualTime();
    const src = new Subject<Reading>();
    src.pipe(keyed(session, { ...opts, maxKeys: 2, scheduler: clock.scheduler, onEvict: (k, _s, why) => evicted.push([k, why]) })).subscribe();
    items.forEach((r, i) => clock.at(i * 10, () => src.next(r)));
    clock.at(50, () => src.complete());
    await clock.advanceTo(60);
    expect(evicted).toEqual([[2, 'max-keys'], [1, 'complete'], [3, 'complete']]);
    expect(session.slots.size).toBe(1);
  });

  it("unsubscribing hands every key's state to onEvict; a new subscription restored from it carries on", async () => {
    const saved = new Map<number, Snapshot>();
    const reasons: string[] = [];
    const session = new FakeSession({ timing: 'sync' });
    const first = new Subject<Reading>();
    const seen: KeyedResult<number>[] = [];
    const sub = first
      .pipe(keyed(session, { ...opts, onEvict: (k, snap, why) => (saved.set(k, snap), reasons.push(`${k}:${why}`)) }))
      .subscribe((r) => seen.push(r));
    for (let t = 0; t < 3; t++) for (const id of [1, 2]) first.next(reading(id, t));
    while (seen.length < 6) await new Promise((r) => setTimeout(r, 0)); // one run per step of a key
    sub.unsubscribe();
    expect(reasons.sort()).toEqual(['1:unsubscribe', '2:unsubscribe']);
    expect(session.slots.size).toBe(1); // only the session's own default slot is left

    // "Restart": a new subscription restores each key from what was saved and continues its sequence.
    const resumed = await firstValueFrom(
      from([reading(1, 3), reading(2, 3)]).pipe(keyed(session, { ...opts, restore: (k) => saved.get(k) }), toArray()),
    );
    for (const id of [1, 2]) {
      const all = [0, 1, 2, 3].map((t) => reading(id, t).x);
      expect(ok(resumed.find((r) => r.key === id)!)).toEqual(referenceOutputs(all).at(-1));
    }
  });

  it('a hook that throws at teardown is reported out of band, and every slot is still freed', async () => {
    const { config } = await import('rxjs');
    const reported: unknown[] = [];
    const before = config.onUnhandledError;
    config.onUnhandledError = (e) => reported.push(e);
    try {
      const session = new FakeSession({ timing: 'sync' });
      const src = new Subject<Reading>();
      const sub = src.pipe(keyed(session, { ...opts, onEvict: () => { throw new Error('disk full'); } })).subscribe();
      src.next(reading(1, 0));
      src.next(reading(2, 0));
      await new Promise((r) => setTimeout(r, 0));
      sub.unsubscribe();
      expect(reported.map((e) => (e as Error).message)).toEqual(['disk full', 'disk full']);
      expect(session.slots.size).toBe(1);
    } finally {
      config.onUnhandledError = before;
    }
  });

  it('bad input for one key is reported for that key; the others keep flowing', async () => {
    const items = [reading(1, 0), { id: 2, x: [NaN, 0] }, reading(3, 0), { id: 2, x: [1] }, reading(1, 1), reading(2, 1)];
    const session = new FakeSession();
    const out = await firstValueFrom(from(items).pipe(keyed(session, opts), toArray()));
    const errors = out.filter((r) => !r.ok);
    expect(errors.map((r) => r.key)).toEqual([2, 2]);
    for (const e of errors) {
      expect(!e.ok && e.error).toBeInstanceOf(InputError);
      expect(!e.ok && (e.error as InputError).key).toBe(2);
    }
    // key 2's state was untouched by both bad items: its good item is its first step.
    expect(ok(out.find((r) => r.key === 2 && r.ok)!)).toEqual(referenceOutputs([reading(2, 1).x])[0]);
    expect(out.filter((r) => r.key === 1).map(ok)).toEqual(referenceOutputs([reading(1, 0).x, reading(1, 1).x]));

    const seen: unknown[] = [];
    const quiet = await firstValueFrom(from(items).pipe(keyed(session, { ...opts, onError: (e, k) => seen.push([k, e.constructor.name]) }), toArray()));
    expect(quiet.every((r) => r.ok)).toBe(true);
    expect(seen).toEqual([[2, 'InputError'], [2, 'InputError']]);
    const fatal = await firstValueFrom(from(items).pipe(keyed(session, { ...opts, onError: 'error' }), toArray())).catch((e: unknown) => e);
    expect(fatal).toBeInstanceOf(InputError);
    await new Promise((r) => setTimeout(r, 0));
    expect(session.slots.size).toBe(1);
  });

  it('a key whose queue overflows gets a BackpressureError; drop policies count', async () => {
    const items = [reading(1, 0), reading(1, 1), reading(1, 2), reading(1, 3), reading(2, 0)];
    const out = await firstValueFrom(from(items).pipe(keyed(new FakeSession(), { ...opts, highWaterMark: 2 }), toArray()));
    expect(out.filter((r) => !r.ok).map((r) => [r.key, !r.ok && r.error.constructor])).toEqual([[1, BackpressureError], [1, BackpressureError]]);
    expect(out.filter((r) => r.ok).map((r) => r.key)).toEqual([1, 2, 1]);
    const metrics = new StreamMetrics();
    const dropped = await firstValueFrom(from(items).pipe(keyed(new FakeSession(), { ...opts, highWaterMark: 1, backpressure: 'drop-oldest', metrics }), toArray()));
    expect(dropped.map((r) => r.key)).toEqual([1, 2]);
    expect(metrics.dropped).toBe(3);
    expect(ok(dropped[0]!)).toEqual(referenceOutputs([reading(1, 3).x])[0]);
  });

  it('10,000 subscribe/unsubscribe cycles leave no slots and no timers', async () => {
    const clock = new VirtualTime();
    const session = new FakeSession({ timing: 'sync' });
    const src = new Subject<Reading>();
    for (let i = 0; i < 10_000; i++) {
      const sub = src.pipe(keyed(session, { ...opts, maxDelayMs: 5, idleTimeoutMs: 50, scheduler: clock.scheduler })).subscribe();
      src.next(reading(i % 3, i));
      src.next(reading(3, i));
      sub.unsubscribe();
    }
    expect(session.slots.size).toBe(1);
    expect(clock.scheduler.actions.filter((a) => !a.closed).length).toBe(0);
    expect(src.observed).toBe(false);
    expect(session.slotsAdded).toBe(20_000);
  });
});
