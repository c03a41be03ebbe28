/**
 * The layers that join and reshape tensors in functional recurrent models (Concatenate, Add, Subtract,
 * Multiply, Average, Maximum, Minimum, Dot, Reshape, Permute) imported from TensorFlow.js Layers models
 * and checked against `model.predict` at rtol 1e-4, atol 1e-5 on onnxruntime-node and the built-in
 * executor, as in import-layers.test.ts; then masks through merges, the streaming form and refusals.
 *
 * TF.js has no Subtract layer: a model is built with Add, saved, its class renamed to Subtract, and
 * checked against the difference of the two branches TF.js computes. TF.js's own masks go wrong in
 * two places (see secondStage), so there the recurrent layer after the merge is run by TF.js on the merged
 * values TF.js computes, with Keras's mask applied explicitly.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { ImportError } from '../src/errors.js';
import { importLayersModel, stepStateBindings, toStepModel } from '../src/import/layers.js';
import type { Model } from '../src/ir/graph.js';
import { tensor, type Tensor } from '../src/tensor.js';
import { compareImported, DiffTracker, expectClose, paddedIds, predict, randomizeWeights, randomSequence, saveLayers, type SavedLayers, type Feed } from './import-support.js';
import { frameAt, runners } from './import-stepping.js';


/** The largest |imported − TF.js| seen over every check, reported once at the end. */
const diffs = new DiffTracker();
afterAll(() => console.log(`import-merge-layers: largest |imported - TF.js| = ${diffs.worst.toExponential(3)}`));

/** Imports `saved`, runs it on both backends and compares every output with `want` (and Keras's static dims). */
async function checkImported(saved: SavedLayers, feeds: Feed[], want: Float32Array[], shapes: (number | null)[][], kerasVersion?: string): Promise<Model> {
  const model = importLayersModel(saved.json, saved.shard, kerasVersion ? { kerasVersion } : {});
  await compareImported(model, feeds, want, shapes, diffs);
  return model;
}

/** Randomises `m`'s weights, imports it and compares it with `model.predict` (checkAgainstTfjs of import-layers.test.ts). */
async function checkAgainstTfjs(m: tf.LayersModel, feeds: Feed[], seed = 7): Promise<Model> {
  randomizeWeights(m, seed);
  const want = predict(m, feeds.map((f) => tf.tensor(f.data, f.dims)));
  const saved = await saveLayers(m);
  const model = await checkImported(saved, feeds, want, m.outputs.map((o) => o.shape));
  expect(model.graph.inputs.map((i) => i.name)).toEqual(m.inputNames);
  return model;
}

const seq = (seed: number, b = 3, t = 6, f = 4): Feed => ({ data: randomSequence(seed, [b, t, f]), dims: [b, t, f] });
const input = (shape: (number | null)[], name?: string) => tf.input({ shape: shape as number[], ...(name ? { name } : {}) });
const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;

/** Renames the layer `name` of a saved model to `className` (for layers TF.js does not have). */
function renameClass(saved: SavedLayers, name: string, className: string): void {
  const layers = ((saved.json['modelTopology'] as { config: { layers: { class_name: string; name?: string; config: { name: string } }[] } }).config.layers);
  const layer = layers.find((l) => l.config.name === name);
  if (!layer) throw new Error(`no layer ${name}`);
  layer.class_name = className;
}

/**
 * Runs the recurrent `layer` (weights already set) on `values` [batch, time, features], with the steps
 * where `keep(b * time + t)` is false masked (zeroed, then found by Masking(0)), or none without `keep`.
 *
 * Why two stages: TF.js's predict gives a layer the mask of the last masked layer before it when its own
 * inputs have none (it reuses one kwargs object across the graph), so after a Dot the next layer is still
 * masked; and its element-wise Merge mask has an extra leading axis, which a recurrent layer rejects.
 */
