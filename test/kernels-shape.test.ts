/**
 * Shape-family kernels against onnxruntime-node on builder-made one-node models, plus the semantics ORT
 * does not cover (views without copies, numpy-style wide reflect, typed errors). Data movement must be
 * exact, so these comparisons use zero tolerance.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KernelError } from '../src/errors.js';
import { createExecutor } from '../src/executor/executor.js';
import { findKernel } from '../src/executor/kernels/registry.js';
import type { RunContext } from '../src/executor/kernel.js';
import type { Model } from '../src/ir/graph.js';
import { attr, GraphBuilder, type AttrValue } from '../src/onnx/build.js';
import { allocData, tensor, toNumberArray, type DataTypeMap, type DType, type Tensor } from '../src/tensor.js';
import { EXACT, expectMatchesOrt, iota, randomTensor } from './builtin-vs-ort.js';

/** An input of a one-node test model: fed at run time, or an initializer (a constant the plan may fold). */
interface In {
  name: string;
  value: Tensor;
  constant?: boolean;
}

function oneNode(opset: number, op: string, ins: (In | undefined)[], attrs: Record<string, AttrValue | undefined>, outputs = 1): { model: Model; feeds: Record<string, Tensor> } {
  const b = new GraphBuilder({ opset });
  const feeds: Record<string, Tensor> = {};
  const names = ins.map((i) => {
    if (i === undefined) return '';
    if (i.constant) return b.initializer(i.name, i.value);
    feeds[i.name] = i.value;
    return b.input(i.name, i.value.dtype, [...i.value.dims]);
  });
  const outs = b.node(op, names, attrs, outputs);
  for (const o of outs) b.output(o);
  return { model: b.build(), feeds };
}

const i64 = (values: number[]) => tensor('int64', [values.length], values);
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

async function check(opset: number, op: string, ins: (In | undefined)[], attrs: Record<string, AttrValue | undefined> = {}, outputs = 1) {
  const { model, feeds } = oneNode(opset, op, ins, attrs, outputs);
  return expectMatchesOrt(model, feeds, EXACT);
}

/** A RunContext that hands out fresh buffers, for calling a kernel directly. */
function freshContext(): RunContext {
  return {
    output: <D extends DType>(_i: number, dtype: D, dims: readonly number[]) => tensor(dtype, dims),
    scratch: <D extends DType>(_s: number, dtype: D, n: number): DataTypeMap[D] => allocData(dtype, n),
    scope: new Map(),
  };
}

function runDirect(op: string, opset: number, inputs: Tensor[], attributes: Record<string, AttrValue> = {}): (Tensor | undefined)[] {
  const { model } = oneNode(opset, op, inputs.map((value, i) => ({ name: `in${i}`, value })), attributes);
  const node = model.graph.nodes[0]!;
  const def = findKernel(op, '', opset)!;
  const kernel = def.create({ node, opset, constants: [], inputInfo: [], planSubgraph: () => { throw new Error('no subgraphs'); } });
  return kernel.run(inputs, freshContext());
}

describe('Reshape', () => {
  const x = iota('float32', [2, 3, 4]);
  it('copies 0 dims and infers -1 (opset 13)', () => check(13, 'Reshape', [{ name: 'x', value: x }, { name: 's', value: i64([0, -1, 2]), constant: true }]));
  it('takes the shape as a runtime input', () => check(13, 'Reshape', [{ name: 'x', value: x }, { name: 's', value: i64([4, 0, -1]) }]));
  it('allowzero=1 keeps a literal 0 (opset 14)', () =>
    check(14, 'Reshape', [{ name: 'x', value: tensor('float32', [0, 3]) }, { name: 's', value: i64([3, 0]) }], { allowzero: 1 }));
  it('returns a view sharing the input buffer', () => {
    const [y] = runDirect('Reshape', 13, [x, i64([6, 4])]);
    expect(y!.data).toBe(x.data);
    expect(y!.dims).toEqual([6, 4]);
  });
  it('rejects impossible shapes with a KernelError naming both shapes', () => {
    expect(() => runDirect('Reshape', 13, [x, i64([5, -1])])).toThrow(/cannot infer the -1 in shape \[5, -1\] from input \[2, 3, 4\]/);
    expect(() => runDirect('Reshape', 13, [x, i64([-1, -1])])).toThrow(KernelError);
    expect(() => runDirect('Reshape', 13, [x, i64([7, 4])])).toThrow(/24 elements.*28 elements/);
    expect(() => runDirect('Reshape', 14, [x, i64([0, -1])], { allowzero: 1 })).toThrow(/allowzero/);
  });
});

