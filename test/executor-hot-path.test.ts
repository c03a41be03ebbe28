/**
 * The steady-state step allocates nothing: no pool buffers (counted by the pool) and no JavaScript heap
 * objects (measured as young-generation growth across many synchronous runs with no GC in between). The
 * model strings together the operators of this family that step models use between recurrent layers.
 */
import { steadyStateBytesPerRun } from './heap-probe.js';
import { describe, expect, it } from 'vitest';
import { createExecutor } from '../src/executor/executor.js';
import { GraphBuilder } from '../src/onnx/build.js';
import { tensor } from '../src/tensor.js';
import { randomTensor, rng } from './kernel-oracle.js';

function stepModel() {
  const r = rng(1);
  const b = new GraphBuilder({ opset: 13 });
  const x = b.input('x', 'float32', [2, 16]);
  const w1 = b.initializer('w1', randomTensor(r, 'float32', [16, 32]));
  const w2 = b.initializer('w2', randomTensor(r, 'float32', [10, 32]));
  const c2 = b.initializer('c2', randomTensor(r, 'float32', [10]));
  const h = b.relu(b.add(b.matmul(x, w1), b.initializer('b1', randomTensor(r, 'float32', [32]))));
  const g = b.mul(b.sigmoid(h), b.tanh(h));
  const gated = b.where(b.less(g, b.initializer('zero', tensor('float32', [], [0]))), b.neg(g), b.max(g, b.exp(b.neg(h))));
  const logits = b.clip(b.gemm(gated, w2, c2, { transB: 1 }), -4, 4);
  const probs = b.softmax(logits);
  b.output(probs, 'float32');
  b.output(b.argmax(probs, { axis: 1, keepdims: 0 }), 'int64');
  b.output(b.node('ReduceSum', [b.leakyRelu(logits, 0.1), b.int64s([1])], { keepdims: 1 })[0]!, 'float32');
  b.output(b.logSoftmax(b.hardSigmoid(logits)), 'float32');
  return b.build();
}

describe('steady-state runs', () => {
  it('allocate no pool buffers and no JavaScript objects', () => {
    const exec = createExecutor(stepModel());
    const feeds = { x: randomTensor(rng(2), 'float32', [2, 16]) };
    exec.run(feeds);
    const buffers = exec.pool.allocations;
    const heap = steadyStateBytesPerRun(() => exec.run(feeds), 30_000, 20_000);
    expect(exec.pool.allocations).toBe(buffers);
    expect(heap.best, `bytes/run per window: ${heap.windows.map((b) => b.toFixed(1)).join(', ')}`).toBeLessThan(2);
  });
});
