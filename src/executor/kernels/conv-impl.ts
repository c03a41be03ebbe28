/**
 * Conv geometry (output size and padding for every auto_pad mode) and the 2-D direct convolution that the
 * Conv kernel runs. 1-D convolutions run as 2-D ones with a height of 1.
 */
import type { Node } from '../../ir/graph.js';
import { dimsText, kernelError } from './shape-impl.js';

export type AutoPad = 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';

export interface ConvAttributes {
  autoPad: AutoPad;
  /** Per spatial axis; absent means "from W" / all ones / all zeros. */
  kernelShape?: readonly number[];
  strides?: readonly number[];
  dilations?: readonly number[];
  pads?: readonly number[];
  group: number;
}

/** Everything the inner loops need, for one (X shape, W shape) pair. Spatial arrays are [height, width]. */
export interface ConvGeometry {
  batch: number;
  inChannels: number;
  outChannels: number;
  group: number;
  inH: number;
  inW: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  dilH: number;
  dilW: number;
  padTop: number;
  padLeft: number;
  outH: number;
  outW: number;
  /** The output tensor's dims (rank 3 for 1-D convolutions, 4 for 2-D). */
  outDims: number[];
  /** For each kernel row kh: the output rows [rowStart[kh], rowEnd[kh]) whose input row lies inside X. */
  rowStart: Int32Array;
  rowEnd: Int32Array;
  colStart: Int32Array;
  colEnd: Int32Array;
}

/** Output size and leading pad of one spatial axis, per the ONNX Conv text. */
export function axisGeometry(
  autoPad: AutoPad,
  size: number,
  kernel: number,
  stride: number,
  dilation: number,
  padBegin: number,
  padEnd: number,
): { out: number; padBegin: number } {
  const span = (kernel - 1) * dilation + 1;
  switch (autoPad) {
    case 'NOTSET':
      return { out: Math.floor((size + padBegin + padEnd - span) / stride) + 1, padBegin };
    case 'VALID':
      return { out: Math.floor((size - span) / stride) + 1, padBegin: 0 };
    case 'SAME_UPPER':
    case 'SAME_LOWER': {
      const out = Math.ceil(size / stride);
      const total = Math.max(0, (out - 1) * stride + span - size);
      // SAME_UPPER puts the odd extra pad at the end, SAME_LOWER at the beginning.
      return { out, padBegin: autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2) };
    }
  }
}

/** Output positions o in [start, end) for which `o*stride - pad + k*dilation` lies in [0, size). */
function validRange(outSize: number, size: number, stride: number, pad: number, offset: number): [number, number] {
  const shift = offset - pad;
  const start = Math.max(0, Math.ceil(-shift / stride));
  const end = Math.min(outSize, Math.floor((size - 1 - shift) / stride) + 1);
  return [start, Math.max(start, end)];
}

