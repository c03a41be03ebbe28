import { describe, expect, it } from 'vitest';
import { tensor, sizeOf, toNumberArray } from '../src/tensor.js';

describe('tensor', () => {
  it('copies numbers into int64 exactly and keeps dims', () => {
    const t = tensor('int64', [2], [1, 2 ** 53]);
    expect(t.data).toBeInstanceOf(BigInt64Array);
    expect(t.data[1]).toBe(9007199254740992n);
    expect(toNumberArray(t)).toEqual([1, 2 ** 53]);
  });
  it('refuses a value count that disagrees with the shape', () => {
    expect(() => tensor('float32', [2, 3], [1, 2])).toThrow(/holds 6 elements, got 2/);
  });
  it('treats [] as a scalar of one element', () => {
    expect(sizeOf([])).toBe(1);
  });
});
