/**
 * Models TensorFlow.js cannot load, written by hand as Keras saves them, checked against recurrences
 * written straight from the Keras formulas in this file (and run on onnxruntime-node and the built-in
 * executor): a TF2 Keras GRU with reset_after=true (the Keras 2 default; TF.js 4.22 refuses it) in a
 * tensorflowjs_converter file, and a Keras 3 LSTM with hard_sigmoid = x/6 + 0.5. Also: converter file
 * quirks and the errors for unsupported layers and options. Tolerances: rtol 1e-4, atol 1e-5.
 */
import { describe, expect, it } from 'vitest';
import { ImportError } from '../src/errors.js';
import { importLayersModel } from '../src/import/layers.js';
import { tensor } from '../src/tensor.js';
import { expectClose, nonZero, randomSequence, rng, runBuiltin, runOrt } from './import-support.js';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const hardSigmoid = (slope: number) => (x: number) => Math.min(1, Math.max(0, slope * x + 0.5));

/** x·K[:, gate] + b for one batch row; K is [F, G*U] row-major. */
function affine(x: Float32Array | number[], K: Float32Array, F: number, GU: number, col: number): number {
  let s = 0;
  for (let f = 0; f < F; f++) s += x[f]! * K[f * GU + col]!;
  return s;
}

/** Keras GRUCell, straight from keras/layers/rnn/gru.py (gates z, r, h). Returns the output sequence. */
function kerasGru(x: Float32Array, B: number, T: number, F: number, U: number, K: Float32Array, RK: Float32Array, bias: Float32Array, resetAfter: boolean): Float32Array {
  const out = new Float32Array(B * T * U);
  const GU = 3 * U;
  for (let b = 0; b < B; b++) {
    let h = new Array<number>(U).fill(0);
    for (let t = 0; t < T; t++) {
      const xt = x.subarray((b * T + t) * F, (b * T + t + 1) * F);
      const next = new Array<number>(U);
      const z = new Array<number>(U);
      const r = new Array<number>(U);
      for (let u = 0; u < U; u++) {
        const bin = (g: number) => bias[g * U + u]!;
        const brec = (g: number) => (resetAfter ? bias[GU + g * U + u]! : 0);
        z[u] = sigmoid(affine(xt, K, F, GU, u) + bin(0) + affine(h, RK, U, GU, u) + brec(0));
        r[u] = sigmoid(affine(xt, K, F, GU, U + u) + bin(1) + affine(h, RK, U, GU, U + u) + brec(1));
      }
      const rh = h.map((v, j) => v * r[j]!);
      for (let u = 0; u < U; u++) {
        const xh = affine(xt, K, F, GU, 2 * U + u) + bias[2 * U + u]!;
        const hh = resetAfter ? Math.tanh(xh + r[u]! * (affine(h, RK, U, GU, 2 * U + u) + bias[GU + 2 * U + u]!)) : Math.tanh(xh + affine(rh, RK, U, GU, 2 * U + u));
        next[u] = z[u]! * h[u]! + (1 - z[u]!) * hh;
      }
      h = next;
      out.set(h, (b * T + t) * U);
    }
  }
  return out;
}

/** Keras LSTMCell (gates i, f, c, o) with a given recurrent activation. Returns the last output. */
function kerasLstm(x: Float32Array, B: number, T: number, F: number, U: number, K: Float32Array, RK: Float32Array, bias: Float32Array, rec: (v: number) => number): Float32Array {
  const out = new Float32Array(B * U);
  const GU = 4 * U;
  for (let b = 0; b < B; b++) {
    let h = new Array<number>(U).fill(0);
    let c = new Array<number>(U).fill(0);
    for (let t = 0; t < T; t++) {
      const xt = x.subarray((b * T + t) * F, (b * T + t + 1) * F);
      const gate = (g: number, u: number) => affine(xt, K, F, GU, g * U + u) + affine(h, RK, U, GU, g * U + u) + bias[g * U + u]!;
      const nh = new Array<number>(U);
      const nc = new Array<number>(U);
      for (let u = 0; u < U; u++) {
        const i = rec(gate(0, u));
        const f = rec(gate(1, u));
        const cc = Math.tanh(gate(2, u));
        const o = rec(gate(3, u));
        nc[u] = f * c[u]! + i * cc;
        nh[u] = o * Math.tanh(nc[u]!);
      }
      h = nh;
      c = nc;
    }
    out.set(h, b * U);
  }
  return out;
}

