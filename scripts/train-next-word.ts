/**
 * Trains the seed next-word predictor — Embedding(V, 8, input_length=5) → SimpleRNN(16, tanh) →
 * Dense(V, softmax) — with TensorFlow.js on scripts/data/next-word.txt, then imports it with rxrnn and
 * writes models/next-word/:
 *   layers/model.json + layers/group1-shard1of1.bin   the trained Keras model (TF.js Layers format)
 *   sequence.onnx   whole-sequence form: words [batch, 5] → next_word [batch, V]
 *   model.onnx      streaming form: one word per step, `rnn/h_in` → `rnn/h_out`
 *   card.json       rxrnn model card (state binding, vocabulary)
 *   MODEL_CARD.md   how it was made, with the numbers of this run
 *
 * Deterministic: initial weights come from a seeded generator, batches are not shuffled, and TF.js's CPU
 * backend computes in a fixed order: a rerun writes byte-identical files. Run: `npx tsx scripts/train-next-word.ts` (about 40 s of CPU).
 */
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importLayersModel, stepStateBindings, toStepModel } from '../src/import/layers.js';
import { writeModel } from '../src/onnx/write.js';
import { validateCard, type ModelCard } from '../src/session/card.js';
import { createExecutor } from '../src/executor/executor.js';
import { tensor } from '../src/tensor.js';
import { mulberry32 } from '../src/text/random.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TEXT = join(ROOT, 'scripts/data/next-word.txt');
const OUT = join(ROOT, 'models/next-word');
const CONTEXT = 5;
const EMBED = 8;
const UNITS = 16;
const EPOCHS = 150;
const SEED = 20240601;

tf.setBackend('cpu');

// Vocabulary: 0 is padding (a step session starts from zero state, not from a padded window), 1 unknown.
const words = readFileSync(TEXT, 'utf8').toLowerCase().split(/\s+/).filter(Boolean);
const vocabulary = ['<pad>', '<unk>', ...[...new Set(words)].sort()];
const V = vocabulary.length;
const idOf = new Map(vocabulary.map((w, i) => [w, i]));
const ids = words.map((w) => idOf.get(w)!);

// Every 5-word window of the running text predicts the word after it.
const n = ids.length - CONTEXT;
const xs = new Float32Array(n * CONTEXT);
const ys = new Float32Array(n);
for (let i = 0; i < n; i++) {
  for (let k = 0; k < CONTEXT; k++) xs[i * CONTEXT + k] = ids[i + k]!;
  ys[i] = ids[i + CONTEXT]!;
}

const input = tf.input({ shape: [CONTEXT], name: 'words' });
const embedded = tf.layers.embedding({ inputDim: V, outputDim: EMBED, inputLength: CONTEXT, name: 'embedding' }).apply(input) as tf.SymbolicTensor;
const hidden = tf.layers.simpleRNN({ units: UNITS, activation: 'tanh', name: 'rnn' }).apply(embedded) as tf.SymbolicTensor;
const probs = tf.layers.dense({ units: V, activation: 'softmax', name: 'next_word' }).apply(hidden) as tf.SymbolicTensor;
const model = tf.model({ inputs: input, outputs: probs, name: 'next_word_predictor' });

// Seeded Glorot-uniform initial weights, zero biases.
const rand = mulberry32(SEED);
for (const layer of model.layers) {
  const ws = layer.getWeights();
  if (ws.length === 0) continue;
  layer.setWeights(
    ws.map((w) => {
      if (w.shape.length === 1) return tf.zeros(w.shape);
      const limit = Math.sqrt(6 / (w.shape[0]! + w.shape[1]!));
      return tf.tensor(Float32Array.from({ length: w.size }, () => (rand() * 2 - 1) * limit), w.shape);
    }),
  );
}

model.compile({ optimizer: tf.train.adam(0.01), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
const started = Date.now();
const history = await model.fit(tf.tensor2d(xs, [n, CONTEXT]), tf.tensor2d(ys, [n, 1]), { epochs: EPOCHS, batchSize: 32, shuffle: false, verbose: 0 });
const seconds = (Date.now() - started) / 1000;
const loss = history.history['loss']!.at(-1) as number;
const accuracy = (history.history['acc'] ?? history.history['accuracy'])!.at(-1) as number;
console.log(`trained ${EPOCHS} epochs on ${n} windows (vocabulary ${V}) in ${seconds.toFixed(1)} s: loss ${loss.toFixed(4)}, accuracy ${(accuracy * 100).toFixed(1)}%`);

// Save in the Layers format, then import that (exactly what a user of rxrnn would do).
mkdirSync(join(OUT, 'layers'), { recursive: true });
let artifacts: tf.io.ModelArtifacts | undefined;
await model.save(
  tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
  }),
);
const shard = new Uint8Array(artifacts!.weightData as ArrayBuffer);
const modelJson = {
  format: artifacts!.format,
  generatedBy: artifacts!.generatedBy,
  convertedBy: artifacts!.convertedBy,
  modelTopology: artifacts!.modelTopology,
  weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: artifacts!.weightSpecs }],
};
writeFileSync(join(OUT, 'layers/model.json'), JSON.stringify(modelJson, null, 1) + '\n');
writeFileSync(join(OUT, 'layers/group1-shard1of1.bin'), shard);

