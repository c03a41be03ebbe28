/**
 * The operators exporters put around recurrent layers — Dropout, Tile, Sum/Mean (and Max/Min, now beside
 * them), PRelu, Erf, Sin, Cos, HardSwish, Gelu, Sign, Round, IsNaN, IsInf, Mod, GatherElements — against
 * onnxruntime-node on the same model bytes, at every opset the operator changed in. The largest gap from
 * onnxruntime per operator is printed at the end. A last test runs all of them for thousands of steps
 * and checks that a steady-state step allocates no JavaScript objects.
 *
 * Tolerances: data movement, integer arithmetic, Sign/Round/IsNaN/IsInf and the Dropout identity are
 * exact. Other float outputs use rtol 1e-6 / atol 1e-7, except Gelu at atol 1e-6: onnxruntime evaluates
 * ½·x·(1 + erf(x/√2)) (and ½·x·(1 + tanh z)) in float32, and for x < 0 the sum 1 + erf cancels to a
 * multiple of 2^-24 carrying its approximate erf's error of an ulp or two, which ½·|x| (≤ 4 on the tested
 * |x| ≤ 8) then scales: up to 4·2^-22 ≈ 9.5e-7 (4.8e-7 seen). We compute ½·x·erfc(-x/√2) in double, which
 * does not cancel. In float64 Erf and Gelu are checked against mpmath instead: erf to 1 ulp; Gelu to
 * x²·2^-52 relative, the rounding of x/√2 magnified by the slope of ln erfc.
 *
 * Where onnxruntime has no kernel for a combination (Dropout before opset 7, Sum/Mean before 6, Mean and
 * Erf/Gelu/HardSwish in float64, PRelu on uint32/uint64, integer division by zero) or is itself wrong
 * (int64 Sign in [2^31, 2^32); integer Mod fmod=1 beyond 2^53, which it computes through double) the test
 * says so and checks against an independent expectation: hand values, mpmath, or BigInt/double arithmetic
 * written here.
 */
import { steadyStateBytesPerRun } from './heap-probe.js';
import { afterAll, describe, expect, it } from 'vitest';
import { compareTensors, type Tolerance } from '../src/conformance/compare.js';
import { createExecutor } from '../src/executor/executor.js';
import type { Model } from '../src/ir/graph.js';
import { GraphBuilder } from '../src/onnx/build.js';
import { DTYPES, tensor, type DType, type Tensor } from '../src/tensor.js';
import { broadcastPartner, expectMatchesOrt, randomDims, randomTensor, rng, runOrt } from './kernel-oracle.js';

const EXACT: Tolerance = { rtol: 0, atol: 0 };
const FTOL: Tolerance = { rtol: 1e-6, atol: 1e-7 };
const GELU_TOL: Tolerance = { rtol: 1e-6, atol: 1e-6 };
const isFloat = (d: DType) => d === 'float32' || d === 'float64';
const tolFor = (d: DType) => (isFloat(d) ? FTOL : EXACT);
const NUMERIC = DTYPES.filter((d) => d !== 'bool');
const INTEGERS = NUMERIC.filter((d) => !isFloat(d));

// ---- the largest difference from onnxruntime, per operator, printed at the end --------------------------

const worst = new Map<string, { abs: number; rel: number; label: string }>();

function record(op: string, ours: Tensor, ref: Tensor, label: string): void {
  const c = compareTensors(ours, ref, EXACT);
  let rel = 0;
  for (let i = 0; i < ref.data.length; i++) {
    const e = Number(ref.data[i]);
    const a = Number(ours.data[i]);
    if (Number.isFinite(e) && e !== 0 && Number.isFinite(a)) rel = Math.max(rel, Math.abs(a - e) / Math.abs(e));
  }
  const prev = worst.get(op);
  const abs = c.maxAbsError ?? Infinity;
  if (prev === undefined || abs > prev.abs) worst.set(op, { abs, rel: Math.max(rel, prev?.rel ?? 0), label });
  else prev.rel = Math.max(prev.rel, rel);
}

/** {@link expectMatchesOrt}, also recording the largest difference per output for the summary. */
async function oracle(op: string, model: Model, feeds: Record<string, Tensor>, tol: Tolerance, label: string): Promise<Record<string, Tensor>> {
  const ours = await expectMatchesOrt(model, feeds, tol, label);
  const ref = await runOrt(model, feeds);
  for (const out of model.graph.outputs) record(op, ours[out.name]!, ref[out.name]!, label);
  return ours;
}

afterAll(() => {
  const lines = [...worst].map(([op, w]) => `  ${op.padEnd(16)} max |Δ| ${w.abs.toExponential(2)}  max rel ${w.rel.toExponential(2)}  (${w.label})`);
  console.log(`largest difference from onnxruntime-node per operator:\n${lines.join('\n')}`);
});

// ---- helpers ---------------------------------------------------------------------------------------------

/** A one-node model whose inputs are graph inputs (not constants), so nothing is folded at load. */
function oneNode(op: string, opset: number, ins: [string, Tensor][], attrs: Record<string, unknown> = {}, outType?: DType, outputs = 1): Model {
  const g = new GraphBuilder({ opset });
  const names = ins.map(([n, t]) => (n === '' ? '' : g.input(n, t.dtype, [...t.dims])));
  const outs = g.node(op, names, attrs as never, Array.from({ length: outputs }, (_, k) => `y${k}`));
  g.output(outs[0]!, outType ?? ins[0]![1].dtype);
  return g.build();
}

const feedsOf = (ins: [string, Tensor][]) => Object.fromEntries(ins.filter(([n]) => n !== ''));

/** Values as a tensor of `dtype`; unsigned types take |v|, bool takes v != 0. */
function valuesOf(dtype: DType, values: number[], dims = [values.length]): Tensor {
  return tensor(dtype, dims, values.map((v) => (dtype === 'bool' ? (v ? 1 : 0) : dtype.startsWith('uint') ? Math.abs(v) : v)));
}

const run = (model: Model, feeds: Record<string, Tensor>) => createExecutor(model).run(feeds);
/** A number-backed tensor's elements as an array. */
const numbers = (data: Tensor['data']) => Array.from(data as ArrayLike<number>);
const f32 = (values: number[]) => tensor('float32', [values.length], values);
const f64 = (values: number[]) => tensor('float64', [values.length], values);
const int64 = (values: bigint[], dims = [values.length]): Tensor => ({ dtype: 'int64', dims, data: BigInt64Array.from(values) });
const uint64 = (values: bigint[], dims = [values.length]): Tensor => ({ dtype: 'uint64', dims, data: BigUint64Array.from(values) });

// ---- Dropout -------------------------------------------------------------------------------------------

