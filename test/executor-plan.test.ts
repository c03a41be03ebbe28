import { describe, expect, it } from 'vitest';
import { InputError, KernelError, ModelLoadError, UnsupportedOperatorError } from '../src/errors.js';
import { createExecutor } from '../src/executor/executor.js';
import type { Graph, Model, Node } from '../src/ir/graph.js';
import { GraphBuilder } from '../src/onnx/build.js';
import { tensor, type Tensor } from '../src/tensor.js';

/** A model built by hand, so these tests depend on nothing but the IR. */
function model(graph: Partial<Graph> & { nodes: Node[] }, opset = 17): Model {
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: opset }],
    metadata: {},
    graph: { name: 'g', inputs: [], outputs: [], initializers: new Map(), valueInfo: [], ...graph },
  };
}
const node = (opType: string, inputs: string[], outputs: string[], attributes: Node['attributes'] = {}): Node => ({
  name: '',
  opType,
  domain: '',
  inputs,
  outputs,
  attributes,
});
const f32 = (name: string, shape?: (number | string)[]) => ({
  name,
  type: { kind: 'tensor' as const, elemType: 'float32' as const, ...(shape ? { shape } : {}) },
});

describe('createExecutor: planning', () => {
  it('runs nodes in dependency order even when the file lists them out of order', () => {
    const m = model({
      inputs: [f32('x', [2])],
      outputs: [f32('z')],
      nodes: [node('Mul', ['y', 'y'], ['z']), node('Add', ['x', 'x'], ['y'])],
    });
    const out = createExecutor(m).run({ x: tensor('float32', [2], [1, 3]) });
    expect(Array.from(out.z!.data as Float32Array)).toEqual([4, 36]);
  });

  it('lists every missing operator at once, If branches included, and points to onnxruntime', () => {
    const branch: Graph = {
      name: 'then',
      inputs: [],
      outputs: [f32('b')],
      initializers: new Map(),
      valueInfo: [],
      nodes: [node('FancyBranchOp', ['x'], ['b'])],
    };
    const m = model({
      inputs: [f32('x', [1]), { name: 'c', type: { kind: 'tensor', elemType: 'bool', shape: [] } }],
      outputs: [f32('y')],
      nodes: [
        node('NoSuchOp', ['x'], ['t']),
        node('If', ['c'], ['y'], { then_branch: { type: 'graph', value: branch }, else_branch: { type: 'graph', value: branch } }),
        node('AlsoMissing', ['t'], ['u']),
      ],
    });
    let err: unknown;
    try {
      createExecutor(m);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnsupportedOperatorError);
    const ops = (err as UnsupportedOperatorError).operators;
    expect(ops).toContain('ai.onnx::NoSuchOp@17');
    expect(ops).toContain('ai.onnx::AlsoMissing@17');
    expect(ops).toContain('ai.onnx::FancyBranchOp@17');
    expect((err as Error).message).toMatch(/ort-node/);
  });

  it('rejects a cycle, a value produced twice and a dangling input with ModelLoadError', () => {
    const cyc = model({ inputs: [f32('x', [1])], outputs: [f32('b')], nodes: [node('Add', ['x', 'b'], ['a']), node('Add', ['a', 'x'], ['b'])] });
    expect(() => createExecutor(cyc)).toThrow(ModelLoadError);
    const twice = model({ inputs: [f32('x', [1])], outputs: [f32('a')], nodes: [node('Add', ['x', 'x'], ['a']), node('Mul', ['x', 'x'], ['a'])] });
    expect(() => createExecutor(twice)).toThrow(/produced twice/);
    const dangling = model({ inputs: [f32('x', [1])], outputs: [f32('a')], nodes: [node('Add', ['x', 'nobody'], ['a'])] });
    expect(() => createExecutor(dangling)).toThrow(/'nobody'/);
  });

  it('folds nodes whose inputs are all initializers, once, at plan time', () => {
    const m = model({
      inputs: [f32('x', [2])],
      outputs: [f32('y')],
      initializers: new Map([
        ['w', tensor('float32', [2], [2, 3])],
        ['v', tensor('float32', [2], [10, 20])],
      ]),
      nodes: [node('Mul', ['w', 'v'], ['wv']), node('Exp', ['wv'], ['big']), node('Add', ['x', 'wv'], ['y'])],
    });
    const exec = createExecutor(m);
    expect(exec.foldedNodes).toBe(1); // Mul(w, v); Exp(wv) feeds no output and is dropped instead
    expect(exec.prunedNodes).toBe(1);
    const out = exec.run({ x: tensor('float32', [2], [1, 1]) });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([21, 61]);
  });

  it('drops nodes no output depends on, so they never run', () => {
    const m = model({
      inputs: [f32('x', [2]), f32('odd', [3])],
      outputs: [f32('y')],
      nodes: [
        node('Exp', ['x'], ['y']),
        // would fail at run time (shapes [2] and [3] do not broadcast), but nothing reads its output
        node('Add', ['x', 'odd'], ['unused']),
        node('Tanh', ['unused'], ['also_unused']),
      ],
    });
    const exec = createExecutor(m);
    expect(exec.prunedNodes).toBe(2);
    const out = exec.run({ x: tensor('float32', [2], [0, 1]), odd: tensor('float32', [3]) });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([1, Math.fround(Math.E)]);
  });

  it('returns graph outputs that are graph inputs or initializers', () => {
    const w = tensor('float32', [1], [7]);
    const m = model({
      inputs: [f32('x', [1])],
      outputs: [f32('x'), f32('w'), f32('y')],
      initializers: new Map([['w', w]]),
      nodes: [node('Add', ['x', 'w'], ['y'])],
    });
    const x = tensor('float32', [1], [1]);
    const out = createExecutor(m).run({ x });
    expect(out.x).toBe(x);
    expect(Array.from(out.w!.data as Float32Array)).toEqual([7]);
    expect(Array.from(out.y!.data as Float32Array)).toEqual([8]);
  });

  it('lets a feed override an initializer-backed input and falls back to the initializer otherwise', () => {
    const m = model({
      inputs: [f32('x', [1]), f32('bias', [1])],
      outputs: [f32('y')],
      initializers: new Map([['bias', tensor('float32', [1], [100])]]),
      nodes: [node('Add', ['x', 'bias'], ['y'])],
    });
    const exec = createExecutor(m);
    expect(exec.inputs.map((i) => i.name)).toEqual(['x']);
    expect((exec.run({ x: tensor('float32', [1], [1]) }).y!.data as Float32Array)[0]).toBe(101);
    expect((exec.run({ x: tensor('float32', [1], [1]), bias: tensor('float32', [1], [5]) }).y!.data as Float32Array)[0]).toBe(6);
  });
});

