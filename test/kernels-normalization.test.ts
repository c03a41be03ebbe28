/**
 * BatchNormalization (opsets 7, 9, 14, 15; inference), LayerNormalization (17) and InstanceNormalization (6)
 * against onnxruntime-node on the same model bytes, with the parameters both as initializers (folded at
 * plan time where the kernel can) and as graph inputs, ranks 2 to 4, float32 and float64, and
 * non-default epsilons.
 *
 * Tolerance rtol 1e-5 / atol 1e-5: the kernels accumulate means and variances in double (two passes) and
 * round once, onnxruntime works in float32 for float32 data (LayerNorm even takes the variance as
 * E[x²] − E[x]², which loses a few more bits); on data in [-3, 3] with unit-scale variances the two stay
 * about 1e-6 apart, so 1e-5 leaves a margin without hiding a wrong formula (a misplaced epsilon or a
 * biased variance moves results by 1e-3 or more here).
 *
 * Where onnxruntime has no kernel — BatchNormalization 15 with mixed T/T1/T2 types, InstanceNormalization
 * in float64 — the same values (all float32-representable) run through the model onnxruntime does accept,
 * and the outputs are compared at the same tolerance. Rank-2 InstanceNormalization, which onnxruntime
 * rejects, is checked against its definition (each plane is one element, so Y = B).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { compareTensors, type Tolerance } from '../src/conformance/compare.js';
import { createExecutor } from '../src/executor/executor.js';
import type { Model } from '../src/ir/graph.js';
import { GraphBuilder } from '../src/onnx/build.js';
import { tensor, type DType, type Tensor } from '../src/tensor.js';
import { expectMatchesOrt, randomTensor, rng, runOrt } from './kernel-oracle.js';

const TOL: Tolerance = { rtol: 1e-5, atol: 1e-5 };
const FLOATS = ['float32', 'float64'] as const;

/** The largest |ours − onnxruntime| seen over every compared output, reported when the file ends. */
let largestDiff = 0;
let largestAt = '';
afterAll(() => {
  console.info(`normalization kernels: largest |difference| from onnxruntime ${largestDiff.toExponential(2)} (${largestAt})`);
});

function track(ours: Record<string, Tensor>, ref: Record<string, Tensor>, label: string): void {
  for (const [name, t] of Object.entries(ours)) {
    const r = ref[name]!;
    const asOurs = r.dtype === t.dtype ? r : tensor(t.dtype, r.dims, Array.from(r.data as ArrayLike<number>));
    const d = compareTensors(t, asOurs, TOL).maxAbsError ?? Infinity;
    if (d > largestDiff) {
      largestDiff = d;
      largestAt = `${label} '${name}'`;
    }
  }
}

async function check(model: Model, feeds: Record<string, Tensor>, label: string): Promise<Record<string, Tensor>> {
  const ours = await expectMatchesOrt(model, feeds, TOL, label);
  track(ours, await runOrt(model, feeds), label);
  return ours;
}

/**
 * For combinations onnxruntime has no kernel for: our outputs for `model`, against onnxruntime's for
 * `refModel` on `refFeeds` (the same values in types it accepts), converted to our output types. Also
 * checks that the second run allocates nothing.
 */
async function checkAgainst(model: Model, feeds: Record<string, Tensor>, refModel: Model, refFeeds: Record<string, Tensor>, label: string): Promise<void> {
  const exec = createExecutor(model);
  exec.run(feeds);
  const before = exec.pool.allocations;
  const ours = exec.run(feeds);
  expect(exec.pool.allocations, `${label}: second run allocated`).toBe(before);
  const ref = await runOrt(refModel, refFeeds);
  const copy: Record<string, Tensor> = {};
  for (const out of model.graph.outputs) {
    const t = ours[out.name]!;
    const r = ref[out.name]!;
    const c = compareTensors(t, tensor(t.dtype, r.dims, Array.from(r.data as ArrayLike<number>)), TOL);
    expect(c.ok, `${label} output '${out.name}': ${c.error}`).toBe(true);
    copy[out.name] = t;
  }
  track(copy, ref, label);
}