describe('Transpose', () => {
  it('reverses axes by default', () => check(13, 'Transpose', [{ name: 'x', value: iota('float32', [2, 3, 4]) }]));
  it('applies an explicit 4-D permutation (int64 data)', () =>
    check(13, 'Transpose', [{ name: 'x', value: iota('int64', [2, 3, 4, 5]) }], { perm: attr.ints([2, 0, 3, 1]) }));
  it('rejects a perm that is not a permutation', () => {
    expect(() => runDirect('Transpose', 13, [iota('float32', [2, 3])], { perm: attr.ints([0, 0]) })).toThrow(/not a permutation/);
  });
});

describe('Squeeze / Unsqueeze', () => {
  const x = iota('float32', [1, 3, 1, 2]);
  it('squeezes attribute axes before 13 (negative allowed at 11)', () => check(11, 'Squeeze', [{ name: 'x', value: x }], { axes: attr.ints([-2, 0]) }));
  it('squeezes input axes from 13', () => check(13, 'Squeeze', [{ name: 'x', value: x }, { name: 'a', value: i64([2]), constant: true }]));
  it('squeezes every size-1 axis without axes', () => check(13, 'Squeeze', [{ name: 'x', value: x }]));
  it('squeezes every size-1 axis for an empty axes input, as onnxruntime does', () =>
    check(13, 'Squeeze', [{ name: 'x', value: x }, { name: 'a', value: tensor('int64', [0]) }]));
  it('unsqueezes attribute axes before 13', () => check(11, 'Unsqueeze', [{ name: 'x', value: iota('int32', [3, 2]) }], { axes: attr.ints([0, -1]) }));
  it('unsqueezes input axes from 13, in output-rank coordinates', () =>
    check(13, 'Unsqueeze', [{ name: 'x', value: iota('float32', [3, 2]) }, { name: 'a', value: i64([1, 4, 0]) }]));
  it('squeezing a non-1 axis is a KernelError', () => {
    expect(() => runDirect('Squeeze', 13, [x, i64([1])])).toThrow(/cannot squeeze axis 1 of input \[1, 3, 1, 2\]: its size is 3/);
  });
  it('both are views', () => {
    const [y] = runDirect('Unsqueeze', 13, [x, i64([0])]);
    expect(y!.data).toBe(x.data);
  });
});

describe('Flatten / Identity', () => {
  const x = iota('float32', [2, 3, 4]);
  for (const axis of [0, 2, 3, -1]) {
    it(`flattens at axis ${axis}`, () => check(13, 'Flatten', [{ name: 'x', value: x }], { axis }));
  }
  it('Identity passes bool through', () => check(16, 'Identity', [{ name: 'x', value: iota('bool', [3, 2]) }]));
  it('Flatten is a view', () => {
    const [y] = runDirect('Flatten', 13, [x], { axis: 1 });
    expect(y!.data).toBe(x.data);
    expect(y!.dims).toEqual([2, 12]);
  });
});

describe('Concat', () => {
  it('joins three inputs along a negative axis', () =>
    check(13, 'Concat', [
      { name: 'a', value: iota('float32', [2, 1, 3]) },
      { name: 'b', value: randomTensor([2, 4, 3], 1) },
      { name: 'c', value: iota('float32', [2, 2, 3]) },
    ], { axis: -2 }));
  it('joins int64 along axis 0 including an empty part', () =>
    check(13, 'Concat', [{ name: 'a', value: iota('int64', [2, 2]) }, { name: 'b', value: tensor('int64', [0, 2]) }, { name: 'c', value: iota('int64', [1, 2]) }], { axis: 0 }));
  it('rejects mismatched shapes', () => {
    const { model, feeds } = oneNode(13, 'Concat', [{ name: 'a', value: iota('float32', [2, 2]) }, { name: 'b', value: iota('float32', [3, 3]) }], { axis: 0 });
    expect(() => createExecutor(model).run(feeds)).toThrow(/input 1 has shape \[3, 3\], which does not match input 0 \[2, 2\] outside axis 0/);
  });
});

