/**
 * MaxPool, AveragePool, GlobalAveragePool and GlobalMaxPool against onnxruntime-node on the same model
 * bytes, over a table of attribute mixes: 1-D/2-D/3-D, every auto_pad value, asymmetric pads, strides,
 * dilations, ceil_mode, count_include_pad, the Indices output in both storage orders, kernels larger than X
 * with padding, and every opset the operators were revised at.
 *
 * Tolerance: MaxPool and GlobalMaxPool are exact (rtol 0, atol 0): they select an element and do no
 * arithmetic. Averages are compared at rtol 1e-6, atol 1e-6: ours sum in float64 and round once,
 * onnxruntime sums in float32, so what remains is float32 accumulation rounding (a few ulps of values in
 * [-3, 3), about 1e-7); a wrong tap, pad or divisor is off by O(0.1).
 *
 * Where onnxruntime has no kernel (float64 AveragePool and global pools, float64 MaxPool-1) or diverges
 * from the ONNX text (SAME_* with dilations, SAME with a negative pad), the comment at the case says so and
 * the case is checked another way.
 */
import { describe, expect, it } from 'vitest';
import { KernelError } from '../src/errors.js';
import { createExecutor } from '../src/executor/executor.js';
import { attr, GraphBuilder } from '../src/onnx/build.js';
import { tensor, type DType, type Tensor } from '../src/tensor.js';
import { expectMatchesOrt, randomTensor, rng, runOrt } from './kernel-oracle.js';

const EXACT = { rtol: 0, atol: 0 };
const FTOL = { rtol: 1e-6, atol: 1e-6 };

interface PoolAttrs {
  kernel_shape?: number[];
  strides?: number[];
  pads?: number[];
  dilations?: number[];
  auto_pad?: string;
  ceil_mode?: number;
  count_include_pad?: number;
  storage_order?: number;
}

interface PoolCase {
  name: string;
  op: 'MaxPool' | 'AveragePool' | 'GlobalMaxPool' | 'GlobalAveragePool';
  opset: number;
  x: number[];
  attrs?: PoolAttrs;
  dtype?: DType;
  indices?: boolean;
}

function poolModel(c: PoolCase, dims: (number | string)[] = c.x) {
  const dtype = c.dtype ?? 'float32';
  const g = new GraphBuilder({ opset: c.opset });
  const attrs: Record<string, ReturnType<typeof attr.int> | undefined> = {};
  for (const [k, v] of Object.entries(c.attrs ?? {})) {
    attrs[k] = typeof v === 'string' ? attr.string(v) : Array.isArray(v) ? attr.ints(v) : attr.int(v as number);
  }
  g.node(c.op, [g.input('x', dtype, dims)], attrs, c.indices ? ['y', 'i'] : ['y']);
  g.output('y', dtype);
  if (c.indices) g.output('i', 'int64');
  return g.build();
}

function feed(c: PoolCase, seed: number, dims = c.x): Tensor {
  const dtype = c.dtype ?? 'float32';
  if (dtype === 'int8') return randomTensor(rng(seed), dtype, dims, -128, 127);
  if (dtype === 'uint8') return randomTensor(rng(seed), dtype, dims, 0, 255);
  return randomTensor(rng(seed), dtype, dims);
}

const tolOf = (c: PoolCase) => (c.op.includes('Max') ? EXACT : FTOL);

