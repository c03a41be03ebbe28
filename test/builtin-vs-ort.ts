/**
 * Test support for kernel tests: run one model on the built-in executor and on onnxruntime-node (the
 * independent reference) with the same bytes and feeds, and compare every output.
 */
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { createExecutor } from '../src/executor/executor.js';
import type { Model } from '../src/ir/graph.js';
import { writeModel } from '../src/onnx/write.js';
import { cloneTensor, tensor, type DType, type Tensor } from '../src/tensor.js';
import { mulberry32, uniformFloats } from '../src/text/random.js';

export interface Tolerance {
  rtol: number;
  atol: number;
}

/** Exact equality: what data-movement kernels (copy, index, cast between integers) must reach. */
export const EXACT: Tolerance = { rtol: 0, atol: 0 };

export async function runOrt(model: Model, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const session = await ort.InferenceSession.create(writeModel(model));
  try {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) {
      ortFeeds[name] = new ort.Tensor(t.dtype, t.data as never, t.dims as number[]);
    }
    const result = await session.run(ortFeeds);
    const out: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(result)) {
      out[name] = tensor(t.type as DType, t.dims as number[], t.data as never);
    }
    return out;
  } finally {
    await session.release();
  }
}

export function runBuiltin(model: Model, feeds: Record<string, Tensor>): Record<string, Tensor> {
  const exec = createExecutor(model);
  const result = exec.run(feeds);
  const out: Record<string, Tensor> = {};
  // The executor's outputs are pool buffers valid until the next run; keep copies.
  for (const [name, t] of Object.entries(result)) out[name] = cloneTensor(t);
  exec.dispose();
  return out;
}

/** Asserts `actual` matches `expected` in dtype, dims and every element: |a - e| <= atol + rtol * |e|. */
export function expectClose(actual: Tensor, expected: Tensor, tol: Tolerance, what = 'output'): void {
  expect(actual.dtype, `${what} dtype`).toBe(expected.dtype);
  expect([...actual.dims], `${what} dims`).toEqual([...expected.dims]);
  expect(actual.data.length, `${what} length`).toBe(expected.data.length);
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i]!;
    const e = expected.data[i]!;
    if (typeof e === 'bigint' || tol.atol === 0 && tol.rtol === 0) {
      if (!(Object.is(a, e) || a === e)) expect.fail(`${what}[${i}]: expected ${e}, got ${a}`);
      continue;
    }
    const x = Number(a);
    const y = Number(e);
    if (Number.isNaN(y) && Number.isNaN(x)) continue;
    if (!(Math.abs(x - y) <= tol.atol + tol.rtol * Math.abs(y))) {
      expect.fail(`${what}[${i}]: expected ${y}, got ${x} (|diff| ${Math.abs(x - y)} > atol ${tol.atol} + rtol ${tol.rtol}·|e|)`);
    }
  }
}

/** Runs `model` on both engines and compares every output onnxruntime produces. Returns the builtin outputs. */
export async function expectMatchesOrt(model: Model, feeds: Record<string, Tensor>, tol: Tolerance): Promise<Record<string, Tensor>> {
  const expected = await runOrt(model, feeds);
  const actual = runBuiltin(model, feeds);
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const name of Object.keys(expected)) expectClose(actual[name]!, expected[name]!, tol, name);
  return actual;
}

/** Deterministic pseudo-random floats in [-1, 1) (mulberry32), so failures reproduce. */
export function randomFloats(n: number, seed: number): Float32Array {
  return uniformFloats(mulberry32(seed), n);
}

/** A float32 tensor of the given shape filled by {@link randomFloats}. */
export function randomTensor(dims: number[], seed: number): Tensor<'float32'> {
  let n = 1;
  for (const d of dims) n *= d;
  return tensor('float32', dims, randomFloats(n, seed));
}

/** 0, 1, 2, ... as a tensor of `dtype`: every element distinct, so any misplaced copy shows. */
export function iota<D extends DType>(dtype: D, dims: number[]): Tensor<D> {
  let n = 1;
  for (const d of dims) n *= d;
  return tensor(dtype, dims, Array.from({ length: n }, (_, i) => (dtype === 'bool' ? i % 2 : i)));
}
