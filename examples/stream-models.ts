/**
 * Small recurrent models for the stream examples, built with the graph builder. Weights are seeded, so every
 * run is the same; they are untrained, so the examples show the plumbing, not accuracy.
 */
import { GraphBuilder } from '../src/onnx/build.js';
import type { Model } from '../src/ir/graph.js';
import type { ModelCard } from '../src/session/card.js';
import { sizeOf, tensor } from '../src/tensor.js';
import { seededRandom, uniformFloats } from '../src/text/random.js';

function weights(rand: () => number, dims: number[], scale: number) {
  return tensor('float32', dims, uniformFloats(rand, sizeOf(dims), scale));
}

/**
 * A GRU step model with a linear head: x [1, batch, input] and h [1, batch, hidden] → out [batch, classes],
 * hn. Used as a frame tagger, a sequence classifier, an encoder (its hn is the summary) and, with one-hot
 * token input and vocabulary-sized output, a token language model or decoder.
 */
export function gruStep(name: string, sizes: { input: number; hidden: number; classes: number }, seed: number): { model: Model; card: ModelCard } {
  const { input: I, hidden: H, classes: K } = sizes;
  const rand = seededRandom(seed);
  const b = new GraphBuilder({ opset: 17, name });
  const x = b.input('x', 'float32', [1, 'batch', I]);
  const h = b.input('h', 'float32', [1, 'batch', H]);
  const g = b.gru({
    X: x,
    W: b.initializer('W', weights(rand, [1, 3 * H, I], 0.6)),
    R: b.initializer('R', weights(rand, [1, 3 * H, H], 0.6)),
    B: b.initializer('B', weights(rand, [1, 6 * H], 0.2)),
    initialH: h,
    hiddenSize: H,
    linearBeforeReset: 1,
    outputs: ['', 'hn'],
  });
  const top = b.squeeze(g.Y_h, [0]);
  const [out] = b.node('Gemm', [top, b.initializer('Wout', weights(rand, [H, K], 1.5)), b.initializer('bout', weights(rand, [K], 0.3))], {}, ['out']);
  b.output(out!, 'float32', ['batch', K]);
  b.output('hn', 'float32', [1, 'batch', H]);
  const card: ModelCard = {
    format: 'rxrnn-model-card/1',
    name,
    description: `GRU ${I} → ${H} with a linear head to ${K}; seeded random weights (examples/stream-models.ts).`,
    state: [{ input: 'h', output: 'hn', batchAxis: 1, meaning: 'GRU hidden state' }],
    inputs: [{ name: 'x', batchAxis: 1, frame: I, meaning: 'one frame (or one-hot token)' }],
    outputs: { out: { meaning: 'scores / logits', batchAxis: 0 } },
  };
  return { model: b.build(), card };
}

/**
 * A bidirectional LSTM tagger over a whole window: X [time, 1, input] → tags [time, 2 directions, 1,
 * hidden]. No state inputs: each run starts from zeros, which is what `window`'s per-window mode expects.
 */
export function biLstmWindow(sizes: { input: number; hidden: number }, seed: number): { model: Model; card: ModelCard } {
  const { input: I, hidden: H } = sizes;
  const rand = seededRandom(seed);
  const b = new GraphBuilder({ opset: 17, name: 'bilstm_window' });
  const x = b.input('x', 'float32', ['time', 1, I]);
  b.lstm({
    X: x,
    W: b.initializer('W', weights(rand, [2, 4 * H, I], 0.5)),
    R: b.initializer('R', weights(rand, [2, 4 * H, H], 0.5)),
    B: b.initializer('B', weights(rand, [2, 8 * H], 0.1)),
    hiddenSize: H,
    direction: 'bidirectional',
    outputs: ['y', '', ''],
  });
  b.output('y', 'float32', ['time', 2, 1, H]);
  const card: ModelCard = {
    format: 'rxrnn-model-card/1',
    name: 'bilstm-window',
    description: `Bidirectional LSTM ${I} → 2×${H} over a window; seeded random weights (examples/stream-models.ts).`,
    state: [],
    inputs: [{ name: 'x', batchAxis: 1, meaning: 'a window of frames, time first' }],
    outputs: { y: { meaning: 'per-frame features of both directions', batchAxis: 2 } },
  };
  return { model: b.build(), card };
}
