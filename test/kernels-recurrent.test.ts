/**
 * RNN / LSTM / GRU kernels: the official ONNX conformance cases of the three families, the activation
 * defaults (checked against a scalar float64 reference written from the ONNX text), sequence_lens edge
 * cases, typed errors for bad inputs, and allocation-free steady-state runs.
 *
 * Tolerances: conformance rtol 1e-3 / atol 1e-7 (the ONNX runner's defaults; stricter than issue 2's 1e-5); float64 reference
 * rtol 1e-5 / atol 1e-6 (float32 rounding over a few steps); onnxruntime comparisons rtol 1e-4 / atol 1e-5.
 */
import { readFileSync, readdirSync } from 'node:fs';
import v8 from 'node:v8';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { KernelError } from '../src/errors.js';
import { createExecutor } from '../src/executor/executor.js';
import { GraphBuilder, attr } from '../src/onnx/build.js';
import { readModel, readTensor } from '../src/onnx/read.js';
import { writeModel } from '../src/onnx/write.js';
import { tensor, type Tensor } from '../src/tensor.js';
import type { Model } from '../src/ir/graph.js';
import { createRecurrentRunner } from './recurrent-harness.js';
import { setRecurrentMatmulImpl } from '../src/executor/kernels/recurrent/workspace.js';
import { rng } from './recurrent-random-models.js';
import { ONNX_NODE_CASES } from './conformance-data.js';