describe('createExecutor: buffer pool', () => {
  const build = () => {
    const b = new GraphBuilder({ opset: 17 });
    const x = b.input('x', 'float32', ['batch', 4]);
    const w = b.initializer('w', tensor('float32', [4], [1, 2, 3, 4]));
    const y = b.tanh(b.add(b.mul(x, w), x));
    b.output(y);
    return createExecutor(b.build());
  };

  it('allocates no buffer on a second run with the same shapes', () => {
    const exec = build();
    const x = tensor('float32', [3, 4], Array.from({ length: 12 }, (_, i) => i / 12));
    const first = exec.run({ x });
    const afterFirst = exec.pool.allocations;
    expect(afterFirst).toBeGreaterThan(0);
    const firstData = Object.values(first)[0]!.data;
    const second = exec.run({ x });
    expect(exec.pool.allocations).toBe(afterFirst);
    // The same buffer comes back: outputs are pool memory, valid until the next run.
    expect(Object.values(second)[0]!.data).toBe(firstData);
  });

  it('grows for a larger shape, then serves a smaller one from the same buffers', () => {
    const exec = build();
    exec.run({ x: tensor('float32', [2, 4]) });
    const small = exec.pool.allocations;
    exec.run({ x: tensor('float32', [5, 4]) });
    const grown = exec.pool.allocations;
    expect(grown).toBeGreaterThan(small);
    const bytes = exec.pool.bytes;
    const out = exec.run({ x: tensor('float32', [3, 4], new Float32Array(12).fill(0.5)) });
    expect(exec.pool.allocations).toBe(grown);
    expect(exec.pool.bytes).toBe(bytes);
    const y = Object.values(out)[0]!;
    expect(y.dims).toEqual([3, 4]);
    expect((y.data as Float32Array).length).toBe(12);
    expect((y.data as Float32Array)[3]).toBeCloseTo(Math.tanh(0.5 * 4 + 0.5), 6);
  });
});