describe('Split', () => {
  const x = iota('float32', [2, 7, 3]);
  it('splits by the split attribute (opset 11)', () => check(11, 'Split', [{ name: 'x', value: x }], { axis: 1, split: attr.ints([2, 4, 1]) }, 3));
  it('splits by the split input (opset 13)', () => check(13, 'Split', [{ name: 'x', value: x }, { name: 's', value: i64([5, 2]), constant: true }], { axis: -2 }, 2));
  it('splits int64 data (moved as word pairs)', () => check(13, 'Split', [{ name: 'x', value: tensor('int64', [2, 3], [-1n, 2n ** 62n, 3n, -(2n ** 63n), 5n, 6n]) }, { name: 's', value: i64([1, 2]) }], { axis: 1 }, 2));
  it('splits equally without split (opset 13)', () => check(13, 'Split', [{ name: 'x', value: iota('int32', [6, 2]) }], {}, 3));
  it('num_outputs leaves a smaller last chunk (opset 18)', () => check(18, 'Split', [{ name: 'x', value: x }], { axis: 1, num_outputs: 3 }, 3));
  it('uneven split without num_outputs is a KernelError', () => {
    const { model } = oneNode(13, 'Split', [{ name: 'x', value: x }], { axis: 1 }, 2);
    expect(() => createExecutor(model).run({ x })).toThrow(/axis size 7 is not divisible into 2 equal outputs/);
  });
});

describe('Slice', () => {
  const x = iota('float32', [4, 5, 6]);
  const ins = (starts: (number | bigint)[], ends: (number | bigint)[], axes?: number[], steps?: number[]): In[] => {
    const list: In[] = [
      { name: 'x', value: x },
      { name: 'starts', value: tensor('int64', [starts.length], starts), constant: true },
      { name: 'ends', value: tensor('int64', [ends.length], ends), constant: true },
    ];
    if (axes) list.push({ name: 'axes', value: i64(axes), constant: true });
    if (steps) {
      if (!axes) list.push(undefined as unknown as In);
      list.push({ name: 'steps', value: i64(steps), constant: true });
    }
    return list;
  };
  it('uses attributes before opset 10', () => check(9, 'Slice', [{ name: 'x', value: x }], { starts: attr.ints([1, -4]), ends: attr.ints([3, 1000]), axes: attr.ints([0, 2]) }));
  it('clamps out-of-range starts and ends, INT64_MAX meaning "to the end"', () => check(13, 'Slice', ins([-100, 2], [INT64_MAX, 99], [1, 2])));
  it('walks backwards with negative steps and INT64_MIN ends', () => check(13, 'Slice', ins([-1, 4, 10], [INT64_MIN, 0, -100], [0, 1, 2], [-1, -2, -3])));
  it('steps by 2 with default axes and an empty result on another axis', () => check(13, 'Slice', ins([0, 3, 1], [4, 3, 6], undefined, [2, 1, 2])));
  it('takes starts/ends from runtime int32 inputs', () =>
    check(13, 'Slice', [{ name: 'x', value: x }, { name: 'st', value: tensor('int32', [1], [1]) }, { name: 'en', value: tensor('int32', [1], [-1]) }, { name: 'ax', value: tensor('int32', [1], [-1]) }]));
  it('slices int64 data backwards', () =>
    check(13, 'Slice', [{ name: 'x', value: tensor('int64', [5], [1n, -2n, 2n ** 40n, -(2n ** 50n), 9n]) }, { name: 'st', value: i64([-1]) }, { name: 'en', value: i64([0]) }, { name: 'ax', value: i64([0]) }, { name: 'sp', value: i64([-2]) }]));
  it('an INT64_MAX end with a negative step clamps to dim-1 as the ONNX text says (onnxruntime differs)', () => {
    // Spec: for negative steps ends clamp into [-1, dims-1], so end = 3 and start 0 < end: nothing selected,
    // as numpy's a[0:2**63-1:-1] and the ONNX reference implementation give. onnxruntime returns [a[0]].
    const [y] = runDirect('Slice', 13, [iota('float32', [4]), i64([0]), tensor('int64', [1], [INT64_MAX]), i64([0]), i64([-1])]);
    expect(y!.dims).toEqual([0]);
    const [z] = runDirect('Slice', 13, [iota('float32', [4]), i64([2]), tensor('int64', [1], [INT64_MIN]), i64([0]), i64([-1])]);
    expect(toNumberArray(z!)).toEqual([2, 1, 0]);
  });
  it('a zero step is a KernelError', () => {
    expect(() => runDirect('Slice', 13, [x, i64([0]), i64([2]), i64([0]), i64([0])])).toThrow(/steps\[0\] is 0/);
  });
});