function secondStage(layer: tf.layers.Layer, values: Float32Array, dims: [number, number, number], keep?: (i: number) => boolean): Float32Array {
  const [B, T, F] = dims;
  const x = input([T, F]);
  const data = values.slice();
  if (keep) for (let i = 0; i < B * T; i++) if (!keep(i)) data.fill(0, i * F, (i + 1) * F);
  const m = tf.model({ inputs: x, outputs: apply(layer, keep ? apply(tf.layers.masking({ maskValue: 0 }), x) : x) });
  return predict(m, [tf.tensor(data, dims)])[0]!;
}

/** Two recurrent branches over one input: an LSTM and a GRU, both with return_sequences. */
function twoBranches(x: tf.SymbolicTensor, units = 5): [tf.SymbolicTensor, tf.SymbolicTensor] {
  return [
    apply(tf.layers.lstm({ units, returnSequences: true, recurrentActivation: 'sigmoid' }), x),
    apply(tf.layers.gru({ units, returnSequences: true }), x),
  ];
}

describe('merge layers vs TensorFlow.js', () => {
  const merges: [string, () => tf.layers.Layer][] = [
    ['Concatenate', () => tf.layers.concatenate()],
    ['Add', () => tf.layers.add({})],
    ['Multiply', () => tf.layers.multiply({})],
    ['Average', () => tf.layers.average({})],
    ['Maximum', () => tf.layers.maximum({})],
    ['Minimum', () => tf.layers.minimum({})],
  ];
  for (const [name, make] of merges) {
    it(`${name} of two recurrent branches over one input`, async () => {
      const x = input([6, 4]);
      const merged = apply(make(), twoBranches(x));
      await checkAgainstTfjs(tf.model({ inputs: x, outputs: merged }), [seq(51)]);
    });
  }

  it('Subtract of two recurrent branches (renamed from Add; TF.js has no Subtract)', async () => {
    const x = input([6, 4]);
    const [a, b] = twoBranches(x);
    const m = tf.model({ inputs: x, outputs: apply(tf.layers.add({ name: 'diff' }), [a, b]) });
    randomizeWeights(m, 52);
    const feed = seq(53);
    const [wa, wb] = predict(tf.model({ inputs: x, outputs: [a, b] }), [tf.tensor(feed.data, feed.dims)]);
    const saved = await saveLayers(m);
    renameClass(saved, 'diff', 'Subtract');
    await checkImported(saved, [feed], [wa!.map((v, i) => v - wb![i]!)], [[null, 6, 5]]);
    // Keras's Subtract takes exactly two inputs.
    const c = apply(tf.layers.lstm({ units: 5, returnSequences: true }), x);
    const three = await saveLayers(tf.model({ inputs: x, outputs: apply(tf.layers.add({ name: 'diff3' }), [a, b, c]) }));
    renameClass(three, 'diff3', 'Subtract');
    expect(() => importLayersModel(three.json, three.shard)).toThrow(/layer 'diff3' \(Subtract\): takes exactly 2 inputs, got 3/);
  });

  it('three inputs, and Concatenate along the features of last outputs', async () => {
    const x = input([6, 4]);
    const [a, b] = twoBranches(x);
    const c = apply(tf.layers.simpleRNN({ units: 5, returnSequences: true }), x);
    const sum = apply(tf.layers.add({}), [a, b, c]);
    const last = apply(tf.layers.concatenate({ axis: 1 }), [apply(tf.layers.lstm({ units: 3 }), x), apply(tf.layers.gru({ units: 2 }), x)]);
    await checkAgainstTfjs(tf.model({ inputs: x, outputs: [sum, last] }), [seq(54)]);
  });

  it('broadcasting: a [batch, features] input against a sequence (expanded at axis 1), and a size-1 feature axis', async () => {
    const x = input([6, 4]);
    const seqOut = apply(tf.layers.lstm({ units: 5, returnSequences: true }), x);
    const vector = apply(tf.layers.gru({ units: 5 }), x); // [batch, 5]
    const plus = apply(tf.layers.add({}), [seqOut, vector]);
    const gate = apply(tf.layers.dense({ units: 1, activation: 'sigmoid' }), seqOut); // [batch, 6, 1]
    const times = apply(tf.layers.multiply({}), [gate, seqOut]);
    await checkAgainstTfjs(tf.model({ inputs: x, outputs: [plus, times] }), [seq(55)]);
  });

  it('Concatenate along the time axis (axis 1) of two sequences of different lengths', async () => {
    const x1 = input([6, 4], 'first');
    const x2 = input([3, 4], 'second');
    const joined = apply(tf.layers.concatenate({ axis: 1 }), [apply(tf.layers.lstm({ units: 5, returnSequences: true }), x1), apply(tf.layers.gru({ units: 5, returnSequences: true }), x2)]);
    const summary = apply(tf.layers.lstm({ units: 3 }), joined);
    await checkAgainstTfjs(tf.model({ inputs: [x1, x2], outputs: [joined, summary] }), [seq(56), seq(57, 3, 3, 4)]);
  });
});