const MAX_CASES: PoolCase[] = [
  { name: '1-D plain, opset 1', op: 'MaxPool', opset: 1, x: [2, 3, 20], attrs: { kernel_shape: [3] } },
  { name: '1-D stride 2, asymmetric pads, Indices, opset 8', op: 'MaxPool', opset: 8, x: [2, 3, 11], attrs: { kernel_shape: [3], strides: [2], pads: [1, 2] }, indices: true },
  { name: '1-D Indices storage_order 1, opset 8', op: 'MaxPool', opset: 8, x: [2, 3, 9], attrs: { kernel_shape: [2], storage_order: 1 }, indices: true },
  { name: '1-D dilation 2, stride 2, ceil_mode 1, opset 10', op: 'MaxPool', opset: 10, x: [1, 2, 14], attrs: { kernel_shape: [3], dilations: [2], strides: [2], ceil_mode: 1 }, indices: true },
  { name: '1-D ceil_mode 1 drops a window starting in the trailing pad, opset 10', op: 'MaxPool', opset: 10, x: [1, 2, 5], attrs: { kernel_shape: [2], strides: [2], pads: [1, 1], ceil_mode: 1 } },
  { name: '1-D ceil_mode 1 with a trailing pad wider than the stride, opset 10', op: 'MaxPool', opset: 10, x: [1, 2, 4], attrs: { kernel_shape: [3], strides: [2], pads: [0, 2], ceil_mode: 1 }, indices: true },
  { name: '1-D ceil_mode 0 with the same geometry, opset 10', op: 'MaxPool', opset: 10, x: [1, 2, 8], attrs: { kernel_shape: [3], strides: [2], pads: [0, 2] } },
  { name: '1-D SAME_UPPER stride 3, opset 11', op: 'MaxPool', opset: 11, x: [1, 2, 10], attrs: { kernel_shape: [4], strides: [3], auto_pad: 'SAME_UPPER' }, indices: true },
  { name: '1-D SAME_LOWER stride 2 (odd total pad), opset 11', op: 'MaxPool', opset: 11, x: [1, 2, 11], attrs: { kernel_shape: [4], strides: [2], auto_pad: 'SAME_LOWER' }, indices: true },
  { name: '1-D VALID stride 3, ceil_mode 1, opset 12', op: 'MaxPool', opset: 12, x: [1, 2, 7], attrs: { kernel_shape: [2], strides: [3], auto_pad: 'VALID', ceil_mode: 1 } },
  { name: '1-D kernel larger than X with padding, opset 12', op: 'MaxPool', opset: 12, x: [1, 3, 3], attrs: { kernel_shape: [5], pads: [2, 3] }, indices: true },
  { name: '2-D asymmetric pads, strides [2, 1], Indices, opset 12', op: 'MaxPool', opset: 12, x: [2, 3, 7, 9], attrs: { kernel_shape: [3, 2], pads: [1, 0, 2, 1], strides: [2, 1] }, indices: true },
  { name: '2-D dilations, strides, ceil_mode 1, Indices storage_order 1, opset 12', op: 'MaxPool', opset: 12, x: [1, 2, 9, 8], attrs: { kernel_shape: [2, 3], dilations: [2, 1], strides: [2, 2], pads: [1, 1, 0, 1], ceil_mode: 1, storage_order: 1 }, indices: true },
  { name: '2-D SAME_UPPER strides [2, 2], opset 12', op: 'MaxPool', opset: 12, x: [1, 3, 7, 8], attrs: { kernel_shape: [3, 2], strides: [2, 2], auto_pad: 'SAME_UPPER' }, indices: true },
  { name: '2-D SAME_LOWER strides [1, 2], opset 12', op: 'MaxPool', opset: 12, x: [2, 2, 6, 7], attrs: { kernel_shape: [2, 3], strides: [1, 2], auto_pad: 'SAME_LOWER' } },
  { name: '2-D VALID strides [2, 2], opset 12', op: 'MaxPool', opset: 12, x: [1, 2, 9, 8], attrs: { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'VALID' } },
  { name: '2-D kernel larger than X with padding, Indices storage_order 1, opset 12', op: 'MaxPool', opset: 12, x: [1, 2, 3, 2], attrs: { kernel_shape: [5, 4], pads: [2, 1, 2, 2], storage_order: 1 }, indices: true },
  { name: '3-D strides, asymmetric pads, Indices, opset 12', op: 'MaxPool', opset: 12, x: [1, 2, 5, 6, 7], attrs: { kernel_shape: [2, 3, 2], strides: [2, 1, 2], pads: [0, 1, 1, 1, 0, 0] }, indices: true },
  { name: '3-D dilations, ceil_mode 1, Indices storage_order 1, opset 12', op: 'MaxPool', opset: 12, x: [2, 2, 5, 6, 7], attrs: { kernel_shape: [2, 2, 3], dilations: [1, 2, 1], strides: [2, 2, 2], ceil_mode: 1, storage_order: 1 }, indices: true },
  { name: '3-D SAME_UPPER stride 2, opset 12', op: 'MaxPool', opset: 12, x: [1, 2, 4, 5, 6], attrs: { kernel_shape: [3, 3, 3], strides: [2, 2, 2], auto_pad: 'SAME_UPPER' }, indices: true },
  { name: '3-D SAME_LOWER, opset 12', op: 'MaxPool', opset: 12, x: [1, 1, 4, 5, 6], attrs: { kernel_shape: [2, 3, 2], auto_pad: 'SAME_LOWER' } },
  { name: '3-D VALID, opset 12', op: 'MaxPool', opset: 12, x: [1, 2, 4, 5, 6], attrs: { kernel_shape: [2, 3, 2], auto_pad: 'VALID' } },
  { name: 'float64 2-D with Indices, opset 8', op: 'MaxPool', opset: 8, x: [2, 2, 6, 5], attrs: { kernel_shape: [2, 2], pads: [1, 0, 0, 1] }, indices: true, dtype: 'float64' },
  { name: 'float64 2-D dilations ceil_mode, opset 12', op: 'MaxPool', opset: 12, x: [1, 2, 8, 7], attrs: { kernel_shape: [2, 2], dilations: [2, 2], ceil_mode: 1, strides: [2, 2] }, indices: true, dtype: 'float64' },
  { name: 'int8 2-D with Indices, opset 12', op: 'MaxPool', opset: 12, x: [1, 3, 6, 5], attrs: { kernel_shape: [2, 2], pads: [1, 1, 1, 1], strides: [2, 1] }, indices: true, dtype: 'int8' },
  { name: 'uint8 1-D, opset 12', op: 'MaxPool', opset: 12, x: [2, 2, 9], attrs: { kernel_shape: [3], strides: [2] }, dtype: 'uint8' },
  { name: 'empty batch, opset 12', op: 'MaxPool', opset: 12, x: [0, 2, 9], attrs: { kernel_shape: [3] }, indices: true },
  { name: 'opset 22', op: 'MaxPool', opset: 22, x: [1, 2, 6, 6], attrs: { kernel_shape: [2, 2], strides: [2, 2] }, indices: true },
];

