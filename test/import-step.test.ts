/**
 * The streaming form of imported models: frame by frame, with every recurrent state carried as an explicit
 * input/output, the per-step outputs must equal TensorFlow.js's whole-sequence outputs (rtol 1e-4,
 * atol 1e-5), on onnxruntime-node and the built-in executor, and in a step session.
 */
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { ImportError } from '../src/errors.js';
import { importLayersModel, stepStateBindings, toStepModel } from '../src/import/layers.js';
import type { Model } from '../src/ir/graph.js';
import { writeModel } from '../src/onnx/write.js';
import { createStepSession } from '../src/session/step-session.js';
import { tensor, type Tensor } from '../src/tensor.js';
import { expectClose, paddedIds, predict, randomizeWeights, randomSequence, saveLayers } from './import-support.js';

import { runners, stepThrough, type Runner } from './import-stepping.js';


async function imported(m: tf.LayersModel, seed: number): Promise<{ seqModel: Model; step: Model }> {
  randomizeWeights(m, seed);
  const saved = await saveLayers(m);
  const seqModel = importLayersModel(saved.json, saved.shard);
  return { seqModel, step: toStepModel(seqModel) };
}

describe('toStepModel', () => {
  it('many-to-many: LSTM → TimeDistributed(Dense) emits the sequence output at every frame', async () => {
    const m = tf.sequential();
    m.add(tf.layers.lstm({ units: 5, returnSequences: true, recurrentActivation: 'sigmoid', inputShape: [null as unknown as number, 4] }));
    m.add(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 3, activation: 'softmax' }) }));
    const { step } = await imported(m, 31);
    expect(stepStateBindings(step)).toEqual([
      { input: 'lstm_LSTM1/h_in', output: 'lstm_LSTM1/h_out' },
      { input: 'lstm_LSTM1/c_in', output: 'lstm_LSTM1/c_out' },
    ].map((b) => ({ input: b.input.replace('lstm_LSTM1', m.layers[0]!.name), output: b.output.replace('lstm_LSTM1', m.layers[0]!.name) })));
    const dims = [2, 8, 4];
    const x = randomSequence(32, dims);
    const [want] = predict(m, [tf.tensor(x, dims)]);
    const outName = step.graph.outputs[0]!.name;
    for (const [backend, run, close] of await runners(step)) {
      const steps = await stepThrough(step, run, step.graph.inputs[0]!.name, x, dims);
      steps.forEach((out, t) => {
        expect([...out[outName]!.dims]).toEqual([2, 1, 3]);
        for (let b = 0; b < 2; b++) {
          expectClose(out[outName]!.data.subarray(b * 3, b * 3 + 3) as Float32Array, want!.subarray((b * 8 + t) * 3, (b * 8 + t + 1) * 3), `${backend} b${b} t${t}`);
        }
      });
      await close();
    }
  });

  it("many-to-one: the seed's stacked LSTM → LSTM → Dense, output after frame t equals the prefix's output", async () => {
    const m = tf.sequential();
    m.add(tf.layers.lstm({ units: 64, returnSequences: true, recurrentInitializer: 'glorotNormal', inputShape: [null as unknown as number, 8] }));
    m.add(tf.layers.lstm({ units: 64, recurrentInitializer: 'glorotNormal' }));
    m.add(tf.layers.dense({ units: 10 }));
    const { step } = await imported(m, 33);
    expect(stepStateBindings(step)).toHaveLength(4);
    const dims = [2, 5, 8];
    const x = randomSequence(34, dims);
    const full = tf.tensor(x, dims);
    const prefixes = Array.from({ length: 5 }, (_, t) => predict(m, [full.slice([0, 0, 0], [2, t + 1, 8])])[0]!);
    for (const [backend, run, close] of await runners(step)) {
      const steps = await stepThrough(step, run, step.graph.inputs[0]!.name, x, dims);
      steps.forEach((out, t) => expectClose(out[step.graph.outputs[0]!.name]!.data as Float32Array, prefixes[t]!, `${backend} after frame ${t}`));
      await close();
    }
  });

  it('masked ids: a padded frame keeps every state, as Keras does', async () => {
    const m = tf.sequential();
    m.add(tf.layers.embedding({ inputDim: 9, outputDim: 4, maskZero: true, inputLength: 6 }));
    m.add(tf.layers.gru({ units: 5, returnSequences: true }));
    m.add(tf.layers.simpleRNN({ units: 3 }));
    const { step } = await imported(m, 35);
    const dims = [3, 6];
    const ids = paddedIds(36, 9, 6, [6, 3, 1]);
    const [want] = predict(m, [tf.tensor(ids, dims)]);
    for (const [backend, run, close] of await runners(step)) {
      const steps = await stepThrough(step, run, step.graph.inputs[0]!.name, ids, dims);
      expectClose(steps[5]![step.graph.outputs[0]!.name]!.data as Float32Array, want!, `${backend} after the last frame`);
      // Row 2 has one real id: its output stays the same over the five padded frames.
      const row2 = steps.map((s) => [...(s[step.graph.outputs[0]!.name]!.data as Float32Array).subarray(6, 9)]);
      for (let t = 1; t < 6; t++) expect(row2[t]).toEqual(row2[0]);
      await close();
    }
    // Padding before and inside the sequences too: the state skips every padded frame.
    for (const padding of ['leading', 'scattered'] as const) {
      const other = paddedIds(37, 9, 6, [6, 3, 1], padding);
      const [expected] = predict(m, [tf.tensor(other, dims)]);
      for (const [backend, run, close] of await runners(step)) {
        const steps = await stepThrough(step, run, step.graph.inputs[0]!.name, other, dims);
        expectClose(steps[5]![step.graph.outputs[0]!.name]!.data as Float32Array, expected!, `${backend}, ${padding} padding, after the last frame`);
        await close();
      }
    }
  });

  it('Masking on numeric frames: a padded frame (every feature = mask_value) keeps every state', async () => {
    const m = tf.sequential();
    m.add(tf.layers.masking({ maskValue: 0, inputShape: [6, 3] }));
    m.add(tf.layers.gru({ units: 5, returnSequences: true }));
    m.add(tf.layers.simpleRNN({ units: 3 }));
    const { step } = await imported(m, 38);
    const dims = [3, 6, 3];
    for (const padding of ['trailing', 'leading', 'scattered'] as const) {
      const frames = randomSequence(39, dims);
      const real = paddedIds(40, 2, 6, [6, 3, 1], padding);
      for (let bt = 0; bt < real.length; bt++) if (real[bt] === 0) frames.fill(0, bt * 3, bt * 3 + 3);
      const [want] = predict(m, [tf.tensor(frames, dims)]);
      for (const [backend, run, close] of await runners(step)) {
        const steps = await stepThrough(step, run, step.graph.inputs[0]!.name, frames, dims);
        expectClose(steps[5]![step.graph.outputs[0]!.name]!.data as Float32Array, want!, `${backend}, ${padding} padding, after the last frame`);
        await close();
      }
    }
  });

  it('the next-word seed model runs in a step session word by word (bindings found by name)', async () => {
    const m = tf.sequential();
    m.add(tf.layers.embedding({ inputDim: 10, outputDim: 8, inputLength: 5 }));
    m.add(tf.layers.simpleRNN({ units: 16, activation: 'tanh' }));
    m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
    const { step } = await imported(m, 37);
    const ids = [3, 1, 4, 1, 5];
    const [want] = predict(m, [tf.tensor(ids, [1, 5])]);
    for (const backend of ['builtin', 'ort-node'] as const) {
      const session = await createStepSession(step, { backend });
      expect(session.info.bindings.map((b) => [b.input, b.output])).toEqual([[`${m.layers[1]!.name}/h_in`, `${m.layers[1]!.name}/h_out`]]);
      let last: Float32Array | undefined;
      for (const id of ids) last = ((await session.step([id]))[step.graph.outputs[0]!.name]!.data as Float32Array).slice();
      expectClose(last!, want!, `${backend} session`);
      await session.dispose();
    }
  });

  it('encoder–decoder: the decoder steps from states set from the encoder', async () => {
    const encIn = tf.input({ shape: [null as unknown as number, 3], name: 'encoder_inputs' });
    const [, h, c] = tf.layers.lstm({ units: 4, returnState: true, name: 'encoder' }).apply(encIn) as tf.SymbolicTensor[];
    const decIn = tf.input({ shape: [null as unknown as number, 2], name: 'decoder_inputs' });
    const dec = tf.layers.lstm({ units: 4, returnSequences: true, name: 'decoder' }) as unknown as { apply(x: tf.SymbolicTensor, k: object): tf.SymbolicTensor };
    const probs = tf.layers.dense({ units: 5, activation: 'softmax', name: 'probs' }).apply(dec.apply(decIn, { initialState: [h!, c!] })) as tf.SymbolicTensor;
    const m = tf.model({ inputs: [encIn, decIn], outputs: probs });
    randomizeWeights(m, 38);
    const saved = await saveLayers(m);
    const encX = randomSequence(39, [1, 6, 3]);
    const decX = randomSequence(40, [1, 4, 2]);
    const [want] = predict(m, [tf.tensor(encX, [1, 6, 3]), tf.tensor(decX, [1, 4, 2])]);
    // The encoder's final states from the whole-sequence form, then the decoder in streaming form.
    const encoder = importLayersModel(saved.json, saved.shard, { outputs: ['encoder:1', 'encoder:2'] });
    const encOut = (await runnersFirst(encoder))({ encoder_inputs: tensor('float32', [1, 6, 3], encX) });
    const step = importLayersModel(saved.json, saved.shard, { form: 'step' });
    expect(step.graph.inputs.map((i) => i.name)).toEqual(['decoder_inputs', 'decoder/h_in', 'decoder/c_in']);
    const session = await createStepSession(step, { backend: 'builtin' });
    session.defaultSlot.setState('decoder/h_in', (await encOut)['encoder:1']!.data as Float32Array);
    session.defaultSlot.setState('decoder/c_in', (await encOut)['encoder:2']!.data as Float32Array);
    for (let t = 0; t < 4; t++) {
      const out = await session.step(decX.slice(t * 2, t * 2 + 2));
      expectClose(out['probs']!.data as Float32Array, want!.subarray(t * 5, t * 5 + 5), `decoder step ${t}`);
    }
    await session.dispose();
  });

  it('go_backwards and Bidirectional cannot stream: ImportError naming layer, class and option', async () => {
    const back = tf.sequential();
    back.add(tf.layers.gru({ units: 3, goBackwards: true, inputShape: [4, 2], name: 'backwards_gru' }));
    const a = await saveLayers(back);
    expect(() => importLayersModel(a.json, a.shard, { form: 'step' })).toThrow(ImportError);
    expect(() => importLayersModel(a.json, a.shard, { form: 'step' })).toThrow(/'backwards_gru' \(GRU\): option 'go_backwards'/);
    const bi = tf.sequential();
    bi.add(tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3 }) as unknown as tf.RNN, inputShape: [4, 2], name: 'bi' }));
    const b = await saveLayers(bi);
    expect(() => toStepModel(importLayersModel(b.json, b.shard))).toThrow(/'bi' \(Bidirectional\): option 'layer' = "LSTM" .*cannot run frame by frame/);
  });
});

async function runnersFirst(model: Model): Promise<Runner> {
  const session = await ort.InferenceSession.create(writeModel(model));
  return async (feeds) => {
    const f: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(feeds)) f[k] = new ort.Tensor('float32', v.data as Float32Array, [...v.dims]);
    const out = await session.run(f);
    await session.release();
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, tensor('float32', [...v.dims], (v.data as Float32Array).slice())]));
  };
}
