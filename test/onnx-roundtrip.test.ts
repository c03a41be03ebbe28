import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Model } from '../src/ir/graph.js';
import { attr, GraphBuilder } from '../src/onnx/build.js';
import { readModel, readTensor } from '../src/onnx/read.js';
import { writeModel, writeTensor } from '../src/onnx/write.js';
import { DTYPES, tensor, type DType, type Tensor } from '../src/tensor.js';
import { ONNX_NODE_CASES } from './conformance-data.js';
import { pathToFileURL } from 'node:url';

const CONFORMANCE = pathToFileURL(ONNX_NODE_CASES);
const VAD_DIST = new URL('../node_modules/@ricky0123/vad-web/dist/', import.meta.url);

/** Values that exercise each dtype's edges (int64 beyond 2^53, negative zero, NaN, uint64 max). */
function sampleTensor(dtype: DType): Tensor {
  switch (dtype) {
    case 'float32':
      return tensor(dtype, [2, 3], [0, -0, 1.5, -3.25, Number.NaN, Math.fround(1e30)]);
    case 'float64':
      return tensor(dtype, [2, 2], [Math.PI, -0, Number.MAX_VALUE, Number.MIN_VALUE]);
    case 'int8':
      return tensor(dtype, [4], [-128, -1, 0, 127]);
    case 'int16':
      return tensor(dtype, [3], [-32768, 7, 32767]);
    case 'int32':
      return tensor(dtype, [3], [-2147483648, 0, 2147483647]);
    case 'int64':
      return tensor(dtype, [3], [-(2n ** 63n), 2n ** 53n + 1n, 2n ** 63n - 1n]);
    case 'uint8':
      return tensor(dtype, [3], [0, 128, 255]);
    case 'uint16':
      return tensor(dtype, [2], [0, 65535]);
    case 'uint32':
      return tensor(dtype, [2], [0, 4294967295]);
    case 'uint64':
      return tensor(dtype, [2], [0n, 2n ** 64n - 1n]);
    case 'bool':
      return tensor(dtype, [1, 4], [1, 0, 0, 1]);
  }
}

/** A model using every attribute kind, every dtype as an initializer, symbolic/unknown dims and a subgraph. */
function everythingModel(): Model {
  const b = new GraphBuilder({ opset: 21, name: 'everything', metadata: { author: 'rxrnn', ['__proto__']: 'kept' }, doc: 'doc text' });
  const x = b.input('x', 'float32', [1, 'batch', null]);
  b.inputOfType('seq', { kind: 'sequence', elem: { kind: 'tensor', elemType: 'float32', shape: ['n'] } });
  b.inputOfType('opt', { kind: 'optional', elem: { kind: 'tensor', elemType: 'int64' } });
  for (const dtype of DTYPES) b.initializer(`init_${dtype}`, sampleTensor(dtype));
  b.initializer('scalar', tensor('float32', [], [2.5]));
  b.initializer('empty', tensor('float32', [0, 3]));

  const thenB = new GraphBuilder({ name: 'then' });
  thenB.output(thenB.identity(x), 'float32');
  const elseB = new GraphBuilder({ name: 'else' });
  elseB.output(elseB.neg(x), 'float32');

  const [y] = b.node(
    'Custom',
    [x, '', 'scalar'],
    {
      f: 0.1,
      forcedFloat: attr.float(1),
      i: 7,
      big: 2n ** 62n + 3n,
      neg: -(2n ** 63n),
      s: 'héllo ✓',
      t: sampleTensor('int64'),
      g: thenB.buildGraph(),
      floats: [0.5, -1.25, 1e-3],
      emptyFloats: attr.floats([]),
      ints: [1, -2, 3],
      bigints: [2n ** 60n, -1n],
      strings: ['a', '', 'ü'],
      tensors: [sampleTensor('float32'), sampleTensor('bool')],
      graphs: [thenB.buildGraph(), elseB.buildGraph()],
      type: { type: 'typeProto', value: { kind: 'sequence', elem: { kind: 'tensor', elemType: 'float16', shape: [] } } },
      types: { type: 'typeProtos', value: [{ kind: 'tensor', elemType: 'bfloat16' }] },
    },
    1,
    { domain: 'com.example', name: 'custom_node' },
  );
  b.annotate(y!, 'float32', ['batch', 4]);
  b.output(y!, 'float32', [1, 'batch', 4]);
  return b.build();
}