describe('createExecutor: buffer sharing by lifetime', () => {
  it('a chain of same-shape nodes reuses buffers once their readers have run, and stays correct', () => {
    const b = new GraphBuilder({ opset: 17 });
    const x = b.input('x', 'float32', [1, 64]);
    let v = x;
    for (let i = 0; i < 12; i++) v = i % 2 ? b.tanh(v) : b.add(v, b.initializer(`c${i}`, tensor('float32', [64], new Float32Array(64).fill(0.01 * i))));
    const side = b.sigmoid(x); // read at the very end: must not be overwritten by the chain
    b.output(b.mul(v, side), 'float32');
    const exec = createExecutor(b.build());
    const feeds = { x: tensor('float32', [1, 64], Float32Array.from({ length: 64 }, (_, i) => i / 64 - 0.5)) };
    const out = Array.from(Object.values(exec.run(feeds))[0]!.data as Float32Array);
    // 14 node outputs of 256 bytes, but at most three are live at once (x is the caller's); the rest of
    // the pool is the Adds' broadcast scratch (a few int32 each)
    expect(exec.pool.bytes).toBeLessThan(3 * 256 + 100);
    const expected = Array.from({ length: 64 }, (_, j) => {
      const x0 = j / 64 - 0.5;
      let y = x0;
      for (let i = 0; i < 12; i++) y = i % 2 ? Math.tanh(y) : y + Math.fround(0.01 * i);
      return y / (1 + Math.exp(-x0));
    });
    out.forEach((y, j) => expect(y).toBeCloseTo(expected[j]!, 5));
    exec.run(feeds);
    const n = exec.pool.allocations;
    exec.run(feeds);
    expect(exec.pool.allocations).toBe(n);
  });
});

describe('buffer sharing with a symbolic batch dimension', () => {
  it('values shaped [batch, 64] share buffers, whatever batch is on a run', () => {
    const b = new GraphBuilder({ opset: 17 });
    const x = b.input('x', 'float32', ['batch', 64]);
    let v = b.exp(x);
    for (let i = 0; i < 10; i++) v = i % 2 ? b.tanh(v) : b.neg(v);
    b.output(b.add(v, x), 'float32');
    const exec = createExecutor(b.build());
    for (const batch of [1, 4]) {
      const xs = Float32Array.from({ length: batch * 64 }, (_, i) => (i % 7) / 7 - 0.5);
      const y = Object.values(exec.run({ x: tensor('float32', [batch, 64], xs) }))[0]!.data as Float32Array;
      xs.forEach((x0, i) => {
        let e = Math.exp(x0);
        for (let k = 0; k < 10; k++) e = k % 2 ? Math.tanh(e) : -e;
        expect(y[i]).toBeCloseTo(e + x0, 5);
      });
      // 12 outputs of batch×256 bytes; at most two intermediates are live at once, plus the output
      expect(exec.pool.bytes).toBeLessThanOrEqual(3 * batch * 256);
    }
  });
});

describe('buffer sharing and views', () => {
  it('keeps a buffer alive while a view of it (Reshape) is still to be read', () => {
    const b = new GraphBuilder({ opset: 17 });
    const x = b.input('x', 'float32', [2, 8]);
    const e = b.exp(x); // [2, 8], fresh
    const r = b.reshape(e, [2, 8]); // a view of e's buffer: e must outlive r's readers
    const t = b.tanh(b.neg(x)); // same shape and dtype as e: would take e's slot if views were ignored
    b.output(b.add(r, t), 'float32');
    const exec = createExecutor(b.build());
    const xs = Float32Array.from({ length: 16 }, (_, i) => i / 8 - 1);
    const y = Object.values(exec.run({ x: tensor('float32', [2, 8], xs) }))[0]!.data as Float32Array;
    y.forEach((v, i) => expect(v).toBeCloseTo(Math.exp(xs[i]!) + Math.tanh(-xs[i]!), 5));
  });
});