describe('Expand', () => {
  it('broadcasts both ways', () => check(13, 'Expand', [{ name: 'x', value: iota('float32', [3, 1]) }, { name: 's', value: i64([2, 1, 4]), constant: true }]));
  it('keeps larger input dims where the shape says 1', () => check(13, 'Expand', [{ name: 'x', value: iota('int64', [2, 3]) }, { name: 's', value: i64([1, 1]) }]));
  it('rejects incompatible shapes', () => {
    expect(() => runDirect('Expand', 13, [iota('float32', [2, 3]), i64([4, 3])])).toThrow(/cannot broadcast input \[2, 3\] to shape \[4, 3\]/);
  });
});

describe('Shape / Size', () => {
  const x = iota('float32', [2, 3, 4, 5]);
  it('Shape returns all dims (opset 13)', () => check(13, 'Shape', [{ name: 'x', value: x }]));
  it('Shape start/end with negatives and clamping (opset 15)', async () => {
    await check(15, 'Shape', [{ name: 'x', value: x }], { start: -3, end: -1 });
    await check(15, 'Shape', [{ name: 'x', value: x }], { start: 1, end: 100 });
    await check(15, 'Shape', [{ name: 'x', value: x }], { start: -100, end: 1 });
  });
  it('Size counts elements as an int64 scalar', () => check(13, 'Size', [{ name: 'x', value: x }]));
});

describe('Gather', () => {
  const data = iota('float32', [3, 4, 2]);
  it('gathers along axis 1 with negative indices', () => check(13, 'Gather', [{ name: 'd', value: data }, { name: 'i', value: tensor('int64', [2, 2], [-1, 0, 2, -4]) }], { axis: 1 }));
  it('gathers with int32 indices on axis 0', () => check(13, 'Gather', [{ name: 'd', value: iota('int64', [3, 2]) }, { name: 'i', value: tensor('int32', [4], [2, 0, 2, 1]) }]));
  it('a scalar index drops the axis', () => check(13, 'Gather', [{ name: 'd', value: data }, { name: 'i', value: tensor('int64', [], [-2]) }], { axis: -1 }));
  it('an out-of-range index is a KernelError naming it', () => {
    expect(() => runDirect('Gather', 13, [data, tensor('int64', [2], [0, 3])], { axis: 1 })).not.toThrow();
    expect(() => runDirect('Gather', 13, [data, tensor('int64', [2], [0, 4])], { axis: 1 })).toThrow(/index 4 at position 1 is out of range for axis 1 of size 4/);
    expect(() => runDirect('Gather', 13, [data, tensor('int64', [1], [2n ** 32n + 1n])], { axis: 1 })).toThrow(/index 4294967297 at position 0 is out of range/);
  });
});