/** Random values that float32 represents exactly, in `dtype`: the same numbers in either type. */
function exactTensor(r: () => number, dtype: DType, dims: readonly number[], lo = -3, hi = 3): Tensor {
  const t = randomTensor(r, 'float32', dims, lo, hi);
  return dtype === 'float32' ? t : tensor(dtype, dims, Array.from(t.data as Float32Array));
}

const retype = (t: Tensor, dtype: DType): Tensor => tensor(dtype, t.dims, Array.from(t.data as ArrayLike<number>));

/** A parameter as an initializer or as a graph input (then added to `feeds`). */
function param(g: GraphBuilder, feeds: Record<string, Tensor>, name: string, t: Tensor, asInitializer: boolean): string {
  if (asInitializer) return g.initializer(name, t);
  feeds[name] = t;
  return g.input(name, t.dtype, [...t.dims]);
}

// ---- BatchNormalization ----------------------------------------------------------------------------

interface BnCase {
  opset: number;
  xType: DType;
  xDims: number[];
  /** Types of scale/B (T1) and input_mean/input_var (T2); X's type when absent. */
  t1?: DType;
  t2?: DType;
  init: boolean;
  attrs?: Record<string, number>;
  seed: number;
}

function bnModel(c: BnCase, values?: Tensor[]): { model: Model; feeds: Record<string, Tensor>; values: Tensor[] } {
  const r = rng(c.seed);
  const spatial = c.attrs?.spatial ?? 1;
  const pDims = spatial ? [c.xDims[1]!] : c.xDims.slice(1);
  const t1 = c.t1 ?? c.xType;
  const t2 = c.t2 ?? c.xType;
  const vals = values ?? [
    exactTensor(r, c.xType, c.xDims),
    exactTensor(r, t1, pDims, 0.5, 2),
    exactTensor(r, t1, pDims),
    exactTensor(r, t2, pDims, -1, 1),
    exactTensor(r, t2, pDims, 0.05, 2),
  ];
  const g = new GraphBuilder({ opset: c.opset });
  const feeds: Record<string, Tensor> = { x: vals[0]! };
  const x = g.input('x', c.xType, c.xDims);
  const names = ['scale', 'bias', 'mean', 'var'].map((n, i) => param(g, feeds, n, vals[i + 1]!, c.init));
  g.output(g.node('BatchNormalization', [x, ...names], c.attrs ?? {}, ['y'])[0]!, c.xType);
  return { model: g.build(), feeds, values: vals };
}

const RANKS: number[][] = [
  [3, 4],
  [2, 4, 5],
  [2, 4, 3, 5],
];

