/**
 * The benchmark's models: single-layer LSTM and GRU step models (one frame in, state carried by the
 * session) built with the graph builder from seeded random weights, and Silero VAD v5 as shipped in
 * `@ricky0123/vad-web`. The raw weights are kept so that the TensorFlow.js peer can run the same network.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { SILERO_V5_PACKAGE_PATH, sileroV5Card } from '../src/audio/silero-vad.js';
import { GraphBuilder } from '../src/onnx/build.js';
import { writeModel } from '../src/onnx/write.js';
import type { ModelCard } from '../src/session/card.js';
import { tensor } from '../src/tensor.js';
import { mulberry32, uniformFloats } from '../src/text/random.js';

export type Cell = 'lstm' | 'gru';

/** A recurrent step model: ONNX bytes, its card, and the ONNX-layout weights it was built from. */
export interface StepModel {
  cell: Cell;
  input: number;
  hidden: number;
  bytes: Uint8Array;
  card: ModelCard;
  /** ONNX layout: W [gates·H, I], R [gates·H, H], B [2·gates·H] (Wb then Rb); gates iofc (LSTM) or zrh (GRU). */
  W: Float32Array;
  R: Float32Array;
  B: Float32Array;
}

/**
 * A one-layer step model: `x` [1, batch, I] and the state in, the new state out (`hn`, and `cn` for LSTM).
 * Weights are scaled by 1/√fan-in, as common initialisers do, so the state stays in range over long runs.
 * The GRU uses linear_before_reset = 0, the formula TensorFlow.js's GRU (reset_after false) computes, so the
 * peer runs the same math.
 */
export function buildStepModel(cell: Cell, input: number, hidden: number, seed = 7): StepModel {
  const G = cell === 'lstm' ? 4 : 3;
  const rand = mulberry32(seed + input * 1009 + hidden);
  const W = uniformFloats(rand, G * hidden * input, 1 / Math.sqrt(input));
  const R = uniformFloats(rand, G * hidden * hidden, 1 / Math.sqrt(hidden));
  const B = uniformFloats(rand, 2 * G * hidden, 0.1);
  const b = new GraphBuilder({ opset: 17, name: `${cell}_step_${input}x${hidden}`, producerName: 'rxrnn bench' });
  const X = b.input('x', 'float32', [1, 'batch', input]);
  const h = b.input('h', 'float32', [1, 'batch', hidden]);
  const common = {
    X,
    W: b.initializer('W', tensor('float32', [1, G * hidden, input], W)),
    R: b.initializer('R', tensor('float32', [1, G * hidden, hidden], R)),
    B: b.initializer('B', tensor('float32', [1, 2 * G * hidden], B)),
    initialH: h,
    hiddenSize: hidden,
  };
  const state = [{ input: 'h', output: 'hn', batchAxis: 1 }];
  if (cell === 'lstm') {
    const c = b.input('c', 'float32', [1, 'batch', hidden]);
    b.lstm({ ...common, initialC: c, outputs: ['', 'hn', 'cn'] });
    b.output('hn', 'float32', [1, 'batch', hidden]);
    b.output('cn', 'float32', [1, 'batch', hidden]);
    state.push({ input: 'c', output: 'cn', batchAxis: 1 });
  } else {
    b.gru({ ...common, linearBeforeReset: 0, outputs: ['', 'hn'] });
    b.output('hn', 'float32', [1, 'batch', hidden]);
  }
  const card: ModelCard = {
    format: 'rxrnn-model-card/1',
    name: `bench-${cell}-${input}x${hidden}`,
    description: `A one-layer ${cell.toUpperCase()} step model (${input} → ${hidden}) with seeded random weights, for benchmarks.`,
    license: 'Apache-2.0',
    state,
    inputs: [{ name: 'x', batchAxis: 1, frame: input }],
  };
  return { cell, input, hidden, bytes: writeModel(b.build()), card, W, R, B };
}

/** `count` frames of `size` values in [-1, 1], made once so the timed loop allocates nothing. */
export function makeFrames(count: number, size: number, seed = 99): Float32Array[] {
  const rand = mulberry32(seed + size);
  return Array.from({ length: count }, () => uniformFloats(rand, size, 1));
}

/** Silero VAD v5 at 16 kHz: the file's bytes and the card that makes a session feed it as its authors do. */
export function sileroV5(): { bytes: Uint8Array; card: ModelCard; chunk: number; context: number } {
  const path = createRequire(import.meta.url).resolve(SILERO_V5_PACKAGE_PATH);
  return { bytes: new Uint8Array(readFileSync(path)), card: sileroV5Card(16000), chunk: 512, context: 64 };
}

/** Chunks of a speech-like test signal (a gliding tone with noise bursts) at 16 kHz. */
export function audioChunks(count: number, chunk: number): Float32Array[] {
  const rand = mulberry32(1234);
  return Array.from({ length: count }, (_, k) => {
    const a = new Float32Array(chunk);
    for (let i = 0; i < chunk; i++) {
      const t = (k * chunk + i) / 16000;
      const voiced = Math.floor(t * 3) % 2 === 0;
      a[i] = (voiced ? 0.3 * Math.sin(2 * Math.PI * (150 + 50 * Math.sin(t)) * t) : 0) + 0.02 * (rand() * 2 - 1);
    }
    return a;
  });
}
