import { describe, expect, it } from 'vitest';
import { createExecutor } from '../src/executor/executor.js';
import { GraphBuilder } from '../src/onnx/build.js';
import { tensor } from '../src/tensor.js';

// Whatever `run` returns, a caller may write into it. A graph output that is a constant — folded, an
// initializer, or a view of one — must not let that write reach the model.
describe('graph outputs that are constants', () => {
  function model() {
    const b = new GraphBuilder({ opset: 17 });
    const x = b.input('x', 'float32', [2]);
    const c = b.initializer('c', tensor('float32', [2], [1, 2]));
    const [folded] = b.node('Add', [c, c], {}, 1);
    const [y] = b.node('Add', [x, folded!], {}, 1);
    b.output(folded!);
    b.output(c);
    b.output(y!);
    return { model: b.build(), folded: folded!, c, y: y! };
  }

  it('are copies: writing into them changes neither later outputs nor the computation', () => {
    const { model: m, folded, c, y } = model();
    const exec = createExecutor(m);
    const x = tensor('float32', [2], [10, 20]);
    const first = exec.run({ x });
    (first[folded]!.data as Float32Array).fill(99);
    (first[c]!.data as Float32Array).fill(-99);
    const second = exec.run({ x });
    expect(Array.from(second[folded]!.data as Float32Array)).toEqual([2, 4]);
    expect(Array.from(second[c]!.data as Float32Array)).toEqual([1, 2]);
    expect(Array.from(second[y]!.data as Float32Array)).toEqual([12, 24]);
  });

  it('reuse their copy buffers run after run', () => {
    const { model: m, folded } = model();
    const exec = createExecutor(m);
    const x = tensor('float32', [2], [0, 0]);
    const a = exec.run({ x })[folded]!;
    const b = exec.run({ x })[folded]!;
    expect(b).toBe(a);
  });
});
