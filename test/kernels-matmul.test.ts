/**
 * Gemm and MatMul against onnxruntime-node on the same model bytes: batched broadcasting, 1-D operands,
 * every transA/transB/alpha/beta mix, every C shape Gemm broadcasts, B as a runtime input and as an
 * initializer (the packed path). Floats rtol 1e-5 / atol 1e-5 (double accumulation here, float32 in
 * onnxruntime); integers exact.
 */
import { describe, expect, it } from 'vitest';
import { createExecutor } from '../src/executor/executor.js';
import { GraphBuilder } from '../src/onnx/build.js';
import { tensor, type DType, type Tensor } from '../src/tensor.js';
import { compareTensors } from '../src/conformance/compare.js';
import { expectMatchesOrt, randomTensor, rng, runOrt } from './kernel-oracle.js';

const FTOL = { rtol: 1e-5, atol: 1e-5 };
const EXACT = { rtol: 0, atol: 0 };

function matmulModel(a: Tensor, b: Tensor, constB: boolean) {
  const g = new GraphBuilder({ opset: 13 });
  const x = g.input('a', a.dtype, [...a.dims]);
  const y = constB ? g.initializer('b', b) : g.input('b', b.dtype, [...b.dims]);
  g.output(g.matmul(x, y), a.dtype);
  return g.build();
}

describe('MatMul', () => {
  const shapes: [number[], number[]][] = [
    [[3, 4], [4, 5]],
    [[4], [4, 5]],
    [[3, 4], [4]],
    [[4], [4]],
    [[2, 3, 4], [4, 5]],
    [[3, 4], [2, 4, 5]],
    [[2, 1, 3, 4], [5, 4, 2]],
    [[1, 2, 3, 4], [3, 1, 4, 2]],
    [[4], [2, 3, 4, 5]],
    [[2, 3, 2, 4], [4]],
    [[1, 1, 6], [6, 1]],
    [[0, 3], [3, 2]],
    [[2, 0], [0, 3]],
  ];
  for (const dtype of ['float32', 'int32', 'int64', 'float64'] as DType[]) {
    for (const constB of [false, true]) {
      it(`${dtype}, B ${constB ? 'an initializer (packed)' : 'an input'}: ${shapes.length} shape pairs`, async () => {
        const r = rng(dtype.length + (constB ? 1 : 0));
        for (const [da, db] of shapes) {
          const a = randomTensor(r, dtype, da, -4, 4);
          const b = randomTensor(r, dtype, db, -4, 4);
          const feeds: Record<string, Tensor> = constB ? { a } : { a, b };
          await expectMatchesOrt(matmulModel(a, b, constB), feeds, dtype.startsWith('float') ? FTOL : EXACT, `MatMul ${da}x${db}`);
        }
      });
    }
  }

  it('reports mismatched inner dimensions with both shapes', () => {
    const a = tensor('float32', [2, 3]);
    const b = tensor('float32', [4, 2]);
    expect(() => createExecutor(matmulModel(a, b, false)).run({ a, b })).toThrow(/A \[2, 3\] has K=3, B \[4, 2\] has K=4/);
  });

  it('allocates nothing on later steps of a vector × packed-matrix product', () => {
    const w = randomTensor(rng(1), 'float32', [64, 128]);
    const exec = createExecutor(matmulModel(tensor('float32', [1, 64]), w, true));
    const x = randomTensor(rng(2), 'float32', [1, 64]);
    exec.run({ a: x });
    const n = exec.pool.allocations;
    for (let i = 0; i < 5; i++) exec.run({ a: x });
    expect(exec.pool.allocations).toBe(n);
  });
});

describe('Gemm', () => {
  const M = 3;
  const K = 4;
  const N = 5;
  const cShapes: (number[] | undefined)[] = [undefined, [], [1], [N], [1, N], [M, 1], [M, N], [1, 1]];
  for (const transA of [0, 1] as const) {
    for (const transB of [0, 1] as const) {
      for (const constB of [false, true]) {
        it(`transA ${transA} transB ${transB}, B ${constB ? 'initializer' : 'input'}, every C shape and alpha/beta`, async () => {
          const r = rng(transA * 4 + transB * 2 + (constB ? 1 : 0));
          for (const cDims of cShapes) {
            for (const [alpha, beta] of [[1, 1], [0.5, 2], [-1.5, 0]] as const) {
              const a = randomTensor(r, 'float32', transA ? [K, M] : [M, K]);
              const b = randomTensor(r, 'float32', transB ? [N, K] : [K, N]);
              const g = new GraphBuilder({ opset: 13 });
              const an = g.input('a', 'float32', [...a.dims]);
              const bn = constB ? g.initializer('b', b) : g.input('b', 'float32', [...b.dims]);
              const feeds: Record<string, Tensor> = constB ? { a } : { a, b };
              let cn: string | undefined;
              if (cDims !== undefined) {
                const c = randomTensor(r, 'float32', cDims);
                cn = g.input('c', 'float32', cDims);
                feeds.c = c;
              }
              g.output(g.gemm(an, bn, cn, { transA, transB, alpha, beta }), 'float32');
              await expectMatchesOrt(g.build(), feeds, FTOL, `Gemm C=${JSON.stringify(cDims)} a=${alpha} b=${beta}`);
            }
          }
        });
      }
    }
  }

  it('int32 and int64 Gemm (onnxruntime has no integer Gemm: against its MatMul + Add)', async () => {
    for (const dtype of ['int32', 'int64'] as DType[]) {
      const r = rng(dtype.length);
      const a = randomTensor(r, dtype, [M, K], -5, 5);
      const b = randomTensor(r, dtype, [K, N], -5, 5);
      const c = randomTensor(r, dtype, [N], -5, 5);
      const g = new GraphBuilder({ opset: 13 });
      g.output(g.gemm(g.input('a', dtype, [M, K]), g.input('b', dtype, [K, N]), g.input('c', dtype, [N])), dtype);
      const ours = Object.values(createExecutor(g.build()).run({ a, b, c }))[0]!;
      const ref = new GraphBuilder({ opset: 13 });
      ref.output(ref.add(ref.matmul(ref.input('a', dtype, [M, K]), ref.input('b', dtype, [K, N])), ref.input('c', dtype, [N])), dtype);
      const expected = Object.values(await runOrt(ref.build(), { a, b, c }))[0]!;
      const cmp = compareTensors(ours, expected, EXACT);
      expect(cmp.ok, cmp.error).toBe(true);
    }
  });

  it('rejects a C that does not broadcast to [M, N]', () => {
    const g = new GraphBuilder({ opset: 13 });
    g.output(g.gemm(g.input('a', 'float32', [M, K]), g.input('b', 'float32', [K, N]), g.input('c', 'float32', [2])), 'float32');
    const feeds = { a: tensor('float32', [M, K]), b: tensor('float32', [K, N]), c: tensor('float32', [2]) };
    expect(() => createExecutor(g.build()).run(feeds)).toThrow(/C \[2\] cannot be broadcast to \[3, 5\]/);
  });
});

