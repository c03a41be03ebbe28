/**
 * Reductions, ArgMax and TopK against onnxruntime-node on the same model bytes, across the opsets where
 * `axes` moved from an attribute to an input (ReduceSum at 13, ReduceMean/ReduceMax at 18), with keepdims,
 * negative axes, empty axes and noop_with_empty_axes. Floats rtol 1e-5 / atol 1e-5 (sums accumulate in
 * double here, in float32 in onnxruntime); integers and indices exact.
 */
import { describe, expect, it } from 'vitest';
import { createExecutor } from '../src/executor/executor.js';
import { GraphBuilder } from '../src/onnx/build.js';
import { tensor, type DType } from '../src/tensor.js';
import { expectMatchesOrt, randomTensor, rng } from './kernel-oracle.js';

const FTOL = { rtol: 1e-5, atol: 1e-5 };
const EXACT = { rtol: 0, atol: 0 };
const DIMS = [2, 3, 4];

type AxesCase = { axes?: number[]; keepdims?: 0 | 1; noop?: 0 | 1 };
const AXES: AxesCase[] = [
  {},
  { keepdims: 0 },
  { axes: [1] },
  { axes: [0, 2], keepdims: 0 },
  { axes: [-1] },
  { axes: [-3, -1], keepdims: 1 },
  { axes: [2, 0, 1], keepdims: 0 },
  { axes: [], noop: 1 },
  { axes: [], noop: 0, keepdims: 0 },
];

function reduceModel(op: string, opset: number, dtype: DType, c: AxesCase) {
  const g = new GraphBuilder({ opset });
  const x = g.input('x', dtype, DIMS);
  const axesAsInput = opset >= (op === 'ReduceSum' ? 13 : 18);
  const inputs = [x];
  const attrs: Record<string, number | number[] | undefined> = { keepdims: c.keepdims };
  if (axesAsInput) {
    if (c.axes !== undefined) inputs.push(g.int64s(c.axes));
    attrs.noop_with_empty_axes = c.noop;
  } else if (c.axes !== undefined && c.axes.length > 0) {
    attrs.axes = c.axes;
  }
  const [y] = g.node(op, inputs, attrs);
  g.output(y!, dtype);
  return g.build();
}

describe('ReduceSum / ReduceMean / ReduceMax / ReduceMin / ReduceProd', () => {
  const plans: [string, number[]][] = [
    ['ReduceSum', [11, 13]],
    ['ReduceMean', [13, 18]],
    ['ReduceMax', [13, 18]],
    ['ReduceMin', [13, 18]],
    ['ReduceProd', [13, 18]],
  ];
  for (const [op, opsets] of plans) {
    for (const opset of opsets) {
      for (const dtype of ['float32', 'int32', 'int64'] as DType[]) {
        if (op === 'ReduceMean' && dtype !== 'float32') continue; // integer mean rounding is not pinned down by the spec
        it(`${op} opset ${opset} ${dtype}`, async () => {
          const r = rng(op.length * opset + dtype.length);
          for (const c of AXES) {
            const axesAsInput = opset >= (op === 'ReduceSum' ? 13 : 18);
            if (!axesAsInput && c.noop !== undefined) continue;
            const x = randomTensor(r, dtype, DIMS, op === 'ReduceProd' ? 0.5 : -9, op === 'ReduceProd' ? 1.5 : 9);
            await expectMatchesOrt(reduceModel(op, opset, dtype, c), { x }, dtype === 'float32' ? FTOL : EXACT, `${op}@${opset} ${JSON.stringify(c)}`);
          }
        });
      }
    }
  }

  it('ReduceSum over an empty dimension gives zeros', () => {
    const g = new GraphBuilder({ opset: 13 });
    const [y] = g.node('ReduceSum', [g.input('x', 'float32', [2, 0, 4]), g.int64s([1])], { keepdims: 1 });
    g.output(y!, 'float32');
    const out = Object.values(createExecutor(g.build()).run({ x: tensor('float32', [2, 0, 4]) }))[0]!;
    expect(out.dims).toEqual([2, 1, 4]);
    expect(Array.from(out.data as Float32Array)).toEqual(new Array(8).fill(0));
  });

  it('rejects an axes attribute where axes are an input (it would otherwise reduce every axis)', () => {
    const g = new GraphBuilder({ opset: 13 });
    const [y] = g.node('ReduceSum', [g.input('x', 'float32', [2, 3])], { axes: [1] });
    g.output(y!, 'float32');
    expect(() => createExecutor(g.build())).toThrow(/from opset 13 ReduceSum takes axes as input 1, not as an attribute/);
  });

  it('rejects an out-of-range or repeated axis with the axis named', () => {
    const run = (axes: number[]) => {
      const g = new GraphBuilder({ opset: 13 });
      const [y] = g.node('ReduceSum', [g.input('x', 'float32', [2, 3]), g.int64s(axes)]);
      g.output(y!, 'float32');
      return () => createExecutor(g.build()).run({ x: tensor('float32', [2, 3]) });
    };
    expect(run([2])).toThrow(/axis 2 is out of range for rank 2/);
    expect(run([1, -1])).toThrow(/axis -1 is listed twice/);
  });
});