describe('Dropout', () => {
  const x = f32([1, -2, 3.5, NaN, Infinity, -0]);

  function dropoutModel(opset: number, attrs: Record<string, unknown> = {}, dtype: DType = 'float32', mask = true, extra: ('ratio' | 'training')[] = []) {
    const g = new GraphBuilder({ opset });
    const ins = [g.input('x', dtype, [6])];
    if (extra.includes('ratio') || extra.includes('training')) ins.push(extra.includes('ratio') ? g.input('ratio', 'float32', []) : '');
    if (extra.includes('training')) ins.push(g.input('training', 'bool', []));
    const outs = g.node('Dropout', ins, attrs as never, mask ? ['y', 'mask'] : ['y']);
    g.output(outs[0]!, dtype);
    if (mask) g.output(outs[1]!, opset >= 10 ? 'bool' : dtype);
    return g.build();
  }

  it('opsets 12 and 13 (and 22): the input itself and an all-true bool mask, as onnxruntime', async () => {
    for (const opset of [12, 13, 22]) {
      for (const dtype of ['float32', 'float64'] as DType[]) {
        const xi = valuesOf(dtype, [1, -2, 3.5, NaN, Infinity, -0]);
        const out = await oracle('Dropout', dropoutModel(opset, {}, dtype), { x: xi }, EXACT, `Dropout-${opset} ${dtype}`);
        expect(numbers(out.mask!.data)).toEqual([1, 1, 1, 1, 1, 1]);
      }
    }
  });

  it('returns the input buffer itself: no copy and no pool buffer', () => {
    const exec = createExecutor(dropoutModel(13, {}, 'float32', false));
    const y = exec.run({ x }).y!;
    expect(y.data).toBe(x.data);
    expect(exec.pool.allocations).toBe(0);
  });

  it('opsets 7 and 10: output matches onnxruntime; the mask is all ones, typed float at 7 and bool at 10', async () => {
    // onnxruntime's kernel for opsets 7-11 fills the mask with zeros; the ONNX reference implementation
    // (and onnxruntime from 12) give ones — every element was kept — which is what we return.
    for (const opset of [7, 10]) {
      await oracle('Dropout', dropoutModel(opset, {}, 'float32', false), { x }, EXACT, `Dropout-${opset} output`);
      const out = run(dropoutModel(opset), { x });
      expect(out.mask!.dtype).toBe(opset === 7 ? 'float32' : 'bool');
      expect(numbers(out.mask!.data)).toEqual([1, 1, 1, 1, 1, 1]);
    }
  });

  it('opsets 1 and 6 (no onnxruntime kernel): is_test=1 or absent is the identity, mask in the input type', () => {
    for (const opset of [1, 6]) {
      for (const attrs of [{ is_test: 1 }, {}]) {
        for (const dtype of ['float32', 'float64'] as DType[]) {
          const xi = valuesOf(dtype, [1, -2, 3.5, NaN, Infinity, -0]);
          const out = run(dropoutModel(opset, attrs, dtype), { x: xi });
          expect(out.y!.data).toBe(xi.data);
          expect(out.mask!.dtype).toBe(dtype);
          expect(numbers(out.mask!.data)).toEqual([1, 1, 1, 1, 1, 1]);
        }
      }
    }
  });

  it('is_test=0 (training) is refused when the model loads', () => {
    for (const opset of [1, 6]) {
      expect(() => createExecutor(dropoutModel(opset, { is_test: 0 }))).toThrow(/is_test=0 asks for training-mode \(random\) dropout, which is not supported/);
    }
  });

  it('opset 12+ ratio and training_mode inputs: inference ignores ratio; training with ratio 0 is still the identity', async () => {
    const model = dropoutModel(13, {}, 'float32', true, ['ratio', 'training']);
    const cases: [number, number][] = [[0.3, 0], [0, 0], [0, 1], [0.999, 0]];
    for (const [ratio, training] of cases) {
      const feeds = { x, ratio: tensor('float32', [], [ratio]), training: tensor('bool', [], [training]) };
      const out = await oracle('Dropout', model, feeds, EXACT, `Dropout-13 ratio ${ratio} training ${training}`);
      expect(numbers(out.mask!.data)).toEqual([1, 1, 1, 1, 1, 1]);
    }
    const onlyRatio = dropoutModel(12, {}, 'float32', true, ['ratio']);
    await oracle('Dropout', onlyRatio, { x, ratio: tensor('float32', [], [0.5]) }, EXACT, 'Dropout-12 ratio only');
  });

  it('training_mode true with a non-zero ratio (0.5 by default), or a ratio outside [0, 1), is a KernelError', () => {
    const model = dropoutModel(13, {}, 'float32', true, ['ratio', 'training']);
    const feeds = (ratio: number, training: number) => ({ x, ratio: tensor('float32', [], [ratio]), training: tensor('bool', [], [training]) });
    expect(() => run(model, feeds(0.5, 1))).toThrow(/training_mode is true with ratio 0.5: random \(training\) dropout is not supported/);
    const noRatio = dropoutModel(13, {}, 'float32', true, ['training']);
    expect(() => run(noRatio, { x, training: tensor('bool', [], [1]) })).toThrow(/training_mode is true with ratio 0.5/);
    expect(() => run(model, feeds(1, 0))).toThrow(/ratio must be in \[0, 1\), got 1/);
    expect(() => run(model, feeds(-0.25, 0))).toThrow(/ratio must be in \[0, 1\), got -0.25/);
  });

  it('refuses non-float data, naming the dtype', () => {
    expect(() => createExecutor(dropoutModel(13, {}, 'int32'))).toThrow(/data must be float32 or float64, got int32/);
  });
});

// ---- Tile ------------------------------------------------------------------------------------------------

