/**
 * Random RNN / LSTM / GRU models and feeds for the property tests (recurrent-vs-ort.test.ts,
 * kernels-recurrent*.test.ts): every attribute the ONNX operators have, in random mixes, from a seed.
 */
import { GraphBuilder } from '../src/onnx/build.js';
import type { Model } from '../src/ir/graph.js';
import { tensor, type Tensor } from '../src/tensor.js';
import { mulberry32 as rng } from '../src/text/random.js';
export { mulberry32 as rng } from '../src/text/random.js';

export type RecurrentOp = 'RNN' | 'LSTM' | 'GRU';
export type Direction = 'forward' | 'reverse' | 'bidirectional';

export interface RecurrentCase {
  seed: number;
  op: RecurrentOp;
  T: number;
  batch: number;
  input: number;
  hidden: number;
  direction: Direction;
  activations?: string[];
  alpha?: number[];
  beta?: number[];
  clip?: number;
  seqLens?: number[];
  hasB: boolean;
  hasInitialH: boolean;
  hasInitialC: boolean;
  hasP: boolean;
  inputForget?: 0 | 1;
  linearBeforeReset?: 0 | 1;
  /** Which of Y, Y_h (, Y_c) the node produces. */
  outputs: boolean[];
  /** W, R, B, P as initializers (true) or as graph inputs fed at run time (false). */
  weightsAsInitializers: boolean;
  opset: number;
  /** Values, layout 0 ([seq, batch, ...] / [dirs, batch, hidden]). */
  X: Float32Array;
  W: Float32Array;
  R: Float32Array;
  B?: Float32Array;
  P?: Float32Array;
  initialH?: Float32Array;
  initialC?: Float32Array;
}

const ACTS = ['Relu', 'Tanh', 'Sigmoid', 'Affine', 'LeakyRelu', 'ThresholdedRelu', 'ScaledTanh', 'HardSigmoid', 'Elu', 'Softsign', 'Softplus'];
const USES_ALPHA = new Set(['affine', 'leakyrelu', 'thresholdedrelu', 'scaledtanh', 'hardsigmoid', 'elu']);
const USES_BETA = new Set(['affine', 'scaledtanh', 'hardsigmoid']);
const ORT_DEFAULT_DIFFERS = new Set(['affine', 'scaledtanh', 'thresholdedrelu']);
const GATES: Record<RecurrentOp, number> = { RNN: 1, GRU: 3, LSTM: 4 };
const PER_DIR: Record<RecurrentOp, number> = { RNN: 1, GRU: 2, LSTM: 3 };

/** Odd casing as onnxruntime accepts it (it lower-cases names). */
function mangleCase(name: string, r: () => number): string {
  const x = r();
  if (x < 0.6) return name;
  if (x < 0.8) return name.toLowerCase();
  return name.toUpperCase();
}

export interface CaseOptions {
  maxT?: number;
  maxBatch?: number;
  maxInput?: number;
  maxHidden?: number;
}

