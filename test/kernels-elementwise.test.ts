/**
 * Element-wise kernels against onnxruntime-node on the same model bytes: random broadcasting shapes,
 * several dtypes, attribute/input variants across opsets. Tolerances: float outputs rtol 1e-5, atol 1e-6
 * (our loops compute in double and round once; onnxruntime computes in float32); integer and bool outputs
 * must be exact.
 */
import { describe, expect, it } from 'vitest';
import { createExecutor } from '../src/executor/executor.js';
import { GraphBuilder } from '../src/onnx/build.js';
import { tensor, type DType, type Tensor } from '../src/tensor.js';
import { broadcastPartner, expectMatchesOrt, randomDims, randomTensor, rng } from './kernel-oracle.js';

const FLOAT_TOL = { rtol: 1e-5, atol: 1e-6 };
const EXACT = { rtol: 0, atol: 0 };
const tolFor = (d: DType) => (d.startsWith('float') ? FLOAT_TOL : EXACT);

function binaryModel(op: string, a: Tensor, b: Tensor, opset: number, outType?: DType) {
  const g = new GraphBuilder({ opset });
  const x = g.input('a', a.dtype, [...a.dims]);
  const y = g.input('b', b.dtype, [...b.dims]);
  const [z] = g.node(op, [x, y]);
  g.output(z!, outType ?? a.dtype);
  return g.build();
}

/** Random pairs of broadcast-compatible shapes, the partner on either side. */
function shapePairs(seed: number, count: number): [number[], number[]][] {
  const r = rng(seed);
  const pairs: [number[], number[]][] = [];
  for (let i = 0; i < count; i++) {
    const a = randomDims(r);
    const b = broadcastPartner(r, a);
    pairs.push(r() < 0.5 ? [a, b] : [b, a]);
  }
  return pairs;
}

describe('Add/Sub/Mul/Div with numpy broadcasting', () => {
  for (const op of ['Add', 'Sub', 'Mul', 'Div']) {
    for (const dtype of ['float32', 'int32', 'int64', 'float64'] as DType[]) {
      it(`${op} ${dtype} over 12 random shape pairs`, async () => {
        const r = rng(op.length * 100 + dtype.length);
        for (const [da, db] of shapePairs(op.charCodeAt(0) + dtype.length, 12)) {
          const a = randomTensor(r, dtype, da, -50, 50);
          let b = randomTensor(r, dtype, db, -9, 9);
          if (op === 'Div') {
            // no zero divisors: integer division by zero is undefined behaviour in onnxruntime
            const vals = Array.from(b.data as ArrayLike<number | bigint>, (v) => (Number(v) === 0 ? 3 : Number(v)));
            b = tensor(dtype, b.dims, vals);
          }
          await expectMatchesOrt(binaryModel(op, a, b, 14), { a, b }, tolFor(dtype), `${op} ${dtype} ${da}|${db}`);
        }
      });
    }
  }

  // The small and unsigned types the conformance data uses, with values large enough to overflow:
  // results wrap modulo 2^bits as in onnxruntime's C++.
  const SMALL: [string, DType[]][] = [
    ['Add', ['int8', 'int16', 'uint8', 'uint16', 'uint32', 'uint64']],
    ['Sub', ['int16', 'uint8', 'uint16', 'uint32', 'uint64']],
    ['Mul', ['int8', 'int16', 'uint8', 'uint32', 'uint64']],
    ['Div', ['int8', 'uint8', 'uint16', 'uint32', 'uint64']],
  ];
  const RANGE: Partial<Record<DType, [number, number]>> = {
    int8: [-128, 127],
    int16: [-30000, 30000],
    uint8: [0, 255],
    uint16: [0, 65535],
    uint32: [0, 4e9],
    uint64: [0, 1e15],
  };
  for (const [op, dtypes] of SMALL) {
    for (const dtype of dtypes) {
      it(`${op} ${dtype} wraps like onnxruntime`, async () => {
        const r = rng(op.length * 17 + dtype.length);
        const [lo, hi] = RANGE[dtype]!;
        for (const [da, db] of shapePairs(dtype.length * 3 + op.length, 6)) {
          const a = randomTensor(r, dtype, da, lo, hi);
          let b = randomTensor(r, dtype, db, lo, hi);
          if (op === 'Div') b = tensor(dtype, b.dims, Array.from(b.data as ArrayLike<number | bigint>, (v) => (Number(v) === 0 ? 7 : Number(v))));
          if (op === 'Div' && dtype === 'int8') {
            // -128 / -1 overflows int8; onnxruntime's result there is undefined behaviour
            b = tensor(dtype, b.dims, Array.from(b.data as Int8Array, (v) => (v === -1 ? 3 : v)));
          }
          await expectMatchesOrt(binaryModel(op, a, b, 14), { a, b }, EXACT, `${op} ${dtype}`);
        }
      });
    }
  }

  it('integer Div truncates toward zero and Mul wraps at 32 bits like C', () => {
    const a = tensor('int32', [4], [7, -7, 7, -7]);
    const b = tensor('int32', [4], [2, 2, -2, -2]);
    const out = createExecutor(binaryModel('Div', a, b, 14)).run({ a, b });
    expect(Array.from(Object.values(out)[0]!.data as Int32Array)).toEqual([3, -3, -3, 3]);
    const big = tensor('int32', [1], [123456789]);
    const m = createExecutor(binaryModel('Mul', big, big, 14)).run({ a: big, b: big });
    expect((Object.values(m)[0]!.data as Int32Array)[0]).toBe(Math.imul(123456789, 123456789));
    const a64 = tensor('int64', [2], [-7n, 9007199254740993n]);
    const b64 = tensor('int64', [2], [2n, 1n]);
    const d = createExecutor(binaryModel('Div', a64, b64, 14)).run({ a: a64, b: b64 });
    expect(Array.from(Object.values(d)[0]!.data as BigInt64Array)).toEqual([-3n, 9007199254740993n]);
  });

  it('names the node and both shapes when shapes cannot broadcast', () => {
    const a = tensor('float32', [2, 3]);
    const b = tensor('float32', [4]);
    expect(() => createExecutor(binaryModel('Add', a, b, 14)).run({ a, b })).toThrow(/\[2, 3\] and \[4\] cannot be broadcast/);
  });
});

