/**
 * The layers of CNN-LSTM time-series models (Conv1D, 1-D pooling, Flatten, BatchNormalization,
 * LayerNormalization) imported from TensorFlow.js Layers models and checked against `model.predict` at
 * rtol 1e-4, atol 1e-5, on onnxruntime-node and the built-in executor, as in import-layers.test.ts.
 *
 * TF.js saves `padding: 'causal'` but its predict refuses it ("not implemented yet"), so a causal model is
 * checked against its twin: the same weights with padding 'valid' on the input left-padded with
 * (kernel − 1)·dilation zeros, which is Keras's definition of causal. TF.js also refuses stride 2 with
 * dilation 2 ("Either stride or dilation must be 1"), so that combination is not covered.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { importLayersModel } from '../src/import/layers.js';
import type { Model } from '../src/ir/graph.js';
import { tensor, type Tensor } from '../src/tensor.js';
import { compareImported, DiffTracker, positiveVariances, expectClose, paddedIds, predict, randomizeWeights, randomSequence, runBuiltin, runOrt, saveLayers, type Feed } from './import-support.js';


/** The largest |imported − TF.js| seen over every check, reported once at the end. */
const diffs = new DiffTracker();
afterAll(() => console.log(`import-conv-layers: largest |imported - TF.js| = ${diffs.worst.toExponential(3)}`));

interface CheckOptions {
  seed?: number;
  /**
   * Reference outputs, and the model whose static output shapes to expect, when `model.predict` cannot give
   * them (causal padding: TF.js also gives a causal layer 'valid''s static length).
   */
  want?: (m: tf.LayersModel) => { values: Float32Array[]; model: tf.LayersModel };
}

/**
 * Randomises `m`'s weights, imports it, runs it on both backends and compares every output with
 * TensorFlow.js (checkAgainstTfjs of import-layers.test.ts, plus positive BatchNormalization variances
 * and an optional reference).
 */
async function checkAgainstTfjs(m: tf.LayersModel, feeds: Feed[], options: CheckOptions = {}): Promise<Model> {
  randomizeWeights(m, options.seed ?? 7);
  positiveVariances(m);
  const reference = options.want ? options.want(m) : { values: predict(m, feeds.map((f) => tf.tensor(f.data, f.dims))), model: m };
  const want = reference.values;
  const saved = await saveLayers(m);
  const model = importLayersModel(saved.json, (path) => {
    expect(path).toBe('group1-shard1of1.bin');
    return saved.shard;
  });
  // A causal model is never predicted, and a Sequential lists inputNames only once it has been.
  expect(model.graph.inputs.map((i) => i.name)).toEqual(m.inputs.map((i) => i.name));
  await compareImported(model, feeds, want, reference.model.outputs.map((o) => o.shape), diffs);
  return model;
}

const seq = (seed: number, b = 3, t = 9, f = 3): Feed => ({ data: randomSequence(seed, [b, t, f]), dims: [b, t, f] });

function sequential(layers: tf.layers.Layer[]): tf.Sequential {
  const m = tf.sequential();
  for (const l of layers) m.add(l);
  return m;
}

/** [batch, time, features] with `pad` zero steps in front. */
function leftPad(f: Feed, pad: number): Feed {
  const [B, T, C] = f.dims as [number, number, number];
  const data = new Float32Array(B * (T + pad) * C);
  for (let b = 0; b < B; b++) data.set(f.data.subarray(b * T * C, (b + 1) * T * C), (b * (T + pad) + pad) * C);
  return { data, dims: [B, T + pad, C] };
}

/**
 * The reference for a causal model built by `build('causal', T)`: the same weights in `build('valid',
 * T + pad)`, run on the left-padded input.
 */
function causalReference(build: (padding: 'valid' | 'causal', time: number) => tf.LayersModel, feed: Feed, pad: number) {
  return (m: tf.LayersModel) => {
    const twin = build('valid', feed.dims[1]! + pad);
    twin.setWeights(m.getWeights());
    const p = leftPad(feed, pad);
    return { values: predict(twin, [tf.tensor(p.data, p.dims)]), model: twin };
  };
}

const NULL_TIME = null as unknown as number;

