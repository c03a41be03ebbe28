/**
 * GatherElements (opset 11/13): `out[i][j][k] = data[indices[i][j][k]][j][k]` for axis 0, and likewise on
 * any axis. The output has the indices' shape; indices have data's rank and, off the axis, no dimension
 * larger than data's (onnxruntime enforces the same). Negative indices count from the end of the axis.
 * Every dtype moves, int64/uint64 as word pairs, and int64 indices are read as words: no BigInt per element.
 */
import { attrInt } from '../../ir/attributes.js';
import type { Kernel, KernelDef } from '../kernel.js';
import { requireInputs } from './arity.js';
import { int32At, int64Words } from './int64-words.js';
import { dimsText, kernelError, movable, normalizeAxis, OneResult, slotsPerElement } from './shape-impl.js';

type Writable = { [index: number]: number | bigint };

const gatherElements: KernelDef = {
  opType: 'GatherElements',
  sinceVersion: 11,
  freshOutputs: true,
  create(init): Kernel {
    requireInputs(init, 2);
    const { node } = init;
    const axisAttr = attrInt(node, 'axis', 0);
    // Per axis: data's element stride, and the stride the walk over the indices moves data by (0 on the
    // gather axis, whose position comes from the index instead). Grown only when a larger rank arrives.
    let strides = new Float64Array(8);
    let walk = new Float64Array(8);
    let counter = new Int32Array(8);
    const result = new OneResult();
    return {
      run(inputs, ctx) {
        const data = inputs[0]!;
        const indices = inputs[1]!;
        if (indices.dtype !== 'int64' && indices.dtype !== 'int32') throw kernelError(node, `indices must be int64 or int32, got ${indices.dtype}`);
        const rank = data.dims.length;
        if (rank === 0) throw kernelError(node, `data must have rank >= 1, got a scalar`);
        if (indices.dims.length !== rank) {
          throw kernelError(node, `indices ${dimsText(indices.dims)} must have data's rank ${rank} (data is ${dimsText(data.dims)})`);
        }
        const axis = normalizeAxis(node, axisAttr, rank);
        for (let a = 0; a < rank; a++) {
          if (a !== axis && indices.dims[a]! > data.dims[a]!) {
            throw kernelError(node, `indices ${dimsText(indices.dims)} exceed data ${dimsText(data.dims)} on axis ${a}: off the gather axis ${axis} they may be at most data's size`);
          }
        }
        if (strides.length < rank) {
          strides = new Float64Array(rank);
          walk = new Float64Array(rank);
          counter = new Int32Array(rank);
        }
        for (let a = rank - 1, s = 1; a >= 0; a--) {
          strides[a] = s;
          walk[a] = a === axis ? 0 : s;
          s *= data.dims[a]!;
        }
        const out = ctx.output(0, data.dtype, indices.dims);
        const count = indices.data.length;
        if (count === 0) return result.of(out);
        const size = data.dims[axis]!;
        const axisStride = strides[axis]!;
        const inner = indices.dims[rank - 1]!;
        const innerWalk = walk[rank - 1]!;
        const idx32 = indices.dtype === 'int32' ? (indices.data as Int32Array) : undefined;
        const idx64 = indices.dtype === 'int64' ? (indices.data as BigInt64Array) : undefined;
        const words = idx64 && int64Words(idx64);
        const scale = slotsPerElement(data.dtype);
        const src = movable(data.data);
        const dst = movable(out.data) as Writable;
        counter.fill(0, 0, rank);
        let base = 0;
        for (let p = 0; ; ) {
          for (let j = 0; j < inner; j++, p++) {
            const v = idx32 !== undefined ? idx32[p]! : int32At(idx64!, words, p);
            if (v === undefined || v < -size || v >= size) {
              throw kernelError(node, `index ${String(indices.data[p])} at position ${p} is out of range for axis ${axis} of size ${size} in data ${dimsText(data.dims)}`);
            }
            const from = base + j * innerWalk + (v < 0 ? v + size : v) * axisStride;
            if (scale === 1) dst[p] = src[from]!;
            else {
              dst[2 * p] = src[2 * from]!;
              dst[2 * p + 1] = src[2 * from + 1]!;
            }
          }
          if (p >= count) break;
          // Next row of the indices: advance the odometer over the outer axes, `base` following data's strides.
          for (let a = rank - 2; a >= 0; a--) {
            base += walk[a]!;
            if (++counter[a]! < indices.dims[a]!) break;
            base -= walk[a]! * indices.dims[a]!;
            counter[a] = 0;
          }
        }
        return result.of(out);
      },
    };
  },
};

export const gatherElementsKernels: KernelDef[] = [gatherElements];
