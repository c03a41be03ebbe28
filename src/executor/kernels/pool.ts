/**
 * Kernels: MaxPool (with its optional Indices output) and AveragePool, 1-D to 3-D, over the window
 * geometry of pool-geometry.ts, computed once per X shape.
 *
 * Conventions where the ONNX text is silent, chosen to match onnxruntime's CPU kernels:
 * - MaxPool takes a window's first element inside X and replaces it only by a strictly greater one, so
 *   ties report the first position and a NaN is kept only when it comes first (onnxruntime's float32 path
 *   without Indices or dilations skips NaNs instead; its other paths behave as here).
 * - A window with no tap inside X (only reachable with dilations) gives the dtype's lowest value and index
 *   -1 for MaxPool, and 0 for AveragePool.
 * AveragePool sums in float64 and rounds once into the output.
 */
import { attrInt, hasAttr } from '../../ir/attributes.js';
import type { Node } from '../../ir/graph.js';
import type { Tensor } from '../../tensor.js';
import type { Kernel, KernelDef, KernelInit } from '../kernel.js';
import { requireInputs } from './arity.js';
import { int64Words, setInt64 } from './int64-words.js';
import { poolGeometry, readPoolWindow, type PoolGeometry, type PoolWindow } from './pool-geometry.js';
import { kernelError, OneResult, sameDims } from './shape-impl.js';

type PoolArray = Float32Array | Float64Array | Int8Array | Uint8Array;

/** The smallest value of each MaxPool dtype: the result of a window that covers no element of X. */
const LOWEST: Record<string, number> = {
  float32: -3.4028234663852886e38,
  float64: -Number.MAX_VALUE,
  int8: -128,
  uint8: 0,
};

/** Rejects an attribute the model's opset does not define, rather than silently pooling without it. */
function requireOpset(init: KernelInit, name: string, since: number): void {
  if (hasAttr(init.node, name) && init.opset < since) {
    throw kernelError(init.node, `attribute '${name}' needs opset ${since} or later; this model has opset ${init.opset}`);
  }
}

/** Recomputes the geometry only when X's shape changes. */
class GeometryMemo {
  private key: number[] | undefined;
  private value: PoolGeometry | undefined;

  constructor(
    private readonly node: Node,
    private readonly win: PoolWindow,
  ) {}

  of(dims: readonly number[]): PoolGeometry {
    if (this.value === undefined || !sameDims(this.key, dims)) {
      this.value = poolGeometry(this.node, this.win, dims);
      this.key = [...dims];
    }
    return this.value;
  }
}

const maxPool: KernelDef = {
  opType: 'MaxPool',
  sinceVersion: 1,
  freshOutputs: true,
  create(init): Kernel {
    requireInputs(init, 1);
    const { node, opset } = init;
    requireOpset(init, 'storage_order', 8);
    requireOpset(init, 'dilations', 10);
    requireOpset(init, 'ceil_mode', 10);
    const wantIndices = node.outputs.length > 1 && node.outputs[1] !== '';
    if (wantIndices && opset < 8) throw kernelError(node, `the Indices output needs opset 8 or later; this model has opset ${opset}`);
    const storageOrder = attrInt(node, 'storage_order', 0);
    if (storageOrder !== 0 && storageOrder !== 1) throw kernelError(node, `storage_order must be 0 (row-major) or 1 (column-major), got ${storageOrder}`);
    const memo = new GeometryMemo(node, readPoolWindow(node));
    const one = new OneResult();
    const two: (Tensor | undefined)[] = [undefined, undefined];
    return {
      run(inputs, ctx) {
        const x = inputs[0]!;
        const small = x.dtype === 'int8' || x.dtype === 'uint8';
        if (!(x.dtype === 'float32' || x.dtype === 'float64' || (small && opset >= 12))) {
          const ints = opset >= 12 ? ', int8 or uint8' : ' (int8 and uint8 from opset 12)';
          throw kernelError(node, `X must be float32 or float64${ints}, got ${x.dtype}`);
        }
        const g = memo.of(x.dims);
        const y = ctx.output(0, x.dtype, g.outDims);
        if (!wantIndices) {
          maxLoop(g, x.data as PoolArray, y.data as PoolArray, LOWEST[x.dtype]!, undefined, false);
          return one.of(y);
        }
        const n = y.data.length;
        const at = ctx.scratch(0, 'float64', n);
        maxLoop(g, x.data as PoolArray, y.data as PoolArray, LOWEST[x.dtype]!, at, storageOrder === 1);
        const indices = ctx.output(1, 'int64', g.outDims);
        const words = int64Words(indices.data);
        for (let i = 0; i < n; i++) setInt64(indices.data, words, i, at[i]!);
        two[0] = y;
        two[1] = indices;
        return two;
      },
    };
  },
};

/**
 * Max over every window. When `at` is given it receives each maximum's flat index into X: row-major over
 * the whole tensor, or with the spatial axes in column-major order (`storage_order` 1), -1 for a window
 * with no element.
 */