describe('Dot', () => {
  for (const normalize of [false, true]) {
    it(`axes (2, 2), normalize ${normalize}: attention scores of two sequences`, async () => {
      const q = input([5, 4], 'queries');
      const k = input([7, 4], 'keys');
      const scores = apply(tf.layers.dot({ axes: [2, 2], normalize }), [apply(tf.layers.lstm({ units: 6, returnSequences: true }), q), apply(tf.layers.gru({ units: 6, returnSequences: true }), k)]);
      await checkAgainstTfjs(tf.model({ inputs: [q, k], outputs: scores }), [seq(58, 3, 5, 4), seq(59, 3, 7, 4)]);
    });
  }

  for (const normalize of [false, true]) {
    it(`two vectors (axes -1, normalize ${normalize}) → [batch, 1]`, async () => {
      const x = input([6, 4]);
      const a = apply(tf.layers.lstm({ units: 5 }), x);
      const b = apply(tf.layers.dense({ units: 5 }), apply(tf.layers.gru({ units: 3 }), x));
      const cos = apply(tf.layers.dot({ axes: -1, normalize }), [a, b]);
      await checkAgainstTfjs(tf.model({ inputs: x, outputs: cos }), [seq(60)]);
    });
  }

  it('axes (1, 1) over time, and a sequence against a vector (axes (2, 1))', async () => {
    const x = input([6, 4]);
    const [a, b] = twoBranches(x);
    const overTime = apply(tf.layers.dot({ axes: 1 }), [a, b]); // [batch, 5, 5]
    const v = apply(tf.layers.lstm({ units: 5 }), x);
    const perStep = apply(tf.layers.dot({ axes: [2, 1] }), [a, v]); // [batch, 6]
    await checkAgainstTfjs(tf.model({ inputs: x, outputs: [overTime, perStep] }), [seq(61)]);
  });

  it('a Luong attention decoder: Dot → softmax → Dot → Concatenate over an LSTM encoder–decoder', async () => {
    const encIn = input([6, 3], 'encoder_inputs');
    const decIn = input([4, 2], 'decoder_inputs');
    const [enc, h, c] = tf.layers.lstm({ units: 8, returnSequences: true, returnState: true, name: 'encoder' }).apply(encIn) as tf.SymbolicTensor[];
    const decLayer = tf.layers.lstm({ units: 8, returnSequences: true, name: 'decoder' }) as unknown as { apply(x: tf.SymbolicTensor, k: object): tf.SymbolicTensor };
    const dec = decLayer.apply(decIn, { initialState: [h!, c!] });
    const scores = apply(tf.layers.dot({ axes: [2, 2], name: 'scores' }), [dec, enc!]); // [batch, 4, 6]
    const attention = apply(tf.layers.activation({ activation: 'softmax', name: 'attention' }), scores);
    const context = apply(tf.layers.dot({ axes: [2, 1], name: 'context' }), [attention, enc!]); // [batch, 4, 8]
    const joined = apply(tf.layers.concatenate({ name: 'joined' }), [context, dec]);
    const out = apply(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 5, activation: 'softmax' }) }), apply(tf.layers.dense({ units: 8, activation: 'tanh' }), joined));
    await checkAgainstTfjs(tf.model({ inputs: [encIn, decIn], outputs: [out, attention] }), [seq(62, 2, 6, 3), seq(63, 2, 4, 2)]);
  });
});

