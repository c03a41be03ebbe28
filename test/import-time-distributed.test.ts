/**
 * TimeDistributed around per-step layers, imported from TensorFlow.js Layers models and checked against
 * `model.predict` at rtol 1e-4, atol 1e-5 on onnxruntime-node and the built-in executor (checkAgainstTfjs
 * of import-conv-layers.test.ts), and the CNN-LSTM's streaming form frame by frame against the prefixes.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { ImportError } from '../src/errors.js';
import { importLayersModel, toStepModel } from '../src/import/layers.js';
import type { Model } from '../src/ir/graph.js';
import { tensor } from '../src/tensor.js';
import { compareImported, DiffTracker, positiveVariances, expectClose, predict, randomizeWeights, randomSequence, runBuiltin, saveLayers, type Feed } from './import-support.js';
import { runners, stepThrough } from './import-stepping.js';


const diffs = new DiffTracker();
afterAll(() => console.log(`import-time-distributed: largest |imported - TF.js| = ${diffs.worst.toExponential(3)}`));

async function importModel(m: tf.LayersModel): Promise<Model> {
  const saved = await saveLayers(m);
  return importLayersModel(saved.json, (path) => {
    expect(path).toBe('group1-shard1of1.bin');
    return saved.shard;
  });
}

/** Imports `m`, runs it on both backends and compares every output with TensorFlow.js. */
async function checkAgainstTfjs(m: tf.LayersModel, feeds: Feed[], seed = 7): Promise<Model> {
  randomizeWeights(m, seed);
  positiveVariances(m);
  const want = predict(m, feeds.map((f) => tf.tensor(f.data, f.dims)));
  const model = await importModel(m);
  await compareImported(model, feeds, want, m.outputs.map((o) => o.shape), diffs);
  return model;
}

function sequential(layers: tf.layers.Layer[]): tf.Sequential {
  const m = tf.sequential();
  for (const l of layers) m.add(l);
  return m;
}

const feed = (seed: number, dims: number[]): Feed => ({ data: randomSequence(seed, dims), dims });
const td = (layer: tf.layers.Layer) => tf.layers.timeDistributed({ layer });
const NULL_TIME = null as unknown as number;

/** The CNN-LSTM over [batch, time, 16, 2] windows: a small CNN on each window, an LSTM over the windows. */
function cnnLstm(time: number): tf.Sequential {
  return sequential([
    tf.layers.timeDistributed({ layer: tf.layers.conv1d({ filters: 4, kernelSize: 3, activation: 'relu' }), inputShape: [time, 16, 2] }),
    td(tf.layers.maxPooling1d({ poolSize: 2 })),
    td(tf.layers.flatten()),
    tf.layers.lstm({ units: 6, recurrentActivation: 'sigmoid' }),
    tf.layers.dense({ units: 3, activation: 'softmax' }),
  ]);
}

