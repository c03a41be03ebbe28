/**
 * Activation kernels against onnxruntime-node on the same model bytes. Softmax/LogSoftmax are checked
 * on both sides of opset 13 (coerce-to-2D before, one axis from 13) for every axis of a rank-4 input.
 * Tolerance rtol 1e-5, atol 1e-6 (double-precision loops vs onnxruntime's float32).
 */
import { describe, expect, it } from 'vitest';
import { createExecutor } from '../src/executor/executor.js';
import { GraphBuilder, attr } from '../src/onnx/build.js';
import { tensor } from '../src/tensor.js';
import { expectMatchesOrt, randomTensor, rng } from './kernel-oracle.js';

const TOL = { rtol: 1e-5, atol: 1e-6 };
const DIMS = [2, 3, 4, 5];

describe('Softmax / LogSoftmax axis semantics', () => {
  for (const op of ['Softmax', 'LogSoftmax']) {
    for (const opset of [11, 13]) {
      for (const axis of [undefined, 0, 1, 2, 3, -1, -3]) {
        it(`${op} opset ${opset} axis ${axis ?? 'default'}`, async () => {
          const x = randomTensor(rng(opset + (axis ?? 9)), 'float32', DIMS, -20, 20);
          const g = new GraphBuilder({ opset });
          const [y] = g.node(op, [g.input('x', 'float32', DIMS)], { axis });
          g.output(y!, 'float32');
          await expectMatchesOrt(g.build(), { x }, TOL, `${op}@${opset} axis ${axis}`);
        });
      }
    }
  }

  it('opset 11 and 13 really differ for axis 1 of a rank-3 input', () => {
    const x = randomTensor(rng(3), 'float32', [2, 3, 4]);
    const run = (opset: number) => {
      const g = new GraphBuilder({ opset });
      g.output(g.softmax(g.input('x', 'float32', [2, 3, 4]), { axis: 1 }), 'float32');
      return Array.from(Object.values(createExecutor(g.build()).run({ x }))[0]!.data as Float32Array);
    };
    const coerced = run(11);
    const single = run(13);
    // coerced: each batch of 12 sums to 1; single-axis: each (batch, column) of 3 sums to 1
    expect(coerced.slice(0, 12).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(single[0]! + single[4]! + single[8]!).toBeCloseTo(1, 5);
    expect(coerced[0]).not.toBeCloseTo(single[0]!, 3);
  });

  it('stays finite for large inputs', () => {
    const g = new GraphBuilder({ opset: 13 });
    g.output(g.logSoftmax(g.input('x', 'float32', [1, 3])), 'float32');
    const out = createExecutor(g.build()).run({ x: tensor('float32', [1, 3], [1000, 1001, 1002]) });
    const y = Array.from(Object.values(out)[0]!.data as Float32Array);
    expect(y.every(Number.isFinite)).toBe(true);
    expect(y[2]).toBeCloseTo(-0.40760596, 5);
  });

  it('rejects an axis out of range, naming it', () => {
    const g = new GraphBuilder({ opset: 13 });
    g.output(g.softmax(g.input('x', 'float32', [2, 2]), { axis: 2 }), 'float32');
    expect(() => createExecutor(g.build()).run({ x: tensor('float32', [2, 2]) })).toThrow(/axis 2 is out of range for rank 2/);
  });
});

describe('point-wise activations', () => {
  const cases: [string, Record<string, ReturnType<typeof attr.float> | undefined>, number][] = [
    ['Tanh', {}, 13],
    ['Sigmoid', {}, 13],
    ['Relu', {}, 14],
    ['LeakyRelu', {}, 16],
    ['LeakyRelu', { alpha: attr.float(0.3) }, 16],
    ['HardSigmoid', {}, 6],
    ['HardSigmoid', { alpha: attr.float(0.1), beta: attr.float(0.3) }, 22],
    ['Elu', { alpha: attr.float(0.7) }, 6],
    ['Selu', {}, 6],
    ['Softsign', {}, 1],
    ['Softplus', {}, 1],
  ];
  for (const [op, attrs, opset] of cases) {
    it(`${op} ${JSON.stringify(Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, v?.value])))} (opset ${opset})`, async () => {
      // wide range, including magnitudes where a naive sigmoid overflows
      const x = randomTensor(rng(op.length + opset), 'float32', [4, 25], -60, 60);
      const g = new GraphBuilder({ opset });
      const [y] = g.node(op, [g.input('x', 'float32', [4, 25])], attrs);
      g.output(y!, 'float32');
      await expectMatchesOrt(g.build(), { x }, TOL, op);
    });
  }
  it('Relu on int32 and int64 (opset 14; onnxruntime has no integer Relu, so against max(0, x))', () => {
    for (const dtype of ['int32', 'int64'] as const) {
      const x = randomTensor(rng(14), dtype, [3, 7], -10, 10);
      const g = new GraphBuilder({ opset: 14 });
      g.output(g.relu(g.input('x', dtype, [3, 7])), dtype);
      const y = Object.values(createExecutor(g.build()).run({ x }))[0]!;
      expect(y.dtype).toBe(dtype);
      expect(Array.from(y.data as ArrayLike<number | bigint>, Number)).toEqual(Array.from(x.data as ArrayLike<number | bigint>, (v) => Math.max(0, Number(v))));
    }
  });
});
