/**
 * `rxrnn predict`: one whole run, outputs in the model's order. Reference: onnxruntime-node run directly on
 * the same ONNX bytes (abs tolerance 1e-5 for the built-in executor, exact on ort-node), and for the Layers
 * model.json the ONNX file its authors exported from the same weights (abs tolerance 1e-5).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../src/onnx/build.js';
import { writeModel } from '../src/onnx/write.js';
import { tensor } from '../src/tensor.js';
import { cli, ROOT } from './cli-harness.js';

const tmp = mkdtempSync(join(tmpdir(), 'rxrnn-cli-predict-'));

/** A GRU over a 3-step sequence plus an int64 ArgMax output, so two outputs of two dtypes come back. */
function gruModel(): Uint8Array {
  const b = new GraphBuilder({ opset: 17, name: 'gru_argmax' });
  const x = b.input('x', 'float32', [3, 1, 2]);
  let seed = 3;
  const rnd = (n: number) => Array.from({ length: n }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5);
  const W = b.initializer('W', tensor('float32', [1, 12, 2], rnd(24)));
  const R = b.initializer('R', tensor('float32', [1, 12, 4], rnd(48)));
  const B = b.initializer('B', tensor('float32', [1, 24], rnd(24)));
  const { Y_h } = b.gru({ X: x, W, R, B, hiddenSize: 4, linearBeforeReset: 1, outputs: ['', 'h'] });
  const [best] = b.node('ArgMax', [Y_h], { axis: 2, keepdims: 0 }, 1);
  b.output(Y_h);
  b.output(best!);
  return writeModel(b.build());
}

const MODEL = join(tmp, 'gru.onnx');
const bytes = gruModel();
writeFileSync(MODEL, bytes);
const X = [0.3, -1.2, 0.8, 0.1, -0.4, 0.9];

interface PredictJson {
  outputs: { name: string; dtype: string; dims: number[]; data: number[] }[];
}

async function reference(): Promise<Record<string, ort.Tensor>> {
  const s = await ort.InferenceSession.create(bytes);
  const r = await s.run({ x: new ort.Tensor('float32', Float32Array.from(X), [3, 1, 2]) });
  await s.release();
  return r as Record<string, ort.Tensor>;
}

describe('rxrnn predict', () => {
  it.each([
    ['builtin', 1e-5],
    ['ort-node', 0],
  ])('prints {"outputs": [{name, dims, data}]} in output order on %s (tolerance %s)', async (backend, tol) => {
    const input = join(tmp, 'in.json');
    writeFileSync(input, JSON.stringify({ x: { dims: [3, 1, 2], data: X, dtype: 'float32' } }));
    const r = await cli(['predict', MODEL, '--input', input, '--json', '--backend', backend as string]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout) as PredictJson;
    expect(Object.keys(j)).toEqual(['outputs']);
    const ref = await reference();
    const names = Object.keys(ref);
    expect(j.outputs.map((o) => o.name)).toEqual(names);
    const h = j.outputs[0]!;
    expect(h.dims).toEqual([1, 1, 4]);
    [...(ref[names[0]!]!.data as Float32Array)].forEach((v, i) => expect(Math.abs(h.data[i]! - v)).toBeLessThanOrEqual(tol as number));
    const arg = j.outputs[1]!;
    expect(arg.dtype).toBe('int64');
    expect(arg.data).toEqual([...(ref[names[1]!]!.data as BigInt64Array)].map(Number));
  });

  it('takes a bare nested array for a one-input model, with dims from the nesting', async () => {
    const input = join(tmp, 'nested.json');
    writeFileSync(input, JSON.stringify([[[0.3, -1.2]], [[0.8, 0.1]], [[-0.4, 0.9]]]));
    const r = await cli(['predict', MODEL, '-i', input, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const ref = await reference();
    const h = (JSON.parse(r.stdout) as PredictJson).outputs[0]!;
    [...(Object.values(ref)[0]!.data as Float32Array)].forEach((v, i) => expect(Math.abs(h.data[i]! - v)).toBeLessThanOrEqual(1e-5));
  });

  it('prints a readable summary without --json', async () => {
    const input = join(tmp, 'in2.json');
    writeFileSync(input, JSON.stringify({ x: { dims: [3, 1, 2], data: X } }));
    const r = await cli(['predict', MODEL, '-i', input, '--backend', 'ort-node']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/on ort-node:\nh float32 \[1, 1, 4\]: /);
  });

  it.each([
    ['an unknown input', { y: [1] }, /the model has no input 'y'; its inputs are x/],
    ['a shape mismatch', { x: { dims: [2, 2], data: [1, 2, 3] } }, /dims \[2, 2\] hold 4 values, data has 3/],
    ['a ragged array', [[1, 2], [3]], /ragged array/],
    ['a non-number', { x: { data: [1, 'a'] } }, /element 1 is "a", expected a number/],
  ])('rejects %s in one line', async (_what, json, pattern) => {
    const input = join(tmp, 'bad.json');
    writeFileSync(input, JSON.stringify(json));
    const r = await cli(['predict', MODEL, '-i', input]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(pattern as RegExp);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('runs a Layers model.json like the ONNX file exported from it (1e-5)', async () => {
    const words = [3, 14, 40, 45, 60]; // five word ids of the next-word vocabulary
    const input = join(tmp, 'words.json');
    writeFileSync(input, JSON.stringify([words]));
    const layers = await cli(['predict', join(ROOT, 'models/next-word/layers/model.json'), '-i', input, '--json', '--backend', 'builtin']);
    expect(layers.status, layers.stderr).toBe(0);
    const s = await ort.InferenceSession.create(join(ROOT, 'models/next-word/sequence.onnx'));
    const ref = await s.run({ [s.inputNames[0]!]: new ort.Tensor('float32', Float32Array.from(words), [1, 5]) });
    await s.release();
    const got = (JSON.parse(layers.stdout) as PredictJson).outputs[0]!;
    const want = ref[s.outputNames[0]!]!.data as Float32Array;
    expect(got.data).toHaveLength(want.length);
    want.forEach((v, i) => expect(Math.abs(got.data[i]! - v)).toBeLessThanOrEqual(1e-5));
  });
});