const CONFORMANCE = ONNX_NODE_CASES;
const CASES = [
  'test_gru_defaults',
  'test_gru_seq_length',
  'test_gru_with_initial_bias',
  'test_lstm_batchwise',
  'test_lstm_defaults',
  'test_lstm_with_peepholes',
  'test_simple_rnn_batchwise',
  'test_simple_rnn_defaults',
  'test_simple_rnn_with_initial_bias',
];

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number, what: string): void {
  expect(actual.length, `${what} length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) expect.fail(`${what}[${i}]: got ${a}, expected ${e}`);
  }
}

describe.each(['wasm', 'js'] as const)('ONNX conformance cases (%s matrix product)', (impl) => {
  it.each(CASES)('%s', (name) => {
    setRecurrentMatmulImpl(impl);
    try {
      const dir = join(CONFORMANCE, name);
      const model = readModel(readFileSync(join(dir, 'model.onnx')));
      const data = join(dir, 'test_data_set_0');
      const files = readdirSync(data);
      const feeds: Record<string, Tensor> = {};
      model.graph.inputs.forEach((vi, i) => {
        if (files.includes(`input_${i}.pb`)) feeds[vi.name] = readTensor(readFileSync(join(data, `input_${i}.pb`)));
      });
      const got = createRecurrentRunner(model).run(feeds);
      model.graph.outputs.forEach((vi, i) => {
        const expected = readTensor(readFileSync(join(data, `output_${i}.pb`)));
        const t = got[vi.name];
        expect(t, vi.name).toBeDefined();
        expect([...t!.dims]).toEqual([...expected.dims]);
        close(t!.data as Float32Array, expected.data as Float32Array, 1e-3, 1e-7, vi.name);
      });
    } finally {
      setRecurrentMatmulImpl('auto');
    }
  });
});

// ---- activation defaults --------------------------------------------------------------------------

/** The eleven functions as the ONNX operator text defines them, in float64. */
const REF: Record<string, (x: number, a: number, b: number) => number> = {
  relu: (x) => Math.max(0, x),
  tanh: (x) => Math.tanh(x),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  affine: (x, a, b) => a * x + b,
  leakyrelu: (x, a) => (x >= 0 ? x : a * x),
  thresholdedrelu: (x, a) => (x >= a ? x : 0),
  scaledtanh: (x, a, b) => a * Math.tanh(b * x),
  hardsigmoid: (x, a, b) => Math.min(Math.max(a * x + b, 0), 1),
  elu: (x, a) => (x >= 0 ? x : a * (Math.exp(x) - 1)),
  softsign: (x) => x / (1 + Math.abs(x)),
  softplus: (x) => Math.log(1 + Math.exp(x)),
};
/** ONNX defaults of the standalone operators of the same names: [alpha, beta], undefined where unused. */
const DEFAULTS: Record<string, [number | undefined, number | undefined]> = {
  relu: [undefined, undefined],
  tanh: [undefined, undefined],
  sigmoid: [undefined, undefined],
  affine: [1, 0],
  leakyrelu: [0.01, undefined],
  thresholdedrelu: [1, undefined],
  scaledtanh: [1, 1],
  hardsigmoid: [0.2, 0.5],
  elu: [1, undefined],
  softsign: [undefined, undefined],
  softplus: [undefined, undefined],
};

/**
 * A one-step RNN with W = identity·1, R = 0, no bias: Y = f(x). With the alphas/betas lists given,
 * functions consume them in order; missing entries take the defaults.
 */
function rnnActivationModel(acts: string[], alphas: number[] | undefined, betas: number[] | undefined, n: number): Model {
  const b = new GraphBuilder({ opset: 14 });
  const D = acts.length;
  const X = b.input('X', 'float32', [1, 1, n]);
  const eye = new Float32Array(D * n * n);
  for (let d = 0; d < D; d++) for (let i = 0; i < n; i++) eye[d * n * n + i * n + i] = 1;
  const W = b.initializer('W', tensor('float32', [D, n, n], eye));
  const R = b.initializer('R', tensor('float32', [D, n, n]));
  b.rnn({
    X, W, R, hiddenSize: n, direction: D === 2 ? 'bidirectional' : 'forward',
    activations: acts, activationAlpha: alphas, activationBeta: betas, outputs: ['', 'Y_h'],
  });
  b.output('Y_h', 'float32');
  return b.build();
}

describe('activations', () => {
  const xs = Float32Array.from([-3, -1.5, -0.6, -0.05, 0, 0.05, 0.4, 0.9, 1.2, 2.5, 4]);
  it.each(Object.keys(REF))('%s with ONNX defaults and with explicit alpha/beta', (name) => {
    const [da, db] = DEFAULTS[name]!;
    const eval1 = (alphas: number[] | undefined, betas: number[] | undefined, a: number, b: number) => {
      const runner = createRecurrentRunner(rnnActivationModel([name], alphas, betas, xs.length));
      const y = runner.run({ X: tensor('float32', [1, 1, xs.length], xs) }).Y_h!.data as Float32Array;
      close(y, Array.from(xs, (x) => Math.fround(REF[name]!(x, a, b))), 1e-5, 1e-6, name);
    };
    eval1(undefined, undefined, da ?? 0, db ?? 0);
    const a = Math.fround(0.7);
    const bb = Math.fround(-0.3);
    eval1(da === undefined ? undefined : [a], db === undefined ? undefined : [bb], da === undefined ? 0 : a, db === undefined ? 0 : bb);
  });

  it('alpha/beta lists are consumed in order across the functions, across directions', () => {
    // Forward: LeakyRelu takes alpha[0]; reverse: HardSigmoid takes alpha[1] and beta[0].
    const n = xs.length;
    const runner = createRecurrentRunner(rnnActivationModel(['LeakyRelu', 'HardSigmoid'], [0.3, 0.1], [0.6], n));
    const y = runner.run({ X: tensor('float32', [1, 1, n], xs) }).Y_h!.data as Float32Array;
    const f32 = (v: number) => Math.fround(v);
    close(y.subarray(0, n), Array.from(xs, (x) => f32(REF.leakyrelu!(x, f32(0.3), 0))), 1e-5, 1e-6, 'forward');
    close(y.subarray(n), Array.from(xs, (x) => f32(REF.hardsigmoid!(x, f32(0.1), f32(0.6)))), 1e-5, 1e-6, 'reverse');
  });

  it('names are matched case-insensitively', () => {
    const n = xs.length;
    const y1 = createRecurrentRunner(rnnActivationModel(['softSIGN'], undefined, undefined, n)).run({ X: tensor('float32', [1, 1, n], xs) });
    close(y1.Y_h!.data as Float32Array, Array.from(xs, (x) => Math.fround(REF.softsign!(x, 0, 0))), 1e-6, 1e-7, 'softsign');
  });

  it('an unknown activation is a KernelError at create that lists the valid names', () => {
    expect(() => createRecurrentRunner(rnnActivationModel(['Swish'], undefined, undefined, 2))).toThrow(KernelError);
    expect(() => createRecurrentRunner(rnnActivationModel(['Swish'], undefined, undefined, 2))).toThrow(/unknown activation 'Swish'.*hardsigmoid/);
  });
});

// ---- sequence_lens, errors, allocation ---------------------------------------------------------------

function lstmModel(opts: { T: number; B: number; I: number; H: number; direction?: 'forward' | 'reverse' | 'bidirectional'; seqLens?: boolean; seed?: number }): Model {
  const { T, B, I, H } = opts;
  const D = opts.direction === 'bidirectional' ? 2 : 1;
  const r = rng(opts.seed ?? 7);
  const rand = (n: number, s: number) => Float32Array.from({ length: n }, () => (r() * 2 - 1) * s);
  const b = new GraphBuilder({ opset: 21 });
  const X = b.input('X', 'float32', [T, B, I]);
  const W = b.initializer('W', tensor('float32', [D, 4 * H, I], rand(D * 4 * H * I, 0.4)));
  const R = b.initializer('R', tensor('float32', [D, 4 * H, H], rand(D * 4 * H * H, 0.4)));
  const Bb = b.initializer('B', tensor('float32', [D, 8 * H], rand(D * 8 * H, 0.3)));
  const sequenceLens = opts.seqLens ? b.input('sequence_lens', 'int32', [B]) : undefined;
  const initialH = b.input('initial_h', 'float32', [D, B, H]);
  b.lstm({ X, W, R, B: Bb, sequenceLens, initialH, hiddenSize: H, direction: opts.direction, outputs: ['Y', 'Y_h', 'Y_c'] });
  b.output('Y', 'float32');
  b.output('Y_h', 'float32');
  b.output('Y_c', 'float32');
  return b.build();
}

async function ortRun(model: Model, feeds: Record<string, Tensor>): Promise<Record<string, Float32Array>> {
  const s = await ort.InferenceSession.create(writeModel(model), { intraOpNumThreads: 1 });
  const f: Record<string, ort.Tensor> = {};
  for (const [k, t] of Object.entries(feeds)) f[k] = new ort.Tensor(t.dtype, t.data as never, t.dims as number[]);
  const out = await s.run(f);
  await s.release();
  return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, (t.data as Float32Array).slice()]));
}

describe('sequence_lens', () => {
  it('a row of length 0 emits zeros in Y and a zero Y_h / Y_c, as onnxruntime does', async () => {
    const [T, B, I, H] = [4, 3, 3, 5];
    const model = lstmModel({ T, B, I, H, direction: 'bidirectional', seqLens: true });
    const r = rng(3);
    const feeds = {
      X: tensor('float32', [T, B, I], Float32Array.from({ length: T * B * I }, () => r() * 2 - 1)),
      initial_h: tensor('float32', [2, B, H], Float32Array.from({ length: 2 * B * H }, () => r() - 0.5)),
      sequence_lens: tensor('int32', [B], Int32Array.from([4, 0, 2])),
    };
    const got = createRecurrentRunner(model).run(feeds);
    const want = await ortRun(model, feeds);
    for (const name of ['Y', 'Y_h', 'Y_c']) close(got[name]!.data as Float32Array, want[name]!, 1e-4, 1e-5, name);
  });

  it('a length outside [0, seq_length] is a KernelError naming the row', () => {
    const model = lstmModel({ T: 3, B: 2, I: 2, H: 2, seqLens: true });
    const runner = createRecurrentRunner(model);
    const feeds = {
      X: tensor('float32', [3, 2, 2]),
      initial_h: tensor('float32', [1, 2, 2]),
      sequence_lens: tensor('int32', [2], Int32Array.from([3, 4])),
    };
    expect(() => runner.run(feeds)).toThrow(KernelError);
    expect(() => runner.run(feeds)).toThrow(/sequence_lens\[1\] = 4 is outside \[0, 3\]/);
  });
});

describe('bad inputs are KernelErrors that say what was expected', () => {
  const model = lstmModel({ T: 2, B: 2, I: 3, H: 4 });
  it('X with the wrong input size', () => {
    const runner = createRecurrentRunner(model);
    expect(() => runner.run({ X: tensor('float32', [2, 2, 5]), initial_h: tensor('float32', [1, 2, 4]) })).toThrow(
      /input size 5.*input size 3/,
    );
  });
  it('initial_h with the wrong shape', () => {
    const runner = createRecurrentRunner(model);
    expect(() => runner.run({ X: tensor('float32', [2, 2, 3]), initial_h: tensor('float32', [1, 3, 4]) })).toThrow(
      /initial_h must have dims \[1, 2, 4\], got \[1, 3, 4\]/,
    );
  });
  it('X of rank 2 and X of another dtype', () => {
    const runner = createRecurrentRunner(model);
    expect(() => runner.run({ X: tensor('float32', [2, 3]), initial_h: tensor('float32', [1, 2, 4]) })).toThrow(/rank 3/);
    expect(() => runner.run({ X: tensor('float64', [2, 2, 3]), initial_h: tensor('float32', [1, 2, 4]) })).toThrow(/float32/);
  });
  it('a float64 model is declined when the executor plans it, naming the input and the other backends', () => {
    const b = new GraphBuilder({ opset: 21 });
    const X = b.input('X', 'float64', [1, 1, 3]);
    const W = b.initializer('W', tensor('float64', [1, 12, 3]));
    const R = b.initializer('R', tensor('float64', [1, 12, 4]));
    b.gru({ X, W, R, hiddenSize: 4, outputs: ['', 'Y_h'] });
    b.output('Y_h', 'float64');
    expect(() => createExecutor(b.build())).toThrow(/X must be float32.*got float64.*ort-node/);
  });
  it('W inconsistent with hidden_size at create', () => {
    const b = new GraphBuilder({ opset: 21 });
    const X = b.input('X', 'float32', [1, 1, 3]);
    const W = b.initializer('W', tensor('float32', [1, 12, 3]));
    const R = b.initializer('R', tensor('float32', [1, 16, 4]));
    b.lstm({ X, W, R, hiddenSize: 4, outputs: ['', 'Y_h'] });
    b.output('Y_h', 'float32');
    expect(() => createRecurrentRunner(b.build())).toThrow(/W must have dims \[1, 16, 3\], got \[1, 12, 3\]/);
  });
  it('an activations list of the wrong length', () => {
    const b = new GraphBuilder({ opset: 21 });
    const X = b.input('X', 'float32', [1, 1, 2]);
    const W = b.initializer('W', tensor('float32', [2, 6, 2]));
    const R = b.initializer('R', tensor('float32', [2, 6, 2]));
    b.node('GRU', [X, W, R], { hidden_size: 2, direction: 'bidirectional', activations: attr.strings(['Sigmoid', 'Tanh']) }, ['Y']);
    b.output('Y', 'float32');
    expect(() => createRecurrentRunner(b.build())).toThrow(/activations must list 4 functions/);
  });
});

describe('state carried by feeding outputs back', () => {
  it.each(['forward', 'bidirectional'] as const)('%s: Y_h fed back as initial_h (same buffer) equals feeding a copy', (direction) => {
    const model = lstmModel({ T: 2, B: 2, I: 3, H: 5, direction });
    const D = direction === 'bidirectional' ? 2 : 1;
    const X = tensor('float32', [2, 2, 3], Float32Array.from({ length: 12 }, (_, i) => Math.cos(i)));
    const h0 = tensor('float32', [D, 2, 5], Float32Array.from({ length: D * 10 }, (_, i) => Math.sin(i) / 2));
    const shared = createRecurrentRunner(model);
    const copied = createRecurrentRunner(model);
    let hShared = shared.runShared({ X, initial_h: h0 }).Y_h!;
    let hCopied = copied.run({ X, initial_h: h0 }).Y_h!;
    for (let step = 0; step < 4; step++) {
      hShared = shared.runShared({ X, initial_h: hShared }).Y_h!; // input and output are one buffer
      hCopied = copied.run({ X, initial_h: hCopied }).Y_h!;
    }
    expect(Array.from(hShared.data as Float32Array)).toEqual(Array.from(hCopied.data as Float32Array));
  });
});

describe('one kernel across changing runs', () => {
  it('shapes that change between runs (seq, batch) give the same answers as fresh kernels', () => {
    const model = (() => {
      const b = new GraphBuilder({ opset: 21 });
      const r = rng(11);
      const rand = (n: number, s: number) => Float32Array.from({ length: n }, () => (r() * 2 - 1) * s);
      const X = b.input('X', 'float32', ['seq', 'batch', 4]);
      const W = b.initializer('W', tensor('float32', [2, 18, 4], rand(144, 0.5)));
      const R = b.initializer('R', tensor('float32', [2, 18, 6], rand(216, 0.5)));
      b.gru({ X, W, R, hiddenSize: 6, direction: 'bidirectional', linearBeforeReset: 1, outputs: ['Y', 'Y_h'] });
      b.output('Y', 'float32');
      b.output('Y_h', 'float32');
      return b.build();
    })();
    const shared = createRecurrentRunner(model);
    for (const [T, B] of [[5, 3], [2, 1], [7, 4], [5, 3], [1, 1]] as const) {
      const X = tensor('float32', [T, B, 4], Float32Array.from({ length: T * B * 4 }, (_, i) => Math.sin(i * 0.7 + T)));
      const got = shared.run({ X });
      const fresh = createRecurrentRunner(model).run({ X });
      expect(Array.from(got.Y!.data as Float32Array)).toEqual(Array.from(fresh.Y!.data as Float32Array));
      expect(Array.from(got.Y_h!.data as Float32Array)).toEqual(Array.from(fresh.Y_h!.data as Float32Array));
    }
  });

  it('weights fed as graph inputs are re-read every run (new values, new hidden size)', async () => {
    const build = () => {
      const b = new GraphBuilder({ opset: 21 });
      const X = b.input('X', 'float32', [3, 2, 4]);
      const W = b.input('W', 'float32', [1, 'gh', 4]);
      const R = b.input('R', 'float32', [1, 'gh', 'h']);
      const B = b.input('B', 'float32', [1, 'gb']);
      b.lstm({ X, W, R, B, hiddenSize: 5, outputs: ['Y', 'Y_h', 'Y_c'] });
      b.output('Y', 'float32');
      b.output('Y_h', 'float32');
      b.output('Y_c', 'float32');
      return b.build();
    };
    const model = build();
    const runner = createRecurrentRunner(model);
    for (const seed of [1, 2, 3]) {
      const r = rng(seed);
      const rand = (n: number, s: number) => Float32Array.from({ length: n }, () => (r() * 2 - 1) * s);
      const feeds = {
        X: tensor('float32', [3, 2, 4], rand(24, 1)),
        W: tensor('float32', [1, 20, 4], rand(80, 0.5)),
        R: tensor('float32', [1, 20, 5], rand(100, 0.5)),
        B: tensor('float32', [1, 40], rand(40, 0.3)),
      };
      const got = runner.run(feeds);
      const want = await ortRun(model, feeds);
      for (const name of ['Y', 'Y_h', 'Y_c']) close(got[name]!.data as Float32Array, want[name]!, 1e-4, 1e-5, `seed ${seed} ${name}`);
    }
    // A W/R pair that disagrees with hidden_size is refused, and the kernel still works afterwards.
    const bad = { X: tensor('float32', [3, 2, 4]), W: tensor('float32', [1, 24, 4]), R: tensor('float32', [1, 24, 6]), B: tensor('float32', [1, 48]) };
    expect(() => runner.run(bad)).toThrow(/R must have dims \[1, 20, 5\], got \[1, 24, 6\]/);
    const ok = { X: tensor('float32', [3, 2, 4]), W: tensor('float32', [1, 20, 4]), R: tensor('float32', [1, 20, 5]), B: tensor('float32', [1, 40]) };
    expect(Array.from(runner.run(ok).Y_h!.data as Float32Array).every((v) => v === 0)).toBe(true);
  });
});

describe('steady state through the executor allocates no JavaScript objects', () => {
  // Young-generation growth across many runs, as kernels-conv-gemm.test.ts checks Conv: one stray object
  // per run would be >= 16 bytes per run. Steady state means after the JIT has settled, and on a busy
  // machine its background compiler may finish late, so a round that still runs unoptimized code is
  // retried (up to 8 rounds); a round counts only if the heap did not shrink (no GC, no sweeping).
  function heapGrowthPerRun(model: Model, feeds: Record<string, Tensor>): number[] {
    const exec = createExecutor(model);
    for (let i = 0; i < 5_000; i++) exec.run(feeds);
    const runs = 10_000;
    const rounds: number[] = [];
    for (let round = 0; round < 8; round++) {
      const before = v8.getHeapStatistics().used_heap_size;
      for (let i = 0; i < runs; i++) exec.run(feeds);
      const perRun = (v8.getHeapStatistics().used_heap_size - before) / runs;
      rounds.push(perRun);
      if (perRun >= 0 && perRun < 2) break;
    }
    exec.dispose();
    return rounds;
  }

  it.each([
    ['LSTM step, wasm', 'LSTM', 'wasm', false],
    ['GRU step, wasm', 'GRU', 'wasm', false],
    ['RNN step, wasm', 'RNN', 'wasm', false],
    ['LSTM step, js', 'LSTM', 'js', false],
    ['bidirectional layout-1 GRU with sequence_lens, wasm', 'GRU', 'wasm', true],
  ] as const)('%s', (_name, op, impl, awkward) => {
    const [T, B, I, H] = awkward ? [3, 3, 5, 6] : [1, 1, 8, 16];
    const D = awkward ? 2 : 1;
    const G = op === 'LSTM' ? 4 : op === 'GRU' ? 3 : 1;
    const b = new GraphBuilder({ opset: 21 });
    const X = b.input('X', 'float32', awkward ? [B, T, I] : [T, B, I]);
    const W = b.initializer('W', tensor('float32', [D, G * H, I], Float32Array.from({ length: D * G * H * I }, (_, i) => Math.sin(i) / 4)));
    const R = b.initializer('R', tensor('float32', [D, G * H, H], Float32Array.from({ length: D * G * H * H }, (_, i) => Math.cos(i) / 4)));
    const initialH = b.input('h', 'float32', awkward ? [B, D, H] : [D, B, H]);
    const sequenceLens = awkward ? b.input('lens', 'int32', [B]) : undefined;
    const common = { X, W, R, initialH, sequenceLens, hiddenSize: H, direction: awkward ? ('bidirectional' as const) : undefined, layout: awkward ? (1 as const) : undefined };
    if (op === 'LSTM') b.lstm({ ...common, outputs: ['Y', 'Y_h', 'Y_c'] });
    else if (op === 'GRU') b.gru({ ...common, linearBeforeReset: 1, outputs: ['Y', 'Y_h'] });
    else b.rnn({ ...common, outputs: ['Y', 'Y_h'] });
    b.output('Y', 'float32');
    b.output('Y_h', 'float32');
    const feeds: Record<string, Tensor> = {
      X: tensor('float32', awkward ? [B, T, I] : [T, B, I], Float32Array.from({ length: T * B * I }, (_, i) => Math.sin(i))),
      h: tensor('float32', awkward ? [B, D, H] : [D, B, H]),
    };
    if (awkward) feeds.lens = tensor('int32', [B], Int32Array.from([3, 1, 2]));
    setRecurrentMatmulImpl(impl);
    let rounds: number[];
    try {
      rounds = heapGrowthPerRun(b.build(), feeds);
    } finally {
      setRecurrentMatmulImpl('auto');
    }
    const last = rounds[rounds.length - 1]!;
    expect(last >= 0 && last < 2, `bytes per run, by round: ${rounds.map((r) => r.toFixed(1)).join(', ')}`).toBe(true);
  });
});

describe('steady state', () => {
  it('repeated runs on the same shapes allocate no new buffers and give the same answer', () => {
    const model = lstmModel({ T: 1, B: 3, I: 8, H: 16 });
    const runner = createRecurrentRunner(model);
    const feeds = { X: tensor('float32', [1, 3, 8], Float32Array.from({ length: 24 }, (_, i) => Math.sin(i))), initial_h: tensor('float32', [1, 3, 16]) };
    const first = runner.run(feeds);
    const allocs = runner.allocations;
    let last = first;
    for (let i = 0; i < 50; i++) last = runner.run(feeds);
    expect(runner.allocations).toBe(allocs);
    expect(Array.from(last.Y_h!.data as Float32Array)).toEqual(Array.from(first.Y_h!.data as Float32Array));
  });
});