describe('ArgMax', () => {
  for (const selectLastIndex of [0, 1] as const) {
    for (const keepdims of [0, 1] as const) {
      for (const axis of [0, 1, 2, -1, -2]) {
        it(`axis ${axis} keepdims ${keepdims} select_last_index ${selectLastIndex}`, async () => {
          // values from a tiny set so ties are common
          const x = randomTensor(rng(axis + 10 * keepdims + 100 * selectLastIndex), 'float32', DIMS, 0, 2);
          const ties = tensor('float32', DIMS, Array.from(x.data as Float32Array, Math.round));
          const g = new GraphBuilder({ opset: 13 });
          g.output(g.argmax(g.input('x', 'float32', DIMS), { axis, keepdims, selectLastIndex }), 'int64');
          await expectMatchesOrt(g.build(), { x: ties }, EXACT, 'ArgMax');
        });
      }
    }
  }
  it('ArgMax on int64 input', async () => {
    const x = randomTensor(rng(4), 'int64', [5, 6], -3, 3);
    const g = new GraphBuilder({ opset: 13 });
    g.output(g.argmax(g.input('x', 'int64', [5, 6]), { axis: 1 }), 'int64');
    await expectMatchesOrt(g.build(), { x }, EXACT, 'ArgMax int64');
  });
});

describe('TopK', () => {
  for (const largest of [1, 0]) {
    for (const axis of [-1, 0, 1]) {
      for (const k of [1, 2, 3]) {
        it(`largest ${largest} axis ${axis} k ${k} with ties (lower index first)`, async () => {
          const dims = [3, 4, 5];
          const x = randomTensor(rng(largest * 100 + axis * 10 + k), 'float32', dims, 0, 3);
          const ties = tensor('float32', dims, Array.from(x.data as Float32Array, Math.round));
          const g = new GraphBuilder({ opset: 11 });
          const [v, i] = g.node('TopK', [g.input('x', 'float32', dims), g.int64s([k])], { axis, largest, sorted: 1 }, ['values', 'indices']);
          g.output(v!, 'float32');
          g.output(i!, 'int64');
          await expectMatchesOrt(g.build(), { x: ties }, EXACT, 'TopK');
        });
      }
    }
  }
  it('int64 values, and the k attribute of opset 1', async () => {
    const x = randomTensor(rng(12), 'int64', [4, 6], -5, 5);
    const g = new GraphBuilder({ opset: 11 });
    const [v, i] = g.node('TopK', [g.input('x', 'int64', [4, 6]), g.int64s([3])], {}, ['v', 'i']);
    g.output(v!, 'int64');
    g.output(i!, 'int64');
    await expectMatchesOrt(g.build(), { x }, EXACT, 'TopK int64');
    const x1 = randomTensor(rng(13), 'float32', [2, 5]);
    const g1 = new GraphBuilder({ opset: 1 });
    const [v1, i1] = g1.node('TopK', [g1.input('x', 'float32', [2, 5])], { k: 2 }, ['v', 'i']);
    g1.output(v1!, 'float32');
    g1.output(i1!, 'int64');
    await expectMatchesOrt(g1.build(), { x: x1 }, EXACT, 'TopK opset 1');
  });
  it('rejects K larger than the axis', () => {
    const g = new GraphBuilder({ opset: 11 });
    const [v, i] = g.node('TopK', [g.input('x', 'float32', [2, 3]), g.int64s([4])], {}, ['v', 'i']);
    g.output(v!, 'float32');
    g.output(i!, 'int64');
    expect(() => createExecutor(g.build()).run({ x: tensor('float32', [2, 3]) })).toThrow(/K=4 must be in \[0, 3\]/);
  });
});