describe('masks through merges (leading padding)', () => {
  const T = 7;
  const lengths = [7, 4, 1];
  const ids = (seed: number, l = lengths): Feed => ({ data: paddedIds(seed, 12, T, l, 'leading'), dims: [l.length, T] });
  const embed = (name?: string) => tf.layers.embedding({ inputDim: 12, outputDim: 5, maskZero: true, ...(name ? { name } : {}) });

  it('Embedding(mask_zero) → two LSTM branches → Concatenate → LSTM: the mask goes through', async () => {
    const x = input([T]);
    const e = apply(embed(), x);
    const joined = apply(tf.layers.concatenate({}), [apply(tf.layers.lstm({ units: 4, returnSequences: true }), e), apply(tf.layers.lstm({ units: 3, returnSequences: true }), e)]);
    const out = apply(tf.layers.lstm({ units: 5 }), joined);
    await checkAgainstTfjs(tf.model({ inputs: x, outputs: [out, joined] }), [ids(64)]);
  });

  it('Add of two masked branches → GRU: the branches\' shared mask goes through', async () => {
    const x = input([T]);
    const e = apply(embed(), x);
    const sum = apply(tf.layers.add({}), twoBranches(e, 4));
    const gru = tf.layers.gru({ units: 3 });
    const m = tf.model({ inputs: x, outputs: apply(gru, sum) });
    randomizeWeights(m, 65);
    const feed = ids(66);
    const saved = await saveLayers(m);
    const [merged] = predict(tf.model({ inputs: x, outputs: sum }), [tf.tensor(feed.data, feed.dims)]);
    const want = secondStage(gru, merged!, [3, T, 4], (i) => feed.data[i] !== 0);
    await checkImported(saved, [feed], [want], [[null, 3]]);
  });

  it('Concatenate of two inputs with different masks ANDs them (Keras 2 and TF.js)', async () => {
    const x1 = input([T], 'ids_a');
    const x2 = input([T], 'ids_b');
    const joined = apply(tf.layers.concatenate({}), [apply(embed(), x1), apply(embed(), x2)]);
    const out = apply(tf.layers.lstm({ units: 4 }), joined);
    await checkAgainstTfjs(tf.model({ inputs: [x1, x2], outputs: out }), [ids(66), ids(67, [5, 6, 2])]);
  });

  it('Keras 3 reduces the concatenated masks with any: a step is kept where either input is real', async () => {
    const x1 = input([T], 'ids_a');
    const x2 = input([T], 'ids_b');
    const joined = apply(tf.layers.concatenate({}), [apply(embed(), x1), apply(embed(), x2)]);
    const lstm = tf.layers.lstm({ units: 4, recurrentActivation: 'sigmoid' }); // hard_sigmoid differs in Keras 3
    const m = tf.model({ inputs: [x1, x2], outputs: apply(lstm, joined) });
    randomizeWeights(m, 77);
    const a = ids(78);
    const b = ids(79, [5, 6, 0]);
    const saved = await saveLayers(m);
    const [values] = predict(tf.model({ inputs: [x1, x2], outputs: joined }), [tf.tensor(a.data, a.dims), tf.tensor(b.data, b.dims)]);
    const want = secondStage(lstm, values!, [3, T, 10], (i) => a.data[i] !== 0 || b.data[i] !== 0);
    await checkImported(saved, [a, b], [want], [[null, 4]], '3.3.3');
  });

  it('Concatenate of a masked and an unmasked input: the unmasked one counts as all-true', async () => {
    const x1 = input([T], 'ids');
    const x2 = input([T, 3], 'frames');
    const joined = apply(tf.layers.concatenate({}), [apply(embed(), x1), x2]);
    const out = apply(tf.layers.gru({ units: 4 }), joined);
    await checkAgainstTfjs(tf.model({ inputs: [x1, x2], outputs: out }), [ids(68), seq(69, 3, T, 3)]);
  });

  for (const [name, make] of [
    ['Multiply', () => tf.layers.multiply({})],
    ['Maximum', () => tf.layers.maximum({})],
    ['Average', () => tf.layers.average({})],
  ] as const) {
    it(`${name} of inputs with different masks ANDs them`, async () => {
      const x1 = input([T], 'ids_a');
      const x2 = input([T], 'ids_b');
      const merged = apply(make(), [apply(embed(), x1), apply(embed(), x2)]);
      const lstm = tf.layers.lstm({ units: 4 });
      const m = tf.model({ inputs: [x1, x2], outputs: apply(lstm, merged) });
      randomizeWeights(m, 70);
      const a = ids(71);
      const b = ids(72, [5, 6, 2]);
      const saved = await saveLayers(m);
      const [values] = predict(tf.model({ inputs: [x1, x2], outputs: merged }), [tf.tensor(a.data, a.dims), tf.tensor(b.data, b.dims)]);
      const want = secondStage(lstm, values!, [3, T, 5], (i) => a.data[i] !== 0 && b.data[i] !== 0);
      await checkImported(saved, [a, b], [want], [[null, 4]]);
    });
  }

  it('Concatenate along time concatenates the masks', async () => {
    const x1 = input([T], 'ids_a');
    const x2 = input([4], 'ids_b');
    const joined = apply(tf.layers.concatenate({ axis: 1 }), [apply(embed(), x1), apply(embed(), x2)]);
    const out = apply(tf.layers.lstm({ units: 4 }), joined);
    const second: Feed = { data: paddedIds(73, 12, 4, [2, 4, 0], 'leading'), dims: [3, 4] };
    await checkAgainstTfjs(tf.model({ inputs: [x1, x2], outputs: out }), [ids(74), second]);
  });

  it('Dot drops the mask: the GRU after it runs over every step', async () => {
    const x = input([T]);
    const a = apply(tf.layers.lstm({ units: 4, returnSequences: true }), apply(embed(), x));
    const selfScores = apply(tf.layers.dot({ axes: [2, 2] }), [a, a]); // [batch, T, T], no mask
    const gru = tf.layers.gru({ units: 3 });
    const m = tf.model({ inputs: x, outputs: apply(gru, selfScores) });
    randomizeWeights(m, 75);
    const feed = ids(76);
    const saved = await saveLayers(m);
    const [scores] = predict(tf.model({ inputs: x, outputs: selfScores }), [tf.tensor(feed.data, feed.dims)]);
    await checkImported(saved, [feed], [secondStage(gru, scores!, [3, T, T])], [[null, 3]]);
  });
});