const sequence = importLayersModel(modelJson, shard);
const step = toStepModel(sequence);
writeFileSync(join(OUT, 'sequence.onnx'), writeModel(sequence));
writeFileSync(join(OUT, 'model.onnx'), writeModel(step));

// Check the exports: the whole-sequence form on onnxruntime-node against model.predict on every window,
// and the streaming form on the built-in executor word by word against the last window's prediction.
const want = (model.predict(tf.tensor2d(xs, [n, CONTEXT])) as tf.Tensor).dataSync() as Float32Array;
const session = await ort.InferenceSession.create(writeModel(sequence));
const got = (await session.run({ words: new ort.Tensor('float32', xs, [n, CONTEXT]) }))['next_word']!.data as Float32Array;
await session.release();
let maxDiff = 0;
for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(want[i]! - got[i]!));
const [binding] = stepStateBindings(step);
const exec = createExecutor(step);
let h = tensor('float32', [1, 1, UNITS]);
let last: Float32Array | undefined;
for (let k = 0; k < CONTEXT; k++) {
  const out = exec.run({ words: tensor('float32', [1, 1], [xs[(n - 1) * CONTEXT + k]!]), [binding!.input]: h });
  h = tensor('float32', [1, 1, UNITS], (out[binding!.output]!.data as Float32Array).slice());
  last = (out['next_word']!.data as Float32Array).slice();
}
let maxStepDiff = 0;
for (let v = 0; v < V; v++) maxStepDiff = Math.max(maxStepDiff, Math.abs(last![v]! - want[(n - 1) * V + v]!));
console.log(`sequence.onnx on ort-node vs TF.js: max |diff| ${maxDiff.toExponential(2)}; model.onnx stepped on builtin vs TF.js: ${maxStepDiff.toExponential(2)}`);
if (maxDiff > 1e-5 || maxStepDiff > 1e-5) throw new Error('exported model disagrees with TensorFlow.js');

const card: ModelCard = validateCard({
  format: 'rxrnn-model-card/1',
  name: 'next-word',
  description: `Next-word predictor: Embedding(${V}, ${EMBED}) → SimpleRNN(${UNITS}, tanh) → Dense(${V}, softmax), streaming form (one word id per step).`,
  source: 'scripts/train-next-word.ts (TensorFlow.js, imported with rxrnn importLayersModel/toStepModel)',
  license: 'Apache-2.0',
  batch: 'dynamic',
  state: [{ input: binding!.input, output: binding!.output, batchAxis: 1, dims: [1, 1, UNITS], meaning: 'SimpleRNN hidden state' }],
  inputs: [{ name: 'words', batchAxis: 0, dims: [1, 1], frame: 1, meaning: 'one word id per step (index into vocabulary)' }],
  outputs: { next_word: { batchAxis: 0, meaning: 'probability of each vocabulary word coming next' } },
  vocabulary,
});
writeFileSync(join(OUT, 'card.json'), JSON.stringify(card, null, 2) + '\n');

writeFileSync(
  join(OUT, 'MODEL_CARD.md'),
  `# next-word

The seed's next-word predictor, trained (not random) by \`scripts/train-next-word.ts\`.

- **Architecture** (Keras / TensorFlow.js Layers): \`Embedding(${V}, ${EMBED}, input_length=${CONTEXT}) → SimpleRNN(${UNITS}, tanh) → Dense(${V}, softmax)\`,
  ${V * EMBED + EMBED * UNITS + UNITS * UNITS + UNITS + UNITS * V + V} parameters.
- **Data**: \`scripts/data/next-word.txt\`, ${words.length} words of simple English sentences written for this project
  (vocabulary ${V}: \`<pad>\` = 0, \`<unk>\` = 1, then the ${V - 2} distinct lower-cased words and \`.\` in sorted order).
  Every ${CONTEXT}-word window of the running text (${n} windows) predicts the word after it.
- **Training**: @tensorflow/tfjs ${tf.version.tfjs} CPU backend, seeded Glorot-uniform initial weights (seed ${SEED}), zero biases,
  Adam (learning rate 0.01), sparse categorical cross-entropy, ${EPOCHS} epochs, batch 32, no shuffling. Deterministic.
  Final training loss ${loss.toFixed(4)}, training accuracy ${(accuracy * 100).toFixed(1)}%, about 40 s of CPU
  (it memorises a tiny text; there is no held-out set and it is not a language model of any use beyond the demo).
- **Export**: saved in the Layers format (\`layers/\`), imported with rxrnn's \`importLayersModel\` → \`sequence.onnx\`
  (input \`words\` [batch, ${CONTEXT}] float ids, output \`next_word\` [batch, ${V}]) and \`toStepModel\` → \`model.onnx\`
  (input \`words\` [batch, 1], state \`${binding!.input}\` → \`${binding!.output}\` [1, batch, ${UNITS}], output \`next_word\`).
  Checked in the script: \`sequence.onnx\` on onnxruntime-node vs \`model.predict\` on all windows, max |diff| ${maxDiff.toExponential(2)};
  \`model.onnx\` stepped word by word on the built-in executor vs \`model.predict\`, max |diff| ${maxStepDiff.toExponential(2)}.
- **Card**: \`card.json\` (state binding, per-step input, vocabulary). Try it: \`npx tsx examples/next-word.ts\`.
- **Note**: trained on 5-word windows starting from zero state, so the streaming form's predictions are most meaningful
  from the 5th word on; earlier steps see a shorter history than training did.
`,
);
console.log(`wrote ${OUT}`);
