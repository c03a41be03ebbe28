/**
 * Imported Keras / TensorFlow.js Layers models against TensorFlow.js itself: every model is built with
 * tf.layers, every weight and bias set to random non-zero values, saved in the Layers format, imported,
 * and run on onnxruntime-node and on the built-in executor; outputs must match `model.predict` at
 * rtol 1e-4, atol 1e-5 (RTOL/ATOL in import-support.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { importLayersModel } from '../src/import/layers.js';
import { tensor } from '../src/tensor.js';
import { compareImported, expectClose, paddedIds, predict, randomizeWeights, randomSequence, runBuiltin, runOrt, saveLayers, type Feed } from './import-support.js';

/** Imports `m`, runs it on both backends and compares every output with TensorFlow.js. */
async function checkAgainstTfjs(m: tf.LayersModel, feeds: Feed[], seed = 7): Promise<void> {
  randomizeWeights(m, seed);
  const want = predict(m, feeds.map((f) => tf.tensor(f.data, f.dims)));
  const saved = await saveLayers(m);
  const model = importLayersModel(saved.json, (path) => {
    expect(path).toBe('group1-shard1of1.bin');
    return saved.shard;
  });
  expect(model.graph.inputs.map((i) => i.name)).toEqual(m.inputNames);
  await compareImported(model, feeds, want, m.outputs.map((o) => o.shape));
}

const seq = (seed: number, b = 3, t = 6, f = 4): Feed => ({ data: randomSequence(seed, [b, t, f]), dims: [b, t, f] });

function sequential(layers: tf.layers.Layer[]): tf.Sequential {
  const m = tf.sequential();
  for (const l of layers) m.add(l);
  return m;
}

describe('recurrent layers vs TensorFlow.js', () => {
  const cases: [string, () => tf.layers.Layer][] = [
    ['SimpleRNN tanh, last output', () => tf.layers.simpleRNN({ units: 5, inputShape: [null, 4] as unknown as number[] })],
    ['SimpleRNN relu, return_sequences', () => tf.layers.simpleRNN({ units: 5, activation: 'relu', returnSequences: true, inputShape: [6, 4] })],
    ['LSTM hard_sigmoid (TF.js default)', () => tf.layers.lstm({ units: 5, inputShape: [6, 4] })],
    ['LSTM sigmoid, return_sequences', () => tf.layers.lstm({ units: 5, recurrentActivation: 'sigmoid', returnSequences: true, inputShape: [6, 4] })],
    ['LSTM relu activation, no bias', () => tf.layers.lstm({ units: 5, activation: 'relu', recurrentActivation: 'sigmoid', useBias: false, inputShape: [6, 4] })],
    ['GRU reset_after=false hard_sigmoid', () => tf.layers.gru({ units: 5, inputShape: [6, 4] })],
    ['GRU sigmoid, return_sequences', () => tf.layers.gru({ units: 5, recurrentActivation: 'sigmoid', returnSequences: true, inputShape: [6, 4] })],
    ['LSTM go_backwards, return_sequences', () => tf.layers.lstm({ units: 5, goBackwards: true, returnSequences: true, inputShape: [6, 4] })],
    ['GRU go_backwards, last output', () => tf.layers.gru({ units: 5, goBackwards: true, inputShape: [6, 4] })],
    ['SimpleRNN go_backwards, return_sequences', () => tf.layers.simpleRNN({ units: 5, goBackwards: true, returnSequences: true, inputShape: [6, 4] })],
  ];
  for (const [name, make] of cases) {
    it(name, async () => {
      await checkAgainstTfjs(sequential([make()]), [seq(11)]);
    });
  }

  for (const mergeMode of ['concat', 'sum', 'mul', 'ave'] as const) {
    for (const cell of ['lstm', 'gru', 'simpleRNN'] as const) {
      for (const returnSequences of [true, false]) {
        it(`Bidirectional(${cell}) merge ${mergeMode}, return_sequences ${returnSequences}`, async () => {
          const layer = tf.layers[cell]({ units: 4, returnSequences, recurrentActivation: 'sigmoid' } as never) as unknown as tf.RNN;
          await checkAgainstTfjs(sequential([tf.layers.bidirectional({ layer, mergeMode, inputShape: [6, 3] })]), [seq(12, 2, 6, 3)]);
        });
      }
    }
  }

  it('Bidirectional merge None (two outputs), functional', async () => {
    const x = tf.input({ shape: [6, 3] });
    const outs = tf.layers.bidirectional({ layer: tf.layers.gru({ units: 4, returnSequences: true }) as unknown as tf.RNN, mergeMode: undefined as never }).apply(x) as tf.SymbolicTensor[];
    await checkAgainstTfjs(tf.model({ inputs: x, outputs: outs }), [seq(13, 2, 6, 3)]);
  });

  it('return_state: LSTM output, h and c; GRU output and h', async () => {
    const x = tf.input({ shape: [6, 4], name: 'frames' });
    const [y, h, c] = tf.layers.lstm({ units: 5, returnState: true, returnSequences: true, name: 'l' }).apply(x) as tf.SymbolicTensor[];
    const [g, gh] = tf.layers.gru({ units: 3, returnState: true, name: 'g' }).apply(y!) as tf.SymbolicTensor[];
    await checkAgainstTfjs(tf.model({ inputs: x, outputs: [y!, h!, c!, g!, gh!] }), [seq(14)]);
  });

  it('Bidirectional return_state: merged output, then forward and backward states', async () => {
    const x = tf.input({ shape: [6, 4] });
    const outs = tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, returnState: true }) as unknown as tf.RNN, mergeMode: 'sum' }).apply(x) as tf.SymbolicTensor[];
    expect(outs.length).toBe(5);
    await checkAgainstTfjs(tf.model({ inputs: x, outputs: outs }), [seq(15)]);
  });
});

