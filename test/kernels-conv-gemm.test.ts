/**
 * The SIMD Conv (conv-gemm.ts: im2col + WebAssembly SIMD product over weights packed at load) against the
 * float64 JavaScript convolution of conv-impl.ts, on Silero's own layer shapes and on shapes that reach the
 * edges of the packing and tiling: channel counts that are not whole panels, groups, batches, padding on
 * every side, strides and dilations, and outputs larger than one tile.
 *
 * Tolerance, per output element: (K + 2) · 2⁻²⁴ · (Σ|w·x| + |b|), the worst-case error of a float32 sum of
 * K rounded products plus the bias (Higham's γ bound; K = taps per output). It is computed from the data,
 * not tuned: a wrong tap, pad or channel is off by about Σ|w·x| / K, hundreds of times more.
 * Through the executor, Conv with initializer weights (the SIMD path) is checked against
 * onnxruntime-node at rtol/atol 1e-5, like kernels-conv.test.ts.
 */
import fc from 'fast-check';
import { steadyStateBytesPerRun } from './heap-probe.js';
import { describe, expect, it } from 'vitest';
import { createExecutor } from '../src/executor/executor.js';
import { ConvGemm } from '../src/executor/kernels/conv-gemm.js';
import { gemmModuleBytes, simdGemmAvailable, TILE_FLOATS } from '../src/executor/kernels/tiled-gemm.js';
import { conv2d, convGeometry, patchLength, type ConvAttributes } from '../src/executor/kernels/conv-impl.js';
import type { Node } from '../src/ir/graph.js';
import { GraphBuilder } from '../src/onnx/build.js';
import { tensor, type Tensor } from '../src/tensor.js';
import { expectMatchesOrt, randomTensor } from './builtin-vs-ort.js';

const U = 2 ** -24;
const NODE = { opType: 'Conv', name: 'test', domain: '', inputs: [], outputs: [], attributes: {} } as unknown as Node;

interface Case {
  name: string;
  x: number[];
  w: number[];
  attrs?: Partial<ConvAttributes>;
  bias?: boolean;
}

const CASES: Case[] = [
  // Silero VAD v5 at 16 kHz: the STFT as a convolution, then the four encoder layers.
  { name: 'Silero STFT: 1 → 258 channels, kernel 256, stride 128', x: [1, 1, 640], w: [258, 1, 256], attrs: { strides: [128] } },
  { name: 'Silero encoder 0: 129 → 128, kernel 3, pads 1', x: [1, 129, 4], w: [128, 129, 3], attrs: { pads: [1, 1] }, bias: true },
  { name: 'Silero encoder 1: 128 → 64, stride 2', x: [1, 128, 4], w: [64, 128, 3], attrs: { pads: [1, 1], strides: [2] }, bias: true },
  { name: 'Silero encoder 3: 64 → 128, one position', x: [1, 64, 1], w: [128, 64, 3], attrs: { pads: [1, 1] }, bias: true },
  // Edges: channels not a whole panel, one output channel, groups and batches, 2-D with every pad.
  { name: '1-D, 17 output channels (one panel and one lane over)', x: [2, 5, 23], w: [17, 5, 4], attrs: { pads: [2, 3], dilations: [2] }, bias: true },
  { name: '1-D, one output channel', x: [1, 3, 9], w: [1, 3, 3] },
  { name: '2-D groups 3, batch 2, asymmetric pads, strides, dilations', x: [2, 6, 9, 8], w: [9, 2, 3, 2], attrs: { group: 3, pads: [1, 0, 2, 1], strides: [2, 1], dilations: [1, 2] }, bias: true },
  { name: '2-D depthwise, SAME_UPPER', x: [1, 4, 7, 7], w: [4, 1, 3, 3], attrs: { group: 4, autoPad: 'SAME_UPPER' } },
  { name: '2-D 1×1 kernel', x: [1, 7, 5, 6], w: [20, 7, 1, 1], bias: true },
  // Height 1 with vertical padding: output rows of padding only, which a 1-D shortcut must not skip.
  { name: '2-D of height 1, kernel height 1, pads above and below', x: [1, 2, 1, 5], w: [3, 2, 1, 2], attrs: { pads: [1, 0, 2, 1] }, bias: true },
  { name: '2-D of height 1, stride 2 vertically, pad below', x: [1, 2, 1, 5], w: [3, 2, 1, 3], attrs: { pads: [0, 1, 3, 1], strides: [2, 1] } },
  // More positions than one tile holds (K = 9 → a tile of TILE_FLOATS / 9 positions), ending in a partial tile.
  { name: '2-D, 70×70 positions over several tiles', x: [1, 1, 72, 72], w: [5, 1, 3, 3], bias: true },
];

function attributes(c: Case): ConvAttributes {
  return { autoPad: 'NOTSET', group: 1, ...c.attrs };
}