export function randomCase(seed: number, o: CaseOptions = {}): RecurrentCase {
  const r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const op = pick(['RNN', 'LSTM', 'GRU'] as const);
  const T = int(1, o.maxT ?? 20);
  const batch = int(1, o.maxBatch ?? 5);
  const input = int(1, o.maxInput ?? 12);
  // Mostly small, sometimes past a panel boundary (16) to exercise padding.
  const hidden = r() < 0.8 ? int(1, 20) : int(15, o.maxHidden ?? 40);
  const direction = pick(['forward', 'reverse', 'bidirectional'] as const);
  const D = direction === 'bidirectional' ? 2 : 1;
  const G = GATES[op];

  let activations: string[] | undefined;
  let alpha: number[] | undefined;
  let beta: number[] | undefined;
  if (r() < 0.6) {
    // onnxruntime's LSTM and GRU match names in any case; its RNN only in ONNX spelling.
    // The gate function f of LSTM/GRU is mostly one that stays in [0, 1]: an unbounded gate makes the
    // recurrence expand, and an expanding recurrence amplifies float32 rounding differences between any
    // two correct implementations past the tolerance. Every function still appears as f some of the time.
    activations = Array.from({ length: PER_DIR[op] * D }, (_, i) => {
      const gate = op !== 'RNN' && i % PER_DIR[op] === 0;
      const name = gate && r() < 0.75 ? pick(['Sigmoid', 'HardSigmoid']) : pick(ACTS);
      return op === 'RNN' ? name : mangleCase(name, r);
    });
    // Where a list runs out, ONNX's per-function defaults apply. onnxruntime agrees on LeakyRelu,
    // HardSigmoid and Elu but uses 0 for Affine, ScaledTanh and ThresholdedRelu (whose ONNX defaults are
    // 1/0, 1/1 and 1): cases using those three get full lists here; kernels-recurrent.test.ts checks the
    // defaults themselves.
    const lower = activations.map((a) => a.toLowerCase());
    const nAlpha = lower.filter((a) => USES_ALPHA.has(a)).length;
    const nBeta = lower.filter((a) => USES_BETA.has(a)).length;
    const full = lower.some((a) => ORT_DEFAULT_DIFFERS.has(a));
    if (full || r() < 0.6) alpha = Array.from({ length: full ? nAlpha : int(0, nAlpha) }, () => 0.1 + r() * 1.4);
    if (full || r() < 0.6) beta = Array.from({ length: full ? nBeta : int(0, nBeta) }, () => r() * 1.2 - 0.6);
  }
  const clip = r() < 0.3 ? 0.2 + r() * 3 : undefined;
  // Lengths shorter than the sequence, now and then 0 (a row that runs no step).
  const seqLens = r() < 0.5 ? Array.from({ length: batch }, () => (r() < 0.08 ? 0 : int(1, T))) : undefined;
  // Weights small enough that the recurrence contracts (spectral radius of R about 0.5).
  const scale = 0.9 / Math.sqrt(Math.max(input, hidden));
  const uniform = (n: number, s: number) => Float32Array.from({ length: n }, () => (r() * 2 - 1) * s);
  const c: RecurrentCase = {
    seed,
    op,
    T,
    batch,
    input,
    hidden,
    direction,
    activations,
    alpha,
    beta,
    clip,
    seqLens,
    hasB: r() < 0.7,
    hasInitialH: r() < 0.5,
    hasInitialC: op === 'LSTM' && r() < 0.5,
    hasP: op === 'LSTM' && r() < 0.5,
    inputForget: op === 'LSTM' && r() < 0.3 ? 1 : undefined,
    linearBeforeReset: op === 'GRU' ? (r() < 0.5 ? 1 : 0) : undefined,
    outputs: [],
    weightsAsInitializers: r() < 0.5,
    opset: pick([7, 13, 14, 21]),
    X: uniform(T * batch * input, 1.5),
    W: uniform(D * G * hidden * input, scale),
    R: uniform(D * G * hidden * hidden, scale),
  };
  const nOut = op === 'LSTM' ? 3 : 2;
  do {
    c.outputs = Array.from({ length: nOut }, () => r() < 0.6);
  } while (!c.outputs.some(Boolean));
  if (c.hasB) c.B = uniform(D * 2 * G * hidden, 0.5);
  if (c.hasP) c.P = uniform(D * 3 * hidden, 0.5);
  if (c.hasInitialH) c.initialH = uniform(D * batch * hidden, 0.8);
  if (c.hasInitialC) c.initialC = uniform(D * batch * hidden, 0.8);
  return c;
}

/** The output names in node order (Y, Y_h, Y_c), '' where the case omits one. */
export function outputNames(c: RecurrentCase): string[] {
  const all = ['Y', 'Y_h', 'Y_c'];
  return c.outputs.map((on, i) => (on ? all[i]! : ''));
}

/**
 * The case as a model. `layout` 1 builds the batch-first form (X, Y, initial states and Y_h/Y_c
 * transposed); feeds come from {@link caseFeeds} with the same layout.
 */