describe('the seed models', () => {
  it('next-word predictor: Embedding(10, 8, input_length=5) → SimpleRNN(16, tanh) → Dense(10, softmax)', async () => {
    const m = sequential([
      tf.layers.embedding({ inputDim: 10, outputDim: 8, inputLength: 5 }),
      tf.layers.simpleRNN({ units: 16, activation: 'tanh' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ]);
    const ids = Float32Array.from([1, 2, 3, 4, 5, 9, 0, 8, 7, 6, 3, 3, 3, 1, 0]);
    await checkAgainstTfjs(m, [{ data: ids, dims: [3, 5] }]);
  });

  it('stacked LSTM(64, return_sequences) → LSTM(64) → Dense(10)', async () => {
    const m = sequential([tf.layers.lstm({ units: 64, returnSequences: true, recurrentInitializer: 'glorotNormal', inputShape: [12, 8] }), tf.layers.lstm({ units: 64, recurrentInitializer: 'glorotNormal' }), tf.layers.dense({ units: 10 })]);
    await checkAgainstTfjs(m, [seq(16, 2, 12, 8)]);
  });
});

describe('other layers', () => {
  // TF.js names hard_sigmoid 'hardSigmoid' in code and saves it as 'hard_sigmoid'.
  const activations = ['linear', 'relu', 'relu6', 'sigmoid', 'hardSigmoid', 'tanh', 'softmax', 'elu', 'selu', 'softplus', 'softsign', 'swish'];
  for (const activation of activations) {
    it(`Dense activation ${activation}`, async () => {
      const m = sequential([tf.layers.dense({ units: 6, activation: activation as never, inputShape: [5] })]);
      await checkAgainstTfjs(m, [{ data: randomSequence(17, [4, 5]).map((v) => v * 3), dims: [4, 5] }]);
    });
  }

  it('TimeDistributed(Dense), Activation and Dropout after a GRU', async () => {
    const m = sequential([
      tf.layers.gru({ units: 6, returnSequences: true, inputShape: [6, 4] }),
      tf.layers.dropout({ rate: 0.5 }),
      tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 3 }) }),
      tf.layers.activation({ activation: 'softmax' }),
    ]);
    await checkAgainstTfjs(m, [seq(18)]);
  });

  it('Dense on a sequence (last axis) with tanh', async () => {
    const m = sequential([tf.layers.lstm({ units: 4, returnSequences: true, inputShape: [6, 4] }), tf.layers.dense({ units: 3, activation: 'tanh' })]);
    await checkAgainstTfjs(m, [seq(19)]);
  });
});

