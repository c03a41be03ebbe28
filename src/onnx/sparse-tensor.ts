/**
 * SparseTensorProto → a dense tensor, at read time. The executor's kernels work on dense data, and the
 * sparse tensors models carry (pruned weights, a Constant's `sparse_value`) are small enough dense; the
 * dense size is held to the same limit as any tensor. Per the ONNX text, `indices` is either [NNZ, rank]
 * (one coordinate tuple per value) or [NNZ] (linear positions into the row-major dense tensor), and the
 * tensor's name is `values.name`.
 */
import { ModelLoadError } from '../errors.js';
import { allocData, shapeToString, type Tensor } from '../tensor.js';
import type { SparseTensorMsg } from './proto.js';
import { checkedElementCount, dimsOf, tensorFromMsg, type TensorLimits } from './tensor-data.js';

export function denseFromSparse(msg: SparseTensorMsg, what: string, limits: TensorLimits): Tensor & { name: string } {
  if (!msg.values) throw new ModelLoadError(`${what}: a sparse tensor needs 'values'; none came`);
  if (!msg.indices) throw new ModelLoadError(`${what}: a sparse tensor needs 'indices'; none came`);
  const values = tensorFromMsg(msg.values, `${what} (values)`, limits);
  const indices = tensorFromMsg(msg.indices, `${what} (indices)`, limits);
  const dims = dimsOf(msg.dims ?? [], what);
  const rank = dims.length;
  if (values.dims.length !== 1) throw new ModelLoadError(`${what}: values must be 1-D [NNZ], got ${shapeToString(values.dims)}`);
  const nnz = values.dims[0]!;
  if (indices.dtype !== 'int64') throw new ModelLoadError(`${what}: indices must be int64, got ${indices.dtype}`);
  const linear = indices.dims.length === 1;
  if (!(linear ? indices.dims[0] === nnz : indices.dims.length === 2 && indices.dims[0] === nnz && indices.dims[1] === rank)) {
    throw new ModelLoadError(`${what}: indices have shape ${shapeToString(indices.dims)}, expected [${nnz}, ${rank}] or [${nnz}] for ${nnz} values of a ${shapeToString(dims)} tensor`);
  }
  const count = checkedElementCount(dims, values.dtype, what, limits.maxTensorBytes);
  const data = allocData(values.dtype, count);
  const idx = indices.data as BigInt64Array;
  for (let v = 0; v < nnz; v++) {
    let at: number;
    if (linear) at = Number(idx[v]!);
    else {
      at = 0;
      for (let d = 0; d < rank; d++) {
        const c = Number(idx[v * rank + d]!);
        if (!(c >= 0 && c < dims[d]!)) throw new ModelLoadError(`${what}: value #${v} has index ${c} on axis ${d}, expected 0..${dims[d]! - 1} for ${shapeToString(dims)}`);
        at = at * dims[d]! + c;
      }
    }
    if (!(at >= 0 && at < count)) throw new ModelLoadError(`${what}: value #${v} has linear index ${at}, expected 0..${count - 1} for ${shapeToString(dims)}`);
    (data as unknown as { [i: number]: number | bigint })[at] = values.data[v]!;
  }
  return { dtype: values.dtype, dims, data, name: msg.values.name ?? '' };
}
