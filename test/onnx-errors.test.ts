import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ModelLoadError } from '../src/errors.js';
import type { Model, Node } from '../src/ir/graph.js';
import { GraphBuilder } from '../src/onnx/build.js';
import { ModelProtoType, TensorProtoType, bigintToInt64, type ModelMsg, type TensorMsg } from '../src/onnx/proto.js';
import { readModel, readTensor } from '../src/onnx/read.js';
import { writeModel } from '../src/onnx/write.js';
import { tensor } from '../src/tensor.js';
import { ONNX_NODE_CASES } from './conformance-data.js';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const LSTM_BYTES = readFileSync(join(ONNX_NODE_CASES, 'test_lstm_defaults', 'model.onnx'));

function loadError(fn: () => unknown): ModelLoadError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ModelLoadError);
    return e as ModelLoadError;
  }
  throw new Error('expected a ModelLoadError, but reading succeeded');
}

/** A model of `nodes` over one float input `x`, with the given outputs. */
function graphOf(nodes: Partial<Node>[], outputs: string[]): Model {
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', 'float32', [2]);
  for (const o of outputs) b.output(o, 'float32');
  const m = b.build();
  m.graph.nodes = nodes.map((n, i) => ({ name: `n${i}`, opType: 'Relu', domain: '', inputs: [], outputs: [], attributes: {}, ...n }));
  return m;
}

function encodeModel(initializer: TensorMsg[], extra: Partial<ModelMsg['graph']> = {}): Uint8Array {
  const msg: ModelMsg = {
    irVersion: bigintToInt64(8n),
    opsetImport: [{ domain: '', version: bigintToInt64(17n) }],
    graph: {
      name: 'g',
      initializer,
      output: initializer.map((t) => ({ name: t.name! })),
      ...extra,
    },
  };
  return ModelProtoType.encode(msg).finish();
}

const i64 = (v: number | bigint) => bigintToInt64(BigInt(v));
const encodeTensor = (msg: TensorMsg) => TensorProtoType.encode(msg).finish();

