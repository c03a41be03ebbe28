/**
 * If: branches planned at load, run with the enclosing graph's values in scope, compared with
 * onnxruntime-node on the same model bytes for both conditions. Only data movement and one Add/Sub/Mul
 * per branch are involved, so float results must agree exactly.
 */
import { describe, expect, it } from 'vitest';
import { UnsupportedOperatorError } from '../src/errors.js';
import { createExecutor } from '../src/executor/executor.js';
import type { Graph, Model } from '../src/ir/graph.js';
import { GraphBuilder } from '../src/onnx/build.js';
import { tensor, toNumberArray } from '../src/tensor.js';
import { EXACT, expectMatchesOrt, randomTensor } from './builtin-vs-ort.js';

const OPSET = 16;

function branch(name: string, body: (b: GraphBuilder) => string[]): Graph {
  const b = new GraphBuilder({ opset: OPSET, name });
  for (const out of body(b)) b.output(out, 'float32');
  return b.buildGraph();
}

const cond = (v: boolean) => tensor('bool', [1], [v ? 1 : 0]);

/** x, y inputs; s = x * y computed outside; If(c) { x + s, y } else { x - s, reshape(x) }. */
function twoBranchModel(): Model {
  const b = new GraphBuilder({ opset: OPSET });
  const c = b.input('c', 'bool', [1]);
  const x = b.input('x', 'float32', [2, 3]);
  const y = b.input('y', 'float32', [2, 3]);
  b.mul(x, y); // named 'mul' by the builder; the branches read it from the outer scope
  const thenG = branch('then', (g) => [g.add('x', 'mul'), g.identity('y')]);
  const elseG = branch('else', (g) => [g.sub('x', 'mul'), g.reshape('x', [3, 2])]);
  const outs = b.if(c, thenG, elseG);
  outs.forEach((o) => b.output(o, 'float32'));
  return b.build();
}

describe('If vs onnxruntime-node', () => {
  it('runs the then branch on true and the else branch on false, reading outer-scope values', async () => {
    const model = twoBranchModel();
    const feeds = { x: randomTensor([2, 3], 1), y: randomTensor([2, 3], 2) };
    await expectMatchesOrt(model, { c: cond(true), ...feeds }, EXACT);
    await expectMatchesOrt(model, { c: cond(false), ...feeds }, EXACT);
  });

  it('nested If reads values two scopes up', async () => {
    const b = new GraphBuilder({ opset: OPSET });
    const c1 = b.input('c1', 'bool', [1]);
    b.input('c2', 'bool', [1]);
    b.input('x', 'float32', [4]);
    const inner = (sign: string) => branch(`inner_${sign}`, (g) => [sign === 'pos' ? g.add('x', 'x') : g.neg('x')]);
    const outerThen = branch('outer_then', (g) => g.if('c2', inner('pos'), inner('neg')));
    const outerElse = branch('outer_else', (g) => [g.identity('x')]);
    const [y] = b.if(c1, outerThen, outerElse);
    b.output(y!, 'float32');
    const model = b.build();
    const x = randomTensor([4], 5);
    for (const [a, c] of [[true, true], [true, false], [false, true]] as const) {
      await expectMatchesOrt(model, { c1: cond(a), c2: cond(c), x }, EXACT);
    }
  });

  it('a branch may output its own constant; the If output is a copy, so mutating it leaves the branch intact', async () => {
    const b = new GraphBuilder({ opset: OPSET });
    const c = b.input('c', 'bool', [1]);
    b.input('x', 'float32', [3]);
    const thenG = branch('then', (g) => [g.initializer('k', tensor('float32', [3], [1, 2, 3]))]);
    const elseG = branch('else', (g) => [g.identity('x')]);
    const [y] = b.if(c, thenG, elseG);
    b.output(y!, 'float32');
    const model = b.build();
    const x = tensor('float32', [3], [7, 8, 9]);
    await expectMatchesOrt(model, { c: cond(true), x }, EXACT);
    const exec = createExecutor(model);
    (exec.run({ c: cond(true), x })[y!]!.data as Float32Array).fill(0);
    expect(toNumberArray(exec.run({ c: cond(true), x })[y!]!)).toEqual([1, 2, 3]);
  });
});

describe('If on the built-in executor', () => {
  it('alternating branches with different output shapes allocate nothing after each has run once', () => {
    const exec = createExecutor(twoBranchModel());
    const feeds = { x: randomTensor([2, 3], 1), y: randomTensor([2, 3], 2) };
    exec.run({ c: cond(true), ...feeds });
    exec.run({ c: cond(false), ...feeds });
    const n = exec.pool.allocations;
    for (let i = 0; i < 4; i++) {
      const out = exec.run({ c: cond(i % 2 === 0), ...feeds });
      expect(Object.values(out)[1]!.dims).toEqual(i % 2 === 0 ? [2, 3] : [3, 2]);
    }
    expect(exec.pool.allocations).toBe(n);
  });

  it('an operator missing inside a branch fails at load, not when the branch first runs', () => {
    const b = new GraphBuilder({ opset: OPSET });
    const c = b.input('c', 'bool', [1]);
    b.input('x', 'float32', [3]);
    const thenG = branch('then', (g) => g.node('NoSuchOperator', ['x']));
    const elseG = branch('else', (g) => [g.identity('x')]);
    b.output(b.if(c, thenG, elseG)[0]!, 'float32');
    expect(() => createExecutor(b.build())).toThrow(UnsupportedOperatorError);
  });

  it('a condition that is not a one-element bool is a KernelError naming what came', () => {
    const b = new GraphBuilder({ opset: OPSET });
    const c = b.input('c', 'bool', [null]);
    b.input('x', 'float32', [3]);
    b.output(b.if(c, branch('then', (g) => [g.identity('x')]), branch('else', (g) => [g.neg('x')]))[0]!, 'float32');
    const exec = createExecutor(b.build());
    expect(() => exec.run({ c: tensor('bool', [2], [1, 0]), x: randomTensor([3], 1) })).toThrow(/cond must hold exactly one element, got shape \[2\]/);
  });

  it('branches with a different number of outputs than the node are rejected at load', () => {
    const b = new GraphBuilder({ opset: OPSET });
    const c = b.input('c', 'bool', [1]);
    b.input('x', 'float32', [3]);
    const thenG = branch('then', (g) => [g.identity('x'), g.neg('x')]);
    const elseG = branch('else', (g) => [g.identity('x')]);
    b.output(b.if(c, thenG, elseG)[0]!, 'float32');
    expect(() => createExecutor(b.build())).toThrow(/else_branch has 1 outputs but the node has 2/);
  });
});