describe('TimeDistributed vs TensorFlow.js', () => {
  it('TimeDistributed(Dense) after a GRU (regression)', async () => {
    const m = sequential([tf.layers.gru({ units: 5, returnSequences: true, inputShape: [6, 4] }), td(tf.layers.dense({ units: 3, activation: 'softmax' }))]);
    await checkAgainstTfjs(m, [feed(1, [3, 6, 4])]);
  });

  it('TimeDistributed(BatchNormalization), (LayerNormalization), (Activation), (Dropout) on [batch, time, features]', async () => {
    const m = sequential([
      tf.layers.timeDistributed({ layer: tf.layers.batchNormalization({}), inputShape: [NULL_TIME, 5] }),
      td(tf.layers.layerNormalization({})),
      td(tf.layers.activation({ activation: 'tanh' })),
      td(tf.layers.dropout({ rate: 0.3 })),
    ]);
    await checkAgainstTfjs(m, [feed(2, [2, 7, 5])]);
  });

  it('TimeDistributed normalization on [batch, time, samples, channels] (inner axis saved as 2)', async () => {
    const m = sequential([
      tf.layers.timeDistributed({ layer: tf.layers.layerNormalization({}), inputShape: [4, 6, 3] }),
      td(tf.layers.batchNormalization({})),
      td(tf.layers.dense({ units: 2 })),
    ]);
    await checkAgainstTfjs(m, [feed(3, [2, 4, 6, 3])]);
  });

  it('the CNN-LSTM over [batch, time, 16, 2] windows, time known', async () => {
    await checkAgainstTfjs(cnnLstm(5), [feed(4, [3, 5, 16, 2])]);
  });

  it('the CNN-LSTM with unknown time (inputShape [null, 16, 2]), two lengths', async () => {
    const m = cnnLstm(NULL_TIME);
    const model = await checkAgainstTfjs(m, [feed(5, [2, 7, 16, 2])]);
    expect((model.graph.inputs[0]!.type as { shape: unknown[] }).shape).toEqual(['batch', 'time', 16, 2]);
    const other = feed(6, [1, 3, 16, 2]);
    const [want] = predict(m, [tf.tensor(other.data, other.dims)]);
    const got = runBuiltin(model, { [model.graph.inputs[0]!.name]: tensor('float32', other.dims, other.data) });
    expectClose(got[model.graph.outputs[0]!.name]!.data as Float32Array, want!, 'builtin, 3 windows');
  });

  it('same padding, strides, average and global pools, Reshape inside TimeDistributed → GRU return_sequences', async () => {
    const m = sequential([
      tf.layers.timeDistributed({ layer: tf.layers.reshape({ targetShape: [9, 2] }), inputShape: [NULL_TIME, 18] }),
      td(tf.layers.conv1d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same' })),
      td(tf.layers.averagePooling1d({ poolSize: 2, padding: 'same' })),
      td(tf.layers.globalMaxPooling1d({})),
      tf.layers.gru({ units: 4, returnSequences: true }),
      td(tf.layers.dense({ units: 2 })),
    ]);
    const x = feed(7, [2, 5, 18]);
    await checkAgainstTfjs(m, [x]);
    const n = sequential([
      tf.layers.timeDistributed({ layer: tf.layers.conv1d({ filters: 3, kernelSize: 2 }), inputShape: [4, 8, 2] }),
      td(tf.layers.globalAveragePooling1d({})),
    ]);
    await checkAgainstTfjs(n, [feed(8, [2, 4, 8, 2])]);
  });

  it('a mask passes through TimeDistributed(Dense) to the LSTM', async () => {
    const m = sequential([
      tf.layers.masking({ maskValue: 0, inputShape: [6, 3] }),
      td(tf.layers.dense({ units: 4 })),
      tf.layers.lstm({ units: 3 }),
    ]);
    const x = feed(9, [3, 6, 3]);
    // Row 1 ends in two padded steps, row 2 has one in the middle.
    for (const [b, t] of [[1, 4], [1, 5], [2, 2]] as const) x.data.fill(0, (b * 6 + t) * 3, (b * 6 + t + 1) * 3);
    await checkAgainstTfjs(m, [x]);
  });
});

describe('TimeDistributed in the streaming form', () => {
  it('the CNN-LSTM frame by frame equals the sequence output of every prefix (ort-node, builtin)', async () => {
    const m = cnnLstm(NULL_TIME);
    randomizeWeights(m, 11);
    positiveVariances(m);
    const step = toStepModel(await importModel(m));
    expect((step.graph.inputs[0]!.type as { shape: unknown[] }).shape).toEqual(['batch', 1, 16, 2]);
    const dims = [2, 6, 16, 2];
    const x = randomSequence(12, dims);
    const full = tf.tensor(x, dims);
    const prefixes = Array.from({ length: 6 }, (_, t) => predict(m, [full.slice([0, 0, 0, 0], [2, t + 1, 16, 2])])[0]!);
    const out = step.graph.outputs[0]!.name;
    for (const [backend, run, close] of await runners(step)) {
      const steps = await stepThrough(step, run, step.graph.inputs[0]!.name, x, dims);
      steps.forEach((s, t) => {
        expectClose(s[out]!.data as Float32Array, prefixes[t]!, `${backend} after frame ${t}`);
        diffs.track(s[out]!.data as Float32Array, prefixes[t]!);
      });
      await close();
    }
  });
});

describe('TimeDistributed refusals', () => {
  it('an unsupported inner layer names the wrapper and the inner class', async () => {
    const m = sequential([tf.layers.timeDistributed({ layer: tf.layers.lstm({ units: 2 }), inputShape: [3, 4, 2] })]);
    const name = m.layers[0]!.name;
    await expect(importModel(m)).rejects.toThrow(ImportError);
    await expect(importModel(m)).rejects.toThrow(`layer '${name}' (TimeDistributed): option 'layer' = "LSTM" is not supported: the inner layer must be one of`);
  });

  it("an inner layer's own option is refused naming the wrapper and the inner class", async () => {
    const m = sequential([tf.layers.timeDistributed({ layer: tf.layers.layerNormalization({ axis: 1 }), inputShape: [3, 4, 2] })]);
    await expect(importModel(m)).rejects.toThrow(`layer '${m.layers[0]!.name}' (TimeDistributed(LayerNormalization)): option 'axis'`);
  });
});