// Keras masks skip padded steps wherever they are: after the sequence, before it (pad_sequences' default)
// or inside it. TensorFlow.js is the reference for all three (it follows Keras there, no initial state).
for (const padding of ['trailing', 'leading', 'scattered'] as const) {
  describe(`masking (Embedding mask_zero, ${padding} padding)`, () => {
    // The last row is padding only: Keras (and TF.js) output zeros and keep the zero state there.
    const lengths = [5, 2, 7, 1, 0, 4];
    const ids = (): Feed => ({ data: paddedIds(20, 12, 7, lengths, padding), dims: [lengths.length, 7] });
    const embed = () => tf.layers.embedding({ inputDim: 12, outputDim: 5, maskZero: true, inputLength: 7 });

    it('LSTM return_sequences repeats the last real output over the padding, TimeDistributed after', async () => {
      const m = sequential([embed(), tf.layers.lstm({ units: 4, returnSequences: true }), tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 3 }) })]);
      await checkAgainstTfjs(m, [ids()]);
    });

    it('stacked GRU → SimpleRNN, last output is the last real step', async () => {
      const m = sequential([embed(), tf.layers.gru({ units: 4, returnSequences: true }), tf.layers.simpleRNN({ units: 3 })]);
      await checkAgainstTfjs(m, [ids()]);
    });

    it('go_backwards with return_sequences, and without', async () => {
      const m = sequential([embed(), tf.layers.lstm({ units: 4, goBackwards: true, returnSequences: true })]);
      await checkAgainstTfjs(m, [ids()]);
      const last = sequential([embed(), tf.layers.gru({ units: 3, goBackwards: true })]);
      await checkAgainstTfjs(last, [ids()]);
    });

    it('Bidirectional without return_sequences', async () => {
      const m = sequential([embed(), tf.layers.bidirectional({ layer: tf.layers.gru({ units: 4 }) as unknown as tf.RNN, mergeMode: 'concat' })]);
      await checkAgainstTfjs(m, [ids()]);
    });

    it('Bidirectional with return_sequences: Keras zeros at padded steps (TF.js differs there only)', async () => {
      const m = sequential([embed(), tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 4, returnSequences: true }) as unknown as tf.RNN, mergeMode: 'concat' })]);
      randomizeWeights(m, 21);
      const f = ids();
      const [want] = predict(m, [tf.tensor(f.data, f.dims)]);
      const saved = await saveLayers(m);
      const model = importLayersModel(saved.json, saved.shard);
      const feeds = { [model.graph.inputs[0]!.name]: tensor('float32', f.dims, f.data) };
      for (const [backend, out] of [['ort-node', await runOrt(model, feeds)], ['builtin', runBuiltin(model, feeds)]] as const) {
        const y = out[model.graph.outputs[0]!.name]!.data as Float32Array;
        let tfjsDiffersAtPadding = false;
        lengths.forEach((_, b) => {
          for (let t = 0; t < 7; t++) {
            const at = (b * 7 + t) * 8;
            if (f.data[b * 7 + t] !== 0) expectClose(y.subarray(at, at + 8), want!.subarray(at, at + 8), `${backend} row ${b} step ${t}`);
            else {
              expect([...y.subarray(at, at + 8)], `${backend} row ${b} padded step ${t}`).toEqual(new Array(8).fill(0));
              if (want!.subarray(at, at + 8).some((v) => v !== 0)) tfjsDiffersAtPadding = true;
            }
          }
        });
        // The documented difference: TF.js repeats earlier outputs at padded steps, where Keras emits zeros.
        expect(tfjsDiffersAtPadding).toBe(true);
      }
    });
  });
}

/**
 * Keras's masked LSTM written out from its formulas (gates i, f, c, o; sigmoid and tanh): a padded step
 * keeps h and c, the running output starts at zero and is the last real step's h. For checks TensorFlow.js
 * cannot make: its predict throws on a masked layer given an initial_state.
 */