describe('Reshape and Permute', () => {
  it('Reshape with -1 and known sizes, Permute, then an LSTM', async () => {
    const x = input([6, 4]);
    const a = apply(tf.layers.lstm({ units: 6, returnSequences: true }), x); // [batch, 6, 6]
    const r = apply(tf.layers.reshape({ targetShape: [3, 12] }), a);
    const p = apply(tf.layers.permute({ dims: [2, 1] }), r); // [batch, 12, 3]
    const r2 = apply(tf.layers.reshape({ targetShape: [-1, 2] }), p); // [batch, 18, 2]
    await checkAgainstTfjs(tf.model({ inputs: x, outputs: [apply(tf.layers.gru({ units: 4 }), r2), p] }), [seq(76)]);
  });

  it('unknown sequence length: Reshape(-1, 2, 3) → Permute(1, 3, 2) → Reshape(-1, 6) keeps the time axis', async () => {
    const x = input([null, 4]);
    const d = apply(tf.layers.dense({ units: 6 }), x);
    const r = apply(tf.layers.reshape({ targetShape: [-1, 2, 3] }), d);
    const p = apply(tf.layers.permute({ dims: [1, 3, 2] }), r);
    const back = apply(tf.layers.reshape({ targetShape: [-1, 6] }), p);
    await checkAgainstTfjs(tf.model({ inputs: x, outputs: apply(tf.layers.lstm({ units: 3, returnSequences: true }), back) }), [seq(77, 2, 5, 4)]);
  });
});