describe('Pow (base and exponent dtypes may differ since opset 12)', () => {
  const cases: [DType, DType, number, number][] = [
    ['float32', 'float32', 0.1, 3],
    ['float32', 'int32', 0.1, 3],
    ['float32', 'int64', 0.1, 3],
    ['int32', 'int32', -4, 4],
    ['int64', 'int64', -4, 4],
    ['int32', 'int64', -4, 4],
    ['int64', 'int32', -4, 4],
    ['int32', 'float32', 0, 4],
    ['int64', 'float32', 0, 4],
  ];
  for (const [ta, tb, lo, hi] of cases) {
    it(`${ta} ** ${tb}`, async () => {
      const r = rng(ta.length * 7 + tb.length);
      for (const [da, db] of shapePairs(ta.length + tb.length * 3, 8)) {
        const a = randomTensor(r, ta, da, lo, hi);
        // non-negative exponents: an integer base to a negative power has no integer result to agree on
        const b = randomTensor(r, tb, db, tb.startsWith('float') ? -2 : 0, tb.startsWith('float') ? 2 : 5);
        await expectMatchesOrt(binaryModel('Pow', a, b, 15, ta), { a, b }, tolFor(ta), `Pow ${ta}^${tb}`);
      }
    });
  }
});

describe('comparisons and logic', () => {
  for (const op of ['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual']) {
    for (const dtype of ['float32', 'int32', 'int64'] as DType[]) {
      it(`${op} ${dtype}`, async () => {
        const r = rng(op.length * 13 + dtype.length);
        for (const [da, db] of shapePairs(op.length + dtype.length, 8)) {
          // a small integer range so ties actually occur
          const a = randomTensor(r, dtype, da, -2, 2);
          const b = randomTensor(r, dtype, db, -2, 2);
          const ints = dtype === 'float32' ? tensor('float32', a.dims, Array.from(a.data as Float32Array, Math.round)) : a;
          await expectMatchesOrt(binaryModel(op, ints, b, 19, 'bool'), { a: ints, b }, EXACT, `${op} ${dtype}`);
        }
      });
    }
  }
  for (const op of ['And', 'Or', 'Xor']) {
    it(`${op} on bool with broadcasting`, async () => {
      const r = rng(op.length);
      for (const [da, db] of shapePairs(op.length * 5, 6)) {
        const a = randomTensor(r, 'bool', da);
        const b = randomTensor(r, 'bool', db);
        await expectMatchesOrt(binaryModel(op, a, b, 7, 'bool'), { a, b }, EXACT, op);
      }
    });
  }
  it('Not', async () => {
    const r = rng(5);
    const x = randomTensor(r, 'bool', [3, 4, 2]);
    const g = new GraphBuilder({ opset: 1 });
    g.output(g.not(g.input('x', 'bool', [3, 4, 2])), 'bool');
    await expectMatchesOrt(g.build(), { x }, EXACT, 'Not');
  });
});

