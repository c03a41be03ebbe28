/**
 * Conv geometry (output size and padding for every auto_pad mode) and the 2-D convolution that the Conv
 * kernel runs. 1-D convolutions run as 2-D ones with a height of 1.
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
  return g;
}

type FloatArray = Float32Array | Float64Array;

/** Length of one im2col patch (one group's input channels × kernel taps), the scratch {@link conv2d} needs. */
export function patchLength(g: ConvGeometry): number {
  return (g.inChannels / g.group) * g.kH * g.kW;
}

/**
 * Convolution as one dot product per (output position, output channel): the input patch under the kernel
 * is gathered once into `patch` (zeros where it hangs over the padding), then every output channel of the
 * group takes its dot product with its weight row, which ONNX's [M, C/group, kH, kW] layout already
 * stores contiguously in the same (c, kh, kw) order. Long contiguous dot products keep the inner loop
 * tight even when outputs are short (Silero's convolutions produce 4-9 positions from 129-384 taps).
 * Sums run in float64 and round once into `y`.
 */
export function conv2d(g: ConvGeometry, x: FloatArray, w: FloatArray, bias: FloatArray | undefined, y: FloatArray, patch: Float64Array): void {
  const cPerGroup = g.inChannels / g.group;
  const mPerGroup = g.outChannels / g.group;
  const { inH, inW, kH, kW, outH, outW, strideH, strideW, dilH, dilW, padTop, padLeft } = g;
  const inPlane = inH * inW;
  const outPlane = outH * outW;
  const len = cPerGroup * kH * kW;
  for (let n = 0; n < g.batch; n++) {
    for (let grp = 0; grp < g.group; grp++) {
      const xGroup = (n * g.inChannels + grp * cPerGroup) * inPlane;
      for (let oh = 0; oh < outH; oh++) {
        for (let ow = 0; ow < outW; ow++) {
          let j = 0;
          for (let c = 0; c < cPerGroup; c++) {
            const xc = xGroup + c * inPlane;
            for (let kh = 0; kh < kH; kh++) {
              const ih = oh * strideH - padTop + kh * dilH;
              const rowInside = ih >= 0 && ih < inH;
              const xRow = xc + ih * inW;
              for (let kw = 0; kw < kW; kw++, j++) {
                const iw = ow * strideW - padLeft + kw * dilW;
                patch[j] = rowInside && iw >= 0 && iw < inW ? x[xRow + iw]! : 0;
              }
            }
          }
          const p = oh * outW + ow;
          const yBase = (n * g.outChannels + grp * mPerGroup) * outPlane + p;
          let mi = 0;
          // Four output channels at a time share each patch load (register blocking); one sum per channel
          // in tap order, in float64.
          for (; mi + 4 <= mPerGroup; mi += 4) {
            const m = grp * mPerGroup + mi;
            const r0 = m * len;
            const r1 = r0 + len;
            const r2 = r1 + len;
            const r3 = r2 + len;
            let s0 = 0;
            let s1 = 0;
            let s2 = 0;
            let s3 = 0;
            for (let k = 0; k < len; k++) {
              const v = patch[k]!;
              s0 += w[r0 + k]! * v;
              s1 += w[r1 + k]! * v;
              s2 += w[r2 + k]! * v;
              s3 += w[r3 + k]! * v;
            }
            const yo = yBase + mi * outPlane;
            y[yo] = (bias ? bias[m]! : 0) + s0;
            y[yo + outPlane] = (bias ? bias[m + 1]! : 0) + s1;
            y[yo + 2 * outPlane] = (bias ? bias[m + 2]! : 0) + s2;
            y[yo + 3 * outPlane] = (bias ? bias[m + 3]! : 0) + s3;
          }
          for (; mi < mPerGroup; mi++) {
            const m = grp * mPerGroup + mi;
            const r0 = m * len;
            let s0 = 0;
            for (let k = 0; k < len; k++) s0 += w[r0 + k]! * patch[k]!;
            y[yBase + mi * outPlane] = (bias ? bias[m]! : 0) + s0;
          }
        }
      }
    }
  }
}