function kerasMaskedLstm(weights: Float32Array[], ids: Float32Array, time: number, h0: Float32Array, c0: Float32Array, units: number) {
  const [table, kernel, recurrent, bias] = weights as [Float32Array, Float32Array, Float32Array, Float32Array];
  const E = table.length / 12;
  const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
  const rows = h0.length / units;
  const out = new Float32Array(rows * units);
  const hN = new Float32Array(rows * units);
  const cN = new Float32Array(rows * units);
  for (let b = 0; b < rows; b++) {
    let h = Array.from(h0.subarray(b * units, (b + 1) * units));
    let c = Array.from(c0.subarray(b * units, (b + 1) * units));
    let last = new Array<number>(units).fill(0);
    for (let t = 0; t < time; t++) {
      const id = ids[b * time + t]!;
      if (id === 0) continue;
      const x = table.subarray(id * E, (id + 1) * E);
      const z = Array.from({ length: 4 * units }, (_, g) => {
        let sum = bias[g]!;
        for (let k = 0; k < E; k++) sum += x[k]! * kernel[k * 4 * units + g]!;
        for (let k = 0; k < units; k++) sum += h[k]! * recurrent[k * 4 * units + g]!;
        return sum;
      });
      c = c.map((cv, u) => sigmoid(z[units + u]!) * cv + sigmoid(z[u]!) * Math.tanh(z[2 * units + u]!));
      h = c.map((cv, u) => sigmoid(z[3 * units + u]!) * Math.tanh(cv));
      last = h;
    }
    out.set(last, b * units);
    hN.set(h, b * units);
    cN.set(c, b * units);
  }
  return { out, h: hN, c: cN };
}

/** Random float frames [batch, time, features] in [-1, 1], with padded steps set to `padValue` in every feature. */
function paddedFrames(seed: number, lengths: number[], time: number, features: number, padding: 'trailing' | 'leading' | 'scattered', padValue: number): Feed {
  const data = randomSequence(seed, [lengths.length, time, features]);
  const real = paddedIds(seed + 1, 2, time, lengths, padding);
  for (let bt = 0; bt < real.length; bt++) if (real[bt] === 0) data.fill(padValue, bt * features, (bt + 1) * features);
  return { data, dims: [lengths.length, time, features] };
}

describe('Masking and RepeatVector', () => {
  for (const padding of ['trailing', 'leading', 'scattered'] as const) {
    it(`Masking (padding ${padding}) → LSTM return_sequences → TimeDistributed(Dense); GRU last output with mask_value -1`, async () => {
      const lengths = [6, 3, 1, 0, 4];
      const m = sequential([
        tf.layers.masking({ maskValue: 0, inputShape: [6, 3] }),
        tf.layers.lstm({ units: 4, returnSequences: true }),
        tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2 }) }),
      ]);
      await checkAgainstTfjs(m, [paddedFrames(50, lengths, 6, 3, padding, 0)]);
      const g = sequential([tf.layers.masking({ maskValue: -1, inputShape: [6, 3] }), tf.layers.gru({ units: 5 })]);
      await checkAgainstTfjs(g, [paddedFrames(51, lengths, 6, 3, padding, -1)]);
    });
  }

  it('an LSTM autoencoder: LSTM → RepeatVector → LSTM return_sequences → TimeDistributed(Dense)', async () => {
    const m = sequential([
      tf.layers.lstm({ units: 6, inputShape: [5, 3] }),
      tf.layers.repeatVector({ n: 5 }),
      tf.layers.lstm({ units: 6, returnSequences: true }),
      tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 3 }) }),
    ]);
    await checkAgainstTfjs(m, [seq(52, 4, 5, 3)]);
  });

  it('RepeatVector has no streaming form, and says why', async () => {
    const m = sequential([tf.layers.lstm({ units: 2, inputShape: [4, 3] }), tf.layers.repeatVector({ n: 4 })]);
    const saved = await saveLayers(m);
    expect(() => importLayersModel(saved.json, saved.shard, { form: 'step' })).toThrow(/RepeatVector\): option 'n' = 4 is not supported: RepeatVector repeats a whole sequence's output, so it cannot run frame by frame/);
  });
});

