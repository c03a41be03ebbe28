/**
 * Window geometry shared by MaxPool and AveragePool: the attributes that place the windows (kernel_shape,
 * strides, dilations, pads, auto_pad, ceil_mode), checked once at create, and for one X shape the output
 * size and, per axis and output position, which kernel taps land inside X. The loops then run over exactly
 * those taps, with no bounds test per element.
 *
 * Output size and leading pad come from Conv's {@link axisGeometry} (the same auto_pad rules, dilated
 * kernel included, as the ONNX text gives them); pools add ceil_mode and the trailing pad, which
 * AveragePool's count_include_pad divides by. 1-D and 2-D pools are 3-D ones with leading axes of size 1,
 * so the loops are written once.
 */
import { attrInt, attrInts, attrString } from '../../ir/attributes.js';
import type { Node } from '../../ir/graph.js';
import { axisGeometry, type AutoPad } from './conv-impl.js';
import { dimsText, kernelError } from './shape-impl.js';

const AUTO_PADS: readonly AutoPad[] = ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'];

/** The most spatial axes a pool takes (onnxruntime's CPU kernels stop at 3 as well). */
const MAX_SPATIAL = 3;

/** The validated window attributes of one node; every list has one entry per spatial axis (pads two). */
export interface PoolWindow {
  autoPad: AutoPad;
  kernel: readonly number[];
  strides: readonly number[];
  dilations: readonly number[];
  /** [begin per axis..., end per axis...]; ignored under SAME_* and VALID, as in Conv. */
  pads: readonly number[];
  ceilMode: boolean;
}

/** Which taps of each window fall inside X along one axis. */
export interface AxisTaps {
  size: number;
  out: number;
  stride: number;
  dilation: number;
  /** Where window `o` starts in X's coordinates: `o·stride − padBegin` (negative inside the leading pad). */
  start: Int32Array;
  /** Taps `first..end-1` of window `o` land inside X. */
  first: Int32Array;
  end: Int32Array;
  /**
   * Taps of window `o` inside X or its pads, the divisor under count_include_pad. Smaller than the kernel
   * only where a ceil_mode window reaches past the trailing pad, whose overhang counts for nothing.
   */
  padded: Int32Array;
}