describe('Conv1D vs TensorFlow.js', () => {
  let n = 0;
  for (const padding of ['valid', 'same', 'causal'] as const) {
    for (const strides of [1, 2]) {
      for (const dilationRate of [1, 2]) {
        if (strides === 2 && dilationRate === 2) continue; // TF.js: "Either stride or dilation must be 1"
        for (const useBias of [true, false]) {
          const activation = n++ % 2 === 0 ? 'relu' : 'linear';
          it(`padding ${padding}, strides ${strides}, dilation ${dilationRate}, ${useBias ? 'bias' : 'no bias'}, ${activation}`, async () => {
            const build = (p: 'valid' | 'same' | 'causal', time: number) =>
              sequential([tf.layers.conv1d({ filters: 4, kernelSize: 3, strides, dilationRate, padding: p, useBias, activation, inputShape: [time, 3] })]);
            const feed = seq(60 + n);
            const m = build(padding, 9);
            await checkAgainstTfjs(m, [feed], padding === 'causal' ? { want: causalReference(build, feed, 2 * dilationRate) } : {});
          });
        }
      }
    }
  }

  // Unknown length at import: "same" becomes auto_pad SAME_UPPER, which must pad like TensorFlow.
  for (const [padding, strides, dilationRate, time] of [
    ['same', 2, 1, 9],
    ['same', 2, 1, 8],
    ['same', 1, 2, 7],
    ['valid', 2, 1, 9],
  ] as const) {
    it(`unknown length: padding ${padding}, strides ${strides}, dilation ${dilationRate}, fed ${time} steps`, async () => {
      const m = sequential([tf.layers.conv1d({ filters: 2, kernelSize: 4, strides, dilationRate, padding, inputShape: [NULL_TIME, 3] })]);
      await checkAgainstTfjs(m, [seq(70, 2, time)]);
    });
  }

  it('kernel 1 (a MatMul on the features) with tanh', async () => {
    await checkAgainstTfjs(sequential([tf.layers.conv1d({ filters: 5, kernelSize: 1, activation: 'tanh', inputShape: [6, 3] })]), [seq(71, 2, 6)]);
  });
});

describe('pooling vs TensorFlow.js', () => {
  for (const kind of ['maxPooling1d', 'averagePooling1d'] as const) {
    for (const padding of ['valid', 'same'] as const) {
      for (const [poolSize, strides] of [
        [3, 2],
        [2, undefined],
        [3, 1],
      ] as const) {
        for (const time of [9, 8]) {
          it(`${kind} pool ${poolSize}, strides ${strides ?? 'default'}, ${padding}, ${time} steps`, async () => {
            const m = sequential([tf.layers[kind]({ poolSize, ...(strides ? { strides } : {}), padding, inputShape: [time, 3] })]);
            await checkAgainstTfjs(m, [seq(80 + time, 2, time)]);
          });
        }
      }
    }
    it(`${kind} same, stride 2, unknown length (auto_pad SAME_UPPER)`, async () => {
      const m = sequential([tf.layers[kind]({ poolSize: 3, strides: 2, padding: 'same', inputShape: [NULL_TIME, 3] })]);
      await checkAgainstTfjs(m, [seq(90, 2, 9)]);
    });
  }

  for (const kind of ['globalAveragePooling1d', 'globalMaxPooling1d'] as const) {
    it(`${kind} after Conv1D, then Dense`, async () => {
      const m = sequential([tf.layers.conv1d({ filters: 4, kernelSize: 3, inputShape: [NULL_TIME, 3] }), tf.layers[kind]({}), tf.layers.dense({ units: 2 })]);
      await checkAgainstTfjs(m, [seq(91, 3, 7)]);
    });
  }
});

