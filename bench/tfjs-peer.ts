/**
 * The peer people use today: TensorFlow.js (`@tensorflow/tfjs`, the pure-JS `cpu` backend in Node) with a
 * stateful `tf.layers.lstm` / `tf.layers.gru`, batchInputShape [1, 1, input], `predict` once per step.
 *
 * It is loaded with the very weights of the ONNX step model, so its outputs are checked against
 * onnxruntime's like every other engine's: both gate orders are mapped here (ONNX LSTM iofc → Keras ifco;
 * GRU zrh in both), and ONNX's two bias vectors are summed into Keras's one (for the GRU that is exact
 * because linear_before_reset = 0, i.e. Keras reset_after = false). Recurrent activation is set to
 * `sigmoid`: TensorFlow.js defaults to hard sigmoid.
 */
import type * as TF from '@tensorflow/tfjs';
import type { StepModel } from './models.js';

let tfLoading: Promise<typeof TF> | undefined;

/** Imports TensorFlow.js once (it is a dev dependency, and slow to load). */
export function loadTf(): Promise<typeof TF> {
  tfLoading ??= import('@tensorflow/tfjs').then(async (tf) => {
    await tf.setBackend('cpu');
    await tf.ready();
    return tf;
  });
  return tfLoading;
}

/** Keras gate index → ONNX gate index. */
const LSTM_GATES = [0, 2, 3, 1]; // Keras i f c o ← ONNX i o f c
const GRU_GATES = [0, 1, 2]; // Keras z r h ← ONNX z r h

/** ONNX W [G·H, K] (one gate block after another) → Keras kernel [K, G·H] with Keras gate order. */
function toKerasKernel(w: Float32Array, gates: number[], H: number, K: number): Float32Array {
  const G = gates.length;
  const out = new Float32Array(K * G * H);
  for (let kg = 0; kg < G; kg++) {
    const og = gates[kg]!;
    for (let j = 0; j < H; j++) for (let r = 0; r < K; r++) out[r * G * H + kg * H + j] = w[(og * H + j) * K + r]!;
  }
  return out;
}

function toKerasBias(b: Float32Array, gates: number[], H: number): Float32Array {
  const G = gates.length;
  const out = new Float32Array(G * H);
  for (let kg = 0; kg < G; kg++) {
    const og = gates[kg]!;
    for (let j = 0; j < H; j++) out[kg * H + j] = b[og * H + j]! + b[G * H + og * H + j]!;
  }
  return out;
}

/** A stateful TensorFlow.js model stepping the same network as `model`, one frame per `predict`. */
export interface TfPeer {
  /** One step on frame `k` of the frames given at creation; returns the new h (valid until the next step). */
  step(k: number): Float32Array;
  reset(): void;
  dispose(): void;
  /** Tensors tf.js holds (flat in steady state, or the peer leaks). */
  numTensors(): number;
}

export async function createTfPeer(model: StepModel, frames: readonly Float32Array[]): Promise<TfPeer> {
  const tf = await loadTf();
  const { cell, input: I, hidden: H } = model;
  const gates = cell === 'lstm' ? LSTM_GATES : GRU_GATES;
  const seq = tf.sequential();
  const common = {
    units: H,
    stateful: true,
    batchInputShape: [1, 1, I],
    recurrentActivation: 'sigmoid' as const,
    // Zeros: the real weights are set just below, and tf.js's orthogonal initialiser is slow at 512.
    kernelInitializer: 'zeros' as const,
    recurrentInitializer: 'zeros' as const,
  };
  // tf.layers.gru has no reset_after (it is always false): the formula of ONNX linear_before_reset = 0.
  seq.add(cell === 'lstm' ? tf.layers.lstm(common) : tf.layers.gru(common));
  const layer = seq.layers[0]!;
  const weights = [
    tf.tensor2d(toKerasKernel(model.W, gates, H, I), [I, gates.length * H]),
    tf.tensor2d(toKerasKernel(model.R, gates, H, H), [H, gates.length * H]),
    tf.tensor1d(toKerasBias(model.B, gates, H)),
  ];
  layer.setWeights(weights);
  for (const w of weights) w.dispose();
  const xs = frames.map((f) => tf.tensor3d(f, [1, 1, I]));
  const out = new Float32Array(H);
  return {
    step(k) {
      const y = seq.predict(xs[k % xs.length]!) as TF.Tensor;
      out.set(y.dataSync() as Float32Array);
      y.dispose();
      return out;
    },
    reset() {
      seq.resetStates();
    },
    dispose() {
      for (const x of xs) x.dispose();
      seq.dispose();
    },
    numTensors: () => tf.memory().numTensors,
  };
}