/** Steps `model` over every frame of `x` from zero states, checking each frame's output against `want` [batch, time, out]. */
async function expectStepsMatch(step: Model, x: Feed, want: Float32Array, out: number): Promise<void> {
  const [B, T] = x.dims as [number, number];
  const bindings = stepStateBindings(step);
  const outName = step.graph.outputs[0]!.name;
  for (const [backend, run, close] of await runners(step)) {
    const state: Record<string, Tensor> = {};
    for (const b of bindings) {
      const shape = (step.graph.inputs.find((i) => i.name === b.input)!.type as { shape: (number | string)[] }).shape;
      state[b.input] = tensor('float32', shape.map((d) => (typeof d === 'number' ? d : B)));
    }
    for (let t = 0; t < T; t++) {
      const res = await run({ [step.graph.inputs[0]!.name]: frameAt(x.data, x.dims, t), ...state });
      for (const b of bindings) state[b.input] = res[b.output]!;
      expect([...res[outName]!.dims]).toEqual([B, 1, out]);
      for (let b = 0; b < B; b++) {
        const got = res[outName]!.data.subarray(b * out, (b + 1) * out) as Float32Array;
        const expected = want.subarray((b * T + t) * out, (b * T + t + 1) * out);
        expectClose(got, expected, `${backend} b${b} t${t}`);
        diffs.track(got, expected);
      }
    }
    await close();
  }
}

describe('the streaming form', () => {
  it('two GRU branches merged by Add, then Dense: frame by frame equals the sequence output, both branches carry state', async () => {
    const x = input([null, 4], 'frames');
    const a = apply(tf.layers.gru({ units: 5, returnSequences: true, recurrentActivation: 'sigmoid', name: 'gru_a' }), x);
    const b = apply(tf.layers.gru({ units: 5, returnSequences: true, name: 'gru_b' }), x);
    const m = tf.model({ inputs: x, outputs: apply(tf.layers.dense({ units: 3, name: 'head' }), apply(tf.layers.add({}), [a, b])) });
    randomizeWeights(m, 78);
    const saved = await saveLayers(m);
    const step = toStepModel(importLayersModel(saved.json, saved.shard));
    expect(stepStateBindings(step)).toEqual([
      { input: 'gru_a/h_in', output: 'gru_a/h_out' },
      { input: 'gru_b/h_in', output: 'gru_b/h_out' },
    ]);
    const feed = seq(79, 2, 7, 4);
    const [want] = predict(m, [tf.tensor(feed.data, feed.dims)]);
    await expectStepsMatch(step, feed, want!, 3);
  });

  it('LSTM and GRU joined by Concatenate on the features, Multiply by a gate, Permute and Reshape that keep time', async () => {
    const x = input([null, 4], 'frames');
    const [a, b] = twoBranches(x, 4);
    const joined = apply(tf.layers.concatenate({}), [a, b]); // [batch, time, 8]
    const gated = apply(tf.layers.multiply({}), [joined, apply(tf.layers.dense({ units: 1, activation: 'sigmoid' }), x)]);
    const r = apply(tf.layers.reshape({ targetShape: [-1, 2, 4] }), gated);
    const p = apply(tf.layers.permute({ dims: [1, 3, 2] }), r);
    const flat = apply(tf.layers.reshape({ targetShape: [-1, 8] }), p);
    const m = tf.model({ inputs: x, outputs: apply(tf.layers.dense({ units: 3 }), flat) });
    randomizeWeights(m, 80);
    const saved = await saveLayers(m);
    const step = importLayersModel(saved.json, saved.shard, { form: 'step' });
    expect(stepStateBindings(step)).toHaveLength(3);
    const feed = seq(81, 2, 6, 4);
    const [want] = predict(m, [tf.tensor(feed.data, feed.dims)]);
    await expectStepsMatch(step, feed, want!, 3);
  });
});