function maxLoop(g: PoolGeometry, x: PoolArray, y: PoolArray, lowest: number, at: Float64Array | undefined, columnMajor: boolean): void {
  const { d, h, w } = g;
  const inH = h.size;
  const inW = w.size;
  const inPlane = d.size * inH * inW;
  let o = 0;
  for (let p = 0; p < g.planes; p++) {
    const xp = p * inPlane;
    for (let od = 0; od < d.out; od++) {
      const sd = d.start[od]!;
      const fd = d.first[od]!;
      const ed = d.end[od]!;
      for (let oh = 0; oh < h.out; oh++) {
        const sh = h.start[oh]!;
        const fh = h.first[oh]!;
        const eh = h.end[oh]!;
        for (let ow = 0; ow < w.out; ow++, o++) {
          const sw = w.start[ow]!;
          const fw = w.first[ow]!;
          const ew = w.end[ow]!;
          let best = lowest;
          let bestAt = -1;
          for (let td = fd; td < ed; td++) {
            const id = sd + td * d.dilation;
            for (let th = fh; th < eh; th++) {
              const row = (id * inH + sh + th * h.dilation) * inW;
              for (let tw = fw; tw < ew; tw++) {
                const pos = row + sw + tw * w.dilation;
                const v = x[xp + pos]!;
                if (bestAt < 0 || v > best) {
                  best = v;
                  bestAt = pos;
                }
              }
            }
          }
          y[o] = best;
          if (at !== undefined) at[o] = bestAt < 0 ? -1 : xp + (columnMajor ? columnMajorPosition(bestAt, d.size, inH, inW) : bestAt);
        }
      }
    }
  }
}

/** A row-major position within one (n, c) plane, renumbered with the spatial axes in column-major order. */
function columnMajorPosition(pos: number, inD: number, inH: number, inW: number): number {
  const iw = pos % inW;
  const rest = (pos - iw) / inW;
  const ih = rest % inH;
  const id = (rest - ih) / inH;
  return (iw * inH + ih) * inD + id;
}

const averagePool: KernelDef = {
  opType: 'AveragePool',
  sinceVersion: 1,
  freshOutputs: true,
  create(init): Kernel {
    requireInputs(init, 1);
    const { node } = init;
    requireOpset(init, 'count_include_pad', 7);
    requireOpset(init, 'ceil_mode', 10);
    requireOpset(init, 'dilations', 19);
    const includePad = attrInt(node, 'count_include_pad', 0) !== 0;
    const memo = new GeometryMemo(node, readPoolWindow(node));
    const one = new OneResult();
    return {
      run(inputs, ctx) {
        const x = inputs[0]!;
        if (x.dtype !== 'float32' && x.dtype !== 'float64') throw kernelError(node, `X must be float32 or float64, got ${x.dtype}`);
        const g = memo.of(x.dims);
        const y = ctx.output(0, x.dtype, g.outDims);
        averageLoop(g, x.data as Float32Array | Float64Array, y.data as Float32Array | Float64Array, includePad);
        return one.of(y);
      },
    };
  },
};

/**
 * Mean over every window, divided by the taps inside X, or with count_include_pad by the taps inside X
 * or its pads (a ceil_mode window's overhang past the trailing pad counts for neither).
 */
function averageLoop(g: PoolGeometry, x: Float32Array | Float64Array, y: Float32Array | Float64Array, includePad: boolean): void {
  const { d, h, w } = g;
  const inH = h.size;
  const inW = w.size;
  const inPlane = d.size * inH * inW;
  let o = 0;
  for (let p = 0; p < g.planes; p++) {
    const xp = p * inPlane;
    for (let od = 0; od < d.out; od++) {
      const sd = d.start[od]!;
      const fd = d.first[od]!;
      const ed = d.end[od]!;
      for (let oh = 0; oh < h.out; oh++) {
        const sh = h.start[oh]!;
        const fh = h.first[oh]!;
        const eh = h.end[oh]!;
        const countDH = includePad ? d.padded[od]! * h.padded[oh]! : (ed - fd) * (eh - fh);
        for (let ow = 0; ow < w.out; ow++, o++) {
          const sw = w.start[ow]!;
          const fw = w.first[ow]!;
          const ew = w.end[ow]!;
          let sum = 0;
          for (let td = fd; td < ed; td++) {
            const id = sd + td * d.dilation;
            for (let th = fh; th < eh; th++) {
              const row = xp + (id * inH + sh + th * h.dilation) * inW + sw;
              for (let tw = fw; tw < ew; tw++) sum += x[row + tw * w.dilation]!;
            }
          }
          const count = countDH * (includePad ? w.padded[ow]! : ew - fw);
          y[o] = count === 0 ? 0 : sum / count;
        }
      }
    }
  }
}

export const poolKernels: KernelDef[] = [maxPool, averagePool];