/**
 * The SIMD product for a constant float32 B (dense-gemm.ts): sizes past MIN_SIMD_WORK so it is taken,
 * row counts that are odd, one, and past one tile (TILE_FLOATS / K rows), every Gemm form it serves
 * (transA, transB, C absent / a row / a scalar) and the forms it leaves to the JavaScript product (a full
 * C, alpha ≠ 1). Float32 sums in k order against onnxruntime's MLAS: rtol 1e-5, atol 1e-4 for K up to 512
 * with values in [-1, 1] (sums of up to 512 products of magnitude ≤ 1 carry ~1e-5 of float32 rounding).
 */
describe('constant-B products on the SIMD path', () => {
  const STOL = { rtol: 1e-5, atol: 1e-4 };
  it('is taken for these sizes', async () => {
    const { denseGemmWorthIt } = await import('../src/executor/kernels/dense-gemm.js');
    expect(denseGemmWorthIt(64, 48)).toBe(true);
    expect(denseGemmWorthIt(512, 300)).toBe(true);
    expect(denseGemmWorthIt(16, 10)).toBe(false);
  });

  for (const [aDims, bDims] of [
    [[1, 512], [512, 300]],
    [[7, 64], [64, 48]],
    [[1100, 64], [64, 48]],
    [[3, 5, 64], [64, 33]],
    [[64], [64, 40]],
  ] as const) {
    it(`MatMul ${JSON.stringify(aDims)} × constant ${JSON.stringify(bDims)}`, async () => {
      const r = rng(aDims.length * 100 + bDims[1]);
      const a = randomTensor(r, 'float32', aDims, -1, 1);
      const b = randomTensor(r, 'float32', bDims, -1, 1);
      await expectMatchesOrt(matmulModel(a, b, true), { a }, STOL, 'MatMul SIMD');
    });
  }

  const M = 9, K = 96, N = 70;
  const cases: { transA: 0 | 1; transB: 0 | 1; cDims?: number[]; alpha?: number; beta?: number }[] = [
    { transA: 0, transB: 0 },
    { transA: 1, transB: 0, cDims: [N] },
    { transA: 0, transB: 1, cDims: [1, N], beta: 0.5 },
    { transA: 1, transB: 1, cDims: [] },
    { transA: 0, transB: 0, cDims: [1], beta: 1.5 },
    { transA: 0, transB: 0, cDims: [M, N] }, // a full C: the JavaScript product
    { transA: 0, transB: 1, cDims: [N], alpha: 0.5 }, // alpha ≠ 1: the JavaScript product
  ];
  for (const c of cases) {
    it(`Gemm transA=${c.transA} transB=${c.transB} C=${JSON.stringify(c.cDims)} alpha=${c.alpha ?? 1} beta=${c.beta ?? 1}`, async () => {
      const r = rng(7 + c.transA * 2 + c.transB + (c.cDims?.length ?? 9));
      const g = new GraphBuilder({ opset: 13 });
      const a = randomTensor(r, 'float32', c.transA ? [K, M] : [M, K], -1, 1);
      const b = randomTensor(r, 'float32', c.transB ? [N, K] : [K, N], -1, 1);
      const inputs = [g.input('a', 'float32', [...a.dims]), g.initializer('b', b)];
      if (c.cDims) inputs.push(g.initializer('c', randomTensor(r, 'float32', c.cDims, -1, 1)));
      const y = g.node('Gemm', inputs, { transA: c.transA, transB: c.transB, alpha: c.alpha, beta: c.beta }, ['y'])[0]!;
      g.output(y, 'float32');
      await expectMatchesOrt(g.build(), { a }, STOL, 'Gemm SIMD');
    });
  }
});