describe('Pad', () => {
  const x = iota('float32', [2, 3, 4]);
  const pads = (v: number[]) => ({ name: 'pads', value: i64(v), constant: true });
  it('constant mode with a value (opset 11)', () =>
    check(11, 'Pad', [{ name: 'x', value: x }, pads([0, 1, 2, 1, 0, 3]), { name: 'v', value: tensor('float32', [], [-7.5]), constant: true }]));
  it('constant mode with negative pads that crop', () => check(13, 'Pad', [{ name: 'x', value: x }, pads([0, -1, 2, 1, 0, -3])]));
  it('reflect mode', () => check(13, 'Pad', [{ name: 'x', value: x }, pads([1, 2, 3, 1, 1, 2])], { mode: 'reflect' }));
  it('edge mode on int64', () => check(13, 'Pad', [{ name: 'x', value: iota('int64', [3, 4]) }, pads([2, 3, 1, 5])], { mode: 'edge' }));
  it('constant mode on int64 with a value beyond 2^32', () =>
    check(13, 'Pad', [{ name: 'x', value: tensor('int64', [2, 2], [1n, -2n, 3n, 2n ** 45n]) }, pads([1, 0, 0, 2]), { name: 'v', value: tensor('int64', [], [-(2n ** 40n) - 3n]) }]));
  it('wrap mode (opset 19)', () => check(19, 'Pad', [{ name: 'x', value: x }, pads([0, 2, 3, 0, 1, 2])], { mode: 'wrap' }));
  it('pads only the given axes (opset 18)', () => check(18, 'Pad', [{ name: 'x', value: x }, pads([1, 1, 3, 1]), undefined, { name: 'axes', value: i64([-1, 0]), constant: true }], { mode: 'reflect' }));
  it('uses attributes before opset 11', () => check(2, 'Pad', [{ name: 'x', value: x }], { pads: attr.ints([0, 0, 1, 1, 0, 2]), value: attr.float(2.5) }));
  it('reflect wider than the axis keeps mirroring, as numpy.pad does', () => {
    // np.pad([1, 2, 3], (5, 0), 'reflect') == [2, 1, 2, 3, 2, 1, 2, 3]
    const [y] = runDirect('Pad', 13, [tensor('float32', [3], [1, 2, 3]), i64([5, 0])], { mode: 'reflect' });
    expect(toNumberArray(y!)).toEqual([2, 1, 2, 3, 2, 1, 2, 3]);
  });
  it('wrong pads length is a KernelError', () => {
    expect(() => runDirect('Pad', 13, [x, i64([1, 1])])).toThrow(/pads has 2 values; expected 6/);
  });
});

describe('steady state', () => {
  it('a second run of a reshape/slice/concat/pad chain allocates no buffers', () => {
    const b = new GraphBuilder({ opset: 18 });
    const xin = b.input('x', 'float32', [2, 8]);
    const r = b.reshape(xin, [4, 4]);
    const s = b.slice(r, [1], [-1], [1], [1]);
    const t = b.transpose(s, [1, 0]);
    const [p] = b.node('Pad', [t, b.int64s([1, 0, 1, 0])], { mode: 'reflect' });
    const c = b.concat([p!, p!], 1);
    b.output(c, 'float32');
    const exec = createExecutor(b.build());
    const feed = { x: randomTensor([2, 8], 3) };
    const first = toNumberArray(exec.run(feed)[c]!);
    const allocations = exec.pool.allocations;
    const second = toNumberArray(exec.run(feed)[c]!);
    expect(exec.pool.allocations).toBe(allocations);
    expect(second).toEqual(first);
  });
});

/**
 * Random attribute mixes, compared exactly with onnxruntime-node. Seeds are fixed so a failure reproduces;
 * fast-check prints the shrunk counterexample.
 */