describe('readModel refuses bad bytes with ModelLoadError', () => {
  it('empty input', () => {
    expect(loadError(() => readModel(new Uint8Array(0))).message).toMatch(/got 0 bytes/);
  });

  it('bytes that are not a model', () => {
    const text = new TextEncoder().encode('hello, this is certainly not an ONNX model\n');
    expect(loadError(() => readModel(text)).message).toMatch(/not an ONNX model|not valid protobuf/);
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    expect(loadError(() => readModel(png)).message).toMatch(/not an ONNX model|not valid protobuf/);
  });

  it('a truncated file, at many cut points', () => {
    for (const cut of [1, 10, 100, Math.floor(LSTM_BYTES.length / 2), LSTM_BYTES.length - 1]) {
      const e = loadError(() => readModel(LSTM_BYTES.subarray(0, cut)));
      expect(e.message).toMatch(/truncated|not valid protobuf|not an ONNX model|not produced|no graph/);
    }
  });

  it('accepts an ArrayBuffer as well as a Uint8Array', () => {
    const copy = LSTM_BYTES.buffer.slice(LSTM_BYTES.byteOffset, LSTM_BYTES.byteOffset + LSTM_BYTES.length);
    expect(readModel(copy)).toEqual(readModel(LSTM_BYTES));
  });

  it('a graph cycle, naming the nodes on it', () => {
    const m = graphOf([
      { name: 'first', inputs: ['b'], outputs: ['a'] },
      { name: 'second', inputs: ['a'], outputs: ['b'] },
    ], ['a']);
    const e = loadError(() => readModel(writeModel(m)));
    expect(e.message).toMatch(/cycle/);
    expect(e.message).toContain("'first'");
    expect(e.message).toContain("'second'");
  });

  it('a node that reads its own output is a cycle', () => {
    const m = graphOf([{ name: 'selfish', opType: 'Add', inputs: ['x', 'y'], outputs: ['y'] }], ['y']);
    expect(loadError(() => readModel(writeModel(m))).message).toMatch(/cycle.*'selfish'/);
  });

  it('nodes listed out of order are fine (no cycle)', () => {
    const m = graphOf([
      { name: 'late', inputs: ['a'], outputs: ['b'] },
      { name: 'early', inputs: ['x'], outputs: ['a'] },
    ], ['b']);
    expect(readModel(writeModel(m)).graph.nodes.map((n) => n.name)).toEqual(['late', 'early']);
  });

  it('a value produced twice', () => {
    const m = graphOf([
      { name: 'one', inputs: ['x'], outputs: ['y'] },
      { name: 'two', inputs: ['x'], outputs: ['y'] },
    ], ['y']);
    const e = loadError(() => readModel(writeModel(m)));
    expect(e.message).toMatch(/Relu node 'two' produces 'y', which Relu node 'one' already produces/);
  });

  it('a node output that redefines a graph input', () => {
    const m = graphOf([{ name: 'shadow', inputs: ['x'], outputs: ['x'] }], ['x']);
    expect(loadError(() => readModel(writeModel(m))).message).toMatch(/'shadow' produces 'x', which is already a graph input/);
  });

  it('a node input nobody produces', () => {
    const m = graphOf([{ name: 'reader', opType: 'Add', inputs: ['x', 'ghost'], outputs: ['y'] }], ['y']);
    const e = loadError(() => readModel(writeModel(m)));
    expect(e.message).toMatch(/Add node 'reader': input 'ghost' is not produced by any node/);
  });

  it('a graph output nobody produces', () => {
    const m = graphOf([{ inputs: ['x'], outputs: ['y'] }], ['y', 'nowhere']);
    expect(loadError(() => readModel(writeModel(m))).message).toMatch(/graph output 'nowhere' is not produced/);
  });

  it('subgraphs may read outer-scope values, but not unknown ones', () => {
    const outer = new GraphBuilder({ opset: 17 });
    const x = outer.input('x', 'float32', [2]);
    const cond = outer.input('cond', 'bool', []);
    const doubled = outer.add(x, x);
    const good = new GraphBuilder({ name: 'then' });
    good.output(good.relu(doubled), 'float32');
    const bad = new GraphBuilder({ name: 'else' });
    bad.output(bad.relu('phantom'), 'float32');

    const ok = new GraphBuilder({ opset: 17 });
    ok.input('x', 'float32', [2]);
    ok.input('cond', 'bool', []);
    const [d] = ok.node('Add', ['x', 'x'], {}, [doubled]);
    ok.output(ok.if(cond, good.buildGraph(), good.buildGraph())[0]!, 'float32');
    expect(readModel(writeModel(ok.build())).graph.nodes.map((n) => n.opType)).toEqual(['Add', 'If']);
    expect(d).toBe(doubled);

    const notOk = new GraphBuilder({ opset: 17 });
    notOk.input('x', 'float32', [2]);
    notOk.input('cond', 'bool', []);
    notOk.node('Add', ['x', 'x'], {}, [doubled]);
    notOk.output(notOk.if(cond, good.buildGraph(), bad.buildGraph())[0]!, 'float32');
    const e = loadError(() => readModel(writeModel(notOk.build())));
    expect(e.message).toMatch(/in subgraph 'else_branch' of If node .*input 'phantom' is not produced/);
  });

  it('a cycle through a subgraph read is a cycle', () => {
    const branch = new GraphBuilder({ name: 'branch' });
    branch.output(branch.relu('late'), 'float32');
    const b = new GraphBuilder({ opset: 17 });
    b.input('cond', 'bool', []);
    const [y] = b.node('If', ['cond'], { then_branch: branch.buildGraph(), else_branch: branch.buildGraph() }, ['y'], { name: 'iffy' });
    b.node('Relu', [y], {}, ['late'], { name: 'after' });
    b.output('late', 'float32');
    expect(loadError(() => readModel(writeModel(b.build()))).message).toMatch(/cycle.*'iffy'/);
  });

  it('an unknown element type, in an initializer and in a value type', () => {
    const bad = encodeModel([{ name: 'W', dataType: 99, dims: [i64(1)], rawData: new Uint8Array(4) }]);
    expect(loadError(() => readModel(bad)).message).toMatch(/initializer 'W': unknown element type 99 \(unknown\)/);
    const badInput = encodeModel([], { input: [{ name: 'inp', type: { tensorType: { elemType: 77 } } }], output: [{ name: 'inp' }] });
    expect(loadError(() => readModel(badInput)).message).toMatch(/graph input 'inp': unknown element type 77/);
  });

  it('an element type rxrnn tensors cannot hold', () => {
    const f16 = encodeModel([{ name: 'H', dataType: 10, dims: [i64(2)], rawData: new Uint8Array(4) }]);
    expect(loadError(() => readModel(f16)).message).toMatch(/initializer 'H': element type float16 is not supported/);
  });

  it('an initializer whose data length disagrees with its dims', () => {
    const raw = encodeModel([{ name: 'W', dataType: 1, dims: [i64(2), i64(3)], rawData: new Uint8Array(20) }]);
    expect(loadError(() => readModel(raw)).message).toMatch(/initializer 'W': raw_data holds 20 bytes, expected 24 \(6 × float32\)/);
    const typed = encodeModel([{ name: 'V', dataType: 1, dims: [i64(2), i64(3)], floatData: [1, 2, 3, 4, 5] }]);
    expect(loadError(() => readModel(typed)).message).toMatch(/initializer 'V': float32 tensor of shape \[2, 3\] needs 6 values in float_data \(or raw_data\), got 5/);
    const wrongField = encodeModel([{ name: 'U', dataType: 7, dims: [i64(2)], floatData: [1, 2] }]);
    expect(loadError(() => readModel(wrongField)).message).toMatch(/needs 2 values in int64_data .*got 0 \(float_data has 2\)/);
  });

  it('a tensor larger than the limit is refused before anything is allocated', () => {
    // 2^40 × 2^20 float32 elements: allocating would be impossible; the refusal must come from the dims alone.
    const huge = encodeModel([{ name: 'big', dataType: 1, dims: [i64(2 ** 40), i64(2 ** 20)], rawData: new Uint8Array(8) }]);
    const e = loadError(() => readModel(huge));
    expect(e.message).toMatch(/initializer 'big': shape \[1099511627776, 1048576\] of float32 needs 4611686018427387904 bytes, more than the limit of 2147483648/);

    const small = encodeModel([{ name: 'w', dataType: 1, dims: [i64(10), i64(10)], rawData: new Uint8Array(400) }]);
    expect(loadError(() => readModel(small, { maxTensorBytes: 399 })).message).toMatch(/needs 400 bytes, more than the limit of 399/);
    expect(readModel(small, { maxTensorBytes: 400 }).graph.initializers.get('w')!.dims).toEqual([10, 10]);
  });

  it('negative dims, in a tensor and in a shape', () => {
    const neg = encodeModel([{ name: 'N', dataType: 1, dims: [i64(-1), i64(2)], floatData: [] }]);
    expect(loadError(() => readModel(neg)).message).toMatch(/initializer 'N': dims must be non-negative, got \[-1, 2\]/);
    const shape = encodeModel([], {
      input: [{ name: 'inp', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: i64(-3) }] } } } }],
      output: [{ name: 'inp' }],
    });
    expect(loadError(() => readModel(shape)).message).toMatch(/graph input 'inp': shape dimensions must be non-negative integers, got -3/);
  });

  it('a node without op_type, and a duplicate initializer', () => {
    const noOp = encodeModel([], { input: [{ name: 'a' }], node: [{ input: ['a'], output: ['b'] }], output: [{ name: 'b' }] });
    expect(loadError(() => readModel(noOp)).message).toMatch(/node #0 \(-> 'b'\) has no op_type/);
    const t: TensorMsg = { name: 'W', dataType: 1, dims: [i64(1)], floatData: [1] };
    expect(loadError(() => readModel(encodeModel([t, t]))).message).toMatch(/initializer 'W' appears twice/);
  });

  it('external data without a way to read it, and with a wrong length or offset', () => {
    const ext = (entries: Record<string, string>) =>
      encodeModel([{
        name: 'E', dataType: 1, dims: [i64(3)], dataLocation: 1,
        externalData: Object.entries(entries).map(([key, value]) => ({ key, value })),
      }]);
    const plain = ext({ location: 'w.bin', offset: '4', length: '12' });
    expect(loadError(() => readModel(plain)).message).toMatch(/initializer 'E': data is in the external file 'w.bin'; read the model with readModelFile/);

    const file = new Uint8Array(16);
    new Float32Array(file.buffer, 4, 3).set([1.5, -2, 3]);
    const seen: string[] = [];
    const model = readModel(plain, { externalData: (loc) => (seen.push(loc), file) });
    expect(seen).toEqual(['w.bin']);
    expect([...model.graph.initializers.get('E')!.data]).toEqual([1.5, -2, 3]);

    expect(loadError(() => readModel(ext({ location: 'w.bin', length: '8' }), { externalData: () => file })).message)
      .toMatch(/external_data length is 8 bytes, expected 12/);
    expect(loadError(() => readModel(ext({ location: 'w.bin', offset: '8' }), { externalData: () => file })).message)
      .toMatch(/external file 'w.bin' has 16 bytes, expected at least 20/);
    expect(loadError(() => readModel(ext({ location: 'w.bin', offset: '-4' }), { externalData: () => file })).message)
      .toMatch(/'offset' must be a decimal byte count, got '-4'/);
    expect(loadError(() => readModel(plain, { externalData: () => { throw new Error('no such file'); } })).message)
      .toMatch(/could not read external data 'w.bin': no such file/);
  });
});

