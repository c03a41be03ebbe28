/**
 * Sparse tensors (GraphProto.sparse_initializer, a Constant's sparse_value), built as raw protobuf with
 * coordinate and linear indices: the reader makes them dense, and the built-in executor must agree with
 * onnxruntime-node on the original bytes (exactly: the values are only moved). Bad sparse tensors are
 * ModelLoadErrors that say what was expected.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { ModelLoadError } from '../src/errors.js';
import { createExecutor } from '../src/executor/executor.js';
import { AttributeTypeNumber as A, bigintToInt64, ModelProtoType, type GraphMsg, type SparseTensorMsg, type TensorMsg } from '../src/onnx/proto.js';
import { readModel } from '../src/onnx/read.js';
import { writeModel } from '../src/onnx/write.js';
import { tensor } from '../src/tensor.js';

const i64 = (v: number) => bigintToInt64(BigInt(v));
const FLOAT = 1;
const INT64 = 7;

function sparse(name: string, dims: number[], values: number[], indices: number[], indexDims: number[]): SparseTensorMsg {
  const v: TensorMsg = { name, dims: [i64(values.length)], dataType: FLOAT, floatData: values };
  const ix: TensorMsg = { dims: indexDims.map(i64), dataType: INT64, int64Data: indices.map(i64) };
  return { values: v, indices: ix, dims: dims.map(i64) };
}

function model(graph: GraphMsg): Uint8Array {
  return ModelProtoType.encode({ irVersion: i64(8), opsetImport: [{ domain: '', version: i64(17) }], graph }).finish();
}

const vi = (name: string, dims: number[]) => ({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => ({ dimValue: i64(d) })) } } } });

/** y = x @ W + c, W a 4×3 sparse initializer (coordinates), c a Constant with a sparse_value (linear indices). */
function graph(w: SparseTensorMsg, c: SparseTensorMsg): GraphMsg {
  return {
    name: 'g',
    input: [vi('x', [2, 4])],
    output: [vi('y', [2, 3])],
    sparseInitializer: [w],
    node: [
      { opType: 'Constant', output: ['c'], attribute: [{ name: 'sparse_value', type: A.SPARSE_TENSOR, sparseTensor: c }] },
      { opType: 'MatMul', input: ['x', 'W'], output: ['xw'] },
      { opType: 'Add', input: ['xw', 'c'], output: ['y'] },
    ],
  };
}

const W = sparse('W', [4, 3], [1.5, -2, 0.25, 3], [0, 0, 1, 2, 2, 1, 3, 0], [4, 2]);
const C = sparse('c', [3], [7, -1], [0, 2], [2]);

describe('sparse tensors are read dense', () => {
  it('a sparse initializer and a Constant sparse_value agree with onnxruntime-node, and survive a rewrite', async () => {
    const bytes = model(graph(W, C));
    const m = readModel(bytes);
    expect([...(m.graph.initializers.get('W')!.data as Float32Array)]).toEqual([1.5, 0, 0, 0, 0, -2, 0, 0.25, 0, 3, 0, 0]);
    const x = tensor('float32', [2, 4], [1, 2, 3, 4, -1, 0.5, 2, -3]);
    const ours = createExecutor(m).run({ x }).y!.data as Float32Array;
    for (const b of [bytes, writeModel(m)]) {
      const s = await ort.InferenceSession.create(b);
      const ref = (await s.run({ x: new ort.Tensor('float32', x.data as Float32Array, [2, 4]) })).y!.data as Float32Array;
      await s.release();
      expect([...ours]).toEqual([...ref]);
    }
  });

  it('refuses an index out of range and indices of the wrong shape, saying what was expected', () => {
    const bad = (w: SparseTensorMsg) => {
      try {
        readModel(model(graph(w, C)));
      } catch (e) {
        expect(e).toBeInstanceOf(ModelLoadError);
        return (e as Error).message;
      }
      throw new Error('expected a ModelLoadError');
    };
    expect(bad(sparse('W', [4, 3], [1], [4, 0], [1, 2]))).toMatch(/value #0 has index 4 on axis 0, expected 0\.\.3 for \[4, 3\]/);
    expect(bad(sparse('W', [4, 3], [1, 2], [0, 1, 2], [3]))).toMatch(/indices have shape \[3\], expected \[2, 2\] or \[2\]/);
    expect(bad(sparse('W', [4, 3], [1], [12], [1]))).toMatch(/linear index 12, expected 0\.\.11/);
  });
});