/** Float32 little-endian bytes of several arrays back to back, as one shard. */
function shard(...arrays: Float32Array[]): Uint8Array {
  const out = new Uint8Array(arrays.reduce((a, x) => a + x.byteLength, 0));
  let off = 0;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), off);
    off += a.byteLength;
  }
  return out;
}

const B = 2;
const T = 6;
const F = 3;
const U = 4;

/** A tensorflowjs_converter model.json for a TF2 Keras GRU → Dense; `gruExtra` edits the GRU config. */
function converterGruJson(gruConfig: Record<string, unknown>, biasShape: number[]) {
  return {
    format: 'layers-model',
    generatedBy: 'keras v2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: {
      keras_version: '2.15.0',
      backend: 'tensorflow',
      model_config: {
        class_name: 'Functional',
        config: {
          name: 'model',
          layers: [
            // No dtype: optional keys may be missing.
            { class_name: 'InputLayer', config: { batch_input_shape: [null, null, F], sparse: false, ragged: false, name: 'input_1' }, name: 'input_1', inbound_nodes: [] },
            {
              class_name: 'GRU',
              config: {
                name: 'gru',
                trainable: true,
                return_sequences: true,
                return_state: false,
                go_backwards: false,
                stateful: false,
                unroll: false,
                time_major: false,
                units: U,
                activation: 'tanh',
                recurrent_activation: 'sigmoid',
                use_bias: true,
                kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
                dropout: 0.0,
                recurrent_dropout: 0.0,
                implementation: 2,
                ...gruConfig,
              },
              name: 'gru',
              inbound_nodes: [[['input_1', 0, 0, {}]]],
            },
          ],
          input_layers: [['input_1', 0, 0]],
          output_layers: [['gru', 0, 0]],
        },
      },
      training_config: { loss: 'mse' },
    },
    weightsManifest: [
      {
        paths: ['group1-shard1of1.bin'],
        weights: [
          { name: 'gru/gru_cell/kernel', shape: [F, 3 * U], dtype: 'float32' },
          { name: 'gru/gru_cell/recurrent_kernel', shape: [U, 3 * U], dtype: 'float32' },
          { name: 'gru/gru_cell/bias', shape: biasShape, dtype: 'float32' },
        ],
      },
    ],
  };
}

describe('TF2 Keras GRU (tensorflowjs_converter file) vs the Keras formulas', () => {
  for (const resetAfter of [true, false]) {
    it(`reset_after=${resetAfter} → ONNX GRU linear_before_reset=${resetAfter ? 1 : 0}`, async () => {
      const r = rng(resetAfter ? 41 : 42);
      const K = nonZero(r, F * 3 * U);
      const RK = nonZero(r, U * 3 * U);
      const bias = nonZero(r, (resetAfter ? 2 : 1) * 3 * U);
      // reset_after=true is left out of the config: it is the Keras 2 (TF2) default.
      const json = converterGruJson(resetAfter ? {} : { reset_after: false }, resetAfter ? [2, 3 * U] : [3 * U]);
      const bin = shard(K, RK, bias);
      const model = importLayersModel(json, (path) => {
        expect(path).toBe('group1-shard1of1.bin');
        return bin;
      });
      const gru = model.graph.nodes.find((n) => n.opType === 'GRU')!;
      expect(gru.attributes['linear_before_reset']).toEqual({ type: 'int', value: resetAfter ? 1n : 0n });
      const x = randomSequence(43, [B, T, F]);
      const want = kerasGru(x, B, T, F, U, K, RK, bias, resetAfter);
      const feeds = { input_1: tensor('float32', [B, T, F], x) };
      expectClose((await runOrt(model, feeds))['gru']!.data as Float32Array, want, 'ort-node');
      expectClose(runBuiltin(model, feeds)['gru']!.data as Float32Array, want, 'builtin');
    });
  }
});