describe('Tile', () => {
  function tileModel(opset: number, x: Tensor, repeatsLength: number) {
    const g = new GraphBuilder({ opset });
    const [y] = g.node('Tile', [g.input('x', x.dtype, [...x.dims]), g.input('repeats', 'int64', [repeatsLength])], {}, ['y']);
    g.output(y!, x.dtype);
    return g.build();
  }
  const reps = (values: number[]) => int64(values.map(BigInt));

  const shapes: [number[], number[]][] = [
    [[], []],
    [[3], [1]],
    [[3], [4]],
    [[3], [0]],
    [[2, 3], [2, 2]],
    [[2, 3], [1, 3]],
    [[2, 3], [3, 1]],
    [[1, 4], [5, 1]],
    [[2, 1, 3], [2, 3, 2]],
    [[2, 3, 2, 2], [1, 2, 1, 3]],
    [[2, 2, 1, 3], [2, 1, 4, 1]],
    [[0, 3], [2, 2]],
  ];
  for (const opset of [6, 13]) {
    for (const dtype of DTYPES) {
      it(`opset ${opset}, ${dtype}: ${shapes.length} shapes and repeat patterns (exact)`, async () => {
        const r = rng(opset * 100 + dtype.length);
        for (const [dims, rs] of shapes) {
          const x = randomTensor(r, dtype, dims, -100, 100);
          await oracle('Tile', tileModel(opset, x, rs.length), { x, repeats: reps(rs) }, EXACT, `Tile-${opset} ${dtype} [${dims}] × [${rs}]`);
        }
      });
    }
  }

  it('int64 and uint64 beyond 2^53 move bit-exactly (as word pairs)', async () => {
    const big = [2n ** 62n + 1n, -(2n ** 63n), 2n ** 53n + 1n, -1n, 0n, 9007199254740993n];
    await oracle('Tile', tileModel(13, int64(big, [2, 3]), 2), { x: int64(big, [2, 3]), repeats: reps([2, 3]) }, EXACT, 'Tile int64 big');
    const ubig = [2n ** 64n - 1n, 2n ** 63n, 1n, 0n, 2n ** 53n + 1n, 12345678901234567890n];
    await oracle('Tile', tileModel(13, uint64(ubig, [3, 2]), 2), { x: uint64(ubig, [3, 2]), repeats: reps([1, 2]) }, EXACT, 'Tile uint64 big');
  });

  it('one executor follows repeats that change from run to run', async () => {
    const x = randomTensor(rng(3), 'float32', [2, 3]);
    const model = tileModel(13, x, 2);
    const exec = createExecutor(model);
    for (const rs of [[2, 1], [1, 3], [2, 1], [0, 2], [3, 2]]) {
      const ours = exec.run({ x, repeats: reps(rs) }).y!;
      const ref = (await runOrt(model, { x, repeats: reps(rs) })).y!;
      const c = compareTensors({ ...ours, data: ours.data.slice() }, ref, EXACT);
      expect(c.ok, `repeats [${rs}]: ${c.error}`).toBe(true);
    }
  });

  it('rejects negative repeats, a wrong count, and int32 repeats, naming what came', () => {
    const x = tensor('float32', [2, 3]);
    expect(() => run(tileModel(13, x, 2), { x, repeats: reps([2, -1]) })).toThrow(/repeats \[2, -1\] must be non-negative; entry 1 is -1/);
    expect(() => run(tileModel(13, x, 1), { x, repeats: reps([2]) })).toThrow(/repeats has 1 entries but the input \[2, 3\] has rank 2/);
    const g = new GraphBuilder({ opset: 13 });
    g.output(g.node('Tile', [g.input('x', 'float32', [2, 3]), g.input('r', 'int32', [2])], {}, ['y'])[0]!, 'float32');
    expect(() => run(g.build(), { x, r: tensor('int32', [2], [1, 1]) })).toThrow(/repeats must be an int64 tensor, got int32/);
  });
});

// ---- Sum / Mean (and Max / Min) ----------------------------------------------------------------------------

describe('Sum and Mean', () => {
  function variadicModel(op: string, opset: number, ts: Tensor[]) {
    const g = new GraphBuilder({ opset });
    const names = ts.map((t, k) => g.input(`x${k}`, t.dtype, [...t.dims]));
    g.output(g.node(op, names, {}, ['y'])[0]!, ts[0]!.dtype);
    return g.build();
  }
  const feedsFor = (ts: Tensor[]) => Object.fromEntries(ts.map((t, k) => [`x${k}`, t]));

  for (const op of ['Sum', 'Mean']) {
    for (const opset of [8, 13]) {
      it(`${op}-${opset}: 1 to 4 float32 inputs over random broadcasting shapes`, async () => {
        const r = rng(op.length * 1000 + opset);
        for (const arity of [1, 2, 3, 4]) {
          for (let i = 0; i < 5; i++) {
            const full = randomDims(r, 4, 4);
            const ts = Array.from({ length: arity }, (_, k) => randomTensor(r, 'float32', k === 0 && i % 2 ? full : broadcastPartner(r, full), -50, 50));
            await oracle(op, variadicModel(op, opset, ts), feedsFor(ts), FTOL, `${op}-${opset}/${arity} ${ts.map((t) => `[${t.dims}]`).join(' ')}`);
          }
        }
      });
    }
    it(`${op}-6: same-shape inputs match onnxruntime; differing shapes are refused, as opset 6 requires`, async () => {
      const r = rng(op.length);
      const ts = [0, 1, 2].map(() => randomTensor(r, 'float32', [3, 4], -5, 5));
      await oracle(op, variadicModel(op, 6, ts), feedsFor(ts), FTOL, `${op}-6`);
      const bad = [tensor('float32', [2, 3]), tensor('float32', [3])];
      expect(() => run(variadicModel(op, 6, bad), feedsFor(bad))).toThrow(new RegExp(`before opset 8 ${op} does not broadcast: all inputs must have input 0's shape \\[2, 3\\], input 1 has \\[3\\]`));
    });
    it(`${op}: NaN and infinities propagate as in IEEE arithmetic`, async () => {
      const a = f32([NaN, Infinity, -Infinity, Infinity, 1, -0]);
      const b = f32([1, 1, 1, -Infinity, NaN, -0]);
      await oracle(op, variadicModel(op, 13, [a, b]), { x0: a, x1: b }, FTOL, `${op} specials`);
    });
    it(`${op} refuses integer inputs and mixed dtypes`, () => {
      const ints = [tensor('int32', [2]), tensor('int32', [2])];
      expect(() => run(variadicModel(op, 13, ints), feedsFor(ints))).toThrow(new RegExp(`${op} takes float32/float64, got int32`));
      const mixed = [tensor('float32', [2]), tensor('float64', [2])];
      expect(() => run(variadicModel(op, 13, mixed), feedsFor(mixed))).toThrow(/all inputs must share a dtype; input 0 is float32, input 1 is float64/);
    });
  }

  it('Sum float64 matches onnxruntime', async () => {
    const r = rng(64);
    const ts = [[2, 3], [3], [2, 1]].map((d) => randomTensor(r, 'float64', d, -1e6, 1e6));
    await oracle('Sum', variadicModel('Sum', 13, ts), feedsFor(ts), FTOL, 'Sum float64');
  });

  it('Mean float64 (onnxruntime implements float32 only) equals the double-precision mean', () => {
    const r = rng(65);
    const ts = [[2, 3], [3], [2, 1]].map((d) => randomTensor(r, 'float64', d, -1e6, 1e6));
    const y = run(variadicModel('Mean', 13, ts), feedsFor(ts)).y!;
    const [a, b, c] = ts.map((t) => t.data as Float64Array);
    const want = Array.from({ length: 6 }, (_, k) => (a![k]! + b![k % 3]! + c![Math.floor(k / 3)]!) / 3);
    expect(Array.from(y.data as Float64Array)).toEqual(want);
  });

  it('opset 1 (consumed_inputs era; no onnxruntime kernel) sums and averages same-shape inputs', () => {
    const ts = [f32([1, 2, 3]), f32([10, 20, 30]), f32([0.5, 0.25, -4])];
    expect(numbers(run(variadicModel('Sum', 1, ts), feedsFor(ts)).y!.data)).toEqual([11.5, 22.25, 29]);
    expect(numbers(run(variadicModel('Mean', 1, ts), feedsFor(ts)).y!.data)).toEqual([11.5 / 3, 22.25 / 3, 29 / 3].map(Math.fround));
  });

  it('Max and Min (moved beside them) still propagate NaN from either side and take every integer type onnxruntime does', async () => {
    for (const op of ['Max', 'Min']) {
      const a = f32([NaN, 1, -0, 0, Infinity, -Infinity]);
      const b = f32([1, NaN, 0, -0, 3, 3]);
      const c = f32([2]);
      await oracle(op, variadicModel(op, 13, [a, b, c]), { x0: a, x1: b, x2: c }, EXACT, `${op} NaN`);
      for (const dtype of ['int8', 'int32', 'int64', 'uint8', 'uint32', 'uint64', 'float64'] as DType[]) {
        const r = rng(op.length + dtype.length);
        const ts = [[3, 4], [4], [3, 1]].map((d) => randomTensor(r, dtype, d, 0, 100));
        await oracle(op, variadicModel(op, 13, ts), feedsFor(ts), EXACT, `${op} ${dtype}`);
      }
    }
  });
});

