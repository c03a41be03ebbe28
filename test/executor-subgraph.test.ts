import { describe, expect, it } from 'vitest';
import { KernelError } from '../src/errors.js';
import { createExecutor } from '../src/executor/executor.js';
import { broadcastStatic, inferOutputs } from '../src/executor/shape-inference.js';
import type { Graph, Model, Node, ValueInfo } from '../src/ir/graph.js';
import { GraphBuilder } from '../src/onnx/build.js';
import { tensor } from '../src/tensor.js';

const node = (opType: string, inputs: string[], outputs: string[], attributes: Node['attributes'] = {}): Node => ({
  name: '',
  opType,
  domain: '',
  inputs,
  outputs,
  attributes,
});
const f32 = (name: string, shape?: number[]): ValueInfo => ({ name, type: { kind: 'tensor', elemType: 'float32', ...(shape ? { shape } : {}) } });
const graph = (name: string, nodes: Node[], outputs: ValueInfo[], extra: Partial<Graph> = {}): Graph => ({
  name,
  inputs: [],
  outputs,
  initializers: new Map(),
  valueInfo: [],
  nodes,
  ...extra,
});
const model = (g: Graph, opset = 16): Model => ({ irVersion: 8, opsetImports: [{ domain: '', version: opset }], metadata: {}, graph: g });
const data = (t: { data: unknown }) => Array.from(t.data as Float32Array);

describe('If branches reading outer-scope values', () => {
  // then: (x + w) * x, reading a graph input, an initializer and a main-graph intermediate;
  // else: an If nested inside it that reads the outermost `y` from two levels up.
  const inner = graph('inner', [node('Neg', ['y'], ['ny'])], [f32('ny')]);
  const thenB = graph('then', [node('Mul', ['y', 'x'], ['t'])], [f32('t')]);
  const elseB = graph(
    'else',
    [node('If', ['c'], ['e'], { then_branch: { type: 'graph', value: inner }, else_branch: { type: 'graph', value: inner } })],
    [f32('e')],
  );
  const m = model(
    graph(
      'main',
      [
        node('Add', ['x', 'w'], ['y']),
        node('If', ['c'], ['out'], { then_branch: { type: 'graph', value: thenB }, else_branch: { type: 'graph', value: elseB } }),
      ],
      [f32('out')],
      {
        inputs: [f32('x', [3]), { name: 'c', type: { kind: 'tensor', elemType: 'bool', shape: [] } }],
        initializers: new Map([['w', tensor('float32', [3], [10, 20, 30])]]),
      },
    ),
  );
  const x = tensor('float32', [3], [1, 2, 3]);
  const yes = tensor('bool', [], [1]);
  const no = tensor('bool', [], [0]);

  it('computes both branches from outer values, nested too', () => {
    const exec = createExecutor(m);
    expect(data(exec.run({ x, c: yes }).out!)).toEqual([11, 44, 99]);
    expect(data(exec.run({ x, c: no }).out!)).toEqual([-11, -22, -33]);
  });

  it('allocates nothing once each branch has run', () => {
    const exec = createExecutor(m);
    exec.run({ x, c: yes });
    exec.run({ x, c: no });
    const n = exec.pool.allocations;
    for (let i = 0; i < 4; i++) exec.run({ x, c: i % 2 ? yes : no });
    expect(exec.pool.allocations).toBe(n);
  });

  it('refuses a branch that reads a name no enclosing graph has', () => {
    const bad = graph('then', [node('Neg', ['nowhere'], ['t'])], [f32('t')]);
    const mm = model(
      graph('main', [node('If', ['c'], ['out'], { then_branch: { type: 'graph', value: bad }, else_branch: { type: 'graph', value: bad } })], [f32('out')], {
        inputs: [{ name: 'c', type: { kind: 'tensor', elemType: 'bool', shape: [] } }],
      }),
    );
    expect(() => createExecutor(mm)).toThrow(/'nowhere'/);
  });
});

describe('size limits', () => {
  it('a folded constant larger than maxTensorBytes is a KernelError at load', () => {
    const b = new GraphBuilder({ opset: 17 });
    const big = b.node('ConstantOfShape', [b.int64s([1000, 1000])])[0]!;
    b.output(b.add(b.input('x', 'float32', [1]), big), 'float32');
    expect(() => createExecutor(b.build(), { maxTensorBytes: 1024 })).toThrow(KernelError);
    expect(() => createExecutor(b.build(), { maxTensorBytes: 1024 })).toThrow(/exceeds the limit of 1024 bytes/);
  });
  it('a run-time output larger than maxTensorBytes is a KernelError naming the node', () => {
    const b = new GraphBuilder({ opset: 17 });
    b.output(b.exp(b.input('x', 'float32', ['n'])), 'float32');
    const exec = createExecutor(b.build(), { maxTensorBytes: 400 });
    expect(() => exec.run({ x: tensor('float32', [100]) })).not.toThrow();
    expect(() => exec.run({ x: tensor('float32', [101]) })).toThrow(/Exp node.*404 bytes\) exceeds the limit of 400 bytes/);
  });
});