describe('readTensor decodes every storage form', () => {
  it('typed fields for each element type, int64 and uint64 exactly', () => {
    const cases: [TensorMsg, unknown[]][] = [
      [{ dataType: 1, dims: [i64(3)], floatData: [1.5, -0, 3e-8] }, [1.5, -0, Math.fround(3e-8)]],
      [{ dataType: 11, dims: [i64(2)], doubleData: [Math.PI, -1e300] }, [Math.PI, -1e300]],
      [{ dataType: 3, dims: [i64(3)], int32Data: [-128, -1, 127] }, [-128, -1, 127]],
      [{ dataType: 5, dims: [i64(2)], int32Data: [-32768, 32767] }, [-32768, 32767]],
      [{ dataType: 6, dims: [i64(2)], int32Data: [-2147483648, 2147483647] }, [-2147483648, 2147483647]],
      [{ dataType: 2, dims: [i64(2)], int32Data: [0, 255] }, [0, 255]],
      [{ dataType: 4, dims: [i64(2)], int32Data: [0, 65535] }, [0, 65535]],
      [{ dataType: 9, dims: [i64(3)], int32Data: [1, 0, 1] }, [1, 0, 1]],
      [{ dataType: 7, dims: [i64(3)], int64Data: [i64(-(2n ** 63n)), i64(2n ** 53n + 1n), i64(2n ** 63n - 1n)] }, [-(2n ** 63n), 2n ** 53n + 1n, 2n ** 63n - 1n]],
      [{ dataType: 12, dims: [i64(2)], uint64Data: [i64(0), i64(4294967295)] }, [0, 4294967295]],
      [{ dataType: 13, dims: [i64(2)], uint64Data: [i64(2n ** 64n - 1n), i64(2n ** 53n + 1n)] }, [2n ** 64n - 1n, 2n ** 53n + 1n]],
    ];
    for (const [msg, values] of cases) {
      const t = readTensor(encodeTensor(msg));
      expect([...t.data], `data_type ${msg.dataType}`).toEqual(values);
    }
  });

  it('raw_data at any byte alignment, little-endian', () => {
    let unaligned = 0;
    for (const name of ['', 'a', 'ab', 'abc', 'abcd']) {
      const raw = new Uint8Array([0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x20, 0xc1]); // 1.5, -10 as LE float32
      const bytes = encodeTensor({ name, dataType: 1, dims: [i64(2)], rawData: raw });
      const decoded = TensorProtoType.decode(bytes) as unknown as TensorMsg;
      if (decoded.rawData!.byteOffset % 4 !== 0) unaligned++;
      const t = readTensor(bytes);
      expect([...t.data]).toEqual([1.5, -10]);
      if (name) expect(t.name).toBe(name);
    }
    expect(unaligned).toBeGreaterThan(0);
    const i64raw = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0, 0, 0, 0, 0x20, 0]);
    expect([...readTensor(encodeTensor({ dataType: 7, dims: [i64(2)], rawData: i64raw })).data]).toEqual([-1n, 2n ** 53n + 1n]);
  });

  it('scalars and empty tensors', () => {
    expect(readTensor(encodeTensor({ dataType: 7, int64Data: [i64(16000)] }))).toEqual(tensor('int64', [], [16000n]));
    expect(readTensor(encodeTensor({ dataType: 1, dims: [i64(0), i64(3)] }))).toEqual(tensor('float32', [0, 3]));
  });

  it('matches the conformance README: input files hold the graph inputs by position', () => {
    const dir = pathToFileURL(join(ONNX_NODE_CASES, 'test_lstm_defaults') + '/');
    const model = readModel(readFileSync(new URL('model.onnx', dir)));
    const x = readTensor(readFileSync(new URL('test_data_set_0/input_0.pb', dir)));
    const graphInput = model.graph.inputs[0]!;
    expect(x.name).toBe(graphInput.name);
    expect(graphInput.type).toEqual({ kind: 'tensor', elemType: x.dtype, shape: x.dims });
    const y = readTensor(readFileSync(new URL('test_data_set_0/output_0.pb', dir)));
    expect(y.name).toBe(model.graph.outputs[0]!.name);
  });

  it('bad tensor bytes are ModelLoadErrors too', () => {
    expect(() => readTensor(new Uint8Array([0x0a, 0xff, 0xff]))).toThrow(ModelLoadError);
    expect(() => readTensor(encodeTensor({ dataType: 1, dims: [i64(2)], floatData: [1] }))).toThrow(/needs 2 values/);
  });
});
