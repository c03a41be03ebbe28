/**
 * The two small pure pieces under snapshots and slots, checked property-wise with fast-check:
 * base64 against Node's Buffer (the reference encoder), and stack/unstack against a direct index formula.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64 } from '../src/session/base64.js';
import { blocks, stackInto, unstackFrom } from '../src/session/stack.js';
import { allocData, BYTES_PER_ELEMENT, DTYPES, type DType, type TypedArray } from '../src/tensor.js';

function randomArray(dtype: DType, bytes: Uint8Array): TypedArray {
  const n = Math.floor(bytes.length / BYTES_PER_ELEMENT[dtype]);
  const a = allocData(dtype, n);
  new Uint8Array(a.buffer).set(bytes.subarray(0, n * BYTES_PER_ELEMENT[dtype]));
  return a;
}

describe('base64', () => {
  it('encodes exactly as Node Buffer does and decodes back bit for bit, for every dtype', () => {
    fc.assert(
      fc.property(fc.constantFrom(...DTYPES), fc.uint8Array({ maxLength: 67 }), (dtype, bytes) => {
        const a = randomArray(dtype, bytes);
        const text = encodeBase64(a);
        expect(text).toBe(Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64'));
        const back = decodeBase64(text, dtype, a.length)!;
        expect(new Uint8Array(back.buffer)).toEqual(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
      }),
      { seed: 20261125 },
    );
  });

  it('refuses text of the wrong length or with foreign characters', () => {
    const t = encodeBase64(new Float32Array([1, 2, 3]));
    expect(decodeBase64(t, 'float32', 4)).toBeUndefined();
    expect(decodeBase64(t.slice(0, -4), 'float32', 3)).toBeUndefined();
    expect(decodeBase64(`*${t.slice(1)}`, 'float32', 3)).toBeUndefined();
    expect(decodeBase64(t, 'float32', 3)).toEqual(new Float32Array([1, 2, 3]));
  });
});

describe('stack / unstack along a batch axis', () => {
  it('places stream s of n where the row-major index formula says, and reads it back', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        fc.integer({ min: 1, max: 5 }),
        (dims, axisSeed, n) => {
          const axis = axisSeed % dims.length;
          const stream = dims.map((d, i) => (i === axis ? 1 : d));
          const size = stream.reduce((a, b) => a * b, 1);
          const { outer, inner } = blocks(stream, axis);
          const stacked = new Float32Array(size * n);
          const streams = Array.from({ length: n }, (_, s) => Float32Array.from({ length: size }, (_, i) => s * 1000 + i));
          streams.forEach((x, s) => stackInto(stacked, x, s, n, outer, inner));
          // Reference: the element at stream index i of stream s sits at (o, s, k) of the stacked [outer, n, inner].
          for (let s = 0; s < n; s++) {
            for (let i = 0; i < size; i++) {
              const o = Math.floor(i / inner);
              const k = i % inner;
              expect(stacked[(o * n + s) * inner + k]).toBe(streams[s]![i]);
            }
            const back = new Float32Array(size);
            unstackFrom(stacked, back, s, n, outer, inner);
            expect(back).toEqual(streams[s]);
          }
        },
      ),
      { seed: 20261125 },
    );
  });
});