const AVERAGE_CASES: PoolCase[] = [
  { name: '1-D pads, count_include_pad 0, opset 7', op: 'AveragePool', opset: 7, x: [2, 3, 12], attrs: { kernel_shape: [3], pads: [1, 2] } },
  { name: '1-D stride 2, pads, count_include_pad 1, opset 7', op: 'AveragePool', opset: 7, x: [2, 3, 12], attrs: { kernel_shape: [4], strides: [2], pads: [2, 1], count_include_pad: 1 } },
  { name: '1-D ceil_mode 1, count_include_pad 1 (the overhang past the pad is not counted), opset 10', op: 'AveragePool', opset: 10, x: [1, 2, 6], attrs: { kernel_shape: [3], strides: [2], pads: [1, 1], ceil_mode: 1, count_include_pad: 1 } },
  { name: '1-D ceil_mode 1, count_include_pad 0, opset 10', op: 'AveragePool', opset: 10, x: [1, 2, 10], attrs: { kernel_shape: [3], strides: [2], pads: [1, 0], ceil_mode: 1 } },
  { name: '1-D ceil_mode 1 with a trailing pad wider than the stride, count_include_pad 1, opset 10', op: 'AveragePool', opset: 10, x: [1, 2, 4], attrs: { kernel_shape: [3], strides: [2], pads: [0, 2], ceil_mode: 1, count_include_pad: 1 } },
  { name: '1-D kernel larger than X with padding, count_include_pad 0, opset 11', op: 'AveragePool', opset: 11, x: [1, 2, 3], attrs: { kernel_shape: [5], pads: [2, 2] } },
  { name: '1-D kernel larger than X with padding, count_include_pad 1, opset 11', op: 'AveragePool', opset: 11, x: [1, 2, 3], attrs: { kernel_shape: [5], pads: [3, 2], count_include_pad: 1 } },
  { name: '1-D SAME_LOWER, count_include_pad 1 (SAME pads count), opset 11', op: 'AveragePool', opset: 11, x: [1, 2, 9], attrs: { kernel_shape: [4], auto_pad: 'SAME_LOWER', count_include_pad: 1 } },
  { name: '1-D VALID ignores pads; ceil_mode 1 overhang not counted by count_include_pad 1, opset 11', op: 'AveragePool', opset: 11, x: [1, 2, 8], attrs: { kernel_shape: [3], strides: [2], pads: [1, 2], auto_pad: 'VALID', ceil_mode: 1, count_include_pad: 1 } },
  { name: '1-D SAME_UPPER ignores pads, count_include_pad 1, opset 11', op: 'AveragePool', opset: 11, x: [1, 2, 9], attrs: { kernel_shape: [4], strides: [2], pads: [3, 0], auto_pad: 'SAME_UPPER', count_include_pad: 1 } },
  { name: '2-D SAME_UPPER strides [2, 2], count_include_pad 1, opset 11', op: 'AveragePool', opset: 11, x: [1, 3, 7, 8], attrs: { kernel_shape: [3, 2], strides: [2, 2], auto_pad: 'SAME_UPPER', count_include_pad: 1 } },
  { name: '2-D SAME_LOWER, count_include_pad 0, opset 11', op: 'AveragePool', opset: 11, x: [2, 2, 6, 7], attrs: { kernel_shape: [3, 4], auto_pad: 'SAME_LOWER' } },
  { name: '2-D VALID strides [2, 3], opset 11', op: 'AveragePool', opset: 11, x: [1, 2, 9, 10], attrs: { kernel_shape: [3, 2], strides: [2, 3], auto_pad: 'VALID' } },
  { name: '2-D asymmetric pads, ceil_mode 1, count_include_pad 1, opset 11', op: 'AveragePool', opset: 11, x: [2, 2, 7, 9], attrs: { kernel_shape: [3, 3], pads: [1, 0, 0, 2], strides: [2, 3], ceil_mode: 1, count_include_pad: 1 } },
  { name: '2-D asymmetric pads, ceil_mode 1, count_include_pad 0, opset 11', op: 'AveragePool', opset: 11, x: [2, 2, 7, 9], attrs: { kernel_shape: [3, 3], pads: [1, 0, 0, 2], strides: [2, 3], ceil_mode: 1 } },
  { name: '2-D dilations, pads, ceil_mode 1, count_include_pad 1, opset 19', op: 'AveragePool', opset: 19, x: [1, 2, 9, 8], attrs: { kernel_shape: [3, 2], dilations: [2, 3], pads: [1, 1, 1, 0], strides: [2, 1], ceil_mode: 1, count_include_pad: 1 } },
  { name: '2-D dilations, pads, count_include_pad 0, opset 19', op: 'AveragePool', opset: 19, x: [1, 2, 9, 8], attrs: { kernel_shape: [3, 2], dilations: [2, 3], pads: [1, 1, 1, 0], strides: [2, 1] } },
  { name: '3-D strides, pads, count_include_pad 1, opset 11', op: 'AveragePool', opset: 11, x: [1, 2, 5, 6, 7], attrs: { kernel_shape: [2, 3, 3], strides: [1, 2, 2], pads: [1, 1, 0, 0, 1, 2], count_include_pad: 1 } },
  { name: '3-D SAME_UPPER, opset 11', op: 'AveragePool', opset: 11, x: [1, 2, 4, 5, 6], attrs: { kernel_shape: [2, 3, 2], strides: [2, 1, 2], auto_pad: 'SAME_UPPER' } },
  { name: '3-D dilations, ceil_mode 1, opset 19', op: 'AveragePool', opset: 19, x: [1, 2, 6, 7, 8], attrs: { kernel_shape: [2, 2, 2], dilations: [2, 1, 3], strides: [2, 2, 2], pads: [0, 1, 1, 1, 0, 1], ceil_mode: 1 } },
  { name: '3-D VALID, opset 19', op: 'AveragePool', opset: 19, x: [1, 2, 4, 5, 6], attrs: { kernel_shape: [3, 2, 2], auto_pad: 'VALID' } },
  { name: 'opset 22', op: 'AveragePool', opset: 22, x: [1, 2, 6, 6], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 } },
];

