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