describe('refusals', () => {
  it('Lambda: arbitrary code cannot be imported, naming the layer', async () => {
    const x = input([6, 4]);
    const m = tf.model({ inputs: x, outputs: apply(tf.layers.activation({ activation: 'relu', name: 'my_lambda' }), apply(tf.layers.lstm({ units: 3, returnSequences: true }), x)) });
    const saved = await saveLayers(m);
    renameClass(saved, 'my_lambda', 'Lambda');
    expect(() => importLayersModel(saved.json, saved.shard)).toThrow(ImportError);
    expect(() => importLayersModel(saved.json, saved.shard)).toThrow(/layer 'my_lambda' \(Lambda\): a Lambda layer runs arbitrary Python\/JS code, which cannot be imported/);
  });

  it('the streaming form refuses what needs whole sequences: Concatenate over time, Dot between sequences, Permute/Reshape moving time', async () => {
    const x = input([null, 4], 'frames');
    const [a, b] = twoBranches(x, 4);
    const cases: [tf.SymbolicTensor, RegExp][] = [
      [apply(tf.layers.concatenate({ axis: 1, name: 'cat_time' }), [a, b]), /layer 'cat_time' \(Concatenate\): option 'axis' = 1 is not supported: concatenating along the time axis joins whole sequences, so it cannot run frame by frame/],
      [apply(tf.layers.dot({ axes: [2, 2], name: 'scores' }), [a, b]), /layer 'scores' \(Dot\): option 'axes' = \[2,2\] is not supported: a Dot over the time axis, or between two sequences \(attention\)/],
      [apply(tf.layers.permute({ dims: [2, 1], name: 'swap' }), a), /layer 'swap' \(Permute\): option 'dims' = \[2,1\] is not supported: it moves the time axis/],
      [apply(tf.layers.reshape({ targetShape: [2, -1], name: 'fold' }), a), /layer 'fold' \(Reshape\): option 'target_shape' = \[2,null\] is not supported: it reshapes across the time axis/],
    ];
    for (const [out, message] of cases) {
      const saved = await saveLayers(tf.model({ inputs: x, outputs: out }));
      expect(() => importLayersModel(saved.json, saved.shard)).not.toThrow();
      expect(() => importLayersModel(saved.json, saved.shard, { form: 'step' })).toThrow(message);
    }
  });

  for (const [className, config] of [
    ['Permute', { dims: [2, 1] }],
    ['Reshape', { target_shape: [4, 6] }],
  ] as const) {
    it(`a mask into ${className} is an error, as in TF.js`, async () => {
      const x = input([6]);
      const saved = await saveLayers(tf.model({ inputs: x, outputs: apply(tf.layers.embedding({ inputDim: 9, outputDim: 4, maskZero: true, name: 'embed' }), x) }));
      const cfg = (saved.json['modelTopology'] as { config: { layers: unknown[]; output_layers: unknown[] } }).config;
      cfg.layers.push({ class_name: className, config: { name: 'shaper', ...config }, name: 'shaper', inbound_nodes: [[['embed', 0, 0, {}]]] });
      cfg.output_layers = [['shaper', 0, 0]];
      expect(() => importLayersModel(saved.json, saved.shard)).toThrow(new RegExp(`layer 'shaper' \\(${className}\\) does not support a mask`));
    });
  }
});