// ---- PRelu -------------------------------------------------------------------------------------------------

describe('PRelu', () => {
  // [X shape, slope shape]: the slope broadcasts one way, right-aligned, to X.
  const shapes: [number[], number[]][] = [
    [[2, 3, 4, 5], [3, 1, 1]],
    [[2, 3, 4, 5], [5]],
    [[2, 3, 4, 5], [1]],
    [[2, 3, 4, 5], []],
    [[2, 3, 4, 5], [2, 3, 4, 5]],
    [[4, 6], [6]],
    [[4, 6], [4, 1]],
    [[7], [7]],
  ];
  for (const opset of [7, 9, 16]) {
    it(`opset ${opset}, float32: ${shapes.length} slope shapes`, async () => {
      const r = rng(opset);
      for (const [xd, sd] of shapes) {
        const x = randomTensor(r, 'float32', xd, -5, 5);
        const slope = randomTensor(r, 'float32', sd, -2, 2);
        await oracle('PRelu', oneNode('PRelu', opset, [['x', x], ['slope', slope]]), { x, slope }, FTOL, `PRelu-${opset} [${xd}] slope [${sd}]`);
      }
    });
  }

  it('opset 16: float64, int32 and int64 (onnxruntime takes these there), with NaN, ±0, ±∞', async () => {
    const x = f64([NaN, -0, 0, -Infinity, Infinity, -3, 2.5]);
    const slope = f64([0.5]);
    await oracle('PRelu', oneNode('PRelu', 16, [['x', x], ['slope', slope]]), { x, slope }, FTOL, 'PRelu float64 specials');
    const xs = f32([NaN, -0, 0, -Infinity, Infinity, -3, 2.5]);
    const s32 = f32([-0.5]);
    await oracle('PRelu', oneNode('PRelu', 16, [['x', xs], ['slope', s32]]), { x: xs, slope: s32 }, FTOL, 'PRelu float32 specials');
    for (const dtype of ['int32', 'int64'] as DType[]) {
      const r = rng(dtype.length);
      const xi = randomTensor(r, dtype, [3, 4], -1000, 1000);
      const si = randomTensor(r, dtype, [4], -50, 50);
      await oracle('PRelu', oneNode('PRelu', 16, [['x', xi], ['slope', si]]), { x: xi, slope: si }, EXACT, `PRelu ${dtype}`);
    }
  });

  it('int32 products wrap like C, and int64 products past 2^53 and past 2^63 are exact modulo 2^64', async () => {
    const x32 = tensor('int32', [3], [-70000, -2147483648, 5]);
    const s32 = tensor('int32', [3], [70000, 3, -7]);
    await oracle('PRelu', oneNode('PRelu', 16, [['x', x32], ['slope', s32]]), { x: x32, slope: s32 }, EXACT, 'PRelu int32 wrap');
    const x = int64([-(2n ** 40n), -3n, -(2n ** 62n), 7n, -(2n ** 60n) - 3n, -5n]);
    const s = int64([2n ** 20n, 2n ** 52n, 3n, -9n, 2n ** 50n + 1n, -(2n ** 62n)]);
    const out = await oracle('PRelu', oneNode('PRelu', 16, [['x', x], ['slope', s]]), { x, slope: s }, EXACT, 'PRelu int64 big');
    const want = [...(x.data as BigInt64Array)].map((v, i) => (v < 0n ? BigInt.asIntN(64, v * (s.data as BigInt64Array)[i]!) : v));
    expect([...(out.y0!.data as BigInt64Array)]).toEqual(want);
  });

  it('uint32 and uint64 (PRelu-9 types onnxruntime lacks) pass through: nothing is negative', () => {
    const x = tensor('uint32', [3], [0, 7, 4294967295]);
    expect(numbers(run(oneNode('PRelu', 9, [['x', x], ['slope', tensor('uint32', [1], [3])]]), { x, slope: tensor('uint32', [1], [3]) }).y0!.data)).toEqual([0, 7, 4294967295]);
    const xu = uint64([0n, 2n ** 64n - 1n, 2n ** 63n]);
    const su = uint64([5n]);
    expect([...(run(oneNode('PRelu', 16, [['x', xu], ['slope', su]]), { x: xu, slope: su }).y0!.data as BigUint64Array)]).toEqual([0n, 2n ** 64n - 1n, 2n ** 63n]);
  });

  it('refuses a slope that would broadcast X up (onnxruntime allows it; the operator does not), and types outside the opset', () => {
    const x = f32([1, -2, 3]);
    const slope = tensor('float32', [2, 3]);
    expect(() => run(oneNode('PRelu', 16, [['x', x], ['slope', slope]]), { x, slope })).toThrow(/slope \[2, 3\] must broadcast to X \[3\]/);
    const s4 = f32([1, 2, 3, 4]);
    expect(() => run(oneNode('PRelu', 16, [['x', x], ['slope', s4]]), { x, slope: s4 })).toThrow(/slope \[4\] must broadcast to X \[3\]/);
    const xi = tensor('int32', [2]);
    expect(() => createExecutor(oneNode('PRelu', 7, [['x', xi], ['slope', xi]]))).toThrow(/PRelu-7 takes float32\/float64, got int32/);
    const x8 = tensor('int8', [2]);
    expect(() => createExecutor(oneNode('PRelu', 16, [['x', x8], ['slope', x8]]))).toThrow(/PRelu-9 takes float32\/float64\/int32\/int64\/uint32\/uint64, got int8/);
  });
});

// ---- unary ------------------------------------------------------------------------------------------------

/** Float special values every unary operator meets: NaN, ±∞, ±0, float32 extremes and subnormals. */
const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-40, 1.1754943508222875e-38, 3.4028234663852886e38, -3.4028234663852886e38, 1e30, -1e30];