export function convGeometry(node: Node, attrs: ConvAttributes, xDims: readonly number[], wDims: readonly number[]): ConvGeometry {
  const rank = xDims.length;
  if (rank !== 3 && rank !== 4) {
    throw kernelError(node, `X must be [N, C, L] (1-D) or [N, C, H, W] (2-D), got ${dimsText(xDims)}`);
  }
  if (wDims.length !== rank) throw kernelError(node, `W ${dimsText(wDims)} must have the same rank as X ${dimsText(xDims)}`);
  const spatial = rank - 2;
  const [batch, inChannels] = xDims as [number, number];
  const [outChannels, wChannels] = wDims as [number, number];
  const group = attrs.group;
  if (group < 1 || inChannels % group !== 0 || outChannels % group !== 0 || wChannels * group !== inChannels) {
    throw kernelError(node, `group ${group} does not fit X ${dimsText(xDims)} and W ${dimsText(wDims)} (need C = W.dims[1] × group and M divisible by group)`);
  }
  const kernel = wDims.slice(2);
  if (attrs.kernelShape && (attrs.kernelShape.length !== spatial || attrs.kernelShape.some((k, i) => k !== kernel[i]))) {
    throw kernelError(node, `kernel_shape [${attrs.kernelShape.join(', ')}] disagrees with W ${dimsText(wDims)}`);
  }
  const strides = attrs.strides ?? new Array<number>(spatial).fill(1);
  const dilations = attrs.dilations ?? new Array<number>(spatial).fill(1);
  const pads = attrs.pads ?? new Array<number>(2 * spatial).fill(0);
  if (strides.length !== spatial || dilations.length !== spatial || pads.length !== 2 * spatial) {
    throw kernelError(node, `strides/dilations need ${spatial} values and pads ${2 * spatial}, got [${strides}] / [${dilations}] / [${pads}]`);
  }
  if (strides.some((s) => s < 1) || dilations.some((d) => d < 1) || pads.some((p) => p < 0)) {
    throw kernelError(node, `strides and dilations must be >= 1 and pads >= 0, got [${strides}] / [${dilations}] / [${pads}]`);
  }
  const axes = kernel.map((k, i) => axisGeometry(attrs.autoPad, xDims[2 + i]!, k, strides[i]!, dilations[i]!, pads[i]!, pads[i + spatial]!));
  if (axes.some((a) => a.out < 1)) {
    throw kernelError(node, `X ${dimsText(xDims)} is smaller than the dilated kernel ${dimsText(kernel)}; the output would be empty`);
  }
  // A 1-D convolution is a 2-D one over a single row.
  const two = spatial === 2;
  const g = {
    batch,
    inChannels,
    outChannels,
    group,
    inH: two ? xDims[2]! : 1,
    inW: xDims[rank - 1]!,
    kH: two ? kernel[0]! : 1,
    kW: kernel[spatial - 1]!,
    strideH: two ? strides[0]! : 1,
    strideW: strides[spatial - 1]!,
    dilH: two ? dilations[0]! : 1,
    dilW: dilations[spatial - 1]!,
    padTop: two ? axes[0]!.padBegin : 0,
    padLeft: axes[spatial - 1]!.padBegin,
    outH: two ? axes[0]!.out : 1,
    outW: axes[spatial - 1]!.out,
    outDims: [batch, outChannels, ...axes.map((a) => a.out)],
  };
  const rowStart = new Int32Array(g.kH);
  const rowEnd = new Int32Array(g.kH);
  for (let kh = 0; kh < g.kH; kh++) [rowStart[kh], rowEnd[kh]] = validRange(g.outH, g.inH, g.strideH, g.padTop, kh * g.dilH);
  const colStart = new Int32Array(g.kW);
  const colEnd = new Int32Array(g.kW);
  for (let kw = 0; kw < g.kW; kw++) [colStart[kw], colEnd[kw]] = validRange(g.outW, g.inW, g.strideW, g.padLeft, kw * g.dilW);
  return { ...g, rowStart, rowEnd, colStart, colEnd };
}

type FloatArray = Float32Array | Float64Array;

/**
 * Direct convolution. Each output plane accumulates in float64 (`acc`, one plane long) so the sum does not
 * depend on the order of the kernel taps, then rounds once into `y`.
 */
export function conv2d(g: ConvGeometry, x: FloatArray, w: FloatArray, bias: FloatArray | undefined, y: FloatArray, acc: Float64Array): void {
  const cPerGroup = g.inChannels / g.group;
  const mPerGroup = g.outChannels / g.group;
  const inPlane = g.inH * g.inW;
  const outPlane = g.outH * g.outW;
  const kPlane = g.kH * g.kW;
  const { outW, inW, strideH, strideW, dilH, dilW, padTop, padLeft } = g;
  for (let n = 0; n < g.batch; n++) {
    for (let m = 0; m < g.outChannels; m++) {
      const grp = Math.floor(m / mPerGroup);
      acc.fill(bias ? bias[m]! : 0, 0, outPlane);
      for (let c = 0; c < cPerGroup; c++) {
        const xBase = (n * g.inChannels + grp * cPerGroup + c) * inPlane;
        const wBase = (m * cPerGroup + c) * kPlane;
        for (let kh = 0; kh < g.kH; kh++) {
          const r0 = g.rowStart[kh]!;
          const r1 = g.rowEnd[kh]!;
          for (let kw = 0; kw < g.kW; kw++) {
            const wv = w[wBase + kh * g.kW + kw]!;
            const c0 = g.colStart[kw]!;
            const c1 = g.colEnd[kw]!;
            const colShift = kw * dilW - padLeft;
            for (let oh = r0; oh < r1; oh++) {
              const xRow = xBase + (oh * strideH - padTop + kh * dilH) * inW + colShift;
              const aRow = oh * outW;
              for (let ow = c0; ow < c1; ow++) acc[aRow + ow] += wv * x[xRow + ow * strideW]!;
            }
          }
        }
      }
      const yBase = (n * g.outChannels + m) * outPlane;
      for (let i = 0; i < outPlane; i++) y[yBase + i] = acc[i]!;
    }
  }
}
