/**
 * The WebAssembly SIMD path of the recurrent kernels, checked on its own terms:
 * - the module validates and is picked by default where WebAssembly SIMD exists (Node 20 has it);
 * - the matrix product equals a float64 product over packed weights (rtol 1e-5 / atol 1e-5: float32
 *   accumulation of up to 300 terms) for shapes that hit every loop edge (odd rows, k = 1, many panels);
 * - the rational tanh stays within 1e-6 of Math.tanh over [-30, 30];
 * - default-activation LSTM, GRU and RNN (the SIMD gate functions) agree with onnxruntime-node at rtol 1e-4 /
 *   atol 1e-5, on both paths, for hidden sizes that are not multiples of 4, batches with and without
 *   sequence_lens, both linear_before_reset values, all directions.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it, vi } from 'vitest';
import { PANEL } from '../src/executor/kernels/recurrent/gemm-js.js';
import { packGateMatrix } from '../src/executor/kernels/recurrent/pack.js';
import { recurrentModuleBytes, simdActivation, recurrentSimdAvailable } from '../src/executor/kernels/recurrent/wasm-workspace.js';
import { createWorkspace, setRecurrentMatmulImpl } from '../src/executor/kernels/recurrent/workspace.js';
import type { Model } from '../src/ir/graph.js';
import { GraphBuilder } from '../src/onnx/build.js';
import { writeModel } from '../src/onnx/write.js';
import { tensor, type Tensor } from '../src/tensor.js';
import { createRecurrentRunner } from './recurrent-harness.js';
import { rng } from './recurrent-random-models.js';

describe('WebAssembly SIMD availability', () => {
  it('each module stays under the 4 KiB browsers compile synchronously on the main thread', () => {
    const sizes = recurrentModuleBytes().map((bytes) => bytes.length);
    expect(sizes.length).toBe(4);
    for (const size of sizes) expect(size, `module sizes ${sizes.join(', ')}`).toBeLessThan(4096);
  });

  it('falls back to plain JavaScript where WebAssembly SIMD does not validate, or compiling is refused', async () => {
    for (const refuse of ['validate', 'compile'] as const) {
      vi.resetModules();
      const spy =
        refuse === 'validate'
          ? vi.spyOn(WebAssembly, 'validate').mockReturnValue(false)
          : vi.spyOn(WebAssembly, 'Module').mockImplementation(() => {
              throw new WebAssembly.CompileError('refused by a content-security policy');
            });
      try {
        const fresh = await import('../src/executor/kernels/recurrent/workspace.js');
        const freshWasm = await import('../src/executor/kernels/recurrent/wasm-workspace.js');
        expect(freshWasm.recurrentSimdAvailable(), refuse).toBe(false);
        expect(fresh.createWorkspace().impl, refuse).toBe('js');
      } finally {
        spy.mockRestore();
        vi.resetModules();
      }
    }
  });

  it('validates in this engine and is the default workspace', () => {
    expect(recurrentSimdAvailable()).toBe(true);
    expect(createWorkspace().impl).toBe('wasm');
    expect(createWorkspace('js').impl).toBe('js');
    expect(createWorkspace('js').cells).toBeUndefined();
  });
});

describe.each(['wasm', 'js'] as const)('matrix product (%s)', (impl) => {
  it.each([
    [1, 1, 16],
    [1, 7, 48],
    [2, 5, 16],
    [3, 33, 32],
    [5, 64, 80],
    [64, 300, 16],
  ])('rows %i, k %i, ncols %i: out += x·Wᵀ', (rows, k, ncols) => {
    const r = rng(rows * 1000 + k);
    const ws = createWorkspace(impl);
    const xs = k + 3; // a row stride wider than k, as the state rows have
    const w = 0;
    const x = ncols * k;
    const out = x + rows * xs + 4;
    ws.ensure(out + rows * ncols);
    const Wt = Float32Array.from({ length: ncols * k }, () => r() * 2 - 1);
    packGateMatrix(ws.mem, w, Wt, 0, 1, ncols, ncols, k);
    for (let i = 0; i < rows * xs; i++) ws.mem[x + i] = r() * 2 - 1;
    const init = Float32Array.from({ length: rows * ncols }, () => r());
    ws.mem.set(init, out);
    ws.gemm(x, xs, rows, k, w, ncols, out, ncols);
    for (let i = 0; i < rows; i++) {
      for (let n = 0; n < ncols; n++) {
        let e = init[i * ncols + n]!;
        for (let j = 0; j < k; j++) e += ws.mem[x + i * xs + j]! * Wt[n * k + j]!;
        const a = ws.mem[out + i * ncols + n]!;
        if (!(Math.abs(a - e) <= 1e-5 + 1e-5 * Math.abs(e))) expect.fail(`[${i}, ${n}]: got ${a}, expected ${e}`);
      }
    }
    expect(ncols % PANEL).toBe(0);
  });

  it('out = bias + x·Wᵀ with the bias broadcast (init stride 0) and the output elsewhere', () => {
    const [rows, k, ncols] = [5, 9, 32];
    const r = rng(99);
    const ws = createWorkspace(impl);
    const x = ncols * k;
    const bias = x + rows * k + 4;
    const out = bias + ncols;
    ws.ensure(out + rows * ncols);
    const Wt = Float32Array.from({ length: ncols * k }, () => r() * 2 - 1);
    packGateMatrix(ws.mem, 0, Wt, 0, 1, ncols, ncols, k);
    for (let i = 0; i < rows * k; i++) ws.mem[x + i] = r() * 2 - 1;
    for (let n = 0; n < ncols; n++) ws.mem[bias + n] = r();
    ws.gemm(x, k, rows, k, 0, ncols, out, ncols, bias, 0);
    for (let i = 0; i < rows; i++) {
      for (let n = 0; n < ncols; n++) {
        let e = ws.mem[bias + n]!;
        for (let j = 0; j < k; j++) e += ws.mem[x + i * k + j]! * Wt[n * k + j]!;
        const a = ws.mem[out + i * ncols + n]!;
        if (!(Math.abs(a - e) <= 1e-5 + 1e-5 * Math.abs(e))) expect.fail(`[${i}, ${n}]: got ${a}, expected ${e}`);
      }
    }
  });
});

describe('SIMD sigmoid and tanh', () => {
  const n = 80001;
  const xs = Float32Array.from({ length: n }, (_, i) => -40 + (80 * i) / (n - 1));
  // A few float32 ulps: 4·2⁻²⁴ relative, plus 1e-37 absolute for results in the denormal range.
  const bound = (y: number) => 4 * 2 ** -24 * Math.abs(y) + 1e-37;
  it.each([
    ['tanh', Math.tanh],
    ['sigmoid', (x: number) => 1 / (1 + Math.exp(-x))],
  ] as const)('%s is within 4 ulps of the float64 function on [-40, 40], in relative terms', (name, ref) => {
    const ys = simdActivation(name, xs);
    let worst = 0;
    let at = 0;
    for (let i = 0; i < n; i++) {
      const e = ref(xs[i]!);
      const excess = Math.abs(ys[i]! - e) / bound(e);
      if (excess > worst) {
        worst = excess;
        at = xs[i]!;
      }
    }
    expect(worst, `worst at x = ${at}`).toBeLessThanOrEqual(1);
  });
  it('tanh is odd and exact at 0; both saturate without NaN at ±1e30', () => {
    const t = simdActivation('tanh', Float32Array.from([0, -0.3, 0.3, 1e30, -1e30, 1e-30]));
    expect(t[0]).toBe(0);
    expect(t[1]).toBe(-t[2]!);
    expect([t[3], t[4]]).toEqual([1, -1]);
    expect(t[5]).toBeCloseTo(1e-30, 35);
    const s = simdActivation('sigmoid', Float32Array.from([1e30, -1e30, 0]));
    expect(s[0]).toBe(1);
    expect(s[1]).toBeGreaterThanOrEqual(0);
    expect(s[1]).toBeLessThan(1e-30);
    expect(s[2]).toBe(0.5);
  });
});

// ---- default-activation cells vs onnxruntime ----------------------------------------------------------

interface CellCase {
  op: 'LSTM' | 'GRU' | 'RNN';
  T: number;
  B: number;
  I: number;
  H: number;
  direction: 'forward' | 'reverse' | 'bidirectional';
  seqLens?: number[];
  lbr?: 0 | 1;
}

function cellModel(c: CellCase, seed: number): { model: Model; feeds: Record<string, Tensor> } {
  const r = rng(seed);
  const D = c.direction === 'bidirectional' ? 2 : 1;
  const G = c.op === 'LSTM' ? 4 : c.op === 'GRU' ? 3 : 1;
  const rand = (n: number, s: number) => Float32Array.from({ length: n }, () => (r() * 2 - 1) * s);
  const b = new GraphBuilder({ opset: 21 });
  const X = b.input('X', 'float32', [c.T, c.B, c.I]);
  const W = b.initializer('W', tensor('float32', [D, G * c.H, c.I], rand(D * G * c.H * c.I, 1 / Math.sqrt(c.I))));
  const R = b.initializer('R', tensor('float32', [D, G * c.H, c.H], rand(D * G * c.H * c.H, 1 / Math.sqrt(c.H))));
  const Bi = b.initializer('B', tensor('float32', [D, 2 * G * c.H], rand(D * 2 * G * c.H, 0.5)));
  const initialH = b.input('h0', 'float32', [D, c.B, c.H]);
  const sequenceLens = c.seqLens ? b.input('lens', 'int32', [c.B]) : undefined;
  const feeds: Record<string, Tensor> = {
    X: tensor('float32', [c.T, c.B, c.I], rand(c.T * c.B * c.I, 2)),
    h0: tensor('float32', [D, c.B, c.H], rand(D * c.B * c.H, 1)),
  };
  if (c.seqLens) feeds.lens = tensor('int32', [c.B], Int32Array.from(c.seqLens));
  const common = { X, W, R, B: Bi, initialH, sequenceLens, hiddenSize: c.H, direction: c.direction };
  if (c.op === 'LSTM') {
    const initialC = b.input('c0', 'float32', [D, c.B, c.H]);
    feeds.c0 = tensor('float32', [D, c.B, c.H], rand(D * c.B * c.H, 1));
    b.lstm({ ...common, initialC, outputs: ['Y', 'Y_h', 'Y_c'] });
    b.output('Y_c', 'float32');
  } else if (c.op === 'GRU') {
    b.gru({ ...common, linearBeforeReset: c.lbr, outputs: ['Y', 'Y_h'] });
  } else {
    b.rnn({ ...common, outputs: ['Y', 'Y_h'] });
  }
  b.output('Y', 'float32');
  b.output('Y_h', 'float32');
  return { model: b.build(), feeds };
}

const CELL_CASES: CellCase[] = [];
for (const op of ['LSTM', 'GRU', 'RNN'] as const) {
  for (const H of [1, 3, 5, 16, 19, 37]) {
    for (const direction of ['forward', 'reverse', 'bidirectional'] as const) {
      for (const lbr of op === 'GRU' ? ([0, 1] as const) : ([undefined] as const)) {
        CELL_CASES.push({ op, T: 6, B: 4, I: 7, H, direction, lbr });
        CELL_CASES.push({ op, T: 6, B: 3, I: 5, H, direction, lbr, seqLens: [6, 2, 4] });
      }
    }
  }
}

describe.each(['wasm', 'js'] as const)('default-activation cells vs onnxruntime-node (%s)', (impl) => {
  it(`${CELL_CASES.length} LSTM/GRU/RNN configurations agree at rtol 1e-4, atol 1e-5`, async () => {
    const failures: string[] = [];
    for (const [i, c] of CELL_CASES.entries()) {
      const { model, feeds } = cellModel(c, i + 1);
      const session = await ort.InferenceSession.create(writeModel(model), { intraOpNumThreads: 1 });
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [k, t] of Object.entries(feeds)) ortFeeds[k] = new ort.Tensor(t.dtype, t.data as never, t.dims as number[]);
      const want = await session.run(ortFeeds);
      await session.release();
      setRecurrentMatmulImpl(impl);
      const runner = createRecurrentRunner(model);
      setRecurrentMatmulImpl('auto');
      expect((runner.kernel as unknown as { matmulImpl: string }).matmulImpl).toBe(impl);
      const got = runner.run(feeds);
      for (const name of Object.keys(want)) {
        const e = want[name]!.data as Float32Array;
        const a = got[name]!.data as Float32Array;
        for (let j = 0; j < e.length; j++) {
          if (!(Math.abs(a[j]! - e[j]!) <= 1e-5 + 1e-4 * Math.abs(e[j]!))) {
            failures.push(`${JSON.stringify(c)} ${name}[${j}]: got ${a[j]}, expected ${e[j]}`);
            break;
          }
        }
      }
    }
    expect(failures.slice(0, 5).join('\n')).toBe('');
  });
});