function unaryModel(op: string, opset: number, dtype: DType, n: number, attrs: Record<string, unknown> = {}, outType?: DType) {
  return oneNode(op, opset, [['x', tensor(dtype, [n])]], attrs, outType ?? dtype);
}

/** Random values in [lo, hi) followed by the specials, as `dtype`. */
function unaryInput(seed: number, dtype: DType, lo: number, hi: number, extra: number[] = []): Tensor {
  const r = rng(seed);
  const values = [...Array.from({ length: 200 }, () => lo + (hi - lo) * r()), ...SPECIALS, ...extra];
  return tensor(dtype, [values.length], values);
}

describe('Erf', () => {
  const edges = [0.84375, -0.84375, 1.25, -1.25, 2.857142857142857, -2.857142857142857, 6, -6, 3.9, -3.9, 10, -10, 30, -30, 1e-30, -1e-30, 0.5, 1.5];
  for (const opset of [9, 13]) {
    it(`opset ${opset}, float32: random in [-5, 5], every approximation interval's edges, large |x|, specials`, async () => {
      const x = unaryInput(opset, 'float32', -5, 5, edges);
      await oracle('Erf', unaryModel('Erf', opset, 'float32', x.data.length), { x }, FTOL, `Erf-${opset}`);
    });
  }
  it('float64 (onnxruntime implements float32 only) agrees with mpmath to 1 ulp', () => {
    // [x, erf(x)] from mpmath at 200 bits
    const ref: [number, number][] = [
      [-30.0, -1.0], [-6.0, -1.0], [-5.9, -0.9999999999999999], [-3.0, -0.9999779095030014], [-1.25, -0.9229001282564583],
      [-1.0, -0.8427007929497149], [-0.84375, -0.7672256612323416], [-0.5, -0.5204998778130465], [-1e-10, -1.1283791670955126e-10],
      [0.0, 0.0], [1e-300, 1.1283791670955126e-300], [5e-324, 5e-324], [0.3, 0.3286267594591274], [0.84375, 0.7672256612323416],
      [1.0, 0.8427007929497149], [1.2, 0.9103139782296353], [1.25, 0.9229001282564583], [2.0, 0.9953222650189527],
      [2.857142857142857, 0.9999466876886117], [3.0, 0.9999779095030014], [5.0, 0.9999999999984626], [5.99, 1.0], [6.0, 1.0], [27.0, 1.0],
    ];
    const y = run(unaryModel('Erf', 13, 'float64', ref.length), { x: f64(ref.map((p) => p[0])) }).y0!.data as Float64Array;
    ref.forEach(([x, want], i) => expect(Math.abs(y[i]! - want), `erf(${x})`).toBeLessThanOrEqual(Math.abs(want) * 2 ** -52));
    const special = run(unaryModel('Erf', 13, 'float64', 4), { x: f64([NaN, Infinity, -Infinity, -0]) }).y0!.data;
    expect(numbers(special)).toEqual([NaN, 1, -1, -0]);
  });
  it('refuses integer inputs at load, naming the dtype (Erf-9 lists them; erf of an integer is always 0)', () => {
    expect(() => createExecutor(unaryModel('Erf', 13, 'int32', 2))).toThrow(/Erf takes float32\/float64, got int32/);
  });
});

describe('Gelu (opset 20)', () => {
  for (const approximate of ['none', 'tanh', undefined]) {
    it(`approximate=${approximate ?? '(default)'}, float32: random in [-8, 8], large |x|, specials`, async () => {
      const x = unaryInput(20, 'float32', -8, 8, [-50, 50, -12, 12, 1e-20, -1e-20]);
      const attrs = approximate === undefined ? {} : { approximate };
      await oracle('Gelu', unaryModel('Gelu', 20, 'float32', x.data.length, attrs), { x }, GELU_TOL, `Gelu ${approximate}`);
    });
  }
  it('float64 (onnxruntime implements float32 only) agrees with mpmath, with no cancellation for x ≪ 0', () => {
    // [x, ½x·erfc(-x/√2), ½x·(1 + tanh(√(2/π)(x + 0.044715x³)))] from mpmath at 200 bits
    const ref: [number, number, number][] = [
      [-40.0, -0.0, 0.0], [-30.0, -1.472014178144456e-196, 0.0], [-10.0, -7.619853024160526e-23, -1.204092348209806e-37],
      [-5.0, -1.4332578593959695e-6, -2.291796196629506e-7], [-1.0, -0.15865525393145705, -0.1588080093917233],
      [-1e-8, -4.999999960105772e-9, -4.999999960105772e-9], [0.0, 0.0, 0.0], [0.5, 0.34573123063700656, 0.34571400982514394],
      [1.0, 0.8413447460685429, 0.8411919906082767], [3.0, 2.99595030590511, 2.996362607918227], [10.0, 10.0, 10.0],
    ];
    const x = f64(ref.map((p) => p[0]));
    for (const [column, approximate] of [[1, 'none'], [2, 'tanh']] as const) {
      const y = run(unaryModel('Gelu', 20, 'float64', ref.length, { approximate }), { x }).y0!.data as Float64Array;
      // Rounding x/√2 (or z) to double is amplified by the slope of ln erfc (ln σ): relative error up to
      // about x²·2^-52, ~2e-13 at x = -30. Results below the smallest double are 0 on both sides.
      ref.forEach((p, i) => {
        const bound = Math.abs(p[column]) * (1e-15 + p[0] * p[0] * 2 ** -52);
        expect(Math.abs(y[i]! - p[column]), `gelu-${approximate}(${p[0]})`).toBeLessThanOrEqual(bound);
      });
    }
  });
  it('refuses an unknown approximate, naming it', () => {
    expect(() => createExecutor(unaryModel('Gelu', 20, 'float32', 2, { approximate: 'fast' }))).toThrow(/approximate must be 'none' or 'tanh', got 'fast'/);
  });
});

describe('HardSwish, Sin, Cos', () => {
  const cases: [string, number, number, number, DType[]][] = [
    ['HardSwish', 14, -8, 8, ['float32']],
    ['HardSwish', 22, -8, 8, ['float32']],
    ['Sin', 7, -10, 10, ['float32', 'float64']],
    ['Cos', 7, -10, 10, ['float32', 'float64']],
  ];
  for (const [op, opset, lo, hi, dtypes] of cases) {
    for (const dtype of dtypes) {
      it(`${op}-${opset} ${dtype}: random in [${lo}, ${hi}], the clamp edges ±3, specials`, async () => {
        const x = unaryInput(opset + lo, dtype, lo, hi, [3, -3, 2.9999, -2.9999, 1e4, -1e4]);
        await oracle(op, unaryModel(op, opset, dtype, x.data.length), { x }, FTOL, `${op}-${opset} ${dtype}`);
      });
    }
  }
  it('HardSwish float64 (onnxruntime implements float32 only) equals x·max(0, min(1, x/6 + ½))', () => {
    const values = [-4, -3, -1.5, -0, 0, 1, 2.5, 3, 7, Infinity, NaN];
    const y = run(unaryModel('HardSwish', 14, 'float64', values.length), { x: f64(values) }).y0!.data;
    expect(numbers(y)).toEqual(values.map((v) => v * Math.max(0, Math.min(1, v / 6 + 0.5))));
  });
});