describe('static shape inference', () => {
  it('broadcasts partly known shapes', () => {
    expect(broadcastStatic([[null, 3], [4, 1, 3]])).toEqual([4, null, 3]);
    expect(broadcastStatic([[2, 1], [null]])).toEqual([2, null]);
    expect(broadcastStatic([[5], [null]])).toEqual([5]);
    expect(broadcastStatic([[2], undefined])).toBeUndefined();
  });
  it('derives MatMul, Gemm, comparison, Cast and Shape outputs', () => {
    const n = (opType: string, attributes: Node['attributes'] = {}) => node(opType, ['a', 'b'], ['y'], attributes);
    expect(inferOutputs(n('MatMul'), [{ dtype: 'float32', dims: [null, 2, 3, 4] }, { dtype: 'float32', dims: [4, 5] }])).toEqual([
      { dtype: 'float32', dims: [null, 2, 3, 5] },
    ]);
    expect(inferOutputs(n('MatMul'), [{ dims: [4] }, { dims: [7, 4, 5] }])).toEqual([{ dims: [7, 5] }]);
    expect(inferOutputs(n('Gemm', { transA: { type: 'int', value: 1n } }), [{ dims: [4, 3] }, { dims: [4, 5] }])).toEqual([{ dims: [3, 5] }]);
    expect(inferOutputs(n('Less'), [{ dtype: 'int64', dims: [3] }, { dtype: 'int64', dims: [] }])).toEqual([{ dtype: 'bool', dims: [3] }]);
    expect(inferOutputs(n('Cast', { to: { type: 'int', value: 7n } }), [{ dtype: 'float32', dims: [2] }])).toEqual([{ dtype: 'int64', dims: [2] }]);
    expect(inferOutputs(n('Shape', { start: { type: 'int', value: 1n } }), [{ dims: [null, 2, 3] }])).toEqual([{ dtype: 'int64', dims: [2] }]);
  });
  it('derives reductions (attribute or constant axes), ArgMax and recurrent outputs', () => {
    const ints = (v: number[]) => ({ type: 'ints' as const, value: v.map(BigInt) });
    const int = (v: number) => ({ type: 'int' as const, value: BigInt(v) });
    const x = { dtype: 'float32' as const, dims: [2, null, 4] };
    expect(inferOutputs(node('ReduceMean', ['x'], ['y'], { axes: ints([-1]), keepdims: int(0) }), [x], 13)).toEqual([{ dtype: 'float32', dims: [2, null] }]);
    expect(inferOutputs(node('ReduceSum', ['x', 'axes'], ['y']), [x, { dtype: 'int64', dims: [1] }], 13, [undefined, tensor('int64', [1], [1n])])).toEqual([
      { dtype: 'float32', dims: [2, 1, 4] },
    ]);
    expect(inferOutputs(node('ReduceSum', ['x'], ['y'], { noop_with_empty_axes: int(1) }), [x], 13)).toEqual([{ dtype: 'float32', dims: [2, null, 4] }]);
    expect(inferOutputs(node('ReduceMax', ['x'], ['y'], { keepdims: int(0) }), [x], 18)).toEqual([{ dtype: 'float32', dims: [] }]);
    expect(inferOutputs(node('ArgMax', ['x'], ['y'], { axis: int(2) }), [x])).toEqual([{ dtype: 'int64', dims: [2, null, 1] }]);
    const lstm = node('LSTM', ['X'], ['Y', 'Y_h', 'Y_c'], { hidden_size: int(8), direction: { type: 'string', value: 'bidirectional' } });
    expect(inferOutputs(lstm, [{ dtype: 'float32', dims: [5, 3, 16] }])).toEqual([
      { dtype: 'float32', dims: [5, 2, 3, 8] },
      { dtype: 'float32', dims: [2, 3, 8] },
      { dtype: 'float32', dims: [2, 3, 8] },
    ]);
    const gru = node('GRU', ['X'], ['Y', 'Y_h'], { hidden_size: int(4), layout: int(1) });
    expect(inferOutputs(gru, [{ dtype: 'float32', dims: [3, 5, 16] }])).toEqual([
      { dtype: 'float32', dims: [3, 5, 1, 4] },
      { dtype: 'float32', dims: [3, 1, 4] },
    ]);
  });
});
