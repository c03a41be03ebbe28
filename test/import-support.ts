/**
 * Shared helpers for the Keras import tests: TensorFlow.js models with every weight randomised, saved in
 * memory in the Layers format, and runners for onnxruntime-node and the built-in executor.
 */
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { createExecutor } from '../src/executor/executor.js';
import type { Model } from '../src/ir/graph.js';
import { writeModel } from '../src/onnx/write.js';
import { tensor, type Tensor } from '../src/tensor.js';
import { mulberry32 as rng } from '../src/text/random.js';
export { mulberry32 as rng } from '../src/text/random.js';

/** The tolerances the issue sets for imported models vs TensorFlow.js. */
export const RTOL = 1e-4;
export const ATOL = 1e-5;

/** Uniform in ±[0.05, scale]: never zero, so a bias or gate in the wrong place changes the result. */
export function nonZero(r: () => number, n: number, scale = 0.6): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (r() < 0.5 ? -1 : 1) * (0.05 + r() * (scale - 0.05));
  return out;
}

/** Gives every weight of `model` random non-zero values. */
export function randomizeWeights(model: tf.LayersModel, seed: number): void {
  const r = rng(seed);
  for (const layer of model.layers) {
    const ws = layer.getWeights();
    if (ws.length === 0) continue;
    layer.setWeights(ws.map((w) => tf.tensor(nonZero(r, w.size), w.shape)));
  }
}

/**
 * Makes every BatchNormalization moving variance positive (|v| + 0.1) after {@link randomizeWeights}, as a
 * trained one is; found by weight name, so a normalization inside TimeDistributed is covered too.
 */
export function positiveVariances(model: tf.LayersModel): void {
  for (const layer of model.layers) {
    layer.setWeights(layer.getWeights().map((w, i) => (layer.weights[i]!.name.includes('moving_variance') ? tf.abs(w).add(0.1) : w)));
  }
}

export interface SavedLayers {
  /** model.json as `tf.io` writes it: modelTopology + weightsManifest with one shard. */
  json: Record<string, unknown>;
  shard: Uint8Array;
}

/** Saves in memory in the Layers format, shaped like model.json + `group1-shard1of1.bin`. */
export async function saveLayers(model: tf.LayersModel): Promise<SavedLayers> {
  let art: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      art = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const data = art!.weightData;
  const buf = Array.isArray(data) ? concatBuffers(data) : new Uint8Array(data as ArrayBuffer);
  return {
    json: JSON.parse(
      JSON.stringify({
        format: art!.format,
        generatedBy: art!.generatedBy,
        convertedBy: art!.convertedBy,
        modelTopology: art!.modelTopology,
        weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: art!.weightSpecs }],
      }),
    ),
    shard: buf,
  };
}

function concatBuffers(parts: ArrayBuffer[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  let off = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), off);
    off += p.byteLength;
  }
  return out;
}

/** `model.predict` as plain arrays, one per output. */
export function predict(model: tf.LayersModel, inputs: tf.Tensor[]): Float32Array[] {
  const out = model.predict(inputs.length === 1 ? inputs[0]! : inputs);
  const list = Array.isArray(out) ? out : [out];
  return list.map((t) => t.dataSync() as Float32Array);
}

/** Runs an imported model on onnxruntime-node from its serialised bytes. */
export async function runOrt(model: Model, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const session = await ort.InferenceSession.create(writeModel(model));
  try {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = new ort.Tensor(v.dtype as 'float32', v.data as Float32Array, [...v.dims]);
    const out = await session.run(ortFeeds);
    const res: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(out)) res[k] = tensor(v.type as 'float32', [...v.dims], (v.data as Float32Array).slice());
    return res;
  } finally {
    await session.release();
  }
}

