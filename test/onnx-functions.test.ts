/**
 * Models with model-local functions (ModelProto.functions), built as raw protobuf: the reader inlines
 * them, and the built-in executor must then agree with onnxruntime-node, which runs the functions natively
 * from the original bytes. The re-written (inlined) model must agree too.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { compareTensors } from '../src/conformance/compare.js';
import { ModelLoadError } from '../src/errors.js';
import type { Graph } from '../src/ir/graph.js';
import { createExecutor } from '../src/executor/executor.js';
import {
  AttributeTypeNumber as A,
  bigintToInt64,
  ModelProtoType,
  type AttributeMsg,
  type FunctionMsg,
  type GraphMsg,
  type ModelMsg,
  type NodeMsg,
  type TensorMsg,
  type ValueInfoMsg,
} from '../src/onnx/proto.js';
import { readModel } from '../src/onnx/read.js';
import { writeModel } from '../src/onnx/write.js';
import { tensor, type DType, type Tensor } from '../src/tensor.js';
import { randomTensor, rng } from './kernel-oracle.js';

const TOL = { rtol: 1e-5, atol: 1e-6 };
const i64 = (v: number | bigint) => bigintToInt64(BigInt(v));
const FLOAT = 1;
const BOOL = 9;

const attrF = (name: string, f: number): AttributeMsg => ({ name, type: A.FLOAT, f });
const attrI = (name: string, i: number): AttributeMsg => ({ name, type: A.INT, i: i64(i) });
const attrS = (name: string, s: string): AttributeMsg => ({ name, type: A.STRING, s: new TextEncoder().encode(s) });
const attrG = (name: string, g: GraphMsg): AttributeMsg => ({ name, type: A.GRAPH, g });
const ref = (name: string, refAttrName: string, type: number): AttributeMsg => ({ name, refAttrName, type });
const node = (opType: string, input: string[], output: string[], attribute: AttributeMsg[] = [], extra: Partial<NodeMsg> = {}): NodeMsg => ({
  opType,
  input,
  output,
  attribute,
  ...extra,
});
const call = (fn: string, input: string[], output: string[], attribute: AttributeMsg[] = [], name = ''): NodeMsg =>
  node(fn, input, output, attribute, { domain: 'custom', name });
const vi = (name: string, dims?: number[], elemType = FLOAT): ValueInfoMsg => ({
  name,
  type: { tensorType: { elemType, ...(dims ? { shape: { dim: dims.map((d) => ({ dimValue: i64(d) })) } } : {}) } },
});
const init = (name: string, t: Tensor): TensorMsg => ({ name, dims: t.dims.map(i64), dataType: FLOAT, floatData: Array.from(t.data as Float32Array) });
const fn = (name: string, input: string[], output: string[], body: NodeMsg[], more: Partial<FunctionMsg> = {}): FunctionMsg => ({
  name,
  domain: 'custom',
  input,
  output,
  node: body,
  opsetImport: [{ domain: '', version: i64(17) }],
  ...more,
});

function modelBytes(graph: GraphMsg, functions: FunctionMsg[], opsetImport = [{ domain: '', version: i64(17) }, { domain: 'custom', version: i64(1) }]): Uint8Array {
  const msg: ModelMsg = { irVersion: i64(8), opsetImport, graph, functions };
  return ModelProtoType.encode(msg).finish();
}

async function runOrtBytes(bytes: Uint8Array, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled' });
  try {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [k, t] of Object.entries(feeds)) ortFeeds[k] = new ort.Tensor(t.dtype, t.data as never, t.dims as number[]);
    const res: Record<string, Tensor> = {};
    for (const [k, t] of Object.entries(await session.run(ortFeeds))) res[k] = { dtype: t.type as DType, dims: [...t.dims], data: t.data as never };
    return res;
  } finally {
    await session.release();
  }
}

/** The 'custom' nodes of a graph and of its subgraphs, at any depth. */
function callsIn(g: Graph): string[] {
  return g.nodes.flatMap((n) => [
    ...(n.domain === 'custom' ? [n.opType] : []),
    ...Object.values(n.attributes).flatMap((a) => (a.type === 'graph' ? callsIn(a.value) : a.type === 'graphs' ? a.value.flatMap(callsIn) : [])),
  ]);
}

