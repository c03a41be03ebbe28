/**
 * Whole-plan check on graphs nobody wrote by hand: random DAGs of this family's operators (with initializer
 * sub-expressions that constant folding must compute, nodes listed in shuffled order that the plan must
 * sort, a symbolic batch dimension that changes between runs) against onnxruntime-node on the same bytes.
 * Tolerance rtol 1e-4, atol 1e-5: chains of up to 14 float32 operators, double-precision loops here.
 */
import { describe, expect, it } from 'vitest';
import { compareTensors } from '../src/conformance/compare.js';
import { createExecutor } from '../src/executor/executor.js';
import type { Model } from '../src/ir/graph.js';
import { GraphBuilder } from '../src/onnx/build.js';
import { tensor, type Tensor } from '../src/tensor.js';
import { randomTensor, rng, runOrt } from './kernel-oracle.js';

const TOL = { rtol: 1e-4, atol: 1e-5 };
const F = 4;

/** A random graph over x: [batch, F]; every value it makes is [batch, F] or [batch, 1]. */
function randomGraph(seed: number): { model: Model; folded: boolean } {
  const r = rng(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const b = new GraphBuilder({ opset: 13 });
  const x = b.input('x', 'float32', ['batch', F]);
  const wide: string[] = [x]; // [batch, F]
  const narrow: string[] = []; // [batch, 1]
  const vec = () => b.initializer(randomTensor(r, 'float32', [F], -1, 1));
  let folded = false;
  /** A constant [F] computed from initializers only, which the plan folds. */
  const foldedVec = () => {
    folded = true;
    return pick([() => b.add(vec(), vec()), () => b.tanh(b.mul(vec(), vec())), () => b.max(vec(), vec(), vec())])();
  };
  const steps = 4 + Math.floor(r() * 10);
  for (let i = 0; i < steps; i++) {
    const a = pick(wide);
    const kind = Math.floor(r() * 12);
    let y: string;
    if (kind === 0) y = b.node(pick(['Tanh', 'Sigmoid', 'Relu', 'Neg', 'Abs']), [a])[0]!;
    else if (kind === 1) y = b.node(pick(['Add', 'Sub', 'Mul', 'Max', 'Min']), [a, pick(wide)])[0]!;
    else if (kind === 2) y = b.node(pick(['Add', 'Mul', 'Sub']), [a, r() < 0.5 ? vec() : foldedVec()])[0]!;
    else if (kind === 3) y = b.matmul(a, b.initializer(randomTensor(r, 'float32', [F, F], -0.7, 0.7)));
    else if (kind === 4) y = b.gemm(a, b.initializer(randomTensor(r, 'float32', [F, F], -0.7, 0.7)), vec(), { transB: 1, alpha: 0.5 });
    else if (kind === 5) y = b.softmax(a);
    else if (kind === 6) y = b.logSoftmax(b.tanh(a));
    else if (kind === 7) y = b.where(b.less(a, pick(wide)), a, pick(wide));
    else if (kind === 8) y = b.clip(a, -1, 1);
    else if (kind === 9) {
      const op = pick(['ReduceMean', 'ReduceSum', 'ReduceMax']);
      // at opset 13 ReduceSum already takes axes as an input; the others still as an attribute
      narrow.push(op === 'ReduceSum' ? b.node(op, [a, b.int64s([1])], { keepdims: 1 })[0]! : b.node(op, [a], { axes: [1], keepdims: 1 })[0]!);
      continue;
    } else if (kind === 10 && narrow.length > 0) y = b.add(a, pick(narrow)); // [batch, F] + [batch, 1]
    else y = b.div(a, b.add(b.node('Abs', [pick(wide)])[0]!, b.initializer(tensor('float32', [], [1]))));
    wide.push(y);
  }
  const outs = new Set([wide[wide.length - 1]!, pick(wide), ...(narrow.length ? [pick(narrow)] : [])]);
  for (const o of outs) if (o !== x) b.output(o, 'float32');
  if (b.build().graph.outputs.length === 0) b.output(b.tanh(x), 'float32');
  const model = b.build();
  // Shuffle the node list: the file order must not matter.
  const nodes = model.graph.nodes;
  for (let i = nodes.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [nodes[i], nodes[j]] = [nodes[j]!, nodes[i]!];
  }
  return { model, folded };
}

describe('random graphs against onnxruntime-node', () => {
  it('40 graphs, two batch sizes each, no allocation when a shape repeats', async () => {
    let foldedGraphs = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const { model, folded } = randomGraph(seed);
      const exec = createExecutor(model);
      // (a folded sub-expression may sit in a part of the graph no output needs, which is dropped instead)
      if (folded && exec.foldedNodes > 0) foldedGraphs++;
      for (const batch of [3, 1, 3]) {
        const x = randomTensor(rng(seed * 10 + batch), 'float32', [batch, F], -2, 2);
        const before = exec.pool.allocations;
        const ours = exec.run({ x });
        if (batch === 3 && before > 0) expect(exec.pool.allocations, `seed ${seed}: pool grew on a repeated shape`).toBe(before);
        const copy: Record<string, Tensor> = {};
        for (const [k, t] of Object.entries(ours)) copy[k] = { ...t, data: t.data.slice() as never };
        const ref = await runOrt(model, { x });
        for (const out of model.graph.outputs) {
          const c = compareTensors(copy[out.name]!, ref[out.name]!, TOL);
          expect(c.ok, `seed ${seed} batch ${batch} output ${out.name}: ${c.error}`).toBe(true);
        }
      }
    }
    expect(foldedGraphs).toBeGreaterThan(5);
  });
});