/** A Keras 3 model.json (Functional, `__keras_tensor__` inbound nodes, dtype policies) with one LSTM. */
function keras3LstmJson(kerasVersion: string) {
  const tensorRef = (layer: string) => ({ class_name: '__keras_tensor__', config: { shape: [null, null, F], dtype: 'float32', keras_history: [layer, 0, 0] } });
  const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
  return {
    modelTopology: {
      keras_version: kerasVersion,
      backend: 'tensorflow',
      model_config: {
        module: 'keras',
        class_name: 'Functional',
        config: {
          name: 'functional',
          trainable: true,
          layers: [
            { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, null, F], dtype: 'float32', sparse: false, name: 'input_layer' }, registered_name: null, name: 'input_layer', inbound_nodes: [] },
            {
              module: 'keras.layers',
              class_name: 'LSTM',
              config: {
                name: 'lstm',
                trainable: true,
                dtype: policy,
                return_sequences: false,
                return_state: false,
                go_backwards: false,
                stateful: false,
                unroll: false,
                zero_output_for_mask: false,
                units: U,
                activation: 'tanh',
                recurrent_activation: 'hard_sigmoid',
                use_bias: true,
                unit_forget_bias: true,
                dropout: 0.0,
                recurrent_dropout: 0.0,
                seed: null,
              },
              registered_name: null,
              build_config: { input_shape: [null, null, F] },
              name: 'lstm',
              inbound_nodes: [{ args: [tensorRef('input_layer')], kwargs: { training: false, mask: null } }],
            },
          ],
          input_layers: [['input_layer', 0, 0]],
          output_layers: ['lstm', 0, 0],
        },
      },
    },
    weightsManifest: [
      {
        paths: ['group1-shard1of1.bin'],
        weights: [
          { name: 'lstm/lstm_cell/kernel', shape: [F, 4 * U], dtype: 'float32' },
          { name: 'lstm/lstm_cell/recurrent_kernel', shape: [U, 4 * U], dtype: 'float32' },
          { name: 'lstm/lstm_cell/bias', shape: [4 * U], dtype: 'float32' },
        ],
      },
    ],
  };
}

describe('hard_sigmoid follows the Keras version that saved the model', () => {
  const r = rng(44);
  // Large weights so gates leave the linear part of hard_sigmoid and the two slopes differ clearly.
  const K = nonZero(r, F * 4 * U, 2);
  const RK = nonZero(r, U * 4 * U, 2);
  const bias = nonZero(r, 4 * U);
  const x = randomSequence(45, [B, T, F]);
  const cases: [string, number][] = [
    ['3.3.3', 1 / 6],
    ['2.15.0', 0.2],
    ['tfjs-layers 4.22.0', 0.2],
  ];
  for (const [version, slope] of cases) {
    it(`keras_version ${version}: slope ${slope.toFixed(4)}`, async () => {
      const model = importLayersModel(keras3LstmJson(version), shard(K, RK, bias));
      const want = kerasLstm(x, B, T, F, U, K, RK, bias, hardSigmoid(slope));
      const other = kerasLstm(x, B, T, F, U, K, RK, bias, hardSigmoid(slope === 0.2 ? 1 / 6 : 0.2));
      const feeds = { input_layer: tensor('float32', [B, T, F], x) };
      const ort = (await runOrt(model, feeds))['lstm']!.data as Float32Array;
      expectClose(ort, want, 'ort-node');
      expectClose(runBuiltin(model, feeds)['lstm']!.data as Float32Array, want, 'builtin');
      // The two slopes give visibly different results on these weights, so the check above means something.
      expect(Math.max(...want.map((v, i) => Math.abs(v - other[i]!)))).toBeGreaterThan(1e-2);
    });
  }
  it('options.kerasVersion overrides the file', () => {
    const model = importLayersModel(keras3LstmJson('2.15.0'), shard(K, RK, bias), { kerasVersion: '3.0.0' });
    const lstm = model.graph.nodes.find((n) => n.opType === 'LSTM')!;
    expect(lstm.attributes['activation_alpha']).toEqual({ type: 'floats', value: [1 / 6, 0, 0] });
  });
});