describe('BatchNormalization (inference)', () => {
  let seed = 100;
  for (const opset of [7, 9, 14, 15]) {
    for (const xType of FLOATS) {
      for (const xDims of RANKS) {
        for (const init of [true, false]) {
          const s = seed++;
          const attrs = s % 3 === 0 ? { epsilon: 0.01, momentum: 0.7 } : undefined;
          const label = `opset ${opset} ${xType} [${xDims}] params as ${init ? 'initializers' : 'inputs'}${attrs ? ', epsilon 0.01' : ''}`;
          it(label, async () => {
            const { model, feeds } = bnModel({ opset, xType, xDims, init, attrs, seed: s });
            await check(model, feeds, `BatchNormalization ${label}`);
          });
        }
      }
    }
  }

  it('a non-default epsilon changes the result, and onnxruntime agrees', async () => {
    const base = { opset: 15, xType: 'float32' as DType, xDims: [2, 4, 5], init: true, seed: 7 };
    const a = await check(bnModel(base).model, bnModel(base).feeds, 'BatchNormalization epsilon default');
    const b = await check(bnModel({ ...base, attrs: { epsilon: 0.5 } }).model, bnModel(base).feeds, 'BatchNormalization epsilon 0.5');
    expect(compareTensors(a.y!, b.y!, TOL).ok).toBe(false);
  });

  for (const xDims of RANKS) {
    for (const init of [true, false]) {
      it(`opset 7 spatial=0 (statistics per position) [${xDims}], params as ${init ? 'initializers' : 'inputs'}`, async () => {
        const { model, feeds } = bnModel({ opset: 7, xType: 'float32', xDims, init, attrs: { spatial: 0, epsilon: 0.02 }, seed: 40 + xDims.length });
        await check(model, feeds, `BatchNormalization spatial=0 [${xDims}]`);
      });
    }
  }

  it('opset 7 spatial=1 given explicitly', async () => {
    const { model, feeds } = bnModel({ opset: 7, xType: 'float64', xDims: [2, 4, 3, 5], init: false, attrs: { spatial: 1 }, seed: 50 });
    await check(model, feeds, 'BatchNormalization spatial=1');
  });

  // onnxruntime registers BatchNormalization 15 only with T = T1 = T2; the mixes the operator allows are
  // compared with onnxruntime's all-float64 result on the same values.
  const mixes: [DType, DType, DType][] = [
    ['float32', 'float64', 'float64'],
    ['float32', 'float32', 'float64'],
    ['float64', 'float32', 'float64'],
    ['float64', 'float64', 'float32'],
  ];
  for (const [xType, t1, t2] of mixes) {
    for (const init of [true, false]) {
      it(`opset 15 mixed types: X ${xType}, scale/B ${t1}, mean/var ${t2}, params as ${init ? 'initializers' : 'inputs'}`, async () => {
        const c = { opset: 15, xType, t1, t2, xDims: [2, 4, 3, 5], init, seed: 60 };
        const ours = bnModel(c);
        const ref = bnModel({ ...c, xType: 'float64', t1: 'float64', t2: 'float64' }, ours.values.map((t) => retype(t, 'float64')));
        await checkAgainst(ours.model, ours.feeds, ref.model, ref.feeds, `BatchNormalization 15 ${xType}/${t1}/${t2}`);
      });
    }
  }

  function trainingModel(opset: number, outputs: number, attrs: Record<string, number>): Model {
    const g = new GraphBuilder({ opset });
    const p = () => g.initializer(tensor('float32', [4], [1, 1, 1, 1]));
    const outs = g.node('BatchNormalization', [g.input('x', 'float32', [2, 4, 5]), p(), p(), p(), p()], attrs, ['y', 'm', 'v'].slice(0, outputs));
    for (const o of outs) g.output(o, 'float32');
    return g.build();
  }

  it('rejects training_mode=1 at load, naming the attribute', () => {
    for (const opset of [14, 15]) {
      expect(() => createExecutor(trainingModel(opset, 3, { training_mode: 1 }))).toThrow(/training_mode=1 is not supported: only inference \(training_mode=0\) is implemented/);
      expect(() => createExecutor(trainingModel(opset, 1, { training_mode: 1 }))).toThrow(/training_mode=1 is not supported/);
    }
  });

  it('rejects the training-only outputs (running/saved statistics) before opset 14 as well', () => {
    expect(() => createExecutor(trainingModel(9, 3, {}))).toThrow(/has 3 outputs, but the running\/saved mean and variance outputs exist only in training mode, which is not supported \(expected Y alone\)/);
  });

  /** Parameters as initializers of the given shapes (all ones), for the shape checks. */
  function shapedModel(opset: number, xDims: number[], shapes: number[][], attrs: Record<string, number> = {}): Model {
    const g = new GraphBuilder({ opset });
    const ps = shapes.map((d) => g.initializer(tensor('float32', d, new Array(d.reduce((a, b) => a * b, 1)).fill(1))));
    g.output(g.node('BatchNormalization', [g.input('x', 'float32', xDims), ...ps], attrs, ['y'])[0]!, 'float32');
    return g.build();
  }

  it('rejects a scale of the wrong length, saying what C is', () => {
    const x = tensor('float32', [2, 4, 5]);
    expect(() => createExecutor(shapedModel(15, [2, 4, 5], [[3], [4], [4], [4]])).run({ x })).toThrow(/scale has shape \[3\], expected \[4\] \(C of X \[2, 4, 5\]\)/);
    expect(() => createExecutor(shapedModel(9, [2, 4, 5], [[3], [3], [3], [3]])).run({ x })).toThrow(/scale has shape \[3\], expected \[4\] \(C of X \[2, 4, 5\]\)/);
    expect(() => createExecutor(shapedModel(14, [2, 4, 5], [[4], [4], [4], [5]])).run({ x })).toThrow(/input_var has shape \[5\], expected \[4\] \(C of X \[2, 4, 5\]\)/);
  });

  it('rejects spatial=0 parameters that are not [C, D1, ...]', () => {
    const x = tensor('float32', [2, 4, 5]);
    expect(() => createExecutor(shapedModel(7, [2, 4, 5], [[4], [4], [4], [4]], { spatial: 0 })).run({ x })).toThrow(
      /scale has shape \[4\], expected \[4, 5\] \(X \[2, 4, 5\] without N, as spatial=0 wants\)/,
    );
  });

  it('rejects mixed types before opset 15, a rank-1 X, and spatial after opset 9', () => {
    const mixed = bnModel({ opset: 14, xType: 'float32', t1: 'float64', xDims: [2, 4], init: true, seed: 2 });
    expect(() => createExecutor(mixed.model)).toThrow(/scale is float64, expected float32 \(X's type before opset 15\)/);
    const g = new GraphBuilder({ opset: 9 });
    const p = () => g.initializer(tensor('float32', [4], [1, 1, 1, 1]));
    g.output(g.node('BatchNormalization', [g.input('x', 'float32', [4]), p(), p(), p(), p()], {}, ['y'])[0]!, 'float32');
    expect(() => createExecutor(g.build()).run({ x: tensor('float32', [4]) })).toThrow(/X must have rank 2 or more \(\[N, C, \.\.\.\]\), got \[4\]/);
    const late = bnModel({ opset: 9, xType: 'float32', xDims: [2, 4], init: true, attrs: { spatial: 0 }, seed: 3 });
    expect(() => createExecutor(late.model)).toThrow(/attribute 'spatial' was removed in opset 9 \(model opset 9\)/);
  });
});

// ---- LayerNormalization ----------------------------------------------------------------------------

interface LnCase {
  dtype: DType;
  xDims: number[];
  axis?: number;
  /** Scale/B shapes; the normalized shape X.dims[axis:] when absent. `null` bias: no B input. */
  scaleDims?: number[];
  biasDims?: number[] | null;
  init: boolean;
  /** Which outputs the node has: Y only, all three, or Y and InvStdDev with Mean omitted (''). */
  outputs?: 'y' | 'all' | 'y+invstd';
  attrs?: Record<string, number>;
  seed: number;
}

function lnModel(c: LnCase): { model: Model; feeds: Record<string, Tensor> } {
  const r = rng(c.seed);
  const rank = c.xDims.length;
  const axis = c.axis ?? -1;
  const normDims = c.xDims.slice(axis < 0 ? axis + rank : axis);
  const g = new GraphBuilder({ opset: 17 });
  const feeds: Record<string, Tensor> = { x: randomTensor(r, c.dtype, c.xDims) };
  const x = g.input('x', c.dtype, c.xDims);
  const scale = param(g, feeds, 'scale', randomTensor(r, c.dtype, c.scaleDims ?? normDims, 0.5, 2), c.init);
  const bias = c.biasDims === null ? undefined : param(g, feeds, 'bias', randomTensor(r, c.dtype, c.biasDims ?? normDims), c.init);
  const outs = c.outputs === 'y' ? ['y'] : c.outputs === 'y+invstd' ? ['y', '', 'invstd'] : ['y', 'mean', 'invstd'];
  const attrs = { ...(c.axis === undefined ? {} : { axis: c.axis }), ...(c.attrs ?? {}) };
  g.node('LayerNormalization', [x, scale, bias], attrs, outs);
  g.output('y', c.dtype);
  // Mean and InvStdDev are float32 for any X under the default stash_type 1 (onnxruntime insists too).
  for (const o of outs.slice(1)) if (o !== '') g.output(o, 'float32');
  return { model: g.build(), feeds };
}

describe('LayerNormalization', () => {
  const shapes: [number[], number[]][] = [
    [[3, 8], [-1, -2, 1, 0]],
    [[2, 3, 8], [-1, -2, 1, 0]],
    [[2, 3, 4, 5], [-1, -2, 1, 0]],
  ];
  let seed = 200;
  for (const dtype of FLOATS) {
    for (const [xDims, axes] of shapes) {
      for (const axis of axes) {
        for (const init of [true, false]) {
          const s = seed++;
          const noBias = s % 4 === 0;
          const attrs = s % 3 === 0 ? { epsilon: 0.01 } : undefined;
          const label = `${dtype} [${xDims}] axis ${axis}, scale${noBias ? '' : '/B'} as ${init ? 'initializers' : 'inputs'}${attrs ? ', epsilon 0.01' : ''}`;
          it(label, async () => {
            const { model, feeds } = lnModel({ dtype, xDims, axis, init, biasDims: noBias ? null : undefined, attrs, seed: s });
            const out = await check(model, feeds, `LayerNormalization ${label}`);
            const norm = axis < 0 ? axis + xDims.length : axis;
            expect(out.mean!.dims).toEqual(xDims.map((d, i) => (i < norm ? d : 1)));
            expect(out.invstd!.dtype).toBe('float32');
          });
        }
      }
    }
  }

  it('the default axis is -1', async () => {
    const { model, feeds } = lnModel({ dtype: 'float32', xDims: [2, 3, 8], init: true, seed: 5 });
    await check(model, feeds, 'LayerNormalization default axis');
  });

  it('a wide row (1024 elements) and a large epsilon', async () => {
    const { model, feeds } = lnModel({ dtype: 'float32', xDims: [3, 1024], init: true, attrs: { epsilon: 0.5 }, seed: 6 });
    await check(model, feeds, 'LayerNormalization wide');
  });

  it('Y alone, and Y with InvStdDev while Mean is omitted', async () => {
    for (const outputs of ['y', 'y+invstd'] as const) {
      const { model, feeds } = lnModel({ dtype: 'float64', xDims: [2, 3, 8], axis: -2, init: false, outputs, seed: 7 });
      await check(model, feeds, `LayerNormalization outputs ${outputs}`);
    }
  });

  // Unidirectional broadcasting of Scale and B to X, as the function body's Mul/Add allow; onnxruntime
  // accepts every one of these, including parameters that vary along the leading axes.
  const broadcasts: { xDims: number[]; axis: number; scaleDims: number[]; biasDims: number[] | null }[] = [
    { xDims: [2, 3, 4], axis: 1, scaleDims: [1, 4], biasDims: [3, 1] },
    { xDims: [2, 3, 4], axis: -1, scaleDims: [1, 1, 4], biasDims: [1] },
    { xDims: [2, 3, 4], axis: -1, scaleDims: [3, 4], biasDims: [4] },
    { xDims: [2, 3, 4], axis: -1, scaleDims: [4], biasDims: [2, 1, 4] },
    { xDims: [2, 3, 4, 5], axis: 2, scaleDims: [3, 1, 5], biasDims: null },
    { xDims: [2, 3, 4, 5], axis: 1, scaleDims: [1], biasDims: [4, 1] },
  ];
  for (const b of broadcasts) {
    for (const init of [true, false]) {
      it(`Scale ${JSON.stringify(b.scaleDims)}, B ${JSON.stringify(b.biasDims)} broadcast to X [${b.xDims}] axis ${b.axis} (${init ? 'initializers' : 'inputs'})`, async () => {
        const { model, feeds } = lnModel({ dtype: 'float32', ...b, init, seed: 300 + b.scaleDims.length });
        await check(model, feeds, `LayerNormalization broadcast ${JSON.stringify(b)}`);
      });
    }
  }

  it('rejects a Scale that does not fit the normalized shape, saying what it expected', () => {
    const { model, feeds } = lnModel({ dtype: 'float32', xDims: [2, 3, 4], scaleDims: [5], init: true, seed: 8 });
    expect(() => createExecutor(model).run(feeds)).toThrow(
      /Scale has shape \[5\], expected the normalized shape \[4\] \(X \[2, 3, 4\] from axis 2\) or a shape that broadcasts to X/,
    );
    const wide = lnModel({ dtype: 'float32', xDims: [2, 3, 4], axis: 1, init: true, scaleDims: [2, 2, 3, 4], seed: 9 });
    expect(() => createExecutor(wide.model).run(wide.feeds)).toThrow(/Scale has shape \[2, 2, 3, 4\], expected the normalized shape \[3, 4\]/);
  });

  it('rejects an axis out of range and a stash_type other than 1', () => {
    const far = lnModel({ dtype: 'float32', xDims: [2, 3, 4], axis: 3, scaleDims: [4], init: true, seed: 10 });
    expect(() => createExecutor(far.model).run(far.feeds)).toThrow(/axis 3 is out of range for rank 3/);
    const stash = lnModel({ dtype: 'float32', xDims: [2, 3, 4], init: true, attrs: { stash_type: 11 }, seed: 11 });
    expect(() => createExecutor(stash.model)).toThrow(/stash_type 11 is not supported \(only 1: Mean and InvStdDev in float32\)/);
  });
});

// ---- InstanceNormalization -------------------------------------------------------------------------

function inModel(dtype: DType, xDims: number[], init: boolean, seed: number, attrs: Record<string, number> = {}, values?: Tensor[]) {
  const r = rng(seed);
  const C = xDims[1]!;
  const vals = values ?? [exactTensor(r, dtype, xDims), exactTensor(r, dtype, [C], 0.5, 2), exactTensor(r, dtype, [C])];
  const g = new GraphBuilder({ opset: 6 });
  const feeds: Record<string, Tensor> = { x: vals[0]! };
  const x = g.input('x', dtype, xDims);
  const scale = param(g, feeds, 'scale', vals[1]!, init);
  const bias = param(g, feeds, 'bias', vals[2]!, init);
  g.output(g.node('InstanceNormalization', [x, scale, bias], attrs, ['y'])[0]!, dtype);
  return { model: g.build(), feeds, values: vals };
}

describe('InstanceNormalization', () => {
  const dimsList = [
    [2, 3, 7],
    [2, 3, 4, 5],
    [1, 2, 3, 4, 2],
  ];
  for (const xDims of dimsList) {
    for (const init of [true, false]) {
      for (const epsilon of [undefined, 0.05]) {
        const label = `float32 [${xDims}], scale/B as ${init ? 'initializers' : 'inputs'}${epsilon === undefined ? '' : `, epsilon ${epsilon}`}`;
        it(label, async () => {
          const { model, feeds } = inModel('float32', xDims, init, 400 + xDims.length, epsilon === undefined ? {} : { epsilon });
          await check(model, feeds, `InstanceNormalization ${label}`);
        });
      }
    }
  }

  // onnxruntime's CPU InstanceNormalization is float32 only: float64 is compared with its float32 result on
  // the same (float32-representable) values.
  for (const xDims of dimsList) {
    for (const init of [true, false]) {
      it(`float64 [${xDims}], scale/B as ${init ? 'initializers' : 'inputs'}`, async () => {
        const ours = inModel('float64', xDims, init, 500 + xDims.length, { epsilon: 0.01 });
        const ref = inModel('float32', xDims, init, 0, { epsilon: 0.01 }, ours.values.map((t) => retype(t, 'float32')));
        await checkAgainst(ours.model, ours.feeds, ref.model, ref.feeds, `InstanceNormalization float64 [${xDims}]`);
      });
    }
  }

  it('rank 2 (onnxruntime rejects it): each plane is one element, so Y = B', () => {
    const { model, feeds, values } = inModel('float32', [3, 4], false, 9);
    const y = createExecutor(model).run(feeds).y!;
    const b = values[2]!.data;
    expect(Array.from(y.data as Float32Array)).toEqual(Array.from({ length: 12 }, (_, i) => b[i % 4]));
  });

  it('rejects a scale or B of the wrong length, saying what C is', () => {
    const x = tensor('float32', [2, 3, 4]);
    const ones = (dims: number[]) => tensor('float32', dims, new Array(dims.reduce((a, b) => a * b, 1)).fill(1));
    const wrongScale = inModel('float32', [2, 3, 4], true, 10, {}, [x, ones([4]), ones([3])]);
    expect(() => createExecutor(wrongScale.model).run(wrongScale.feeds)).toThrow(/scale has shape \[4\], expected \[3\] \(C of input \[2, 3, 4\]\)/);
    const wrongBias = inModel('float32', [2, 3, 4], true, 10, {}, [x, ones([3]), ones([1, 3])]);
    expect(() => createExecutor(wrongBias.model).run(wrongBias.feeds)).toThrow(/B has shape \[1, 3\], expected \[3\] \(C of input \[2, 3, 4\]\)/);
  });
});