/** Everything the pooling loops need for one X shape. */
export interface PoolGeometry {
  /** N·C: the loops treat every (n, c) plane alike. */
  planes: number;
  /** Depth, height, width; 1-D and 2-D pools have leading axes of size 1 and kernel 1. */
  d: AxisTaps;
  h: AxisTaps;
  w: AxisTaps;
  outDims: number[];
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

function checkedList(node: Node, name: string, values: readonly number[] | undefined, count: number, min: number): readonly number[] | undefined {
  if (values === undefined) return undefined;
  if (values.length !== count) {
    const per = name === 'pads' ? 'a begin and an end per kernel_shape axis' : 'one per kernel_shape axis';
    throw kernelError(node, `${name} has ${plural(values.length, 'value')}, expected ${count} (${per})`);
  }
  if (values.some((v) => v < min)) throw kernelError(node, `${name} must all be >= ${min}, got [${values.join(', ')}]`);
  return values;
}

/** Reads and checks the window attributes (opset gating is the caller's: it differs per operator). */
export function readPoolWindow(node: Node): PoolWindow {
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  if (!(AUTO_PADS as readonly string[]).includes(autoPad)) {
    throw kernelError(node, `auto_pad '${autoPad}' is not one of ${AUTO_PADS.join(', ')}`);
  }
  const kernel = attrInts(node, 'kernel_shape');
  if (kernel === undefined) throw kernelError(node, `attribute kernel_shape is required`);
  if (kernel.length < 1 || kernel.length > MAX_SPATIAL) {
    throw kernelError(node, `kernel_shape has ${plural(kernel.length, 'value')}; 1-D, 2-D and 3-D pooling are supported (1 to ${MAX_SPATIAL} values)`);
  }
  if (kernel.some((k) => k < 1)) throw kernelError(node, `kernel_shape must all be >= 1, got [${kernel.join(', ')}]`);
  const n = kernel.length;
  const ceilMode = attrInt(node, 'ceil_mode', 0);
  if (ceilMode !== 0 && ceilMode !== 1) throw kernelError(node, `ceil_mode must be 0 or 1, got ${ceilMode}`);
  return {
    autoPad: autoPad as AutoPad,
    kernel,
    strides: checkedList(node, 'strides', attrInts(node, 'strides'), n, 1) ?? new Array<number>(n).fill(1),
    dilations: checkedList(node, 'dilations', attrInts(node, 'dilations'), n, 1) ?? new Array<number>(n).fill(1),
    pads: checkedList(node, 'pads', attrInts(node, 'pads'), 2 * n, 0) ?? new Array<number>(2 * n).fill(0),
    ceilMode: ceilMode === 1,
  };
}

/** Output size and both pads of one axis. */
function axisWindow(win: PoolWindow, axis: number, size: number): { out: number; padBegin: number; padEnd: number } {
  const n = win.kernel.length;
  const k = win.kernel[axis]!;
  const s = win.strides[axis]!;
  const dil = win.dilations[axis]!;
  const { out, padBegin } = axisGeometry(win.autoPad, size, k, s, dil, win.pads[axis]!, win.pads[axis + n]!);
  const span = (k - 1) * dil + 1;
  if (win.autoPad === 'SAME_UPPER' || win.autoPad === 'SAME_LOWER') {
    // The trailing pad is whatever the last window needs beyond X; ceil_mode changes nothing, since SAME
    // already fixes the output at ceil(size / stride).
    return { out, padBegin, padEnd: Math.max(0, (out - 1) * s + span - size - padBegin) };
  }
  const padEnd = win.autoPad === 'VALID' ? 0 : win.pads[axis + n]!;
  if (!win.ceilMode) return { out, padBegin, padEnd };
  // VALID takes ceil_mode like NOTSET with zero pads, as onnxruntime's kernel and the shape inference it
  // runs both do, although the operator text's VALID formula leaves ceil_mode out.
  let ceilOut = Math.ceil((size + padBegin + padEnd - span) / s) + 1;
  // Rounding up may add a window that starts past X, in the trailing pad: it is dropped (onnx/onnx#5741,
  // and onnxruntime).
  if ((ceilOut - 1) * s >= size + padBegin) ceilOut--;
  return { out: ceilOut, padBegin, padEnd };
}

function axisTaps(size: number, out: number, k: number, stride: number, dilation: number, padBegin: number, padEnd: number): AxisTaps {
  const start = new Int32Array(out);
  const first = new Int32Array(out);
  const end = new Int32Array(out);
  const padded = new Int32Array(out);
  for (let o = 0; o < out; o++) {
    const s = o * stride - padBegin;
    start[o] = s;
    first[o] = Math.min(k, s >= 0 ? 0 : Math.ceil(-s / dilation));
    end[o] = Math.max(first[o]!, Math.min(k, s >= size ? 0 : Math.floor((size - 1 - s) / dilation) + 1));
    padded[o] = Math.max(0, Math.min(k, Math.ceil((size + padEnd - s) / dilation)));
  }
  return { size, out, stride, dilation, start, first, end, padded };
}

const UNIT_AXIS: AxisTaps = axisTaps(1, 1, 1, 1, 1, 0, 0);

/** The geometry for one X shape; throws when X's rank does not fit kernel_shape or a window cannot fit. */
export function poolGeometry(node: Node, win: PoolWindow, xDims: readonly number[]): PoolGeometry {
  const spatial = win.kernel.length;
  if (xDims.length < 3) throw kernelError(node, `X must be [N, C, D1, ...] with at least one spatial axis, got ${dimsText(xDims)}`);
  if (xDims.length !== spatial + 2) {
    throw kernelError(node, `kernel_shape has ${plural(spatial, 'value')}, expected ${xDims.length - 2} for X ${dimsText(xDims)}`);
  }
  const taps: AxisTaps[] = [];
  const outDims = [xDims[0]!, xDims[1]!];
  for (let i = 0; i < spatial; i++) {
    const size = xDims[2 + i]!;
    if (size === 0) throw kernelError(node, `X ${dimsText(xDims)} has an empty spatial axis ${2 + i}`);
    const a = axisWindow(win, i, size);
    if (a.out < 1) {
      throw kernelError(
        node,
        `axis ${2 + i} of X ${dimsText(xDims)} (size ${size}) is smaller than the window (kernel ${win.kernel[i]}, dilation ${win.dilations[i]}, pads ${a.padBegin} + ${a.padEnd}); the output would be empty`,
      );
    }
    taps.push(axisTaps(size, a.out, win.kernel[i]!, win.strides[i]!, win.dilations[i]!, a.padBegin, a.padEnd));
    outDims.push(a.out);
  }
  while (taps.length < MAX_SPATIAL) taps.unshift(UNIT_AXIS);
  return { planes: xDims[0]! * xDims[1]!, d: taps[0]!, h: taps[1]!, w: taps[2]!, outDims };
}