describe('converter file quirks and errors', () => {
  const r = rng(46);
  const K = nonZero(r, F * 3 * U);
  const RK = nonZero(r, U * 3 * U);
  const bias = nonZero(r, 2 * 3 * U);
  const bin = shard(K, RK, bias);

  it('weights sharded over two files are read in order; weight names with :0 load', async () => {
    const json = converterGruJson({}, [2, 3 * U]);
    json.weightsManifest[0]!.paths = ['group1-shard1of2.bin', 'group1-shard2of2.bin'];
    json.weightsManifest[0]!.weights.forEach((w) => (w.name = `${w.name}:0`));
    const cut = 20;
    const model = importLayersModel(json, (p) => (p === 'group1-shard1of2.bin' ? bin.slice(0, cut) : bin.slice(cut)));
    const x = randomSequence(47, [B, T, F]);
    expectClose((await runOrt(model, { input_1: tensor('float32', [B, T, F], x) }))['gru']!.data as Float32Array, kerasGru(x, B, T, F, U, K, RK, bias, true), 'ort-node');
  });

  it('reset_after missing from the config: the bias shape decides (a [3*units] bias is reset_after=false)', async () => {
    const r2 = rng(48);
    const K2 = nonZero(r2, F * 3 * U);
    const RK2 = nonZero(r2, U * 3 * U);
    const b2 = nonZero(r2, 3 * U);
    const model = importLayersModel(converterGruJson({}, [3 * U]), shard(K2, RK2, b2));
    expect(model.graph.nodes.find((n) => n.opType === 'GRU')!.attributes['linear_before_reset']).toEqual({ type: 'int', value: 0n });
    const x = randomSequence(49, [B, T, F]);
    expectClose((await runOrt(model, { input_1: tensor('float32', [B, T, F], x) }))['gru']!.data as Float32Array, kerasGru(x, B, T, F, U, K2, RK2, b2, false), 'ort-node');
  });

  it('too few weight bytes is an ImportError saying how many were needed', () => {
    expect(() => importLayersModel(converterGruJson({}, [2, 3 * U]), bin.slice(0, bin.length - 4))).toThrow(/weights: 'gru\/gru_cell\/bias' needs bytes .* but the weight data has/);
  });

  it('a wrong bias shape names the layer', () => {
    expect(() => importLayersModel(converterGruJson({ reset_after: false }, [2, 3 * U]), bin)).toThrow(/layer 'gru' \(GRU\): bias has shape \[2, 12\], expected \[12\]/);
  });

  it('an unsupported option names layer, class and option', () => {
    expect(() => importLayersModel(converterGruJson({ time_major: true }, [2, 3 * U]), bin)).toThrow(/layer 'gru' \(GRU\): option 'time_major' = true is not supported/);
    expect(() => importLayersModel(converterGruJson({ recurrent_activation: 'gelu' }, [2, 3 * U]), bin)).toThrow(/layer 'gru' \(GRU\): option 'recurrent_activation' = 'gelu' is not supported/);
    expect(() => importLayersModel(converterGruJson({ some_future_option: 3 }, [2, 3 * U]), bin)).toThrow(/layer 'gru' \(GRU\): option 'some_future_option' is not supported/);
  });

  it('an unsupported layer class names layer and class', () => {
    const json = converterGruJson({}, [2, 3 * U]);
    json.modelTopology.model_config.config.layers[1]!.class_name = 'ConvLSTM1D';
    const err = (() => {
      try {
        importLayersModel(json, bin);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ImportError);
    expect((err as Error).message).toMatch(/layer 'gru': class 'ConvLSTM1D' is not supported/);
  });

  it('a missing weight lists the weights that exist', () => {
    const json = converterGruJson({}, [2, 3 * U]);
    json.weightsManifest[0]!.weights[0]!.name = 'other/kernel';
    expect(() => importLayersModel(json, bin)).toThrow(/layer 'gru' \(GRU\): weight 'kernel' not found among \[other\/kernel/);
  });

  it('not a model.json is an ImportError', () => {
    expect(() => importLayersModel({ hello: 1 }, bin)).toThrow(ImportError);
    expect(() => importLayersModel({ modelTopology: { class_name: 'Sequential', config: { layers: [] } }, weightsManifest: [] }, bin)).toThrow(/no layers/);
  });
});