describe('Sign', () => {
  for (const opset of [9, 13]) {
    for (const dtype of NUMERIC) {
      it(`opset ${opset}, ${dtype}`, async () => {
        const x = isFloat(dtype) ? unaryInput(opset, dtype, -3, 3, [0.5, -0.5]) : randomTensor(rng(opset + dtype.length), dtype, [40], dtype.startsWith('uint') ? 0 : -100, 100);
        await oracle('Sign', unaryModel('Sign', opset, dtype, x.data.length), { x }, EXACT, `Sign-${opset} ${dtype}`);
      });
    }
  }
  it('int64 and uint64 at the word boundaries and beyond 2^53, read without BigInt', async () => {
    const edges = [0n, 1n, -1n, 2n ** 32n, -(2n ** 32n), -(2n ** 31n) - 1n, -(2n ** 63n), 2n ** 63n - 1n, 2n ** 53n + 1n, 4294967296n * 7n, 2n ** 40n + 2n ** 31n];
    await oracle('Sign', unaryModel('Sign', 13, 'int64', edges.length), { x: int64(edges) }, EXACT, 'Sign int64 edges');
    const u = uint64([0n, 1n, 2n ** 31n, 2n ** 32n, 2n ** 63n, 2n ** 64n - 1n]);
    await oracle('Sign', unaryModel('Sign', 13, 'uint64', 6), { x: u }, EXACT, 'Sign uint64 edges');
  });
  it('int64 in [2^31, 2^32) is positive (onnxruntime 1.30 answers -1 there, so this checks against BigInt signs)', () => {
    const values = [2n ** 31n, 2n ** 31n + 1n, 2n ** 32n - 1n, -(2n ** 32n) + 1n];
    const y = run(unaryModel('Sign', 13, 'int64', values.length), { x: int64(values) }).y0!.data as BigInt64Array;
    expect([...y]).toEqual(values.map((v) => (v > 0n ? 1n : v < 0n ? -1n : 0n)));
  });
  it('refuses bool', () => {
    expect(() => createExecutor(unaryModel('Sign', 13, 'bool', 2))).toThrow(/Sign takes .* got bool/);
  });
});

describe('Round (half to even)', () => {
  // Halves (both parities, both signs), the float32 values just either side of ½, the largest float32 and
  // float64 halves, and integers too large to have a fraction.
  const halves = [0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 3.5, -3.5, 4.5, -4.5, 1000.5, -1001.5, 0.49999997, 0.50000006, -0.49999997, 8388607.5, -8388607.5, 16777216];
  for (const opset of [11, 22]) {
    for (const dtype of ['float32', 'float64'] as DType[]) {
      it(`opset ${opset}, ${dtype}: random, halves, specials`, async () => {
        const extra = dtype === 'float64' ? [...halves, 4503599627370495.5, -4503599627370495.5, 4503599627370497, 0.49999999999999994] : halves;
        const r = rng(opset);
        const x = unaryInput(opset, dtype, -20, 20, [...extra, ...Array.from({ length: 50 }, () => Math.round(r() * 40 - 20) + 0.5)]);
        const out = await oracle('Round', unaryModel('Round', opset, dtype, x.data.length), { x }, EXACT, `Round-${opset} ${dtype}`);
        // Independent of onnxruntime: the halves at the front of `extra` round to even.
        const y = Array.from(out.y0!.data as Float32Array).slice(200 + SPECIALS.length, 200 + SPECIALS.length + 12);
        expect(y).toEqual([0, -0, 2, -2, 2, -2, 4, -4, 4, -4, 1000, -1002]);
      });
    }
  }
});

describe('IsNaN and IsInf', () => {
  for (const opset of [9, 13, 20]) {
    for (const dtype of ['float32', 'float64'] as DType[]) {
      it(`IsNaN-${opset} ${dtype}`, async () => {
        const x = unaryInput(opset, dtype, -1e3, 1e3);
        await oracle('IsNaN', unaryModel('IsNaN', opset, dtype, x.data.length, {}, 'bool'), { x }, EXACT, `IsNaN-${opset} ${dtype}`);
      });
    }
  }
  for (const opset of [10, 20]) {
    for (const dtype of ['float32', 'float64'] as DType[]) {
      it(`IsInf-${opset} ${dtype}, all four detect_negative/detect_positive mixes`, async () => {
        const x = unaryInput(opset, dtype, -1e3, 1e3, dtype === 'float64' ? [1e300, -1e300, Number.MAX_VALUE] : []);
        for (const detect_negative of [0, 1]) {
          for (const detect_positive of [0, 1]) {
            const model = unaryModel('IsInf', opset, dtype, x.data.length, { detect_negative, detect_positive }, 'bool');
            await oracle('IsInf', model, { x }, EXACT, `IsInf-${opset} ${dtype} neg ${detect_negative} pos ${detect_positive}`);
          }
        }
      });
    }
  }
  it('refuse integer inputs', () => {
    expect(() => createExecutor(unaryModel('IsNaN', 13, 'int32', 2, {}, 'bool'))).toThrow(/IsNaN takes float32\/float64, got int32/);
    expect(() => createExecutor(unaryModel('IsInf', 10, 'int64', 2, {}, 'bool'))).toThrow(/IsInf takes float32\/float64, got int64/);
  });
});

// ---- Mod ---------------------------------------------------------------------------------------------------