describe('Flatten and normalizations vs TensorFlow.js', () => {
  it('Conv1D → Flatten → Dense', async () => {
    const m = sequential([tf.layers.conv1d({ filters: 4, kernelSize: 3, inputShape: [7, 3] }), tf.layers.flatten(), tf.layers.dense({ units: 3 })]);
    await checkAgainstTfjs(m, [seq(100, 2, 7)]);
  });

  it('Flatten channels_first moves the channels last first', async () => {
    const m = sequential([tf.layers.flatten({ dataFormat: 'channelsFirst', inputShape: [4, 3] })]);
    await checkAgainstTfjs(m, [seq(101, 2, 4)]);
  });

  it('BatchNormalization with random moving statistics, on a sequence and on vectors', async () => {
    await checkAgainstTfjs(sequential([tf.layers.batchNormalization({ inputShape: [6, 4] })]), [seq(102, 3, 6, 4)]);
    await checkAgainstTfjs(sequential([tf.layers.batchNormalization({ epsilon: 0.01, inputShape: [5] })]), [{ data: randomSequence(103, [4, 5]), dims: [4, 5] }]);
  });

  it('BatchNormalization without center, without scale', async () => {
    await checkAgainstTfjs(sequential([tf.layers.batchNormalization({ center: false, inputShape: [6, 4] })]), [seq(104, 3, 6, 4)]);
    await checkAgainstTfjs(sequential([tf.layers.batchNormalization({ scale: false, inputShape: [6, 4] })]), [seq(105, 3, 6, 4)]);
  });

  it('LayerNormalization, with and without center / scale', async () => {
    await checkAgainstTfjs(sequential([tf.layers.layerNormalization({ inputShape: [6, 4] })]), [seq(106, 3, 6, 4)]);
    await checkAgainstTfjs(sequential([tf.layers.layerNormalization({ epsilon: 1e-5, center: false, scale: false, inputShape: [6, 4] })]), [seq(107, 3, 6, 4)]);
    await checkAgainstTfjs(sequential([tf.layers.layerNormalization({ scale: false, inputShape: [5] })]), [{ data: randomSequence(108, [4, 5]), dims: [4, 5] }]);
  });

  it('a mask passes through LayerNormalization to the LSTM', async () => {
    const m = sequential([
      tf.layers.embedding({ inputDim: 9, outputDim: 4, maskZero: true, inputLength: 6 }),
      tf.layers.layerNormalization({}),
      tf.layers.lstm({ units: 3 }),
    ]);
    await checkAgainstTfjs(m, [{ data: paddedIds(109, 9, 6, [6, 2, 4], 'trailing'), dims: [3, 6] }]);
  });
});

describe('a CNN-LSTM for sensor data', () => {
  it('Conv1D(causal) → BatchNormalization → MaxPooling1D → LSTM → Dense(softmax)', async () => {
    const build = (padding: 'valid' | 'causal', time: number) =>
      sequential([
        tf.layers.conv1d({ filters: 8, kernelSize: 3, padding, activation: 'relu', inputShape: [time, 3] }),
        tf.layers.batchNormalization({}),
        tf.layers.maxPooling1d({ poolSize: 2 }),
        tf.layers.lstm({ units: 6, recurrentActivation: 'sigmoid' }),
        tf.layers.dense({ units: 4, activation: 'softmax' }),
      ]);
    const feed = seq(110, 4, 16, 3);
    await checkAgainstTfjs(build('causal', 16), [feed], { want: causalReference(build, feed, 2) });
  });
});

describe('the streaming form', () => {
  it('Conv1D(kernel 1) → BatchNormalization → LayerNormalization → GRU, step by step, equals the sequence output', async () => {
    const m = sequential([
      tf.layers.conv1d({ filters: 5, kernelSize: 1, activation: 'relu', inputShape: [NULL_TIME, 3] }),
      tf.layers.batchNormalization({}),
      tf.layers.layerNormalization({}),
      tf.layers.gru({ units: 4, returnSequences: true, recurrentActivation: 'sigmoid' }),
    ]);
    randomizeWeights(m, 120);
    positiveVariances(m);
    const dims = [2, 6, 3];
    const x = randomSequence(121, dims);
    const [want] = predict(m, [tf.tensor(x, dims)]);
    const saved = await saveLayers(m);
    const step = importLayersModel(saved.json, saved.shard, { form: 'step' });
    const states = JSON.parse(step.metadata['rxrnn.state']!) as { input: string; output: string }[];
    expect(states).toHaveLength(1);
    const input = step.graph.inputs[0]!.name;
    const output = step.graph.outputs[0]!.name;
    for (const [backend, run] of [
      ['ort-node', runOrt],
      ['builtin', async (model: Model, feeds: Record<string, Tensor>) => runBuiltin(model, feeds)],
    ] as const) {
      let h: Tensor = tensor('float32', [1, 2, 4]);
      for (let t = 0; t < 6; t++) {
        const frame = new Float32Array(2 * 3);
        for (let b = 0; b < 2; b++) frame.set(x.subarray((b * 6 + t) * 3, (b * 6 + t + 1) * 3), b * 3);
        const out = await run(step, { [input]: tensor('float32', [2, 1, 3], frame), [states[0]!.input]: h });
        h = out[states[0]!.output]!;
        const y = out[output]!.data as Float32Array;
        for (let b = 0; b < 2; b++) {
          const expected = want!.subarray((b * 6 + t) * 4, (b * 6 + t + 1) * 4);
          expectClose(y.subarray(b * 4, b * 4 + 4), expected, `${backend} b${b} t${t}`);
          diffs.track(y.subarray(b * 4, b * 4 + 4), expected);
        }
      }
    }
  });
});