describe('ONNX round trip', () => {
  it('read(write(m)) equals m for a builder model with every attribute kind and dtype', () => {
    const m = everythingModel();
    const back = readModel(writeModel(m));
    expect(back).toEqual(m);
    // toEqual compares typed arrays by class and content; check the exactness that matters most directly.
    const i64 = back.graph.initializers.get('init_int64')!.data as BigInt64Array;
    expect([...i64]).toEqual([-(2n ** 63n), 2n ** 53n + 1n, 2n ** 63n - 1n]);
    const attrs = back.graph.nodes[0]!.attributes;
    expect(attrs['big']).toEqual({ type: 'int', value: 2n ** 62n + 3n });
    expect(attrs['f']).toEqual({ type: 'float', value: Math.fround(0.1) });
    expect(Object.keys(back.metadata)).toEqual(['author', '__proto__']);
  });

  it('round-trips recurrent builder models with all optional inputs and attributes', () => {
    const b = new GraphBuilder({ opset: 14 });
    const x = b.input('X', 'float32', [5, 2, 3]);
    const w = (name: string, dims: number[]) => b.initializer(name, tensor('float32', dims));
    const { Y, Y_h, Y_c } = b.lstm({
      X: x, W: w('W', [2, 16, 3]), R: w('R', [2, 16, 4]), B: w('B', [2, 32]),
      sequenceLens: b.initializer('lens', tensor('int32', [2], [5, 3])),
      initialH: w('h0', [2, 2, 4]), initialC: w('c0', [2, 2, 4]), P: w('P', [2, 12]),
      hiddenSize: 4, direction: 'bidirectional', activations: ['Sigmoid', 'Tanh', 'Tanh', 'HardSigmoid', 'Tanh', 'Tanh'],
      activationAlpha: [0.2], activationBeta: [0.5], clip: 3, inputForget: 1, layout: 0,
    });
    const g = b.gru({ X: x, W: w('Wg', [1, 12, 3]), R: w('Rg', [1, 12, 4]), hiddenSize: 4, linearBeforeReset: 1, outputs: ['', 'gh'] });
    const r = b.rnn({ X: x, W: w('Wr', [1, 4, 3]), R: w('Rr', [1, 4, 4]), hiddenSize: 4, direction: 'reverse', outputs: ['ry'] });
    [Y, Y_h, Y_c, g.Y_h, r.Y].forEach((n) => b.output(n));
    const m = b.build();
    expect(m.irVersion).toBe(7);
    expect(m.graph.nodes.map((n) => n.outputs)).toEqual([[Y, Y_h, Y_c], ['', 'gh'], ['ry']]);
    expect(readModel(writeModel(m))).toEqual(m);
  });

  it('writeTensor/readTensor round-trip every dtype, keeping the name', () => {
    for (const dtype of DTYPES) {
      const t = sampleTensor(dtype);
      expect(readTensor(writeTensor(t, `t_${dtype}`))).toEqual({ ...t, name: `t_${dtype}` });
    }
  });

  const cases = readdirSync(CONFORMANCE).sort();

  it(`reads all ${cases.length} conformance models, and read(write(read(bytes))) is stable`, () => {
    expect(cases.length).toBe(277);
    for (const name of cases) {
      const model = readModel(readFileSync(new URL(`${name}/model.onnx`, CONFORMANCE)));
      expect(model.graph.nodes.length, name).toBeGreaterThan(0);
      expect(readModel(writeModel(model)), name).toEqual(model);
    }
  });

  it('reads the Silero VAD models, and the re-written bytes read back equal', () => {
    const v5 = readModel(readFileSync(new URL('silero_vad_v5.onnx', VAD_DIST)));
    expect(v5.graph.inputs.map((v) => [v.name, v.type])).toEqual([
      ['input', { kind: 'tensor', elemType: 'float32', shape: [null, null] }],
      ['state', { kind: 'tensor', elemType: 'float32', shape: [2, null, 128] }],
      ['sr', { kind: 'tensor', elemType: 'int64', shape: [] }],
    ]);
    expect(v5.graph.outputs.map((v) => v.name)).toEqual(['output', 'stateN']);
    expect(readModel(writeModel(v5))).toEqual(v5);

    const legacy = readModel(readFileSync(new URL('silero_vad_legacy.onnx', VAD_DIST)));
    expect(legacy.graph.inputs.map((v) => v.name)).toEqual(['input', 'sr', 'h', 'c']);
    expect(legacy.graph.inputs[0]!.type).toEqual({ kind: 'tensor', elemType: 'float32', shape: ['batch', 'sequence'] });
    expect(legacy.opsetImports).toContainEqual({ domain: 'com.microsoft', version: 1 });
    expect(readModel(writeModel(legacy))).toEqual(legacy);
  });
});
