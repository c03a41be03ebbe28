/**
 * Constant (every value spelling) and ConstantOfShape against onnxruntime-node; exact comparison since
 * nothing is computed.
 */
import { describe, expect, it } from 'vitest';
import { createExecutor } from '../src/executor/executor.js';
import { findKernel } from '../src/executor/kernels/registry.js';
import { attr, GraphBuilder, type AttrValue } from '../src/onnx/build.js';
import { tensor, toNumberArray, type Tensor } from '../src/tensor.js';
import { EXACT, expectMatchesOrt, iota } from './builtin-vs-ort.js';

function constantModel(attrs: Record<string, AttrValue>, opset = 13) {
  const b = new GraphBuilder({ opset });
  // Add the constant to an input so the model has a runtime input and the Constant feeds a real node.
  const [c] = b.node('Constant', [], attrs);
  return { b, c: c! };
}

describe('Constant', () => {
  const cases: [string, Record<string, AttrValue>, Tensor][] = [
    ['value (a float tensor)', { value: tensor('float32', [2, 2], [1, 2.5, -3, 4]) }, tensor('float32', [2, 2], [1, 1, 1, 1])],
    ['value (an int64 tensor)', { value: tensor('int64', [3], [1n, -(2n ** 60n), 3n]) }, tensor('int64', [3], [1, 1, 1])],
    ['value_float', { value_float: attr.float(0.25) }, tensor('float32', [3], [1, 2, 3])],
    ['value_floats', { value_floats: attr.floats([0.5, -1.5, 2]) }, tensor('float32', [3], [1, 2, 3])],
    ['value_int', { value_int: attr.int(-7) }, tensor('int64', [2], [1, 2])],
    ['value_ints', { value_ints: attr.ints([4, 5, 6]) }, tensor('int64', [3], [1, 2, 3])],
  ];
  for (const [what, attrs, x] of cases) {
    it(`${what} matches onnxruntime`, async () => {
      const { b, c } = constantModel(attrs);
      const xin = b.input('x', x.dtype, [...x.dims]);
      b.output(b.add(xin, c), x.dtype);
      b.output(b.identity(c), x.dtype);
      await expectMatchesOrt(b.build(), { x }, EXACT);
    });
  }
  it('rejects a node with two value attributes', () => {
    const { b, c } = constantModel({ value_float: attr.float(1), value_int: attr.int(1) });
    b.output(c, 'float32');
    expect(() => createExecutor(b.build())).toThrow(/exactly one of .* got value_float, value_int/);
  });
  it('writes into the buffer the context gives, never handing out the attribute tensor itself', () => {
    const value = tensor('float32', [2], [1, 2]);
    const { b } = constantModel({ value });
    const node = b.buildGraph().nodes[0]!;
    const kernel = findKernel('Constant', '', 13)!.create({ node, opset: 13, constants: [], inputInfo: [], planSubgraph: () => { throw new Error('none'); } });
    const target = tensor('float32', [2]);
    const [out] = kernel.run([], { output: () => target as never, scratch: () => { throw new Error('none'); }, scope: new Map() });
    expect(out).toBe(target);
    expect(out!.data).not.toBe(value.data);
    expect(toNumberArray(out!)).toEqual([1, 2]);
  });
});

describe('ConstantOfShape', () => {
  it('defaults to float32 zeros, shape from a runtime input', async () => {
    const b = new GraphBuilder({ opset: 13 });
    const s = b.input('s', 'int64', [3]);
    const [y] = b.node('ConstantOfShape', [s]);
    b.output(y!, 'float32');
    await expectMatchesOrt(b.build(), { s: tensor('int64', [3], [2, 1, 3]) }, EXACT);
  });
  it('fills with an int64 value, and with a bool value', async () => {
    const b = new GraphBuilder({ opset: 13 });
    const x = b.input('x', 'float32', [2, 3]);
    const shape = b.shape(x);
    const [yi] = b.node('ConstantOfShape', [shape], { value: tensor('int64', [1], [-(2n ** 40n)]) });
    const [yb] = b.node('ConstantOfShape', [shape], { value: tensor('bool', [1], [1]) });
    b.output(yi!, 'int64');
    b.output(yb!, 'bool');
    await expectMatchesOrt(b.build(), { x: iota('float32', [2, 3]) }, EXACT);
  });
  it('an empty shape gives a scalar; a zero dimension gives an empty tensor', async () => {
    const b = new GraphBuilder({ opset: 13 });
    const s = b.input('s', 'int64', [null]);
    const [y] = b.node('ConstantOfShape', [s], { value: tensor('float32', [1], [3.5]) });
    b.output(y!, 'float32');
    const model = b.build();
    await expectMatchesOrt(model, { s: tensor('int64', [0]) }, EXACT);
    await expectMatchesOrt(model, { s: tensor('int64', [2], [4, 0]) }, EXACT);
  });
  it('a negative dimension is a KernelError', () => {
    const b = new GraphBuilder({ opset: 13 });
    const s = b.input('s', 'int64', [2]);
    const [y] = b.node('ConstantOfShape', [s]);
    b.output(y!, 'float32');
    expect(() => createExecutor(b.build()).run({ s: tensor('int64', [2], [2, -1]) })).toThrow(/shape \[2, -1\] has a negative dimension/);
  });
});