describe('random Slice / Pad / Transpose / Gather / Expand vs onnxruntime-node', () => {
  const RUNS = { numRuns: 40, seed: 20240611 };
  const dimsArb = (minRank: number, maxRank: number, minDim: number) => fc.array(fc.integer({ min: minDim, max: 5 }), { minLength: minRank, maxLength: maxRank });

  it('Slice: any axes subset, out-of-range starts/ends, sentinels, negative steps', async () => {
    const bound = fc.oneof(fc.integer({ min: -8, max: 8 }), fc.constantFrom(INT64_MAX, INT64_MIN));
    const arb = dimsArb(1, 4, 0).chain((dims) =>
      fc.record({
        dims: fc.constant(dims),
        axes: fc.shuffledSubarray(dims.map((_, i) => i), { minLength: 1 }),
        negativeAxes: fc.boolean(),
        // onnxruntime reads an INT64_MAX end as numpy's `None` even for negative steps (slicing down to index
        // 0); the ONNX text clamps it to dim-1 (an empty slice). That one mix is checked by hand below.
        bounds: fc.array(
          fc.tuple(bound, bound, fc.integer({ min: -3, max: 3 }).filter((s) => s !== 0)).filter(([, end, step]) => !(end === INT64_MAX && step < 0)),
          { minLength: 4, maxLength: 4 },
        ),
      }),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ({ dims, axes, negativeAxes, bounds }) => {
        const used = bounds.slice(0, axes.length);
        await check(13, 'Slice', [
          { name: 'x', value: iota('float32', dims) },
          { name: 'starts', value: tensor('int64', [axes.length], used.map((b) => b[0])) },
          { name: 'ends', value: tensor('int64', [axes.length], used.map((b) => b[1])) },
          { name: 'axes', value: i64(axes.map((a) => (negativeAxes ? a - dims.length : a))) },
          { name: 'steps', value: i64(used.map((b) => b[2])) },
        ]);
      }),
      RUNS,
    );
  });

  it('Pad: constant (with cropping), edge and reflect over random pads', async () => {
    const arb = dimsArb(1, 3, 1).chain((dims) =>
      fc.record({
        dims: fc.constant(dims),
        mode: fc.constantFrom('constant', 'edge', 'reflect'),
        raw: fc.array(fc.integer({ min: -4, max: 4 }), { minLength: 2 * dims.length, maxLength: 2 * dims.length }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ({ dims, mode, raw }) => {
        const r = dims.length;
        // onnxruntime allows cropping only in constant mode and reflect pads up to dim - 1.
        const pads = raw.map((p, i) => {
          const d = dims[i % r]!;
          if (mode === 'constant') return Math.max(p, -Math.floor(d / 2));
          if (mode === 'reflect') return Math.min(Math.max(p, 0), d - 1);
          return Math.max(p, 0);
        });
        await check(13, 'Pad', [{ name: 'x', value: iota('float32', dims) }, { name: 'pads', value: i64(pads) }, { name: 'v', value: tensor('float32', [], [-1.25]) }], { mode });
      }),
      RUNS,
    );
  });

  it('Transpose: random permutations of random shapes', async () => {
    const arb = dimsArb(1, 5, 1).chain((dims) => fc.record({ dims: fc.constant(dims), perm: fc.shuffledSubarray(dims.map((_, i) => i), { minLength: dims.length, maxLength: dims.length }) }));
    await fc.assert(fc.asyncProperty(arb, ({ dims, perm }) => check(13, 'Transpose', [{ name: 'x', value: iota('int32', dims) }], { perm: attr.ints(perm) }).then(() => undefined)), RUNS);
  });

  it('Gather: random axis, index shape and negative indices', async () => {
    const arb = dimsArb(1, 3, 1).chain((dims) =>
      fc.integer({ min: -dims.length, max: dims.length - 1 }).chain((axis) => {
        const d = dims[axis < 0 ? axis + dims.length : axis]!;
        return fc.record({
          dims: fc.constant(dims),
          axis: fc.constant(axis),
          indexDims: dimsArb(0, 2, 1),
          pick: fc.array(fc.integer({ min: -d, max: d - 1 }), { minLength: 25, maxLength: 25 }),
        });
      }),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ({ dims, axis, indexDims, pick }) => {
        const n = indexDims.reduce((a, b) => a * b, 1);
        await check(13, 'Gather', [{ name: 'd', value: iota('float32', dims) }, { name: 'i', value: tensor('int64', indexDims, pick.slice(0, n)) }], { axis });
      }),
      RUNS,
    );
  });

  it('Expand: random broadcast-compatible target shapes', async () => {
    const arb = dimsArb(0, 3, 1).chain((dims) =>
      fc.record({
        dims: fc.constant(dims.map((d) => (d > 2 ? 1 : d))),
        extra: dimsArb(0, 2, 1),
        grow: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 3, maxLength: 3 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ({ dims, extra, grow }) => {
        // Each input axis of size 1 may grow; other axes keep their size or say 1 in the target.
        const target = [...extra, ...dims.map((d, i) => (d === 1 ? grow[i]! : i % 2 === 0 ? 1 : d))];
        await check(13, 'Expand', [{ name: 'x', value: iota('float32', dims) }, { name: 's', value: i64(target) }]);
      }),
      RUNS,
    );
  });
});