describe('Where, Max, Min (variadic broadcasting)', () => {
  it('Where over three broadcast shapes, float32 and int64', async () => {
    const r = rng(77);
    for (const dtype of ['float32', 'int64'] as DType[]) {
      for (let i = 0; i < 8; i++) {
        const full = randomDims(r, 4, 3);
        const c = randomTensor(r, 'bool', broadcastPartner(r, full));
        const x = randomTensor(r, dtype, broadcastPartner(r, full));
        const y = randomTensor(r, dtype, full);
        const g = new GraphBuilder({ opset: 16 });
        g.output(g.where(g.input('c', 'bool', [...c.dims]), g.input('x', dtype, [...x.dims]), g.input('y', dtype, [...y.dims])), dtype);
        await expectMatchesOrt(g.build(), { c, x, y }, tolFor(dtype), `Where ${dtype}`);
      }
    }
  });
  for (const op of ['Max', 'Min'] as const) {
    it(`${op} of 1, 2 and 3 inputs, float32 and int32`, async () => {
      const r = rng(op.length * 31);
      for (const dtype of ['float32', 'int32'] as DType[]) {
        for (const arity of [1, 2, 3]) {
          for (let i = 0; i < 4; i++) {
            const full = randomDims(r, 3, 4);
            const ts = Array.from({ length: arity }, (_, k) => randomTensor(r, dtype, k === 0 ? full : broadcastPartner(r, full), -5, 5));
            const g = new GraphBuilder({ opset: 13 });
            const names = ts.map((t, k) => g.input(`x${k}`, dtype, [...t.dims]));
            g.output(op === 'Max' ? g.max(...names) : g.min(...names), dtype);
            const feeds = Object.fromEntries(ts.map((t, k) => [`x${k}`, t]));
            await expectMatchesOrt(g.build(), feeds, tolFor(dtype), `${op}/${arity} ${dtype}`);
          }
        }
      }
    });
  }
});

describe('Clip across its attribute (opset 6) and input (opset 11+) forms', () => {
  const x = randomTensor(rng(9), 'float32', [3, 5], -4, 4);
  const variants: [string, number, number | undefined, number | undefined][] = [
    ['attrs both', 6, -1, 2],
    ['attrs min only', 6, -0.5, undefined],
    ['attrs none', 6, undefined, undefined],
    ['inputs both', 13, -1, 2],
    ['inputs min only', 13, 0, undefined],
    ['inputs max only', 13, undefined, 1],
    ['inputs none', 13, undefined, undefined],
    ['min greater than max', 13, 2, -1],
  ];
  for (const [label, opset, lo, hi] of variants) {
    it(label, async () => {
      const g = new GraphBuilder({ opset });
      g.output(g.clip(g.input('x', 'float32', [3, 5]), lo, hi), 'float32');
      await expectMatchesOrt(g.build(), { x }, FLOAT_TOL, label);
    });
  }
  it('int32 and int64 with input bounds', async () => {
    for (const dtype of ['int32', 'int64'] as DType[]) {
      const xi = randomTensor(rng(10), dtype, [4, 4], -10, 10);
      const g = new GraphBuilder({ opset: 13 });
      g.output(g.clip(g.input('x', dtype, [4, 4]), -3, 4), dtype);
      await expectMatchesOrt(g.build(), { x: xi }, EXACT, `Clip ${dtype}`);
    }
  });
  it('a non-scalar bound is a KernelError naming it', () => {
    const g = new GraphBuilder({ opset: 13 });
    const xin = g.input('x', 'float32', [2]);
    const lo = g.input('lo', 'float32', [2]);
    g.output(g.clip(xin, lo), 'float32');
    expect(() => createExecutor(g.build()).run({ x: tensor('float32', [2]), lo: tensor('float32', [2]) })).toThrow(/'min' must be a scalar/);
  });
});

describe('unary math', () => {
  const cases: [string, DType, number, number][] = [
    ['Exp', 'float32', -10, 10],
    ['Log', 'float32', 0.001, 100],
    ['Sqrt', 'float32', 0, 100],
    ['Neg', 'float32', -5, 5],
    ['Neg', 'int32', -5, 5],
    ['Neg', 'int64', -5, 5],
    ['Abs', 'float32', -5, 5],
    ['Abs', 'int64', -5, 5],
    ['Reciprocal', 'float32', 0.5, 4],
    ['Floor', 'float32', -5, 5],
    ['Ceil', 'float32', -5, 5],
  ];
  for (const [op, dtype, lo, hi] of cases) {
    it(`${op} ${dtype}`, async () => {
      const x = randomTensor(rng(op.length + lo), dtype, [2, 3, 5], lo, hi);
      const g = new GraphBuilder({ opset: 13 });
      const [y] = g.node(op, [g.input('x', dtype, [2, 3, 5])]);
      g.output(y!, dtype);
      await expectMatchesOrt(g.build(), { x }, tolFor(dtype), op);
    });
  }
  it('refuses a dtype the operator does not take, at plan time when the dtype is declared', () => {
    const g = new GraphBuilder({ opset: 13 });
    g.output(g.exp(g.input('x', 'int32', [2])), 'int32');
    expect(() => createExecutor(g.build())).toThrow(/Exp takes float32\/float64, got int32/);
  });
});

describe('opsets before 6 (legacy consumed_inputs attribute, same semantics)', () => {
  it('Exp, Max and attribute Clip run at opset 5', () => {
    const g = new GraphBuilder({ opset: 5 });
    const x = g.input('x', 'float32', [3]);
    const y = g.input('y', 'float32', [3]);
    g.output(g.clip(g.max(g.exp(x), y), 0.5, 2), 'float32');
    const out = createExecutor(g.build()).run({ x: tensor('float32', [3], [-3, 0, 1]), y: tensor('float32', [3], [0, 0.7, 0]) });
    expect(Array.from(Object.values(out)[0]!.data as Float32Array)).toEqual([0.5, 1, 2]);
  });
});
