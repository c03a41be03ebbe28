/**
 * Builds the project's step models with the graph builder, each with a model card:
 *   models/lstm2-step/  a 2-layer LSTM step model (h and c of both layers as inputs and outputs)
 *   models/gru-step/    a GRU step model (linear_before_reset = 1, as PyTorch and Keras export it)
 * Weights are seeded uniform random, so the files are reproducible: `npx tsx scripts/build-step-models.ts`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GraphBuilder } from '../src/onnx/build.js';
import { writeModel } from '../src/onnx/write.js';
import type { Model } from '../src/ir/graph.js';
import type { ModelCard } from '../src/session/card.js';
import { sizeOf, tensor } from '../src/tensor.js';
import { mulberry32 as rng, uniformFloats } from '../src/text/random.js';

function weights(rand: () => number, dims: number[], scale: number) {
  return tensor('float32', dims, uniformFloats(rand, sizeOf(dims), scale));
}

export const LSTM2 = { input: 16, hidden: 32, classes: 8 } as const;
export const GRU1 = { input: 12, hidden: 24, classes: 4 } as const;

/** Two stacked single-step LSTMs and a softmax head; `batch` is symbolic everywhere. */
export function buildLstm2Step(seed = 1): Model {
  const { input: I, hidden: H, classes: K } = LSTM2;
  const rand = rng(seed);
  const b = new GraphBuilder({ opset: 17, name: 'lstm2_step', producerName: 'rxrnn scripts/build-step-models.ts' });
  const x = b.input('x', 'float32', [1, 'batch', I]);
  const state = (name: string) => b.input(name, 'float32', [1, 'batch', H]);
  const h0 = state('h0_in');
  const c0 = state('c0_in');
  const h1 = state('h1_in');
  const c1 = state('c1_in');
  const l0 = b.lstm({
    X: x,
    W: b.initializer('W0', weights(rand, [1, 4 * H, I], 0.3)),
    R: b.initializer('R0', weights(rand, [1, 4 * H, H], 0.3)),
    B: b.initializer('B0', weights(rand, [1, 8 * H], 0.1)),
    initialH: h0,
    initialC: c0,
    hiddenSize: H,
    outputs: ['y0', 'h0_out', 'c0_out'],
  });
  const x1 = b.squeeze(l0.Y, [1]); // [seq=1, dirs=1, batch, H] → [1, batch, H]
  const l1 = b.lstm({
    X: x1,
    W: b.initializer('W1', weights(rand, [1, 4 * H, H], 0.3)),
    R: b.initializer('R1', weights(rand, [1, 4 * H, H], 0.3)),
    B: b.initializer('B1', weights(rand, [1, 8 * H], 0.1)),
    initialH: h1,
    initialC: c1,
    hiddenSize: H,
    outputs: ['y1', 'h1_out', 'c1_out'],
  });
  const top = b.squeeze(l1.Y, [0, 1]); // → [batch, H]
  const logits = b.gemm(top, b.initializer('Wout', weights(rand, [K, H], 0.5)), b.initializer('bout', weights(rand, [K], 0.1)), { transB: 1 });
  const [probs] = b.node('Softmax', [logits], { axis: -1 }, ['probs']);
  b.output(probs!, 'float32', ['batch', K]);
  for (const s of ['h0_out', 'c0_out', 'h1_out', 'c1_out']) b.output(s, 'float32', [1, 'batch', H]);
  return b.build();
}

export const LSTM2_CARD: ModelCard = {
  format: 'rxrnn-model-card/1',
  name: 'lstm2-step',
  description: 'A 2-layer LSTM (16 → 32 → 32) stepped one frame at a time, with a softmax over 8 classes. Seeded random weights: a test and benchmark model.',
  source: 'scripts/build-step-models.ts',
  license: 'Apache-2.0',
  state: [
    { input: 'h0_in', output: 'h0_out', batchAxis: 1, meaning: 'layer 1 hidden state' },
    { input: 'c0_in', output: 'c0_out', batchAxis: 1, meaning: 'layer 1 cell state' },
    { input: 'h1_in', output: 'h1_out', batchAxis: 1, meaning: 'layer 2 hidden state' },
    { input: 'c1_in', output: 'c1_out', batchAxis: 1, meaning: 'layer 2 cell state' },
  ],
  inputs: [{ name: 'x', batchAxis: 1, frame: LSTM2.input, meaning: 'one 16-dimensional feature frame' }],
  outputs: { probs: { meaning: 'class probabilities', batchAxis: 0, labels: ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'] } },
  labels: ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'],
};

/** One single-step GRU and a linear head. */
export function buildGruStep(seed = 2): Model {
  const { input: I, hidden: H, classes: K } = GRU1;
  const rand = rng(seed);
  const b = new GraphBuilder({ opset: 17, name: 'gru_step', producerName: 'rxrnn scripts/build-step-models.ts' });
  const x = b.input('x', 'float32', [1, 'batch', I]);
  const h = b.input('h', 'float32', [1, 'batch', H]);
  const g = b.gru({
    X: x,
    W: b.initializer('W', weights(rand, [1, 3 * H, I], 0.4)),
    R: b.initializer('R', weights(rand, [1, 3 * H, H], 0.4)),
    B: b.initializer('B', weights(rand, [1, 6 * H], 0.1)),
    initialH: h,
    hiddenSize: H,
    linearBeforeReset: 1,
    outputs: ['', 'hn'],
  });
  const top = b.squeeze(g.Y_h, [0]); // [1, batch, H] → [batch, H]
  const [logits] = b.node('MatMul', [top, b.initializer('Wout', weights(rand, [H, K], 0.5))], {}, ['logits']);
  b.output(logits!, 'float32', ['batch', K]);
  b.output('hn', 'float32', [1, 'batch', H]);
  return b.build();
}

export const GRU_CARD: ModelCard = {
  format: 'rxrnn-model-card/1',
  name: 'gru-step',
  description: 'A GRU (12 → 24, linear_before_reset = 1) stepped one frame at a time, with a linear head to 4 logits. Seeded random weights: a test and benchmark model.',
  source: 'scripts/build-step-models.ts',
  license: 'Apache-2.0',
  state: [{ input: 'h', output: 'hn', batchAxis: 1, meaning: 'GRU hidden state' }],
  inputs: [{ name: 'x', batchAxis: 1, frame: GRU1.input, meaning: 'one 12-dimensional feature frame' }],
  outputs: { logits: { meaning: 'unnormalised class scores', batchAxis: 0 } },
};

function save(dir: string, model: Model, card: ModelCard): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.onnx'), writeModel(model));
  writeFileSync(join(dir, 'model.card.json'), `${JSON.stringify({ $schema: '../../schemas/model-card.schema.json', ...card }, null, 2)}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  save(join(root, 'models/lstm2-step'), buildLstm2Step(), LSTM2_CARD);
  save(join(root, 'models/gru-step'), buildGruStep(), GRU_CARD);
  console.log('wrote models/lstm2-step and models/gru-step');
}