/** Every node of a graph and of its subgraphs. */
function allNodes(g: Graph): Graph['nodes'] {
  return g.nodes.flatMap((n) => [
    n,
    ...Object.values(n.attributes).flatMap((a) => (a.type === 'graph' ? allNodes(a.value) : a.type === 'graphs' ? a.value.flatMap(allNodes) : [])),
  ]);
}

/** Runs `bytes` on the built-in executor (after inlining) and on onnxruntime (functions native), and the re-written model on onnxruntime. */
async function expectAgrees(bytes: Uint8Array, feedSets: Record<string, Tensor>[]): Promise<void> {
  const model = readModel(bytes);
  expect(callsIn(model.graph), 'a function call survived inlining').toEqual([]);
  const exec = createExecutor(model);
  const rewritten = writeModel(model);
  for (const feeds of feedSets) {
    const ours = exec.run(feeds);
    const ref = await runOrtBytes(bytes, feeds);
    const again = await runOrtBytes(rewritten, feeds);
    expect(Object.keys(ours).sort()).toEqual(Object.keys(ref).sort());
    for (const name of Object.keys(ref)) {
      const c = compareTensors(ours[name]!, ref[name]!, TOL);
      expect(c.ok, `builtin output '${name}': ${c.error}`).toBe(true);
      const w = compareTensors(again[name]!, ref[name]!, TOL);
      expect(w.ok, `re-written model, output '${name}': ${w.error}`).toBe(true);
    }
  }
}