// Windows whose taps all land in the padding (dilations step over X): onnxruntime gives the lowest float
// and index -1 for MaxPool and 0 for AveragePool, and so do we. The MaxPool case has one plane because
// onnxruntime adds the plane's offset to its -1, so from the second plane on its index points at the last
// element of the previous plane; we keep -1 in every plane.
const EMPTY_WINDOW_CASES: PoolCase[] = [
  { name: 'MaxPool window with no tap inside X', op: 'MaxPool', opset: 12, x: [1, 1, 2], attrs: { kernel_shape: [2], dilations: [3], pads: [1, 1] }, indices: true },
  { name: 'AveragePool window with no tap inside X, count_include_pad 0', op: 'AveragePool', opset: 19, x: [1, 2, 2], attrs: { kernel_shape: [2], dilations: [3], pads: [1, 1] } },
  { name: 'AveragePool window with no tap inside X, count_include_pad 1', op: 'AveragePool', opset: 19, x: [1, 2, 2], attrs: { kernel_shape: [2], dilations: [3], pads: [1, 1], count_include_pad: 1 } },
];

// onnxruntime logs a warning for opset-1 models but runs them.
const GLOBAL_CASES: PoolCase[] = [
  { name: 'GlobalAveragePool 1-D', op: 'GlobalAveragePool', opset: 1, x: [2, 3, 17] },
  { name: 'GlobalAveragePool 2-D', op: 'GlobalAveragePool', opset: 1, x: [2, 4, 5, 6] },
  { name: 'GlobalAveragePool 3-D', op: 'GlobalAveragePool', opset: 1, x: [1, 3, 4, 5, 6] },
  { name: 'GlobalAveragePool opset 22', op: 'GlobalAveragePool', opset: 22, x: [1, 3, 8, 2] },
  { name: 'GlobalMaxPool 1-D', op: 'GlobalMaxPool', opset: 1, x: [2, 3, 17] },
  { name: 'GlobalMaxPool 2-D', op: 'GlobalMaxPool', opset: 1, x: [2, 4, 5, 6] },
  { name: 'GlobalMaxPool 3-D', op: 'GlobalMaxPool', opset: 1, x: [1, 3, 4, 5, 6] },
  { name: 'GlobalMaxPool opset 22', op: 'GlobalMaxPool', opset: 22, x: [1, 3, 8, 2] },
];