/** Runs an imported model on the built-in executor (outputs copied). */
export function runBuiltin(model: Model, feeds: Record<string, Tensor>): Record<string, Tensor> {
  const exec = createExecutor(model);
  try {
    const out = exec.run(feeds);
    const res: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(out)) res[k] = { dtype: v.dtype, dims: [...v.dims], data: v.data.slice() } as Tensor;
    return res;
  } finally {
    exec.dispose();
  }
}

/** Element-wise |a - e| <= atol + rtol * |e|, with the worst element in the message. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, rtol = RTOL, atol = ATOL): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Number.isNaN(excess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    expect.fail(`${what}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} (rtol ${rtol}, atol ${atol})`);
  }
}

/** Random float sequences [batch, time, features] in [-1, 1]. */
export function randomSequence(seed: number, dims: number[]): Float32Array {
  const r = rng(seed);
  const n = dims.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = r() * 2 - 1;
  return out;
}

/** Where the zero ids (padding) go: after the real ids, before them (Keras's `pad_sequences` default), or anywhere. */
export type Padding = 'trailing' | 'leading' | 'scattered';

/**
 * Random ids in [1, vocab), row b with `lengths[b]` real ids and zeros (padding) elsewhere, placed as
 * `padding` says; `scattered` picks the real positions at random, so gaps fall inside the sequence.
 */
export function paddedIds(seed: number, vocab: number, time: number, lengths: number[], padding: Padding = 'trailing'): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(lengths.length * time);
  lengths.forEach((len, b) => {
    let real: number[];
    if (padding === 'trailing') real = Array.from({ length: len }, (_, t) => t);
    else if (padding === 'leading') real = Array.from({ length: len }, (_, t) => time - len + t);
    else {
      const order = Array.from({ length: time }, (_, t) => t);
      for (let i = time - 1; i > 0; i--) {
        const j = Math.floor(r() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      real = order.slice(0, len).sort((a, c) => a - c);
    }
    for (const t of real) out[b * time + t] = 1 + Math.floor(r() * (vocab - 1));
  });
  return out;
}

/** Feeds as the import tests give them: data and dims, batch-major. */
export interface Feed {
  data: Float32Array;
  dims: number[];
}

/** The largest |imported − TF.js| over every check of a test file, for its closing report. */
export class DiffTracker {
  worst = 0;
  track(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
    for (let i = 0; i < expected.length; i++) this.worst = Math.max(this.worst, Math.abs(actual[i]! - expected[i]!));
  }
}

/**
 * Runs an imported model on onnxruntime-node and on builtin and checks every output against `want` (TF.js's
 * values) at RTOL/ATOL, that both backends give the same dims, and that every dimension Keras knows
 * statically (`shapes`, null for batch/time) matches.
 */
export async function compareImported(model: Model, feeds: Feed[], want: Float32Array[], shapes: (number | null)[][], tracker?: DiffTracker): Promise<void> {
  const onnxFeeds = Object.fromEntries(model.graph.inputs.map((vi, i) => [vi.name, tensor('float32', feeds[i]!.dims, feeds[i]!.data)]));
  const ortOut = await runOrt(model, onnxFeeds);
  const builtin = runBuiltin(model, onnxFeeds);
  expect(model.graph.outputs.length).toBe(want.length);
  model.graph.outputs.forEach((o, i) => {
    for (const [backend, out] of [['ort-node', ortOut], ['builtin', builtin]] as const) {
      expectClose(out[o.name]!.data as Float32Array, want[i]!, `${backend} ${o.name}`);
      tracker?.track(out[o.name]!.data as Float32Array, want[i]!);
    }
    const dims = [...ortOut[o.name]!.dims];
    expect([...builtin[o.name]!.dims], `builtin ${o.name} dims`).toEqual(dims);
    expect(dims.length, `${o.name} rank`).toBe(shapes[i]!.length);
    shapes[i]!.forEach((d, k) => {
      if (d !== null) expect(dims[k], `${o.name} dim ${k}`).toBe(d);
    });
  });
}
