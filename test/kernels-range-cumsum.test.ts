/**
 * Range and CumSum against onnxruntime-node on the same model bytes. Both accumulate in the element type
 * (float32 rounds at each step) as onnxruntime does, so floats are compared at rtol 1e-6 / atol 1e-6 (what
 * remains is the order of float32 roundings, not the method) and integers exactly. Every CumSum case runs
 * with all four exclusive/reverse mixes and every axis, negative ones included.
 */
import { describe, expect, it } from 'vitest';
import { createExecutor } from '../src/executor/executor.js';
import { GraphBuilder } from '../src/onnx/build.js';
import { tensor, type DType, type Tensor } from '../src/tensor.js';
import { expectMatchesOrt, randomTensor, rng } from './kernel-oracle.js';

const FTOL = { rtol: 1e-6, atol: 1e-6 };
const EXACT = { rtol: 0, atol: 0 };

function rangeModel(dtype: DType) {
  const g = new GraphBuilder({ opset: 11 });
  const y = g.node('Range', [g.input('start', dtype, []), g.input('limit', dtype, []), g.input('delta', dtype, [])], {}, ['y'])[0]!;
  g.output(y, dtype);
  return g.build();
}

const scalar = (dtype: DType, v: number): Tensor => tensor(dtype, [], [v]);

describe('Range', () => {
  const cases: [DType, number, number, number][] = [
    ['float32', 0, 10, 1],
    ['float32', 0.1, 7.3, 0.7],
    ['float32', 3, -2.5, -0.35],
    ['float32', 1, 1, 0.5], // empty
    ['float32', 5, 1, 1], // empty: wrong direction
    ['float32', -1e3, 1e3, 0.1], // 20,000 float32 additions: where accumulating and multiplying part ways
    ['float64', 0.1, 7.3, 0.7],
    ['int32', 0, 17, 3],
    ['int32', 10, -10, -4],
    ['int64', 0, 12, 1],
    ['int64', -7, 40, 5],
    ['int16', 2, 100, 7],
  ];
  for (const [dtype, start, limit, delta] of cases) {
    it(`${dtype} ${start} → ${limit} by ${delta}`, async () => {
      const feeds = { start: scalar(dtype, start), limit: scalar(dtype, limit), delta: scalar(dtype, delta) };
      const out = await expectMatchesOrt(rangeModel(dtype), feeds, dtype.startsWith('float') ? FTOL : EXACT, 'Range');
      expect(out.y!.dims).toEqual([Math.max(Math.ceil((limit - start) / delta), 0)]);
    });
  }

  it('rejects a zero delta, and a non-scalar start at the feed, naming what came', () => {
    const run = (feeds: Record<string, Tensor>, dtype: DType = 'float32') => () => createExecutor(rangeModel(dtype)).run(feeds);
    expect(run({ start: scalar('float32', 0), limit: scalar('float32', 3), delta: scalar('float32', 0) })).toThrow(/delta must not be zero/);
    expect(run({ start: tensor('float32', [2], [0, 1]), limit: scalar('float32', 3), delta: scalar('float32', 1) })).toThrow(/input 'start': expected shape \[\], got \[2\]/);
  });
});

function cumSumModel(dtype: DType, dims: number[], axis: number, axisType: 'int32' | 'int64', exclusive: number, reverse: number) {
  const g = new GraphBuilder({ opset: 14 });
  const axisInput = axisType === 'int64' ? g.int64s([axis]) : g.constant(tensor('int32', [], [axis]));
  const y = g.node('CumSum', [g.input('x', dtype, dims), axisInput], { exclusive, reverse }, ['y'])[0]!;
  g.output(y, dtype);
  return g.build();
}

describe('CumSum', () => {
  const dims = [3, 4, 5];
  for (const dtype of ['float32', 'float64', 'int32', 'int64'] as const) {
    for (const axis of [0, 1, 2, -1, -3]) {
      it(`${dtype} axis ${axis}, exclusive and reverse in all four mixes`, async () => {
        const x = randomTensor(rng(31 + axis), dtype, dims, -50, 50);
        for (const exclusive of [0, 1]) {
          for (const reverse of [0, 1]) {
            const axisType = axis % 2 === 0 ? 'int64' : 'int32';
            const model = cumSumModel(dtype, dims, axis, axisType, exclusive, reverse);
            await expectMatchesOrt(model, { x }, dtype.startsWith('float') ? FTOL : EXACT, `CumSum ${dtype} axis ${axis} exclusive ${exclusive} reverse ${reverse}`);
          }
        }
      });
    }
  }

  it('int64 sums past 2^32 and 2^53 carry between words exactly, wrapping as onnxruntime does', async () => {
    const big = [2n ** 31n + 5n, 2n ** 32n - 1n, -(2n ** 40n), 2n ** 62n, 2n ** 62n, 7n];
    const x: Tensor = { dtype: 'int64', dims: [6], data: BigInt64Array.from(big) };
    for (const exclusive of [0, 1]) {
      for (const reverse of [0, 1]) {
        const out = await expectMatchesOrt(cumSumModel('int64', [6], 0, 'int64', exclusive, reverse), { x }, EXACT, 'CumSum int64 carries');
        // Independent of both: BigInt running sums wrapped to 64 bits.
        const order = reverse ? [...big].reverse() : big;
        let acc = 0n;
        const want = order.map((v) => {
          const before = acc;
          acc = BigInt.asIntN(64, acc + v);
          return exclusive ? before : acc;
        });
        expect([...(out.y!.data as BigInt64Array)]).toEqual(reverse ? want.reverse() : want);
      }
    }
  });

  it('float32 sums round at every step, as a sum kept in float32 does', async () => {
    // 1 + 1e-8 is 1 in float32 at every step; a sum kept in double would reach 1.0000001.
    const x = tensor('float32', [11], [1, ...new Array(10).fill(1e-8)]);
    const out = await expectMatchesOrt(cumSumModel('float32', [11], 0, 'int64', 0, 0), { x }, EXACT, 'CumSum float32 rounding');
    expect(out.y!.data[10]).toBe(1);
  });

  it('rejects an axis out of range and a non-scalar axis, naming what came', () => {
    const x = tensor('float32', [2, 3]);
    expect(() => createExecutor(cumSumModel('float32', [2, 3], 2, 'int64', 0, 0)).run({ x })).toThrow(/axis 2 is out of range for rank 2/);
    const g = new GraphBuilder({ opset: 14 });
    g.output(g.node('CumSum', [g.input('x', 'float32', [2, 3]), g.int64s([0, 1])], {}, ['y'])[0]!, 'float32');
    expect(() => createExecutor(g.build()).run({ x })).toThrow(/axis must be an int32 or int64 scalar, got int64 \[2\]/);
  });
});
