/**
 * The broadcaster (row planning with merged trailing dims) against a naive numpy-rule reference that
 * computes every output element's source index from scratch. Property test: random shapes of rank ≤ 5
 * with random unit dimensions, two and three operands, exact (index arithmetic only).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Broadcaster, broadcastShapes } from '../src/executor/broadcast.js';
import type { RunContext } from '../src/executor/kernel.js';
import { allocData, sizeOf, type Tensor } from '../src/tensor.js';

const ctx: RunContext = {
  output: () => {
    throw new Error('unused');
  },
  scratch: (_slot, dtype, length) => allocData(dtype, length),
  scope: new Map(),
};

/** Source flat index of output element `flat` in an operand of shape `s` (numpy rule, right-aligned). */
function sourceIndex(flat: number, out: readonly number[], s: readonly number[]): number {
  let idx = 0;
  let stride = 1;
  let rem = flat;
  const coords = new Array<number>(out.length);
  for (let d = out.length - 1; d >= 0; d--) {
    coords[d] = rem % out[d]!;
    rem = Math.floor(rem / out[d]!);
  }
  for (let i = s.length - 1; i >= 0; i--) {
    const c = coords[out.length - s.length + i]!;
    idx += (s[i] === 1 ? 0 : c) * stride;
    stride *= s[i]!;
  }
  return idx;
}

/** Shapes that broadcast together: a full shape, each operand a suffix with some dims set to 1. */
const operandShapes = (count: number) =>
  fc
    .array(fc.integer({ min: 1, max: 4 }), { maxLength: 5 })
    .chain((full) =>
      fc.tuple(
        fc.constant(full),
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: full.length }), fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length })),
          { minLength: count, maxLength: count },
        ),
      ),
    )
    .map(([full, picks]) => picks.map(([drop, ones]) => full.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d))));

describe('Broadcaster', () => {
  for (const count of [2, 3]) {
    it(`maps every output element to the numpy source element (${count} operands)`, () => {
      fc.assert(
        fc.property(operandShapes(count), (shapes) => {
          const bc = new Broadcaster(count);
          const inputs = shapes.map((dims) => ({ dtype: 'float32', dims, data: new Float32Array(sizeOf(dims)) }) as Tensor);
          bc.plan(inputs, ctx, 'test');
          const out = broadcastShapes(shapes, [], 'test');
          expect(bc.dims).toEqual(out);
          expect(bc.rows * bc.rowLen).toBe(sizeOf(out));
          for (let r = 0; r < bc.rows; r++) {
            for (let t = 0; t < bc.rowLen; t++) {
              const flat = r * bc.rowLen + t;
              for (let k = 0; k < count; k++) {
                expect(bc.offsets[k]![r]! + t * bc.steps[k]!).toBe(sourceIndex(flat, out, shapes[k]!));
              }
            }
          }
        }),
        { numRuns: 300, seed: 20261125 },
      );
    });
  }

  it('names both shapes when they cannot broadcast', () => {
    expect(() => broadcastShapes([[2, 3], [4, 3]], [], 'Add node')).toThrow(/Add node: shapes \[2, 3\] and \[4, 3\] cannot be broadcast/);
  });

  it('handles empty dimensions', () => {
    const bc = new Broadcaster(2);
    const inputs = [
      { dtype: 'float32', dims: [0, 3], data: new Float32Array(0) },
      { dtype: 'float32', dims: [3], data: new Float32Array(3) },
    ] as Tensor[];
    bc.plan(inputs, ctx, 'test');
    expect(bc.dims).toEqual([0, 3]);
    expect(bc.rows * bc.rowLen).toBe(0);
  });
});