function oracleTable(title: string, cases: PoolCase[], seed: number) {
  describe(title, () => {
    cases.forEach((c, i) => {
      it(c.name, async () => {
        await expectMatchesOrt(poolModel(c), { x: feed(c, seed + 7 * i) }, tolOf(c), `${c.op} ${c.name}`);
      });
    });
  });
}

oracleTable('MaxPool vs onnxruntime-node', MAX_CASES, 1000);
oracleTable('AveragePool vs onnxruntime-node', AVERAGE_CASES, 2000);
oracleTable('windows with no tap inside X vs onnxruntime-node', EMPTY_WINDOW_CASES, 3000);
oracleTable('global pools vs onnxruntime-node', GLOBAL_CASES, 4000);

describe('conventions onnxruntime shares, on chosen values', () => {
  it('MaxPool ties report the first position', async () => {
    const c: PoolCase = { name: 'ties', op: 'MaxPool', opset: 12, x: [1, 1, 4], attrs: { kernel_shape: [3], pads: [1, 1] }, indices: true };
    const out = await expectMatchesOrt(poolModel(c), { x: tensor('float32', [1, 1, 4], [2, 2, 1, 2]) }, EXACT, 'ties');
    expect([...(out.i!.data as BigInt64Array)]).toEqual([0n, 0n, 1n, 3n]);
  });

  it('MaxPool keeps a NaN that comes first in its window and skips a later one (onnxruntime with Indices)', async () => {
    const c: PoolCase = { name: 'nan', op: 'MaxPool', opset: 12, x: [1, 1, 4], attrs: { kernel_shape: [2] }, indices: true };
    const out = await expectMatchesOrt(poolModel(c), { x: tensor('float32', [1, 1, 4], [Number.NaN, 2, 1, Number.NaN]) }, EXACT, 'nan');
    expect([...out.y!.data]).toEqual([Number.NaN, 2, 1]);
    expect([...(out.i!.data as BigInt64Array)]).toEqual([0n, 1n, 2n]);
  });
});