describe('masking with an initial state', () => {
  it('a row that is all padding keeps the initial state and outputs zero, as Keras does', async () => {
    const idsIn = tf.input({ shape: [7], name: 'ids' });
    const h0In = tf.input({ shape: [4], name: 'h0' });
    const c0In = tf.input({ shape: [4], name: 'c0' });
    const embedded = tf.layers.embedding({ inputDim: 12, outputDim: 5, maskZero: true }).apply(idsIn) as tf.SymbolicTensor;
    const lstm = tf.layers.lstm({ units: 4, returnState: true, recurrentActivation: 'sigmoid', name: 'lstm' });
    const outs = (lstm as unknown as { apply(x: tf.SymbolicTensor, k: object): tf.SymbolicTensor[] }).apply(embedded, { initialState: [h0In, c0In] });
    const m = tf.model({ inputs: [idsIn, h0In, c0In], outputs: outs });
    randomizeWeights(m, 41);
    const lengths = [5, 0, 3, 7];
    const ids = paddedIds(42, 12, 7, lengths, 'leading');
    const h0 = randomSequence(43, [4, 4]);
    const c0 = randomSequence(44, [4, 4]);
    const want = kerasMaskedLstm(m.getWeights().map((w) => w.dataSync() as Float32Array), ids, 7, h0, c0, 4);
    const saved = await saveLayers(m);
    const model = importLayersModel(saved.json, saved.shard);
    const feeds = { ids: tensor('float32', [4, 7], ids), h0: tensor('float32', [4, 4], h0), c0: tensor('float32', [4, 4], c0) };
    for (const [backend, got] of [['ort-node', await runOrt(model, feeds)], ['builtin', runBuiltin(model, feeds)]] as const) {
      const [out, h, c] = model.graph.outputs.map((o) => got[o.name]!.data as Float32Array);
      expectClose(out!, want.out, `${backend} last output`);
      expectClose(h!, want.h, `${backend} final h`);
      expectClose(c!, want.c, `${backend} final c`);
      expect([...out!.subarray(4, 8)], `${backend} row 1 output`).toEqual([0, 0, 0, 0]);
      expect([...h!.subarray(4, 8)], `${backend} row 1 keeps h0`).toEqual([...h0.subarray(4, 8)]);
    }
  });
});

describe('functional API', () => {
  it('encoder–decoder: encoder states become the decoder initial_state, two inputs', async () => {
    const encIn = tf.input({ shape: [null as unknown as number, 3], name: 'encoder_inputs' });
    const [, h, c] = tf.layers.lstm({ units: 5, returnState: true, name: 'encoder' }).apply(encIn) as tf.SymbolicTensor[];
    const decIn = tf.input({ shape: [null as unknown as number, 4], name: 'decoder_inputs' });
    const dec = tf.layers.lstm({ units: 5, returnSequences: true, name: 'decoder' });
    const decOut = (dec as unknown as { apply(x: tf.SymbolicTensor, k: object): tf.SymbolicTensor }).apply(decIn, { initialState: [h!, c!] });
    const probs = tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 6, activation: 'softmax' }), name: 'probs' }).apply(decOut) as tf.SymbolicTensor;
    const m = tf.model({ inputs: [encIn, decIn], outputs: probs });
    await checkAgainstTfjs(m, [seq(22, 2, 7, 3), seq(23, 2, 4, 4)]);
  });

  it('a layer used twice (shared weights) and two outputs', async () => {
    const a = tf.input({ shape: [6, 4], name: 'a' });
    const b = tf.input({ shape: [6, 4], name: 'b' });
    const shared = tf.layers.gru({ units: 3, name: 'shared' });
    const ya = shared.apply(a) as tf.SymbolicTensor;
    const yb = shared.apply(b) as tf.SymbolicTensor;
    const m = tf.model({ inputs: [a, b], outputs: [ya, tf.layers.dense({ units: 2, name: 'head' }).apply(yb) as tf.SymbolicTensor] });
    await checkAgainstTfjs(m, [seq(24, 2), seq(25, 2)]);
  });
});
