/**
 * Test helper: runs a streaming-form model frame by frame on onnxruntime-node and on the built-in executor,
 * carrying its state pairs, for the import tests that compare frames with TensorFlow.js's sequence output.
 */
import * as ort from 'onnxruntime-node';
import { createExecutor } from '../src/executor/executor.js';
import { stepStateBindings } from '../src/import/layers.js';
import type { Model } from '../src/ir/graph.js';
import { writeModel } from '../src/onnx/write.js';
import { tensor, type Tensor } from '../src/tensor.js';

/** Slices frame t ([batch, 1, ...rest]) out of a batch-major sequence [batch, time, ...rest]. */
export function frameAt(data: Float32Array, dims: number[], t: number): Tensor {
  const [B, T] = dims as [number, number];
  const inner = dims.slice(2).reduce((a, b) => a * b, 1);
  const out = new Float32Array(B * inner);
  for (let b = 0; b < B; b++) out.set(data.subarray((b * T + t) * inner, (b * T + t + 1) * inner), b * inner);
  return tensor('float32', [B, 1, ...dims.slice(2)], out);
}

export type Runner = (feeds: Record<string, Tensor>) => Promise<Record<string, Tensor>>;

export async function runners(model: Model): Promise<[string, Runner, () => Promise<void>][]> {
  const session = await ort.InferenceSession.create(writeModel(model));
  const exec = createExecutor(model);
  const ortRun: Runner = async (feeds) => {
    const f: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(feeds)) f[k] = new ort.Tensor('float32', v.data as Float32Array, [...v.dims]);
    const out = await session.run(f);
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, tensor('float32', [...v.dims], (v.data as Float32Array).slice())]));
  };
  const builtinRun: Runner = async (feeds) =>
    Object.fromEntries(Object.entries(exec.run(feeds)).map(([k, v]) => [k, tensor('float32', [...v.dims], (v.data as Float32Array).slice())]));
  return [
    ['ort-node', ortRun, () => session.release()],
    ['builtin', builtinRun, async () => exec.dispose()],
  ];
}

/** Steps `model` over every frame with zero initial state; returns each step's outputs. */
export async function stepThrough(model: Model, run: Runner, input: string, data: Float32Array, dims: number[]): Promise<Record<string, Tensor>[]> {
  const bindings = stepStateBindings(model);
  const state: Record<string, Tensor> = {};
  for (const b of bindings) {
    const vi = model.graph.inputs.find((i) => i.name === b.input)!;
    const shape = (vi.type as { shape: (number | string)[] }).shape;
    state[b.input] = tensor('float32', shape.map((d) => (typeof d === 'number' ? d : dims[0]!)));
  }
  const steps: Record<string, Tensor>[] = [];
  for (let t = 0; t < dims[1]!; t++) {
    const out = await run({ [input]: frameAt(data, dims, t), ...state });
    for (const b of bindings) state[b.input] = out[b.output]!;
    steps.push(out);
  }
  return steps;
}
