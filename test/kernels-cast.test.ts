/**
 * Cast and CastLike against onnxruntime-node for every pair of the eleven numeric element types, on values
 * where the ONNX text defines the result (out-of-range float → integer is undefined there, so it is
 * checked only against our documented rule, directly). Conversions are exact, so tolerance is zero.
 */
import { describe, expect, it } from 'vitest';
import { createExecutor } from '../src/executor/executor.js';
import { bigintToFloat32, castInto } from '../src/executor/kernels/cast-impl.js';
import { attr, GraphBuilder } from '../src/onnx/build.js';
import { allocData, tensor, toNumberArray, type DType, type Tensor } from '../src/tensor.js';
import { EXACT, expectMatchesOrt } from './builtin-vs-ort.js';

const TYPES: DType[] = ['float32', 'float64', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'bool'];
const SIGNED = new Set<DType>(['int8', 'int16', 'int32', 'int64']);
const FLOATS = new Set<DType>(['float32', 'float64']);

/** 2^54 + 2^30 + 1: rounding it to float32 through float64 first would land on a tie and round wrongly. */
const DOUBLE_ROUNDING_TRAP = 18014399583223809n;

/** Source values per dtype; each is exactly representable in its source type. */
const SOURCE: Record<DType, (number | bigint)[]> = {
  float32: [0, -0, 1.75, -2.5, 127.9, 255.5, 70000.25, -129.7, 3e9, 1e30, -1e-30, NaN, Infinity, -Infinity],
  float64: [0, 1.75, -2.5, 127.9, 1e40, -1e40, 1 / 3, 2 ** 40 + 0.5, -(2 ** 33) - 0.25, NaN],
  int8: [0, 1, -1, 127, -128, 55],
  int16: [0, 200, -56, 32767, -32768, 300],
  int32: [0, 70000, -70000, 2147483647, -2147483648, 16777217],
  int64: [0n, -1n, 4294967297n, -9223372036854775808n, 9223372036854775807n, DOUBLE_ROUNDING_TRAP, 9007199254740993n],
  uint8: [0, 1, 200, 255],
  uint16: [0, 65535, 40000, 256],
  uint32: [0, 4294967295, 2147483648, 16777217],
  uint64: [0n, 18446744073709551615n, 9223372036854775808n, DOUBLE_ROUNDING_TRAP],
  bool: [0, 1, 1, 0],
};

/** Floats whose conversion to `to` the spec defines: finite and inside the target's range after truncation. */
function definedFor(to: DType, v: number): boolean {
  if (FLOATS.has(to) || to === 'bool') return true;
  if (!Number.isFinite(v)) return false;
  const t = Math.trunc(v);
  const bits = { int8: 8, int16: 16, int32: 32, int64: 64, uint8: 8, uint16: 16, uint32: 32, uint64: 64 }[to as 'int8']!;
  return SIGNED.has(to) ? t >= -(2 ** (bits - 1)) && t < 2 ** (bits - 1) : t >= 0 && t < 2 ** bits;
}

describe('Cast vs onnxruntime-node, every type pair', () => {
  for (const from of TYPES) {
    it(`from ${from} to every type`, async () => {
      const b = new GraphBuilder({ opset: 13 });
      const feeds: Record<string, Tensor> = {};
      for (const to of TYPES) {
        const values = FLOATS.has(from) ? SOURCE[from].filter((v) => definedFor(to, v as number)) : SOURCE[from];
        const name = b.input(`x_${to}`, from, [values.length]);
        feeds[name] = tensor(from, [values.length], values);
        b.output(b.cast(name, to));
      }
      await expectMatchesOrt(b.build(), feeds, EXACT);
    });
  }

  it('CastLike takes the type of its second input (opset 15)', async () => {
    const b = new GraphBuilder({ opset: 15 });
    const x = b.input('x', 'float32', [4]);
    const like = b.input('like', 'int16', [1]);
    const [y] = b.node('CastLike', [x, like]);
    b.output(y!, 'int16');
    await expectMatchesOrt(b.build(), { x: tensor('float32', [4], [1.9, -2.9, 300.5, 0]), like: tensor('int16', [1]) }, EXACT);
  });
});

describe('Cast rules the spec leaves to the implementation', () => {
  const castTo = (to: DType, src: Tensor) => {
    const out = allocData(to, src.data.length);
    castInto(src, to, out);
    return Array.from(out as ArrayLike<number | bigint>);
  };
  it('float → integer out of range wraps modulo 2^bits after truncation; NaN and ±Infinity give 0', () => {
    const src = tensor('float32', [5], [300.7, -129.5, NaN, Infinity, -Infinity]);
    expect(castTo('int8', src)).toEqual([44, 127, 0, 0, 0]);
    expect(castTo('uint8', src)).toEqual([44, 127, 0, 0, 0]);
    expect(castTo('int64', tensor('float64', [2], [2 ** 64 + 2 ** 12, -1.5]))).toEqual([4096n, -1n]);
  });
  it('int64 → float32 rounds once, to nearest even', () => {
    expect(bigintToFloat32(DOUBLE_ROUNDING_TRAP)).toBe(2 ** 54 + 2 ** 31);
    expect(Math.fround(Number(DOUBLE_ROUNDING_TRAP))).toBe(2 ** 54); // what double rounding would give
    expect(bigintToFloat32(-DOUBLE_ROUNDING_TRAP)).toBe(-(2 ** 54 + 2 ** 31));
    expect(bigintToFloat32(2n ** 54n + 2n ** 30n)).toBe(2 ** 54); // an exact tie goes to the even mantissa
    expect(bigintToFloat32(2n ** 54n + 3n * 2n ** 30n)).toBe(2 ** 54 + 2 ** 32);
  });
  it('reads the string form of `to` used before opset 6', () => {
    const b = new GraphBuilder({ opset: 5 });
    const x = b.input('x', 'int32', [2]);
    const [y] = b.node('Cast', [x], { to: 'FLOAT' });
    b.output(y!, 'float32');
    const out = createExecutor(b.build()).run({ x: tensor('int32', [2], [3, -4]) })[y!]!;
    expect(out.dtype).toBe('float32');
    expect(toNumberArray(out)).toEqual([3, -4]);
  });
  it('declines float16 and names the alternative', () => {
    const b = new GraphBuilder({ opset: 13 });
    const x = b.input('x', 'float32', [1]);
    const [y] = b.node('Cast', [x], { to: attr.int(10) });
    b.output(y!, 'float32');
    expect(() => createExecutor(b.build())).toThrow(/cannot cast to float16.*onnxruntime backend/);
  });
  it('a same-type Cast returns its input without copying', () => {
    const b = new GraphBuilder({ opset: 13 });
    const x = b.input('x', 'int32', [3]);
    const s = b.cast(x, 'int32');
    b.output(b.cast(s, 'float32'));
    const exec = createExecutor(b.build());
    expect(toNumberArray(Object.values(exec.run({ x: tensor('int32', [3], [1, -2, 3]) }))[0]!)).toEqual([1, -2, 3]);
  });
});