describe('Mod', () => {
  const RANGE: Partial<Record<DType, [number, number]>> = {
    int8: [-128, 127], int16: [-30000, 30000], int32: [-2e9, 2e9], int64: [-1e15, 1e15],
    uint8: [0, 255], uint16: [0, 65535], uint32: [0, 4e9], uint64: [0, 1e15],
  };
  /** A random integer tensor without zeros (onnxruntime's integer division by zero is undefined). */
  function divisor(r: () => number, dtype: DType, dims: number[], lo: number, hi: number): Tensor {
    const t = randomTensor(r, dtype, dims, lo, hi);
    return tensor(dtype, t.dims, Array.from(t.data as ArrayLike<number | bigint>, (v) => (Number(v) === 0 ? 7 : Number(v))));
  }
  for (const opset of [10, 13]) {
    for (const fmod of [0, 1]) {
      for (const dtype of INTEGERS) {
        it(`opset ${opset}, fmod=${fmod}, ${dtype}: every sign mix, broadcasting`, async () => {
          const r = rng(opset * 7 + fmod * 3 + dtype.length);
          const [lo, hi] = RANGE[dtype]!;
          for (const [da, db] of [[[4, 5], [4, 5]], [[3, 4], [4]], [[4], [3, 1]], [[2, 3, 4], []], [[], [6]]] as [number[], number[]][]) {
            const a = randomTensor(r, dtype, da, lo, hi);
            const small = dtype.startsWith('uint') ? [1, 20] : [-20, 20];
            const b = divisor(r, dtype, db, ...((r() < 0.5 ? small : [lo, hi]) as [number, number]));
            await oracle('Mod', oneNode('Mod', opset, [['a', a], ['b', b]], { fmod }), { a, b }, EXACT, `Mod-${opset} fmod ${fmod} ${dtype} [${da}] % [${db}]`);
          }
        });
      }
      it(`opset ${opset}, fmod=${fmod}: small signed cases spelled out`, async () => {
        const a = tensor('int32', [8], [5, -5, 5, -5, 0, 7, 6, -6]);
        const b = tensor('int32', [8], [3, 3, -3, -3, 2, 1, -3, 3]);
        const out = await oracle('Mod', oneNode('Mod', opset, [['a', a], ['b', b]], { fmod }), { a, b }, EXACT, `Mod-${opset} fmod ${fmod} spelled out`);
        expect(numbers(out.y0!.data)).toEqual(fmod === 0 ? [2, 1, -1, -2, 0, 0, 0, 0] : [2, -2, 2, -2, 0, 0, 0, 0]);
      });
    }
    for (const dtype of ['float32', 'float64'] as DType[]) {
      it(`opset ${opset}, fmod=1, ${dtype}: C fmod, with NaN, ±∞, ±0 and zero divisors`, async () => {
        const r = rng(opset + dtype.length);
        const a = tensor(dtype, [60], [...Array.from({ length: 44 }, () => (r() - 0.5) * 200), NaN, 1, Infinity, -Infinity, 5, -5, 0, -0, 3, -3, 5.5, -5.5, 1e30, -1e30, 7, 1e-40]);
        const b = tensor(dtype, [60], [...Array.from({ length: 44 }, () => (r() - 0.5) * 20 || 1), 1, NaN, 2, 2, Infinity, -Infinity, 3, 3, 0, -0, 2.25, 2.25, 7, 7, 1e-40, 3]);
        await oracle('Mod', oneNode('Mod', opset, [['a', a], ['b', b]], { fmod: 1 }), { a, b }, FTOL, `Mod-${opset} fmod 1 ${dtype}`);
      });
    }
  }

  it('int64 and uint64 beyond 2^53 (BigInt path) and at the word boundaries (word path), both fmod modes', async () => {
    const a = int64([2n ** 62n + 12345n, -(2n ** 62n) - 7n, 2n ** 40n + 3n, -(2n ** 33n) - 1n, 9007199254740993n, -(2n ** 63n), 2n ** 32n, -5n]);
    const b = int64([1000003n, 97n, -(2n ** 20n) - 1n, 2n ** 32n, 2n ** 53n + 5n, 3n, -(2n ** 32n) + 1n, 2n ** 62n]);
    for (const fmod of [0, 1]) {
      // onnxruntime's integer fmod=1 goes through std::fmod in double, so beyond 2^53 it is inexact: fmod=1
      // is checked against BigInt remainders only.
      const model = oneNode('Mod', 13, [['a', a], ['b', b]], { fmod });
      const out = fmod === 0 ? await oracle('Mod', model, { a, b }, EXACT, `Mod int64 big fmod ${fmod}`) : run(model, { a, b });
      const want = [...(a.data as BigInt64Array)].map((x, i) => {
        const y = (b.data as BigInt64Array)[i]!;
        const r = x % y;
        return fmod === 0 && r !== 0n && r < 0n !== y < 0n ? r + y : r;
      });
      expect([...(out.y0!.data as BigInt64Array)]).toEqual(want);
    }
    const ua = uint64([2n ** 64n - 1n, 2n ** 63n + 5n, 2n ** 40n, 12n]);
    const ub = uint64([10n, 2n ** 63n, 3n, 2n ** 63n]);
    const uout = await oracle('Mod', oneNode('Mod', 13, [['a', ua], ['b', ub]]), { a: ua, b: ub }, EXACT, 'Mod uint64 big');
    expect([...(uout.y0!.data as BigUint64Array)]).toEqual([5n, 5n, 1n, 12n]);
    const ufmod = run(oneNode('Mod', 13, [['a', ua], ['b', ub]], { fmod: 1 }), { a: ua, b: ub }).y0!.data as BigUint64Array;
    expect([...ufmod]).toEqual([5n, 5n, 1n, 12n]);
  });

  it('integer division by zero is a KernelError (onnxruntime leaves it undefined), in both modes and for int64', () => {
    for (const fmod of [0, 1]) {
      for (const dtype of ['int32', 'uint8', 'int64'] as DType[]) {
        const a = valuesOf(dtype, [5, 6]);
        const b = valuesOf(dtype, [2, 0]);
        expect(() => run(oneNode('Mod', 13, [['a', a], ['b', b]], { fmod }), { a, b })).toThrow(/integer Mod by zero \(dividend 6\)/);
      }
    }
  });

  it('refuses floats with fmod=0 (at load when the dtype is declared), bool, and an fmod other than 0/1', () => {
    const x = f32([1, 2]);
    expect(() => createExecutor(oneNode('Mod', 13, [['a', x], ['b', x]]))).toThrow(/fmod=0 \(integer mod\) cannot take float32: floating-point inputs need fmod=1/);
    const g = new GraphBuilder({ opset: 13 });
    g.output(g.node('Mod', [g.input('a', 'float64'), g.input('b', 'float64')], {}, ['y'])[0]!, 'float64');
    expect(() => createExecutor(g.build()).run({ a: f64([1]), b: f64([2]) })).toThrow(/fmod=0 \(integer mod\) cannot take float64/);
    const bools = tensor('bool', [2]);
    expect(() => createExecutor(oneNode('Mod', 13, [['a', bools], ['b', bools]], { fmod: 1 }))).toThrow(/Mod does not accept bool/);
    expect(() => createExecutor(oneNode('Mod', 13, [['a', x], ['b', x]], { fmod: 2 }))).toThrow(/fmod must be 0 or 1, got 2/);
  });
});

// ---- GatherElements --------------------------------------------------------------------------------------

