/**
 * Test helper: runs one model on the built-in executor and on onnxruntime-node (the independent
 * reference) with the same bytes and feeds, and checks that every output agrees by the ONNX runner's rule
 * at the tolerance the test states. Also checks that a second run on the same shapes allocates no buffer.
 */
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { compareTensors, type Tolerance } from '../src/conformance/compare.js';
import { createExecutor } from '../src/executor/executor.js';
import type { Model } from '../src/ir/graph.js';
import { writeModel } from '../src/onnx/write.js';
import { tensor, type DType, type Tensor } from '../src/tensor.js';
import { mulberry32 as rng } from '../src/text/random.js';
export { mulberry32 as rng } from '../src/text/random.js';

export async function runOrt(model: Model, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const session = await ort.InferenceSession.create(writeModel(model), { graphOptimizationLevel: 'disabled' });
  try {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [k, t] of Object.entries(feeds)) ortFeeds[k] = new ort.Tensor(t.dtype, t.data as never, t.dims as number[]);
    const outs = await session.run(ortFeeds);
    const res: Record<string, Tensor> = {};
    for (const [k, t] of Object.entries(outs)) res[k] = { dtype: t.type as DType, dims: [...t.dims], data: t.data as never };
    return res;
  } finally {
    await session.release();
  }
}

/** Asserts the executor matches onnxruntime-node on `model` for `feeds`; returns the executor's outputs (copied). */
export async function expectMatchesOrt(model: Model, feeds: Record<string, Tensor>, tol: Tolerance, label = ''): Promise<Record<string, Tensor>> {
  const exec = createExecutor(model);
  const first = exec.run(feeds);
  const allocations = exec.pool.allocations;
  const ours = exec.run(feeds);
  expect(exec.pool.allocations, `${label}: second run allocated`).toBe(allocations);
  const copy: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(ours)) copy[k] = { dtype: t.dtype, dims: [...t.dims], data: t.data.slice() as never };
  expect(Object.keys(first).sort()).toEqual(Object.keys(ours).sort());
  const ref = await runOrt(model, feeds);
  for (const out of model.graph.outputs) {
    const c = compareTensors(copy[out.name]!, ref[out.name]!, tol);
    expect(c.ok, `${label} output '${out.name}': ${c.error}`).toBe(true);
  }
  return copy;
}

/** A random tensor: floats uniform in [lo, hi), integers uniform in [lo, hi] rounded, bools 0/1. */
export function randomTensor(r: () => number, dtype: DType, dims: readonly number[], lo = -3, hi = 3): Tensor {
  let n = 1;
  for (const d of dims) n *= d;
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = lo + (hi - lo) * r();
    values.push(dtype === 'bool' ? (r() < 0.5 ? 1 : 0) : dtype.startsWith('float') ? v : Math.round(v));
  }
  return tensor(dtype, dims, values);
}

/** A random shape that broadcasts against `dims`: drops leading dims and turns some into 1. */
export function broadcastPartner(r: () => number, dims: readonly number[]): number[] {
  const drop = Math.floor(r() * (dims.length + 1));
  return dims.slice(drop).map((d) => (r() < 0.35 ? 1 : d));
}

export function randomDims(r: () => number, maxRank = 4, maxDim = 4): number[] {
  const rank = Math.floor(r() * (maxRank + 1));
  return Array.from({ length: rank }, () => 1 + Math.floor(r() * maxDim));
}
