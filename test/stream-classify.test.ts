import { firstValueFrom, from, Subject, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { classify } from '../src/stream/classify.js';
import { FakeSession, referenceOutputs, VirtualTime } from './stream-fake-session.js';

const frames = Array.from({ length: 10 }, (_, i) => [i + 1, -i]);
const lastOf = (seq: number[][]) => referenceOutputs(seq).at(-1);

describe('classify', () => {
  it('ends sequences by count, emitting the last step of each from a fresh state', async () => {
    const session = new FakeSession();
    const got = await firstValueFrom(from(frames).pipe(classify(session, { end: { count: 4 } }), toArray()));
    expect(got.map((s) => s.length)).toEqual([4, 4, 2]);
    expect(Array.from(got[1]!.outputs.y!.data as Float32Array)).toEqual(lastOf(frames.slice(4, 8)));
    expect(Array.from(got[2]!.outputs.y!.data as Float32Array)).toEqual(lastOf(frames.slice(8)));
    expect(Object.keys(got[0]!.outputs)).toEqual(['y']);
    expect(session.slots.size).toBe(1);
  });

  it('ends sequences by predicate (the matching item is the last of its sequence)', async () => {
    const session = new FakeSession();
    const got = await firstValueFrom(from(frames).pipe(classify(session, { end: { when: (f) => f[0]! % 3 === 0 } }), toArray()));
    expect(got.map((s) => s.length)).toEqual([3, 3, 3, 1]);
    expect(Array.from(got[0]!.outputs.y!.data as Float32Array)).toEqual(lastOf(frames.slice(0, 3)));
  });

  it('ends sequences by a time gap (TestScheduler virtual time)', async () => {
    const clock = new VirtualTime();
    const session = new FakeSession({ timing: 'sync' });
    const source = new Subject<number[]>();
    const log: [number, number, number[]][] = [];
    let completedAt = -1;
    source.pipe(classify(session, { end: { gapMs: 10 }, scheduler: clock.scheduler })).subscribe({
      next: (s) => log.push([clock.scheduler.now(), s.length, Array.from(s.outputs.y!.data as Float32Array)]),
      complete: () => (completedAt = clock.scheduler.now()),
    });
    const a = [1, 0], b = [2, 0], c = [3, 0], d = [4, 0], e = [5, 0];
    clock.at(0, () => source.next(a));
    clock.at(3, () => source.next(b)); // gap ends this sequence at 13
    clock.at(25, () => source.next(c));
    clock.at(30, () => source.next(d)); // 9 ms apart from e: same sequence
    clock.at(39, () => source.next(e)); // gap ends it at 49
    clock.at(60, () => source.complete());
    await clock.advanceTo(70);
    expect(log).toEqual([
      [13, 2, lastOf([a, b])],
      [49, 3, lastOf([c, d, e])],
    ]);
    expect(completedAt).toBe(60);
    expect(session.slots.size).toBe(1);
  });

  it('non-finite input: error is typed; reset restarts the sequence', async () => {
    const bad = [[1, 1], [2, 2], [NaN, 0], [3, 3], [4, 4]];
    const err = await firstValueFrom(from(bad).pipe(classify(new FakeSession(), { end: { count: 5 } }))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    const got = await firstValueFrom(from(bad).pipe(classify(new FakeSession(), { end: { count: 2 }, nonFinite: 'reset' }), toArray()));
    expect(got.map((s) => s.length)).toEqual([2, 2]);
    expect(Array.from(got[1]!.outputs.y!.data as Float32Array)).toEqual(lastOf([[3, 3], [4, 4]]));
  });

  it('requires an end and validates it', () => {
    expect(() => classify(new FakeSession(), { end: {} })).toThrow(InputError);
    expect(() => classify(new FakeSession(), { end: { count: 0 } })).toThrow(InputError);
  });
});