describe('GatherElements', () => {
  /** Random in-range indices (negative half the time) of `dims`, for gathering along `axis` of `dataDims`. */
  function indicesFor(r: () => number, dtype: 'int32' | 'int64', dims: number[], size: number): Tensor {
    const n = dims.reduce((a, b) => a * b, 1);
    const values = Array.from({ length: n }, () => {
      const i = Math.floor(r() * size);
      return r() < 0.5 ? i - size : i;
    });
    return tensor(dtype, dims, values);
  }
  // [data dims, indices dims, axis]
  const cases: [number[], number[], number][] = [
    [[5], [3], 0],
    [[5], [8], 0],
    [[3, 4], [3, 4], 0],
    [[3, 4], [2, 4], 0],
    [[3, 4], [5, 2], 0],
    [[3, 4], [3, 6], 1],
    [[3, 4], [1, 1], -1],
    [[2, 3, 4], [2, 3, 4], 1],
    [[2, 3, 4], [1, 5, 2], -2],
    [[2, 3, 4], [2, 2, 7], 2],
    [[2, 3, 2, 3], [2, 2, 2, 3], 0],
    [[2, 3, 2, 3], [1, 3, 4, 2], -2],
    [[3, 4], [0, 4], 0],
  ];
  for (const opset of [11, 13]) {
    for (const dtype of DTYPES) {
      it(`opset ${opset}, ${dtype}: ${cases.length} shapes and axes, int32 and int64 indices (exact)`, async () => {
        const r = rng(opset * 31 + dtype.length);
        for (const [dd, id, axis] of cases) {
          const data = randomTensor(r, dtype, dd, -1000, 1000);
          for (const idxType of ['int32', 'int64'] as const) {
            const ax = axis < 0 ? axis + dd.length : axis;
            const indices = indicesFor(r, idxType, id, dd[ax]!);
            const model = oneNode('GatherElements', opset, [['data', data], ['indices', indices]], { axis });
            await oracle('GatherElements', model, { data, indices }, EXACT, `GatherElements-${opset} ${dtype} [${dd}] axis ${axis} idx ${idxType} [${id}]`);
          }
        }
      });
    }
  }

  it('int64 data beyond 2^53 moves bit-exactly', async () => {
    const data = int64([2n ** 62n + 1n, -(2n ** 63n), 9007199254740993n, -1n, 5n, 2n ** 33n], [2, 3]);
    const indices = int64([2n, -3n, 0n, 1n, -1n, 2n], [2, 3]);
    await oracle('GatherElements', oneNode('GatherElements', 13, [['data', data], ['indices', indices]], { axis: 1 }), { data, indices }, EXACT, 'GatherElements int64 big');
  });

  it('rejects out-of-range indices, a rank mismatch, oversized indices and float indices, naming what came', () => {
    const data = tensor('float32', [2, 3]);
    const model = (indices: Tensor, axis = 1) => oneNode('GatherElements', 13, [['data', data], ['indices', indices]], { axis });
    const bad = tensor('int64', [2, 2], [0, 3, 1, 1]);
    expect(() => run(model(bad), { data, indices: bad })).toThrow(/index 3 at position 1 is out of range for axis 1 of size 3 in data \[2, 3\]/);
    const neg = tensor('int32', [2, 1], [-4, 0]);
    expect(() => run(model(neg), { data, indices: neg })).toThrow(/index -4 at position 0 is out of range for axis 1 of size 3/);
    const flat = tensor('int64', [2], [0, 1]);
    expect(() => run(model(flat), { data, indices: flat })).toThrow(/indices \[2\] must have data's rank 2 \(data is \[2, 3\]\)/);
    const wide = tensor('int64', [3, 1], [0, 1, 0]);
    expect(() => run(model(wide), { data, indices: wide })).toThrow(/indices \[3, 1\] exceed data \[2, 3\] on axis 0/);
    const floats = tensor('float32', [2, 1], [0, 1]);
    expect(() => run(model(floats), { data, indices: floats })).toThrow(/indices must be int64 or int32, got float32/);
    const ok = tensor('int64', [2, 1], [0, 1]);
    expect(() => run(model(ok, 2), { data, indices: ok })).toThrow(/axis 2 is out of range for rank 2/);
  });
});

// ---- steady state ------------------------------------------------------------------------------------------

describe('steady-state runs of every new kernel', () => {
  /** All the operators above in one graph, fed at run time, with int64 data and indices included. */
  function everyOpModel() {
    const r = rng(11);
    const g = new GraphBuilder({ opset: 20 });
    const x = g.input('x', 'float32', [4, 8]);
    const y = g.input('y', 'float32', [8]);
    const i64 = g.input('i64', 'int64', [4, 8]);
    const idx = g.input('idx', 'int64', [4, 8]);
    const repeats = g.input('repeats', 'int64', [2]);
    const one = (op: string, ins: string[], attrs: Record<string, unknown> = {}) => g.node(op, ins, attrs as never)[0]!;
    const gelu = one('Gelu', [x]);
    const gelut = one('Gelu', [x], { approximate: 'tanh' });
    const sum = one('Sum', [gelu, gelut, one('Erf', [x])]);
    const mean = one('Mean', [one('HardSwish', [x]), one('Sin', [x]), one('Cos', [y]), y]);
    const prelu = one('PRelu', [sum, g.initializer(randomTensor(r, 'float32', [8]))]);
    const [dropped, mask] = g.node('Dropout', [prelu, g.initializer(tensor('float32', [], [0.1])), g.initializer(tensor('bool', [], [0]))], {}, 2);
    const floats = [dropped!, mean, one('Round', [x]), one('Sign', [x]), one('Mod', [x, y], { fmod: 1 }), one('Max', [x, y]), one('Min', [x, y, mean])];
    floats.push(one('Tile', [x, repeats]), one('GatherElements', [x, idx], { axis: 1 }));
    const ints = [one('Sign', [i64]), one('Mod', [i64, g.initializer(tensor('int64', [8], [3, -3, 7, -7, 2, 5, 11, -13]))]), one('Tile', [i64, repeats])];
    ints.push(one('PRelu', [i64, g.initializer(tensor('int64', [8], [2, -3, 1, 0, 5, 2, -1, 4]))]), one('GatherElements', [i64, idx], { axis: 1 }));
    for (const f of floats) g.output(f, 'float32');
    for (const n of ints) g.output(n, 'int64');
    g.output(mask!, 'bool');
    g.output(one('IsNaN', [sum]), 'bool');
    g.output(one('IsInf', [mean], { detect_negative: 0 }), 'bool');
    return g.build();
  }

  it('allocate no pool buffers and no JavaScript objects', () => {
    const r = rng(12);
    const exec = createExecutor(everyOpModel());
    const feeds = {
      x: randomTensor(r, 'float32', [4, 8], -6, 6),
      y: randomTensor(r, 'float32', [8], 0.5, 3),
      i64: randomTensor(r, 'int64', [4, 8], -1e6, 1e6),
      idx: randomTensor(r, 'int64', [4, 8], -8, 7),
      repeats: int64([2n, 3n]),
    };
    exec.run(feeds);
    const buffers = exec.pool.allocations;
    const heap = steadyStateBytesPerRun(() => exec.run(feeds), 20_000, 10_000);
    expect(exec.pool.allocations).toBe(buffers);
    expect(heap.best, `bytes/run per window: ${heap.windows.map((b) => b.toFixed(1)).join(', ')}`).toBeLessThan(2);
  });
});