/** Float64 reference and the per-element error bound from conv-impl.ts's float64 loop on the data and on |data|. */
function reference(c: Case, x: Tensor<'float32'>, w: Tensor<'float32'>, b: Tensor<'float32'> | undefined) {
  const g = convGeometry(NODE, attributes(c), x.dims, w.dims);
  const n = g.outDims.reduce((a, d) => a * d, 1);
  const patch = new Float64Array(patchLength(g));
  const exact = new Float64Array(n);
  conv2d(g, x.data, w.data, b?.data, exact, patch);
  const abs = (a: Float32Array) => Float64Array.from(a, Math.abs);
  const absSum = new Float64Array(n);
  conv2d(g, abs(x.data), abs(w.data), b && abs(b.data), absSum, patch);
  const k = patchLength(g);
  return { g, exact, bound: Float64Array.from(absSum, (s) => (k + 2) * U * s) };
}

describe('SIMD Conv against the float64 loop', () => {
  it('the product module is small enough for browsers to compile synchronously', () => {
    expect(gemmModuleBytes().length).toBeLessThan(4096);
    expect(simdGemmAvailable()).toBe(true);
  });

  CASES.forEach((c, i) => {
    it(c.name, () => {
      const x = randomTensor(c.x, 500 + 7 * i);
      const w = randomTensor(c.w, 501 + 7 * i);
      const b = c.bias ? randomTensor([c.w[0]!], 502 + 7 * i) : undefined;
      const { g, exact, bound } = reference(c, x, w, b);
      const gemm = new ConvGemm(w.data, c.w[0]!, attributes(c).group);
      const y = new Float32Array(exact.length).fill(NaN);
      gemm.run(g, x.data, b?.data, y);
      let worst = 0;
      for (let j = 0; j < y.length; j++) {
        const err = Math.abs(y[j]! - exact[j]!);
        // `!(<=)` also fails on NaN (an element never written).
        if (!(err <= bound[j]!)) expect.fail(`element ${j}: got ${y[j]}, float64 gives ${exact[j]}, error ${err} over bound ${bound[j]}`);
        worst = Math.max(worst, err / Math.max(bound[j]!, 1e-30));
      }
      expect(worst).toBeLessThanOrEqual(1);
      // Running again (the same memory, tiles already grown) gives the same bits.
      const again = new Float32Array(y.length);
      gemm.run(g, x.data, b?.data, again);
      expect(again).toEqual(y);
    });
  });

  it('random geometry mixes (1-D and 2-D, pads, auto_pad, strides, dilations, groups, batch, 1-20 channels)', () => {
    const arb = fc.record({
      twoD: fc.boolean(),
      batch: fc.integer({ min: 1, max: 2 }),
      group: fc.integer({ min: 1, max: 3 }),
      cPerGroup: fc.integer({ min: 1, max: 5 }),
      // Up to 20 per group: whole panels, partial panels and more than one panel.
      mPerGroup: fc.integer({ min: 1, max: 20 }),
      kernel: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 })),
      stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
      dilation: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
      pads: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }),
      autoPad: fc.constantFrom('NOTSET', 'NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'),
      extra: fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 7 })),
      bias: fc.boolean(),
      seed: fc.integer({ min: 1, max: 10_000 }),
    });
    fc.assert(
      fc.property(arb, (r) => {
        const spatial = r.twoD ? 2 : 1;
        const k = r.kernel.slice(2 - spatial);
        const dil = r.dilation.slice(2 - spatial);
        const size = k.map((kk, i) => (kk - 1) * dil[i]! + 1 + r.extra[i]!);
        const c: Case = {
          name: '',
          x: [r.batch, r.group * r.cPerGroup, ...size],
          w: [r.group * r.mPerGroup, r.cPerGroup, ...k],
          bias: r.bias,
          attrs: {
            group: r.group,
            strides: r.stride.slice(2 - spatial),
            dilations: dil,
            autoPad: r.autoPad as ConvAttributes['autoPad'],
            pads: r.autoPad === 'NOTSET' ? r.pads.slice(0, 2 * spatial) : undefined,
          },
        };
        const x = randomTensor(c.x, r.seed);
        const w = randomTensor(c.w, r.seed + 1);
        const b = c.bias ? randomTensor([c.w[0]!], r.seed + 2) : undefined;
        const { g, exact, bound } = reference(c, x, w, b);
        const y = new Float32Array(exact.length).fill(NaN);
        new ConvGemm(w.data, c.w[0]!, r.group).run(g, x.data, b?.data, y);
        for (let j = 0; j < y.length; j++) {
          if (!(Math.abs(y[j]! - exact[j]!) <= bound[j]!)) return false;
        }
        return true;
      }),
      { numRuns: 300, seed: 777 },
    );
  });

  it('the tiling case really spans several tiles', () => {
    const c = CASES[CASES.length - 1]!;
    const g = convGeometry(NODE, attributes(c), c.x, c.w);
    expect(g.outH * g.outW).toBeGreaterThan(TILE_FLOATS / patchLength(g));
  });

  it('one packed kernel serves inputs of several lengths, smaller after larger', () => {
    const c: Case = { name: '', x: [], w: [8, 3, 5], attrs: { pads: [2, 2], strides: [2] }, bias: true };
    const w = randomTensor(c.w, 9);
    const b = randomTensor([8], 10);
    const gemm = new ConvGemm(w.data, 8, 1);
    for (const [len, seed] of [[20, 1], [3000, 2], [7, 3], [3000, 4]] as const) {
      const x = randomTensor([1, 3, len], seed);
      const { g, exact, bound } = reference({ ...c, x: [1, 3, len] }, x, w, b);
      const y = new Float32Array(exact.length);
      gemm.run(g, x.data, b.data, y);
      for (let j = 0; j < y.length; j++) expect(Math.abs(y[j]! - exact[j]!)).toBeLessThanOrEqual(bound[j]!);
    }
  });
});

