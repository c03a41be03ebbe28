/**
 * Conv (1-D and 2-D) against onnxruntime-node over a grid of attribute mixes: explicit pads, every
 * auto_pad mode, strides, dilations, groups (including depthwise), bias present or not, weights as
 * initializers or runtime inputs.
 *
 * Tolerance: rtol 1e-5, atol 1e-5. Inputs and weights are in [-1, 1) and each output sums at most
 * 4·3·3 = 36 products, so float32 summation-order differences between our float64 accumulation and
 * onnxruntime's float32 GEMM are bounded by about 36 · 2^-24 · 36 ≈ 8e-5 in the worst case and are in
 * practice near 1e-6; a wrong tap or pad is off by O(0.1).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KernelError } from '../src/errors.js';
import { createExecutor } from '../src/executor/executor.js';
import { axisGeometry } from '../src/executor/kernels/conv-impl.js';
import { attr, GraphBuilder } from '../src/onnx/build.js';
import { tensor, toNumberArray, type Tensor } from '../src/tensor.js';
import { expectClose, expectMatchesOrt, randomTensor, runBuiltin, runOrt } from './builtin-vs-ort.js';

const TOL = { rtol: 1e-5, atol: 1e-5 };

interface ConvCase {
  name: string;
  x: number[];
  w: number[];
  bias?: boolean;
  pads?: number[];
  strides?: number[];
  dilations?: number[];
  group?: number;
  autoPad?: string;
  kernelShape?: boolean;
  weightsAsInput?: boolean;
}

const CASES: ConvCase[] = [
  { name: '1-D plain', x: [1, 2, 9], w: [3, 2, 3] },
  { name: '1-D pads, stride 2, dilation 2, bias', x: [2, 3, 17], w: [4, 3, 5], bias: true, pads: [2, 1], strides: [2], dilations: [2] },
  { name: '1-D SAME_UPPER stride 3', x: [1, 2, 10], w: [2, 2, 4], autoPad: 'SAME_UPPER', strides: [3], bias: true },
  { name: '1-D SAME_LOWER stride 2 (odd total pad)', x: [1, 2, 11], w: [3, 2, 4], autoPad: 'SAME_LOWER', strides: [2] },
  { name: '1-D VALID with dilation', x: [1, 3, 12], w: [2, 3, 3], autoPad: 'VALID', dilations: [3] },
  { name: '1-D STFT-like: 1 → many channels, kernel 16, stride 8', x: [1, 1, 64], w: [10, 1, 16], strides: [8], kernelShape: true },
  { name: '1-D groups 2, weights as runtime input', x: [1, 4, 9], w: [6, 2, 3], group: 2, pads: [1, 1], bias: true, weightsAsInput: true },
  { name: '2-D plain with bias', x: [1, 3, 6, 5], w: [4, 3, 3, 3], bias: true },
  { name: '2-D asymmetric pads, strides, dilations, groups', x: [2, 4, 7, 9], w: [6, 2, 3, 2], bias: true, pads: [1, 0, 2, 1], strides: [2, 1], dilations: [1, 2], group: 2 },
  { name: '2-D depthwise', x: [1, 3, 5, 5], w: [3, 1, 3, 3], group: 3, pads: [1, 1, 1, 1] },
  { name: '2-D SAME_UPPER stride 2', x: [1, 2, 7, 8], w: [3, 2, 3, 2], autoPad: 'SAME_UPPER', strides: [2, 2], bias: true },
  { name: '2-D VALID stride 3', x: [1, 2, 10, 8], w: [2, 2, 3, 3], autoPad: 'VALID', strides: [3, 2] },
  { name: '2-D 1×1 kernel, stride 2', x: [1, 5, 4, 6], w: [3, 5, 1, 1], strides: [2, 2], bias: true },
];

function convModel(c: ConvCase, seed: number): { model: ReturnType<GraphBuilder['build']>; feeds: Record<string, Tensor> } {
  const b = new GraphBuilder({ opset: 11 });
  const x = randomTensor(c.x, seed);
  const w = randomTensor(c.w, seed + 1);
  const feeds: Record<string, Tensor> = { x };
  const xin = b.input('x', 'float32', c.x);
  let win: string;
  if (c.weightsAsInput) {
    win = b.input('w', 'float32', c.w);
    feeds.w = w;
  } else win = b.initializer('w', w);
  const bin = c.bias ? b.initializer('b', randomTensor([c.w[0]!], seed + 2)) : undefined;
  const y = b.conv(xin, win, bin, {
    pads: c.pads,
    strides: c.strides,
    dilations: c.dilations,
    group: c.group,
    autoPad: c.autoPad,
    kernelShape: c.kernelShape ? c.w.slice(2) : undefined,
  });
  b.output(y, 'float32');
  return { model: b.build(), feeds };
}

describe('Conv vs onnxruntime-node', () => {
  CASES.forEach((c, i) => {
    it(c.name, () => {
      const { model, feeds } = convModel(c, 100 + 10 * i);
      return expectMatchesOrt(model, feeds, TOL);
    });
  });
});

describe('Conv with auto_pad and dilation (onnxruntime rejects the mix)', () => {
  it('SAME_LOWER with dilation equals onnxruntime on the explicit pads the ONNX formula gives', async () => {
    // H: size 9, kernel 2 dilated by 2 spans 3, stride 2 -> out ceil(9/2) = 5, total pad 4*2 + 3 - 9 = 2 -> [1, 1].
    // W: size 6, kernel 3, stride 2 -> out 3, total pad 2*2 + 3 - 6 = 1, odd extra first for SAME_LOWER -> [1, 0].
    const base: ConvCase = { name: '', x: [1, 2, 9, 6], w: [2, 2, 2, 3], strides: [2, 2], dilations: [2, 1], bias: true };
    const auto = convModel({ ...base, autoPad: 'SAME_LOWER' }, 77);
    const explicit = convModel({ ...base, pads: [1, 1, 1, 0] }, 77);
    const expected = await runOrt(explicit.model, explicit.feeds);
    const actual = runBuiltin(auto.model, auto.feeds);
    expect(actual[Object.keys(actual)[0]!]!.dims).toEqual([1, 2, 5, 3]);
    expectClose(Object.values(actual)[0]!, Object.values(expected)[0]!, TOL);
  });
});

describe('Conv by hand and errors', () => {
  it('computes a tiny 1-D case exactly', () => {
    // x = [1 2 3 4], w = [1 0 -1], pads 1 each side, bias 10: y[i] = x[i-1] - x[i+1] + 10
    const b = new GraphBuilder({ opset: 11 });
    const x = b.input('x', 'float32', [1, 1, 4]);
    const y = b.conv(x, b.initializer('w', tensor('float32', [1, 1, 3], [1, 0, -1])), b.initializer('b', tensor('float32', [1], [10])), { pads: [1, 1] });
    b.output(y, 'float32');
    const out = createExecutor(b.build()).run({ x: tensor('float32', [1, 1, 4], [1, 2, 3, 4]) })[y]!;
    expect(out.dims).toEqual([1, 1, 4]);
    expect(toNumberArray(out)).toEqual([8, 8, 8, 13]);
  });
  it('SAME_UPPER puts the odd pad at the end, SAME_LOWER at the start', () => {
    // size 10, kernel 4, stride 3: out 4, total pad (4-1)*3+4-10 = 3
    expect(axisGeometry('SAME_UPPER', 10, 4, 3, 1, 0, 0)).toEqual({ out: 4, padBegin: 1 });
    expect(axisGeometry('SAME_LOWER', 10, 4, 3, 1, 0, 0)).toEqual({ out: 4, padBegin: 2 });
    expect(axisGeometry('VALID', 10, 4, 3, 1, 5, 5)).toEqual({ out: 3, padBegin: 0 });
    expect(axisGeometry('NOTSET', 10, 4, 3, 2, 1, 2)).toEqual({ out: 3, padBegin: 1 });
  });
  it('a group that does not divide the channels is a KernelError at load', () => {
    const b = new GraphBuilder({ opset: 11 });
    const x = b.input('x', 'float32', [1, 4, 5]);
    const y = b.conv(x, b.initializer('w', randomTensor([3, 2, 3], 1)), undefined, { group: 2 });
    b.output(y, 'float32');
    const exec = () => createExecutor(b.build()).run({ x: randomTensor([1, 4, 5], 2) });
    expect(exec).toThrow(KernelError);
    expect(exec).toThrow(/group 2 does not fit X \[1, 4, 5\] and W \[3, 2, 3\]/);
  });
  it('3-D convolution is declined with a clear message', () => {
    const b = new GraphBuilder({ opset: 11 });
    const x = b.input('x', 'float32', [1, 1, 3, 3, 3]);
    const y = b.conv(x, b.initializer('w', randomTensor([1, 1, 2, 2, 2], 1)));
    b.output(y, 'float32');
    expect(() => createExecutor(b.build()).run({ x: randomTensor([1, 1, 3, 3, 3], 2) })).toThrow(/\(1-D\) or \[N, C, H, W\] \(2-D\)/);
  });
  it('a wrong bias length is a KernelError', () => {
    const b = new GraphBuilder({ opset: 11 });
    const x = b.input('x', 'float32', [1, 2, 5]);
    const [y] = b.node('Conv', [x, b.initializer('w', randomTensor([3, 2, 3], 1)), b.initializer('b', randomTensor([2], 2))], { kernel_shape: attr.ints([3]) });
    b.output(y!, 'float32');
    expect(() => createExecutor(b.build()).run({ x: randomTensor([1, 2, 5], 3) })).toThrow(/B must be \[3\]/);
  });
  it('runs again on the same shapes without new buffers', () => {
    const { model, feeds } = convModel(CASES[8]!, 7);
    const exec = createExecutor(model);
    exec.run(feeds);
    const n = exec.pool.allocations;
    exec.run(feeds);
    expect(exec.pool.allocations).toBe(n);
  });
});

describe('random Conv attribute mixes vs onnxruntime-node', () => {
  it('1-D and 2-D, any pads / auto_pad / strides / dilations / group / bias', async () => {
    const arb = fc
      .record({
        twoD: fc.boolean(),
        batch: fc.integer({ min: 1, max: 2 }),
        group: fc.integer({ min: 1, max: 3 }),
        cPerGroup: fc.integer({ min: 1, max: 3 }),
        mPerGroup: fc.integer({ min: 1, max: 3 }),
        kernel: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
        stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
        dilation: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
        pads: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }),
        autoPad: fc.constantFrom('NOTSET', 'NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'),
        extra: fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 })),
        bias: fc.boolean(),
        seed: fc.integer({ min: 1, max: 1000 }),
      })
      .map((r) => {
        const spatial = r.twoD ? 2 : 1;
        const k = r.kernel.slice(0, spatial);
        // onnxruntime rejects dilation together with SAME_*; those mixes are covered against explicit pads above.
        const dil = r.autoPad.startsWith('SAME') ? k.map(() => 1) : r.dilation.slice(0, spatial);
        // Inputs at least as large as the dilated kernel, so every mix has a non-empty output.
        const size = k.map((kk, i) => (kk - 1) * dil[i]! + 1 + r.extra[i]!);
        const c: ConvCase = {
          name: '',
          x: [r.batch, r.group * r.cPerGroup, ...size],
          w: [r.group * r.mPerGroup, r.cPerGroup, ...k],
          bias: r.bias,
          strides: r.stride.slice(0, spatial),
          dilations: dil,
          group: r.group,
        };
        if (r.autoPad === 'NOTSET') c.pads = r.pads.slice(0, 2 * spatial);
        else c.autoPad = r.autoPad;
        return { c, seed: r.seed };
      });
    await fc.assert(
      fc.asyncProperty(arb, async ({ c, seed }) => {
        const { model, feeds } = convModel(c, seed);
        await expectMatchesOrt(model, feeds, TOL);
      }),
      { numRuns: 60, seed: 424242 },
    );
  });
});