describe('the geometry follows X when its shape changes between runs', () => {
  const cases: PoolCase[] = [
    { name: 'MaxPool 2-D with Indices', op: 'MaxPool', opset: 12, x: [1, 2, 0, 0], attrs: { kernel_shape: [3, 2], strides: [2, 1], pads: [1, 0, 1, 1], ceil_mode: 1 }, indices: true },
    { name: 'AveragePool 2-D', op: 'AveragePool', opset: 19, x: [1, 2, 0, 0], attrs: { kernel_shape: [3, 2], strides: [2, 1], dilations: [1, 2], pads: [1, 0, 1, 1], count_include_pad: 1 } },
    { name: 'GlobalAveragePool', op: 'GlobalAveragePool', opset: 1, x: [1, 2, 0, 0] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const model = poolModel(c, ['N', 2, 'H', 'W']);
      const exec = createExecutor(model);
      const shapes = [[1, 2, 7, 9], [3, 2, 5, 4], [1, 2, 7, 9]];
      for (const [k, dims] of shapes.entries()) {
        const x = feed(c, 5000 + k, dims);
        const ours = exec.run({ x });
        const ref = await runOrt(model, { x });
        expect(ours.y!.dims).toEqual(ref.y!.dims);
        const ys = [...ours.y!.data].map(Number);
        const want = [...ref.y!.data].map(Number);
        for (let j = 0; j < want.length; j++) expect(Math.abs(ys[j]! - want[j]!)).toBeLessThanOrEqual(1e-6 + 1e-6 * Math.abs(want[j]!));
        if (c.indices) expect([...(ours.i!.data as BigInt64Array)]).toEqual([...(ref.i!.data as BigInt64Array)]);
      }
    });
  }
});

describe('where onnxruntime has no kernel or departs from the ONNX text', () => {
  // onnxruntime implements AveragePool and the global pools for float32 only, and MaxPool-1 without
  // float64: the float64 path runs on float32-representable values and is compared with onnxruntime's
  // float32 result on the same values.
  const float64Cases: PoolCase[] = [
    { name: 'AveragePool 2-D pads, ceil_mode, count_include_pad 1', op: 'AveragePool', opset: 11, x: [1, 2, 7, 6], attrs: { kernel_shape: [3, 2], pads: [1, 0, 1, 1], strides: [2, 2], ceil_mode: 1, count_include_pad: 1 } },
    { name: 'AveragePool 3-D dilations', op: 'AveragePool', opset: 19, x: [1, 2, 5, 6, 7], attrs: { kernel_shape: [2, 2, 2], dilations: [2, 2, 1], pads: [1, 0, 0, 0, 1, 1] } },
    { name: 'MaxPool-1 2-D', op: 'MaxPool', opset: 1, x: [2, 2, 6, 5], attrs: { kernel_shape: [3, 2], pads: [1, 1, 1, 0] } },
    { name: 'GlobalAveragePool 2-D', op: 'GlobalAveragePool', opset: 1, x: [2, 3, 5, 6] },
    { name: 'GlobalMaxPool 3-D', op: 'GlobalMaxPool', opset: 1, x: [2, 3, 3, 4, 5] },
  ];
  for (const c of float64Cases) {
    it(`float64 ${c.name} equals onnxruntime's float32 result on the same values`, async () => {
      const x32 = feed(c, 6000);
      const x64 = tensor('float64', c.x, [...x32.data].map(Number));
      const ref = await runOrt(poolModel(c), { x: x32 });
      const ours = createExecutor(poolModel({ ...c, dtype: 'float64' })).run({ x: x64 });
      expect(ours.y!.dims).toEqual(ref.y!.dims);
      const tol = tolOf(c);
      const want = ref.y!.data as Float32Array;
      (ours.y!.data as Float64Array).forEach((v, j) => expect(Math.abs(v - want[j]!)).toBeLessThanOrEqual(tol.atol + tol.rtol * Math.abs(want[j]!)));
    });
  }

  it('AveragePool-1 is AveragePool-7 without count_include_pad (onnxruntime has no AveragePool-1)', () => {
    const c: PoolCase = { name: 'avg1', op: 'AveragePool', opset: 1, x: [1, 2, 7, 6], attrs: { kernel_shape: [3, 2], pads: [1, 0, 1, 1], strides: [2, 1] } };
    const x = feed(c, 7000);
    const one = createExecutor(poolModel(c)).run({ x });
    const seven = createExecutor(poolModel({ ...c, opset: 7 })).run({ x });
    expect(one.y!.dims).toEqual(seven.y!.dims);
    expect([...one.y!.data]).toEqual([...seven.y!.data]);
  });

  it('SAME_UPPER pads for the dilated kernel, as the ONNX text says (onnxruntime pads for the undilated one and gives 5 outputs)', () => {
    const c: PoolCase = { name: 'same dil', op: 'MaxPool', opset: 12, x: [1, 1, 7], attrs: { kernel_shape: [3], dilations: [2], auto_pad: 'SAME_UPPER' } };
    const y = createExecutor(poolModel(c)).run({ x: tensor('float32', [1, 1, 7], [1, 2, 3, 4, 5, 6, 7]) }).y!;
    // Output ceil(7 / 1) = 7; total pad (7 - 1) + 5 - 7 = 4, two on each side; window o covers o-2, o, o+2.
    expect(y.dims).toEqual([1, 1, 7]);
    expect([...y.data]).toEqual([3, 4, 5, 6, 7, 6, 7]);
  });

  it('SAME_LOWER with a kernel shorter than the stride needs no pad (onnxruntime rejects the negative pad it computes)', () => {
    const c: PoolCase = { name: 'same neg', op: 'AveragePool', opset: 11, x: [1, 1, 5], attrs: { kernel_shape: [1], strides: [2], auto_pad: 'SAME_LOWER' } };
    const y = createExecutor(poolModel(c)).run({ x: tensor('float32', [1, 1, 5], [1, 2, 3, 4, 5]) }).y!;
    expect(y.dims).toEqual([1, 1, 3]);
    expect([...y.data]).toEqual([1, 3, 5]);
  });
});