describe('Conv with initializer weights (SIMD path) through the executor', () => {
  const TOL = { rtol: 1e-5, atol: 1e-5 };

  function model(xDims: number[], wDims: number[], opts: { biasAsInput?: boolean; strides?: number[]; pads?: number[]; group?: number }) {
    const b = new GraphBuilder({ opset: 11 });
    const x = b.input('x', 'float32', xDims);
    const w = b.initializer('w', randomTensor(wDims, 31));
    const feeds: Record<string, Tensor> = { x: randomTensor(xDims, 30) };
    let bias: string;
    if (opts.biasAsInput) {
      bias = b.input('b', 'float32', [wDims[0]!]);
      feeds.b = randomTensor([wDims[0]!], 32);
    } else bias = b.initializer('b', randomTensor([wDims[0]!], 32));
    const y = b.conv(x, w, bias, { strides: opts.strides, pads: opts.pads, group: opts.group });
    b.output(y, 'float32');
    return { model: b.build(), feeds, y };
  }

  it('matches onnxruntime-node on the STFT shape', async () => {
    const { model: m, feeds } = model([1, 1, 640], [258, 1, 256], { strides: [128] });
    await expectMatchesOrt(m, feeds, TOL);
  });

  it('matches onnxruntime-node with the bias fed at run time, groups and a batch', async () => {
    const { model: m, feeds } = model([3, 6, 11], [12, 3, 3], { biasAsInput: true, pads: [1, 1], group: 2 });
    await expectMatchesOrt(m, feeds, TOL);
  });

  it('a new bias fed at run time is used, not the first one', () => {
    const { model: m, feeds, y } = model([1, 4, 6], [5, 4, 3], { biasAsInput: true });
    const exec = createExecutor(m);
    const first = Float32Array.from(exec.run(feeds)[y]!.data as Float32Array);
    const shifted = tensor('float32', [5], Float32Array.from(feeds.b!.data as Float32Array, (v) => v + 1));
    const second = exec.run({ ...feeds, b: shifted })[y]!.data as Float32Array;
    // Adding exactly 1 to each bias moves each output by 1 up to one rounding of the float32 sum.
    for (let i = 0; i < first.length; i++) expect(Math.abs(second[i]! - first[i]! - 1)).toBeLessThanOrEqual(4 * U * (Math.abs(first[i]!) + 1));
  });

  it('steady-state runs take no new pool buffers', () => {
    const { model: m, feeds } = model([1, 129, 4], [128, 129, 3], { pads: [1, 1] });
    const exec = createExecutor(m);
    exec.run(feeds);
    const n = exec.pool.allocations;
    for (let i = 0; i < 5; i++) exec.run(feeds);
    expect(exec.pool.allocations).toBe(n);
  });

  it('steady-state runs allocate no JavaScript objects (young-generation growth across runs, no GC between)', () => {
    // Small shapes so that many runs fit in a fraction of a second; both Conv forms Silero uses (a strided
    // STFT-like layer without bias, a padded layer with bias).
    const b = new GraphBuilder({ opset: 11 });
    const x = b.input('x', 'float32', [1, 1, 96]);
    const stft = b.conv(x, b.initializer('w0', randomTensor([20, 1, 16], 41)), undefined, { strides: [8] });
    const enc = b.conv(stft, b.initializer('w1', randomTensor([18, 20, 3], 42)), b.initializer('b1', randomTensor([18], 43)), { pads: [1, 1], strides: [2] });
    b.output(enc, 'float32');
    const exec = createExecutor(b.build());
    const feeds = { x: randomTensor([1, 1, 96], 44) };
    // Measured in windows (heap-probe.ts): a late JIT on a loaded machine must not fail a clean kernel.
    const heap = steadyStateBytesPerRun(() => exec.run(feeds), 20_000, 20_000);
    expect(heap.best, `bytes/run per window: ${heap.windows.map((v) => v.toFixed(1)).join(', ')}`).toBeLessThan(2);
  });
});