function loadError(bytes: Uint8Array): string {
  try {
    readModel(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(ModelLoadError);
    return (e as Error).message;
  }
  throw new Error('expected a ModelLoadError, but reading succeeded');
}

/** y = tanh(alpha · (x @ w)); `alpha` defaults to 0.5. Its local names clash with the caller's on purpose. */
const linearTanh = fn(
  'LinearTanh',
  ['x', 'w'],
  ['y'],
  [
    node('MatMul', ['x', 'w'], ['xw'], [], { name: 'mm' }),
    node('Constant', [], ['a'], [ref('value_float', 'alpha', A.FLOAT)]),
    node('Mul', ['xw', 'a'], ['s']),
    node('Tanh', ['s'], ['y']),
  ],
  { attributeProto: [attrF('alpha', 0.5)] },
);

describe('model-local functions are inlined', () => {
  it('a function called with different attribute values and with its default', async () => {
    const r = rng(11);
    const graph: GraphMsg = {
      name: 'g',
      input: [vi('x', [2, 3])],
      output: [vi('y2'), vi('y3'), vi('xw'), vi('s')],
      initializer: [init('w', randomTensor(r, 'float32', [3, 3], -1, 1)), init('w2', randomTensor(r, 'float32', [3, 3], -1, 1))],
      node: [
        call('LinearTanh', ['x', 'w'], ['y1'], [attrF('alpha', 2)], 'first'),
        call('LinearTanh', ['y1', 'w2'], ['y2'], [attrF('alpha', -1)], 'mm'),
        call('LinearTanh', ['x', 'w'], ['y3']),
        // Values named like the body's locals, which inlining must not capture.
        node('Add', ['x', 'x'], ['xw']),
        node('Neg', ['xw'], ['s']),
      ],
    };
    const bytes = modelBytes(graph, [linearTanh]);
    const model = readModel(bytes);
    expect(model.graph.nodes.map((n) => n.opType)).toEqual([
      'MatMul', 'Constant', 'Mul', 'Tanh', 'MatMul', 'Constant', 'Mul', 'Tanh', 'MatMul', 'Constant', 'Mul', 'Tanh', 'Add', 'Neg',
    ]);
    const alphas = model.graph.nodes.filter((n) => n.opType === 'Constant').map((n) => n.attributes['value_float']);
    expect(alphas).toEqual([{ type: 'float', value: 2 }, { type: 'float', value: -1 }, { type: 'float', value: 0.5 }]);
    const values = model.graph.nodes.flatMap((n) => n.outputs);
    expect(new Set(values).size).toBe(values.length);
    await expectAgrees(bytes, [0, 1].map((seed) => ({ x: randomTensor(rng(100 + seed), 'float32', [2, 3]) })));
  });

  it('a function calling another, forwarding an attribute that may be absent, with an output left out', async () => {
    // Inner(x) -> (a, b): a = LeakyRelu(x, alpha = Inner's alpha, which has no default), b = -x.
    const inner = fn('Inner', ['x'], ['a', 'b'], [node('LeakyRelu', ['x'], ['a'], [ref('alpha', 'alpha', A.FLOAT)]), node('Neg', ['x'], ['b'])], {
      attribute: ['alpha'],
    });
    // Outer(x) -> y = a + b of Inner(x), Inner's alpha set from Outer's beta (no default either).
    const outer = fn('Outer', ['x'], ['y'], [call('Inner', ['x'], ['p', 'q'], [ref('alpha', 'beta', A.FLOAT)], 'in'), node('Add', ['p', 'q'], ['y'])], {
      attribute: ['beta'],
      opsetImport: [{ domain: '', version: i64(17) }, { domain: 'custom', version: i64(1) }],
    });
    const graph: GraphMsg = {
      name: 'g',
      input: [vi('x', [4, 5])],
      output: [vi('with_beta'), vi('default_alpha'), vi('r')],
      node: [
        call('Outer', ['x'], ['with_beta'], [attrF('beta', 0.3)], 'o1'),
        call('Outer', ['x'], ['default_alpha']),
        call('Inner', ['x'], ['r', ''], [attrF('alpha', 0.2)]),
      ],
    };
    const bytes = modelBytes(graph, [outer, inner]);
    const model = readModel(bytes);
    const leaky = model.graph.nodes.filter((n) => n.opType === 'LeakyRelu').map((n) => n.attributes);
    expect(leaky).toEqual([{ alpha: { type: 'float', value: Math.fround(0.3) } }, {}, { alpha: { type: 'float', value: Math.fround(0.2) } }]);
    expect(model.graph.nodes.filter((n) => n.opType === 'Neg').every((n) => n.outputs[0] !== '')).toBe(true);
    await expectAgrees(bytes, [{ x: randomTensor(rng(7), 'float32', [4, 5]) }]);
  });

  it('a function holding an LSTM, called with and without its optional bias', async () => {
    const [seq, batch, size, hidden] = [4, 2, 3, 5];
    const encoder = fn(
      'Encoder',
      ['X', 'W', 'R', 'B'],
      ['Y_h', 'Y_c'],
      [
        node('LSTM', ['X', 'W', 'R', 'B'], ['Y', 'h', 'Y_c'], [ref('hidden_size', 'hidden', A.INT), ref('direction', 'direction', A.STRING)]),
        node('Relu', ['h'], ['Y_h']),
      ],
      { attribute: ['hidden'], attributeProto: [attrS('direction', 'reverse')] },
    );
    const r = rng(23);
    const graph: GraphMsg = {
      name: 'g',
      input: [vi('X', [seq, batch, size])],
      output: [vi('h1'), vi('c1'), vi('h2')],
      initializer: [
        init('W', randomTensor(r, 'float32', [1, 4 * hidden, size], -0.5, 0.5)),
        init('R', randomTensor(r, 'float32', [1, 4 * hidden, hidden], -0.5, 0.5)),
        init('B', randomTensor(r, 'float32', [1, 8 * hidden], -0.5, 0.5)),
      ],
      node: [
        call('Encoder', ['X', 'W', 'R', 'B'], ['h1', 'c1'], [attrI('hidden', hidden), attrS('direction', 'forward')], 'enc'),
        // onnxruntime wants every output of a call listed; '' leaves Y_c out.
        call('Encoder', ['X', 'W', 'R'], ['h2', ''], [attrI('hidden', hidden)], 'enc_nobias'),
      ],
    };
    const bytes = modelBytes(graph, [encoder]);
    const lstms = readModel(bytes).graph.nodes.filter((n) => n.opType === 'LSTM');
    expect(lstms.map((n) => n.inputs[3] ?? '')).toEqual(['B', '']);
    expect(lstms.map((n) => n.attributes['direction'])).toEqual([{ type: 'string', value: 'forward' }, { type: 'string', value: 'reverse' }]);
    await expectAgrees(bytes, [{ X: randomTensor(rng(5), 'float32', [seq, batch, size]) }]);
  });

  it('calls inside If branches', async () => {
    const r = rng(31);
    const thenBranch: GraphMsg = { name: 'then', output: [vi('t')], node: [call('LinearTanh', ['x', 'w'], ['t'], [attrF('alpha', 1.5)], 'in_then')] };
    const elseBranch: GraphMsg = {
      name: 'else',
      output: [vi('e')],
      node: [call('LinearTanh', ['x', 'w'], ['e0']), node('Neg', ['e0'], ['e'])],
    };
    const graph: GraphMsg = {
      name: 'g',
      input: [vi('x', [3, 3]), vi('c', [], BOOL)],
      output: [vi('out')],
      initializer: [init('w', randomTensor(r, 'float32', [3, 3], -1, 1))],
      node: [node('If', ['c'], ['out'], [attrG('then_branch', thenBranch), attrG('else_branch', elseBranch)])],
    };
    const bytes = modelBytes(graph, [linearTanh]);
    const branches = readModel(bytes).graph.nodes[0]!.attributes;
    expect(['then_branch', 'else_branch'].map((b) => (branches[b] as { value: Graph }).value.nodes.map((n) => n.opType))).toEqual([
      ['MatMul', 'Constant', 'Mul', 'Tanh'],
      ['MatMul', 'Constant', 'Mul', 'Tanh', 'Neg'],
    ]);
    const x = randomTensor(rng(3), 'float32', [3, 3]);
    await expectAgrees(bytes, [
      { x, c: tensor('bool', [], [1]) },
      { x, c: tensor('bool', [], [0]) },
    ]);
  });

  it("merges a function's opset import the model lacks", async () => {
    const graph: GraphMsg = { name: 'g', input: [vi('x', [2, 2])], output: [vi('y')], node: [call('Twice', ['x'], ['y'])] };
    const twice = fn('Twice', ['x'], ['y'], [node('Add', ['x', 'x'], ['y'])]);
    const bytes = modelBytes(graph, [twice], [{ domain: 'custom', version: i64(1) }]);
    expect(readModel(bytes).opsetImports).toEqual([{ domain: 'custom', version: 1 }, { domain: '', version: 17 }]);
    await expectAgrees(bytes, [{ x: randomTensor(rng(9), 'float32', [2, 2]) }]);
  });

  it('tells overloads of one name apart', async () => {
    const relu = fn('Shift', ['x'], ['y'], [node('Relu', ['x'], ['y'])], { overload: 'relu' });
    const neg = fn('Shift', ['x'], ['y'], [node('Neg', ['x'], ['y'])], { overload: 'neg' });
    const graph: GraphMsg = {
      name: 'g',
      input: [vi('x', [3])],
      output: [vi('a'), vi('b')],
      node: [
        { ...call('Shift', ['x'], ['a'], [], 'a'), overload: 'relu' },
        { ...call('Shift', ['x'], ['b'], [], 'b'), overload: 'neg' },
      ],
    };
    const msg: ModelMsg = {
      irVersion: i64(10),
      opsetImport: [{ domain: '', version: i64(17) }, { domain: 'custom', version: i64(1) }],
      graph,
      functions: [relu, neg],
    };
    const bytes = ModelProtoType.encode(msg).finish();
    expect(readModel(bytes).graph.nodes.map((n) => n.opType)).toEqual(['Relu', 'Neg']);
    await expectAgrees(bytes, [{ x: tensor('float32', [3], [-1, 0.5, 2]) }]);
  });

  it('leaves a model without functions as it was', () => {
    const graph: GraphMsg = { name: 'g', input: [vi('x', [2])], output: [vi('y')], node: [node('Relu', ['x'], ['y'])] };
    const model = readModel(modelBytes(graph, []));
    expect(model.graph.nodes).toEqual([{ name: '', opType: 'Relu', domain: '', inputs: ['x'], outputs: ['y'], attributes: {} }]);
  });
});

describe('malformed functions and calls are refused with ModelLoadError', () => {
  const simple = (body: FunctionMsg[], callee = 'A'): Uint8Array =>
    modelBytes({ name: 'g', input: [vi('x', [2])], output: [vi('y')], node: [call(callee, ['x'], ['y'])] }, body);

  it('recursive functions, naming the cycle', () => {
    const a = fn('A', ['x'], ['y'], [call('B', ['x'], ['y'])]);
    const b = fn('B', ['x'], ['y'], [node('Relu', ['x'], ['r']), call('A', ['r'], ['y'])]);
    expect(loadError(simple([a, b]))).toBe(
      "function 'custom.A' calls itself (custom.A -> custom.B -> custom.A); ONNX functions cannot be recursive",
    );
    const self = fn('A', ['x'], ['y'], [call('A', ['x'], ['y'])]);
    expect(loadError(simple([self]))).toBe("function 'custom.A' calls itself (custom.A -> custom.A); ONNX functions cannot be recursive");
  });

  it('an output never produced', () => {
    const f = fn('A', ['x'], ['y', 'z'], [node('Relu', ['x'], ['y']), node('Neg', ['x'], ['n'])]);
    expect(loadError(simple([f]))).toBe(
      "function 'custom.A': output 'z' is never produced; expected a body node to produce it, but the body produces 'y', 'n'",
    );
  });

  it('a value produced twice, an input declared twice, a function defined twice', () => {
    const twice = fn('A', ['x'], ['y'], [node('Relu', ['x'], ['y'], [], { name: 'first' }), node('Neg', ['x'], ['y'], [], { name: 'second' })]);
    expect(loadError(simple([twice]))).toBe(
      "function 'custom.A': Neg node 'second' produces 'y', which Relu node 'first' already produces; expected each value to be produced once",
    );
    const dupIn = fn('A', ['x', 'x'], ['y'], [node('Relu', ['x'], ['y'])]);
    expect(loadError(simple([dupIn]))).toBe("function 'custom.A': input 'x' is declared twice; expected distinct input names");
    const ok = fn('A', ['x'], ['y'], [node('Relu', ['x'], ['y'])]);
    expect(loadError(simple([ok, ok]))).toBe(
      "function 'custom.A' is defined twice in ModelProto.functions; expected one definition per (domain, name, overload)",
    );
  });

  it('a body reading a value it does not have, or an undeclared attribute', () => {
    const outer = fn('A', ['x'], ['y'], [node('Add', ['x', 'w'], ['y'])]);
    expect(loadError(simple([outer]))).toBe("function 'custom.A': Add node #0 reads 'w'; expected a function input (x) or a value a body node produces");
    const undeclared = fn('A', ['x'], ['y'], [node('LeakyRelu', ['x'], ['y'], [ref('alpha', 'slope', A.FLOAT)])], { attribute: ['alpha'] });
    expect(loadError(simple([undeclared]))).toBe(
      "function 'custom.A': attribute 'alpha' of LeakyRelu node #0 refers to function attribute 'slope', but the function declares 'alpha'",
    );
  });

  it('a call with more inputs than the function takes', () => {
    const f = fn('A', ['x'], ['y'], [node('Relu', ['x'], ['y'])]);
    const bytes = modelBytes({ name: 'g', input: [vi('x', [2])], output: [vi('y')], node: [call('A', ['x', 'x'], ['y'], [], 'c')] }, [f]);
    expect(loadError(bytes)).toBe("node 'c' calls function 'custom.A' with 2 inputs; expected at most 1 (x)");
  });

  it('an opset the function imports at another version than the model', () => {
    const f = fn('A', ['x'], ['y'], [node('Relu', ['x'], ['y'])], { opsetImport: [{ domain: '', version: i64(13) }] });
    expect(loadError(simple([f]))).toBe(
      "function 'custom.A' imports opset 13 of domain 'ai.onnx', but the model imports opset 17; expected the same version, since the inlined body runs at the model's opset",
    );
  });
});

describe('structural fuzzing of function models', () => {
  /**
   * 3,000 random damages to a model with nested functions, an attribute reference and a call in an If
   * branch: deleted or duplicated body nodes, inputs/outputs renamed to other names or '', references to
   * undeclared attributes, renamed or re-domained functions, calls with extra inputs. Whatever the damage,
   * reading gives a Model (with no call left in it) or a ModelLoadError — never another exception.
   */
  it('3,000 damaged function models: a Model or a ModelLoadError', () => {
    const r = rng(2026);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    const names = ['x', 'y', 'a', 'b', 'p', 'q', 'z', '', 'w', 'cond'];
    const base = (): { graph: GraphMsg; functions: FunctionMsg[] } => {
      const inner = fn('Inner', ['x'], ['a', 'b'], [node('LeakyRelu', ['x'], ['a'], [ref('alpha', 'alpha', A.FLOAT)]), node('Neg', ['x'], ['b'])], {
        attribute: ['alpha'],
      });
      const outer = fn('Outer', ['x'], ['y'], [call('Inner', ['x'], ['p', 'q'], [ref('alpha', 'beta', A.FLOAT)]), node('Add', ['p', 'q'], ['y'])], {
        attributeProto: [attrF('beta', 0.1)],
        opsetImport: [{ domain: '', version: i64(17) }, { domain: 'custom', version: i64(1) }],
      });
      const branch = (out: string): GraphMsg => ({ name: `b_${out}`, output: [vi(out)], node: [call('Outer', ['x'], [out])] });
      const graph: GraphMsg = {
        name: 'g',
        input: [vi('x', [2, 3]), vi('cond', [], BOOL)],
        output: [vi('y1'), vi('y2')],
        node: [call('Outer', ['x'], ['y1'], [attrF('beta', 0.3)], 'o1'), node('If', ['cond'], ['y2'], [attrG('then_branch', branch('t')), attrG('else_branch', branch('e'))])],
      };
      return { graph, functions: [outer, inner] };
    };
    // A body node to damage (a body may have been emptied by an earlier damage).
    const bodyNode = (m: { functions: FunctionMsg[] }): NodeMsg => pick(pick(m.functions).node!) ?? {};
    const damages: ((m: { graph: GraphMsg; functions: FunctionMsg[] }) => void)[] = [
      (m) => { const f = pick(m.functions); f.node!.splice(Math.floor(r() * f.node!.length), 1); },
      (m) => { const f = pick(m.functions); if (f.node!.length) f.node!.push({ ...pick(f.node!) }); },
      (m) => { const n = bodyNode(m); n.input = (n.input ?? []).map((i) => (r() < 0.5 ? pick(names) : i)); },
      (m) => { const n = bodyNode(m); n.output = (n.output ?? []).map((o) => (r() < 0.5 ? pick(names) : o)); },
      (m) => { const f = pick(m.functions); f.input = f.input!.map((i) => (r() < 0.5 ? pick(names) : i)); },
      (m) => { const f = pick(m.functions); f.output = [...f.output!, pick(names)]; },
      (m) => { const n = bodyNode(m); n.attribute = [ref('alpha', pick(['alpha', 'beta', 'gamma', '']), A.FLOAT)]; },
      (m) => { pick(m.functions).name = pick(['Inner', 'Outer', 'Other', '']); },
      (m) => { pick(m.functions).domain = pick(['custom', '', 'ai.onnx', 'other']); },
      (m) => { m.graph.node![0]!.input = ['x', 'x', 'x']; },
      (m) => { pick(m.functions).opsetImport = [{ domain: '', version: i64(pick([1, 13, 17, 99])) }]; },
      (m) => { m.functions.push(pick(m.functions)); },
    ];
    // Undamaged, the model reads and has no call left.
    const intact = base();
    expect(callsIn(readModel(modelBytes(intact.graph, intact.functions)).graph)).toEqual([]);
    let models = 0;
    let errors = 0;
    for (let i = 0; i < 3000; i++) {
      const m = base();
      const count = 1 + Math.floor(r() * 3);
      for (let k = 0; k < count; k++) pick(damages)(m);
      try {
        const model = readModel(modelBytes(m.graph, m.functions));
        // No node still calls a function the model defines (a call to a renamed one is just an unknown op).
        const defined = new Set(m.functions.map((f) => `${f.domain === 'ai.onnx' ? '' : f.domain}/${f.name}`));
        const left = allNodes(model.graph).filter((n) => defined.has(`${n.domain === 'ai.onnx' ? '' : n.domain}/${n.opType}`));
        expect(left.map((n) => n.opType), `case ${i}`).toEqual([]);
        models++;
      } catch (e) {
        if (!(e instanceof ModelLoadError)) throw new Error(`case ${i}: ${(e as Error).constructor.name}: ${(e as Error).message}`);
        errors++;
      }
    }
    // Both outcomes occur, or the damages are not exercising the inliner.
    expect(models).toBeGreaterThan(100);
    expect(errors).toBeGreaterThan(100);
  });
});