export function buildCaseModel(c: RecurrentCase, layout: 0 | 1 = 0): Model {
  const D = c.direction === 'bidirectional' ? 2 : 1;
  const G = GATES[c.op];
  const H = c.hidden;
  const opset = layout === 1 ? Math.max(c.opset, 14) : c.opset;
  const b = new GraphBuilder({ opset, name: `case_${c.seed}` });
  const xDims = layout === 0 ? [c.T, c.batch, c.input] : [c.batch, c.T, c.input];
  const stateDims = layout === 0 ? [D, c.batch, H] : [c.batch, D, H];
  const X = b.input('X', 'float32', xDims);
  const weight = (name: string, dims: number[], data: Float32Array) =>
    c.weightsAsInitializers ? b.initializer(name, tensor('float32', dims, data)) : b.input(name, 'float32', dims);
  const W = weight('W', [D, G * H, c.input], c.W);
  const R = weight('R', [D, G * H, H], c.R);
  const B = c.B ? weight('B', [D, 2 * G * H], c.B) : undefined;
  const P = c.P ? weight('P', [D, 3 * H], c.P) : undefined;
  const sequenceLens = c.seqLens ? b.input('sequence_lens', 'int32', [c.batch]) : undefined;
  const initialH = c.initialH ? b.input('initial_h', 'float32', stateDims) : undefined;
  const initialC = c.initialC ? b.input('initial_c', 'float32', stateDims) : undefined;
  const common = {
    X,
    W,
    R,
    B,
    sequenceLens,
    initialH,
    hiddenSize: H,
    direction: c.direction,
    activations: c.activations,
    activationAlpha: c.alpha,
    activationBeta: c.beta,
    clip: c.clip,
    layout: layout === 1 ? (1 as const) : undefined,
    outputs: outputNames(c),
  };
  if (c.op === 'RNN') b.rnn(common);
  else if (c.op === 'GRU') b.gru({ ...common, linearBeforeReset: c.linearBeforeReset });
  else b.lstm({ ...common, initialC, P, inputForget: c.inputForget });
  for (const name of outputNames(c)) if (name !== '') b.output(name, 'float32');
  return b.build();
}

/** Transposes the first two axes of a row-major [a, b, rest] array. */
export function swap01(data: Float32Array, a: number, b: number, rest: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) for (let k = 0; k < rest; k++) out[(j * a + i) * rest + k] = data[(i * b + j) * rest + k]!;
  return out;
}

/** Graph feeds for the case (weights included when they are graph inputs). */
export function caseFeeds(c: RecurrentCase, layout: 0 | 1 = 0): Record<string, Tensor> {
  const D = c.direction === 'bidirectional' ? 2 : 1;
  const G = GATES[c.op];
  const H = c.hidden;
  const feeds: Record<string, Tensor> = {};
  feeds.X =
    layout === 0
      ? tensor('float32', [c.T, c.batch, c.input], c.X.slice())
      : tensor('float32', [c.batch, c.T, c.input], swap01(c.X, c.T, c.batch, c.input));
  const state = (v: Float32Array) =>
    layout === 0 ? tensor('float32', [D, c.batch, H], v.slice()) : tensor('float32', [c.batch, D, H], swap01(v, D, c.batch, H));
  if (c.initialH) feeds.initial_h = state(c.initialH);
  if (c.initialC) feeds.initial_c = state(c.initialC);
  if (c.seqLens) feeds.sequence_lens = tensor('int32', [c.batch], Int32Array.from(c.seqLens));
  if (!c.weightsAsInitializers) {
    feeds.W = tensor('float32', [D, G * H, c.input], c.W.slice());
    feeds.R = tensor('float32', [D, G * H, H], c.R.slice());
    if (c.B) feeds.B = tensor('float32', [D, 2 * G * H], c.B.slice());
    if (c.P) feeds.P = tensor('float32', [D, 3 * H], c.P.slice());
  }
  return feeds;
}

/** A one-line description for failure messages. */
export function describeCase(c: RecurrentCase): string {
  const { X: _x, W: _w, R: _r, B: _b, P: _p, initialH: _h, initialC: _c, ...rest } = c;
  return JSON.stringify(rest);
}