describe('createExecutor: feeds and errors', () => {
  const exec = () =>
    createExecutor(
      model({
        inputs: [f32('x', ['batch', 3]), { name: 'n', type: { kind: 'tensor', elemType: 'int64', shape: [] } }],
        outputs: [f32('y')],
        nodes: [node('Exp', ['x'], ['y'])],
      }),
    );
  const x = tensor('float32', [2, 3]);
  const n = tensor('int64', [], [1n]);

  it('names a missing input and what the model needs', () => {
    expect(() => exec().run({ x })).toThrow(InputError);
    expect(() => exec().run({ x })).toThrow(/missing input 'n' \(int64 \[\]\)/);
  });
  it('names an unknown input', () => {
    expect(() => exec().run({ x, n, extra: x })).toThrow(/unknown input\(s\) 'extra'/);
  });
  it('reports the wrong dtype with expected vs got', () => {
    expect(() => exec().run({ x: tensor('float64', [2, 3]), n })).toThrow(/input 'x': expected dtype float32, got float64/);
  });
  it('reports a wrong rank or fixed dimension with the declared shape', () => {
    expect(() => exec().run({ x: tensor('float32', [6]), n })).toThrow(/input 'x': expected shape \[batch, 3\], got \[6\]/);
    expect(() => exec().run({ x: tensor('float32', [2, 4]), n })).toThrow(/expected shape \[batch, 3\], got \[2, 4\]/);
  });
  it('refuses data whose length disagrees with dims', () => {
    const bad: Tensor = { dtype: 'float32', dims: [2, 3], data: new Float32Array(5) };
    expect(() => exec().run({ x: bad, n })).toThrow(/hold 6 elements, but data has 5/);
  });
  it('surfaces a kernel failure as KernelError naming the node', () => {
    const m = model({
      inputs: [f32('a', [2]), f32('b', [3])],
      outputs: [f32('c')],
      nodes: [{ ...node('Add', ['a', 'b'], ['c']), name: 'the_add' }],
    });
    const e = createExecutor(m);
    expect(() => e.run({ a: tensor('float32', [2]), b: tensor('float32', [3]) })).toThrow(KernelError);
    expect(() => e.run({ a: tensor('float32', [2]), b: tensor('float32', [3]) })).toThrow(/Add node 'the_add'.*cannot be broadcast/);
  });
});

describe('dispose', () => {
  it('drops the buffers and refuses later runs', () => {
    const b = new GraphBuilder({ opset: 17 });
    b.output(b.exp(b.input('x', 'float32', [4])), 'float32');
    const exec = createExecutor(b.build());
    exec.run({ x: tensor('float32', [4]) });
    expect(exec.pool.bytes).toBeGreaterThan(0);
    exec.dispose();
    expect(exec.pool.bytes).toBe(0);
    expect(() => exec.run({ x: tensor('float32', [4]) })).toThrow(/after dispose/);
  });
});

describe('names that collide with Object.prototype', () => {
  it('an input called constructor is missing until fed, and an output called __proto__ is a plain key', () => {
    const m = model({
      inputs: [f32('constructor', [1])],
      outputs: [f32('__proto__')],
      nodes: [node('Neg', ['constructor'], ['__proto__'])],
    });
    const exec = createExecutor(m);
    expect(() => exec.run({})).toThrow(/missing input 'constructor'/);
    const feeds: Record<string, Tensor> = {};
    Object.defineProperty(feeds, 'constructor', { value: tensor('float32', [1], [2]), enumerable: true });
    const out = exec.run(feeds);
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect(Array.from(out['__proto__']!.data as Float32Array)).toEqual([-2]);
  });
});

describe('malformed nodes fail at load with what the operator takes', () => {
  const load = (n: Node, opset = 17) => () =>
    createExecutor(model({ inputs: [f32('a', [2]), f32('b', [2])], outputs: [f32(n.outputs[0]!)], nodes: [n] }, opset));
  it('a binary operator given one input', () => {
    expect(load(node('Add', ['a'], ['y']))).toThrow(KernelError);
    expect(load(node('Add', ['a'], ['y']))).toThrow(/Add node .*takes 2 inputs; input 1 is missing/);
  });
  it('too many inputs', () => {
    expect(load(node('Exp', ['a', 'b'], ['y']))).toThrow(/takes 1 inputs, got 2/);
  });
  it('Gemm without C before opset 11, and TopK without K from opset 10', () => {
    expect(load(node('Gemm', ['a', 'b'], ['y']), 9)).toThrow(/takes 3 inputs; input 2 is missing/);
    expect(load(node('TopK', ['a'], ['y']), 11)).toThrow(/takes 2 inputs; input 1 is missing/);
  });
});

describe('builtinMissingOperators', () => {
  it('is empty for a model the executor runs and lists what it lacks otherwise', async () => {
    const { builtinMissingOperators } = await import('../src/index.js');
    const ok = model({ inputs: [f32('x', [1])], outputs: [f32('y')], nodes: [node('Exp', ['x'], ['y'])] });
    expect(builtinMissingOperators(ok)).toEqual([]);
    const bad = model({ inputs: [f32('x', [1])], outputs: [f32('y')], nodes: [node('Det', ['x'], ['y'])] }, 14);
    expect(builtinMissingOperators(bad)).toEqual(['ai.onnx::Det@14']);
  });
});
