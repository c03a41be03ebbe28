/**
 * A whole CRNN, the shape of many speech and sensor taggers: spectrogram frames → Conv → BatchNormalization
 * → Relu → MaxPool (time and frequency halved) → frames → LayerNormalization → Dropout → bidirectional
 * LSTM → per-frame Gemm → Softmax, plus a GlobalAveragePool branch as a sequence-level output. The built-in
 * executor and onnxruntime-node run the same bytes; every output must agree at rtol 1e-4 / atol 1e-5 (the
 * per-kernel tests are tighter; here float32 roundings of several layers compound), and it then runs as a
 * stateless window session on both backends.
 */
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../src/onnx/build.js';
import { writeModel } from '../src/onnx/write.js';
import { createStepSession } from '../src/session/step-session.js';
import { tensor, type Tensor } from '../src/tensor.js';
import { uniformFloats } from '../src/text/random.js';
import { expectMatchesOrt, randomTensor, rng } from './kernel-oracle.js';

const T = 20; // frames per window
const F = 16; // frequency bins
const C = 6; // conv channels
const H = 10; // LSTM hidden size per direction
const K = 5; // classes

function crnn(): ReturnType<GraphBuilder['build']> {
  const r = rng(2027);
  const g = new GraphBuilder({ opset: 17 });
  const w = (dims: number[], scale = 0.5): string => g.constant(tensor('float32', dims, uniformFloats(r, dims.reduce((a, b) => a * b, 1), scale)));
  const x = g.input('frames', 'float32', [1, 1, T, F]);
  const conv = g.node('Conv', [x, w([C, 1, 3, 3]), w([C])], { pads: [1, 1, 1, 1] }, ['conv'])[0]!;
  const varPositive = g.constant(tensor('float32', [C], Array.from({ length: C }, () => 0.5 + r())));
  const bn = g.node('BatchNormalization', [conv, w([C], 1), w([C]), w([C]), varPositive], { epsilon: 1e-3 }, ['bn'])[0]!;
  const pooled = g.node('MaxPool', [g.relu(bn)], { kernel_shape: [2, 2], strides: [2, 2] }, ['pooled'])[0]!; // [1, C, T/2, F/2]
  const summary = g.node('GlobalAveragePool', [pooled], {}, ['summary'])[0]!; // [1, C, 1, 1]
  // [1, C, T', F'] → [T', 1, C·F']: one feature vector per pooled frame.
  const frames = g.reshape(g.node('Transpose', [pooled], { perm: [2, 0, 1, 3] }, ['by_time'])[0]!, [T / 2, 1, C * (F / 2)]);
  const normed = g.node('LayerNormalization', [frames, w([C * (F / 2)], 1), w([C * (F / 2)])], { axis: -1 }, ['normed'])[0]!;
  const dropped = g.node('Dropout', [normed], {}, ['dropped'])[0]!;
  const { Y } = g.lstm({ X: dropped, W: w([2, 4 * H, C * (F / 2)], 0.3), R: w([2, 4 * H, H], 0.3), B: w([2, 8 * H], 0.2), hiddenSize: H, direction: 'bidirectional', outputs: ['lstm_y', '', ''] });
  const perFrame = g.reshape(g.node('Transpose', [Y], { perm: [0, 2, 1, 3] }, ['y_frames'])[0]!, [T / 2, 2 * H]);
  const logits = g.gemm(perFrame, w([2 * H, K]), w([K]));
  g.output(g.node('Softmax', [logits], { axis: -1 }, ['tags'])[0]!, 'float32');
  g.output(g.reshape(summary, [1, C]), 'float32');
  return g.build();
}

describe('a CRNN (conv front end, bidirectional LSTM, per-frame tags)', () => {
  it('runs on builtin as onnxruntime-node does, and allocates nothing on a second run', async () => {
    const model = crnn();
    for (const seed of [1, 2, 3]) {
      await expectMatchesOrt(model, { frames: randomTensor(rng(seed), 'float32', [1, 1, T, F], -2, 2) }, { rtol: 1e-4, atol: 1e-5 }, `CRNN seed ${seed}`);
    }
  });

  it('runs through step sessions on builtin and ort-node with the same tags', async () => {
    const bytes = writeModel(crnn());
    const feeds = { frames: randomTensor(rng(9), 'float32', [1, 1, T, F], -2, 2) };
    const outputs: Record<string, Tensor>[] = [];
    for (const backend of ['builtin', 'ort-node'] as const) {
      // No recurrent state crosses windows: every window is one whole sequence, and detection finds no bindings.
      const session = await createStepSession(bytes, { backend });
      expect(session.info.bindings, backend).toEqual([]);
      outputs.push(await session.step(feeds));
      await session.dispose();
    }
    const [ours, ref] = outputs as [Record<string, Tensor>, Record<string, Tensor>];
    const tags = ours.tags!.data as Float32Array;
    const want = ref.tags!.data as Float32Array;
    expect(tags.length).toBe((T / 2) * K);
    for (let i = 0; i < tags.length; i++) expect(Math.abs(tags[i]! - want[i]!), `tag ${i}`).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(want[i]!));
    // Each frame's tags are a distribution.
    for (let f = 0; f < T / 2; f++) expect(tags.subarray(f * K, (f + 1) * K).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });
});
