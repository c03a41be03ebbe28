import fc from 'fast-check';
import { firstValueFrom, from, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { frame } from '../src/stream/frame.js';

/** Independent reference: frames cut from the whole signal at once. */
function referenceFrames(signal: number[], size: number, hop: number, final: 'pad' | 'drop', pad = 0): number[][] {
  const out: number[][] = [];
  let s = 0;
  for (; s + size <= signal.length; s += hop) out.push(signal.slice(s, s + size));
  const coveredUntil = out.length === 0 ? 0 : (out.length - 1) * hop + size;
  if (final === 'pad' && s < signal.length && signal.length > coveredUntil) {
    const last = signal.slice(s);
    while (last.length < size) last.push(pad);
    out.push(last);
  }
  return out;
}

function chunked(signal: number[], cuts: number[]): number[][] {
  const out: number[][] = [];
  let at = 0;
  for (const c of cuts) {
    out.push(signal.slice(at, at + c));
    at += c;
    if (at >= signal.length) break;
  }
  if (at < signal.length) out.push(signal.slice(at));
  return out;
}

describe('frame', () => {
  it('equals cutting the whole signal, for any chunking, size, hop and final policy (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 200 }),
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 1, max: 30 }),
        fc.constantFrom('pad' as const, 'drop' as const),
        async (signal, cuts, size, hop, final) => {
          const chunks = chunked(signal, cuts).map((c) => Float32Array.from(c));
          const got = await firstValueFrom(from(chunks).pipe(frame({ size, hop, final, padValue: -7 }), toArray()));
          expect(got.map((f) => Array.from(f))).toEqual(referenceFrames(signal, size, hop, final, -7));
        },
      ),
      { numRuns: 300, seed: 20261125 },
    );
  });

  it('emits frames the caller owns (not views of its buffer) and does not keep chunks', async () => {
    const chunk = new Float32Array([1, 2, 3, 4, 5, 6]);
    const frames = await firstValueFrom(from([chunk]).pipe(frame({ size: 2 }), toArray()));
    chunk.fill(0);
    expect(frames.map((f) => Array.from(f))).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(new Set(frames.map((f) => f.buffer)).size).toBe(3);
  });

  it('rejects bad options and bad chunks with InputError', async () => {
    expect(() => frame({ size: 0 })).toThrow(InputError);
    expect(() => frame({ size: 4, hop: 0.5 })).toThrow(InputError);
    const err = await firstValueFrom(from([null as unknown as number[]]).pipe(frame({ size: 2 }))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
  });
});