describe('bad input gets a KernelError saying what was expected and what came', () => {
  const run = (c: PoolCase, x: Tensor = feed(c, 1)) => () => createExecutor(poolModel(c)).run({ x });
  const maxCase = (attrs: PoolAttrs, x = [1, 3, 20], opset = 12, extra: Partial<PoolCase> = {}): PoolCase => ({ name: '', op: 'MaxPool', opset, x, attrs, ...extra });

  it('kernel_shape that does not fit X', () => {
    expect(run(maxCase({ kernel_shape: [2, 2] }))).toThrow(/kernel_shape has 2 values, expected 1 for X \[1, 3, 20\]/);
    expect(run(maxCase({ kernel_shape: [2, 2] }))).toThrow(KernelError);
    expect(run(maxCase({}))).toThrow(/attribute kernel_shape is required/);
    expect(run(maxCase({ kernel_shape: [1, 1, 2, 2] }, [1, 1, 2, 2, 4, 4]))).toThrow(/kernel_shape has 4 values; 1-D, 2-D and 3-D pooling are supported/);
    expect(run(maxCase({ kernel_shape: [0] }))).toThrow(/kernel_shape must all be >= 1, got \[0\]/);
  });

  it('strides, dilations and pads of the wrong length or range', () => {
    expect(run(maxCase({ kernel_shape: [2, 2], strides: [1] }, [1, 1, 4, 4]))).toThrow(/strides has 1 value, expected 2 \(one per kernel_shape axis\)/);
    expect(run(maxCase({ kernel_shape: [2], pads: [1] }))).toThrow(/pads has 1 value, expected 2 \(a begin and an end per kernel_shape axis\)/);
    expect(run(maxCase({ kernel_shape: [2], pads: [1, -1] }))).toThrow(/pads must all be >= 0, got \[1, -1\]/);
    expect(run(maxCase({ kernel_shape: [2], strides: [0] }))).toThrow(/strides must all be >= 1, got \[0\]/);
    expect(run(maxCase({ kernel_shape: [2], dilations: [0] }))).toThrow(/dilations must all be >= 1, got \[0\]/);
  });

  it('unknown auto_pad, ceil_mode or storage_order values', () => {
    expect(run(maxCase({ kernel_shape: [2], auto_pad: 'SAME' }))).toThrow(/auto_pad 'SAME' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID/);
    expect(run(maxCase({ kernel_shape: [2], ceil_mode: 2 }))).toThrow(/ceil_mode must be 0 or 1, got 2/);
    expect(run(maxCase({ kernel_shape: [2], storage_order: 2 }, [1, 3, 20], 12, { indices: true }))).toThrow(/storage_order must be 0 \(row-major\) or 1 \(column-major\), got 2/);
  });

  it('attributes and outputs the model opset does not have', () => {
    expect(run(maxCase({ kernel_shape: [2], dilations: [2] }, [1, 3, 20], 8))).toThrow(/attribute 'dilations' needs opset 10 or later; this model has opset 8/);
    expect(run(maxCase({ kernel_shape: [2], ceil_mode: 1 }, [1, 3, 20], 8))).toThrow(/attribute 'ceil_mode' needs opset 10 or later; this model has opset 8/);
    expect(run(maxCase({ kernel_shape: [2], storage_order: 0 }, [1, 3, 20], 1))).toThrow(/attribute 'storage_order' needs opset 8 or later; this model has opset 1/);
    expect(run(maxCase({ kernel_shape: [2] }, [1, 3, 20], 1, { indices: true }))).toThrow(/the Indices output needs opset 8 or later; this model has opset 1/);
    const avg: PoolCase = { name: '', op: 'AveragePool', opset: 11, x: [1, 3, 20], attrs: { kernel_shape: [2], dilations: [2] } };
    expect(run(avg)).toThrow(/attribute 'dilations' needs opset 19 or later; this model has opset 11/);
    expect(run({ ...avg, opset: 1, attrs: { kernel_shape: [2], count_include_pad: 1 } })).toThrow(/attribute 'count_include_pad' needs opset 7 or later; this model has opset 1/);
  });

  it('element types each operator does not take', () => {
    expect(run(maxCase({ kernel_shape: [2] }, [1, 3, 20], 11, { dtype: 'int8' }))).toThrow(/X must be float32 or float64 \(int8 and uint8 from opset 12\), got int8/);
    expect(run(maxCase({ kernel_shape: [2] }, [1, 3, 20], 12, { dtype: 'int32' }))).toThrow(/X must be float32 or float64, int8 or uint8, got int32/);
    expect(run({ name: '', op: 'AveragePool', opset: 19, x: [1, 3, 20], attrs: { kernel_shape: [2] }, dtype: 'uint8' })).toThrow(/X must be float32 or float64, got uint8/);
    expect(run({ name: '', op: 'GlobalMaxPool', opset: 1, x: [1, 3, 20], dtype: 'int32' })).toThrow(/X must be float32 or float64, got int32/);
  });

  it('X too small for the window, or with no spatial axis', () => {
    expect(run(maxCase({ kernel_shape: [3] }, [1, 1, 2]))).toThrow(/axis 2 of X \[1, 1, 2\] \(size 2\) is smaller than the window \(kernel 3, dilation 1, pads 0 \+ 0\); the output would be empty/);
    expect(run(maxCase({ kernel_shape: [2], dilations: [3] }, [1, 1, 3]))).toThrow(/axis 2 of X \[1, 1, 3\] \(size 3\) is smaller than the window \(kernel 2, dilation 3/);
    expect(run(maxCase({ kernel_shape: [2] }, [1, 1, 0]))).toThrow(/X \[1, 1, 0\] has an empty spatial axis 2/);
    expect(run({ name: '', op: 'GlobalAveragePool', opset: 1, x: [2, 3] })).toThrow(/X must be \[N, C, D1, \.\.\.\] with at least one spatial axis, got \[2, 3\]/);
    expect(run(maxCase({ kernel_shape: [2] }, [3, 20]))).toThrow(/X must be \[N, C, D1, \.\.\.\] with at least one spatial axis, got \[3, 20\]/);
  });
});
