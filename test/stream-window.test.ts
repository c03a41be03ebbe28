import { firstValueFrom, from, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { window } from '../src/stream/window.js';
import { FakeSession, referenceOutputs } from './stream-fake-session.js';

const frames = Array.from({ length: 23 }, (_, i) => [Math.sin(i * 0.3), (i % 5) - 2]);
const ref = referenceOutputs(frames);

/** Independent reference reduction over the per-step reference outputs. */
function expected(start: number, length: number, how: 'last' | 'mean' | 'max' | 'all'): number[] {
  const rows = ref.slice(start, start + length);
  if (how === 'last') return rows[rows.length - 1]!;
  if (how === 'all') return rows.flat();
  return rows[0]!.map((_, k) => {
    const col = rows.map((r) => r[k]!);
    return how === 'mean' ? col.reduce((a, b) => a + b, 0) / col.length : Math.max(...col);
  });
}

describe('window (streaming mode)', () => {
  for (const [size, hop] of [[5, 5], [6, 2], [3, 7], [1, 1]] as const) {
    for (const how of ['last', 'mean', 'max', 'all'] as const) {
      it(`size ${size}, hop ${hop}, reduce ${how}: matches reducing the per-step outputs (float32 rounding only)`, async () => {
        const session = new FakeSession();
        const got = await firstValueFrom(from(frames).pipe(window(session, { size, hop, reduce: how, partial: 'emit' }), toArray()));
        const starts: number[] = [];
        for (let s = 0; s + size <= frames.length; s += hop) starts.push(s);
        const nextStart = starts.length * hop;
        if (nextStart < frames.length) starts.push(nextStart);
        expect(got.map((w) => w.start)).toEqual(starts);
        for (const w of got) {
          expect(w.length).toBe(Math.min(size, frames.length - w.start));
          const want = expected(w.start, w.length, how);
          const data = Array.from(w.outputs.y!.data as Float32Array);
          expect(data.length).toBe(want.length);
          // mean is accumulated in double and stored as float32: 1 ulp-level tolerance.
          data.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want[i]!))));
          if (how === 'all') expect(w.outputs.y!.dims).toEqual([w.length, 1, 2]);
        }
        expect(Object.keys(got[0]!.outputs)).toEqual(['y']);
      });
    }
  }

  it('drops a final partial window by default', async () => {
    const got = await firstValueFrom(from(frames).pipe(window(new FakeSession(), { size: 5 }), toArray()));
    expect(got.map((w) => w.start)).toEqual([0, 5, 10, 15]);
  });

  it('rejects bad options with InputError', () => {
    const s = new FakeSession();
    expect(() => window(s, { size: 0 })).toThrow(InputError);
    expect(() => window(s, { size: 2, reduce: 'median' as 'mean' })).toThrow(InputError);
  });

  it('frees its slot on completion', async () => {
    const session = new FakeSession();
    await firstValueFrom(from(frames).pipe(window(session, { size: 4 }), toArray()));
    expect(session.slots.size).toBe(1);
  });
});

describe('window (per-window mode)', () => {
  it('runs each window from a reset state over its own items, with hop and partial windows', async () => {
    const session = new FakeSession();
    // The fake's state after a reset and one step on x is x itself: sum the window's frames into x.
    const toWindowInput = (items: readonly number[][]) => ({ x: items.reduce((a, f) => [a[0]! + f[0]!, a[1]! + f[1]!], [0, 0]) });
    const got = await firstValueFrom(
      from(frames).pipe(window(session, { size: 4, hop: 3, mode: 'per-window', reduce: 'all', toWindowInput, partial: 'emit' }), toArray()),
    );
    expect(got.map((w) => [w.start, w.length])).toEqual([[0, 4], [3, 4], [6, 4], [9, 4], [12, 4], [15, 4], [18, 4], [21, 2]]);
    for (const w of got) {
      const want = toWindowInput(frames.slice(w.start, w.start + w.length)).x.map(Math.fround);
      expect(Array.from(w.outputs.y!.data as Float32Array)).toEqual(want);
    }
  });

  it('skips the gap between windows when hop > size', async () => {
    const session = new FakeSession();
    const toWindowInput = (items: readonly number[][]) => ({ x: items[0]! });
    const got = await firstValueFrom(from(frames).pipe(window(session, { size: 2, hop: 5, mode: 'per-window', toWindowInput }), toArray()));
    expect(got.map((w) => w.start)).toEqual([0, 5, 10, 15, 20]);
    expect(Array.from(got[2]!.outputs.y!.data as Float32Array)).toEqual(frames[10]!.map(Math.fround));
  });
});