describe('refusals', () => {
  const importOf = async (m: tf.LayersModel, form: 'sequence' | 'step' = 'sequence') => {
    const saved = await saveLayers(m);
    return () => importLayersModel(saved.json, saved.shard, { form });
  };

  it('a mask arriving at Conv1D', async () => {
    const m = sequential([tf.layers.masking({ inputShape: [7, 2] }), tf.layers.conv1d({ filters: 2, kernelSize: 3, name: 'conv' })]);
    expect(await importOf(m)).toThrow(/layer 'conv' \(Conv1D\) does not support a mask/);
  });

  it('a mask arriving at MaxPooling1D', async () => {
    const m = sequential([tf.layers.embedding({ inputDim: 5, outputDim: 2, maskZero: true, inputLength: 6 }), tf.layers.maxPooling1d({ poolSize: 2, name: 'pool' })]);
    expect(await importOf(m)).toThrow(/layer 'pool' \(MaxPooling1D\) does not support a mask/);
  });

  it('Conv1D with kernel 3 in the streaming form', async () => {
    const m = sequential([tf.layers.conv1d({ filters: 2, kernelSize: 3, name: 'conv', inputShape: [NULL_TIME, 2] }), tf.layers.gru({ units: 2 })]);
    expect(await importOf(m, 'step')).toThrow(/layer 'conv' \(Conv1D\): option 'kernel_size' = 3 is not supported: a Conv1D wider than one frame, or strided, needs neighbouring frames/);
  });

  it('Conv1D with kernel 1 and stride 2 in the streaming form', async () => {
    const m = sequential([tf.layers.conv1d({ filters: 2, kernelSize: 1, strides: 2, name: 'conv', inputShape: [NULL_TIME, 2] })]);
    expect(await importOf(m, 'step')).toThrow(/layer 'conv' \(Conv1D\): option 'strides' = 2 is not supported/);
  });

  it('pooling, global pooling and Flatten over time in the streaming form', async () => {
    const pool = sequential([tf.layers.averagePooling1d({ poolSize: 2, name: 'pool', inputShape: [NULL_TIME, 2] })]);
    expect(await importOf(pool, 'step')).toThrow(/layer 'pool' \(AveragePooling1D\): option 'pool_size' = 2 is not supported: pooling over time needs neighbouring frames/);
    const global = sequential([tf.layers.globalMaxPooling1d({ name: 'gmp', inputShape: [NULL_TIME, 2] })]);
    expect(await importOf(global, 'step')).toThrow(/layer 'gmp' \(GlobalMaxPooling1D\): the streaming form is not supported: it pools over the whole sequence/);
    const flat = sequential([tf.layers.flatten({ name: 'flat', inputShape: [5, 2] })]);
    expect(await importOf(flat, 'step')).toThrow(/layer 'flat' \(Flatten\): the streaming form is not supported: flattening the time axis needs the whole sequence/);
  });

  it('Conv1D channels_first', async () => {
    // TF.js leaves data_format out of a saved Conv1D, so it is written in as Keras writes it.
    const m = sequential([tf.layers.conv1d({ filters: 2, kernelSize: 3, name: 'conv', inputShape: [7, 2] })]);
    const saved = await saveLayers(m);
    const layers = (saved.json['modelTopology'] as { config: { layers: { config: Record<string, unknown> }[] } }).config.layers;
    layers[0]!.config['data_format'] = 'channels_first';
    expect(() => importLayersModel(saved.json, saved.shard)).toThrow(/layer 'conv' \(Conv1D\): option 'data_format' = "channels_first" is not supported: only channels_last/);
  });
});
