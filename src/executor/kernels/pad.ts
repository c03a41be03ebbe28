/**
 * Pad: modes constant, reflect, edge (all opsets) and wrap (opset 19+). Pads come from the `pads` attribute
 * before opset 11 (`paddings` at opset 1) and from inputs after; `axes` (input 3) from opset 18. Negative
 * pads crop. Reflect follows numpy's `reflect` (mirror without repeating the edge), so pads wider than the
 * axis keep reflecting instead of failing.
 */
import { attrFloat, attrInts, attrString } from '../../ir/attributes.js';
import type { Node } from '../../ir/graph.js';
import type { Tensor, TypedArray } from '../../tensor.js';
import type { Kernel, KernelDef } from '../kernel.js';
import { int64Words, setInt64 } from './int64-words.js';
import {
  DimsMemo,
  dimsText,
  kernelError,
  movable,
  normalizeAxes,
  OneResult,
  readIntList,
  slotsPerElement,
  stridesOf,
  type ElementArray,
} from './shape-impl.js';

type Mode = 'constant' | 'reflect' | 'edge' | 'wrap';
type Writable = { [index: number]: number | bigint };

interface PadPlan {
  dims: number[];
  /** Per axis: output coordinate → input element offset along that axis (coordinate × stride), or -1 for fill. */
  maps: Int32Array[];
}

/** Input coordinate read for output coordinate `c` along an axis of size `n` padded by `begin` in front. */
function sourceIndex(mode: Mode, c: number, begin: number, n: number): number {
  const i = c - begin;
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case 'constant':
      return -1;
    case 'edge':
      return i < 0 ? 0 : n - 1;
    case 'wrap':
      return ((i % n) + n) % n;
    case 'reflect': {
      if (n === 1) return 0;
      const period = 2 * (n - 1);
      const m = ((i % period) + period) % period;
      return m < n ? m : period - m;
    }
  }
}

export function padPlan(node: Node, mode: Mode, inDims: readonly number[], pads: readonly number[], axesIn: readonly number[] | undefined): PadPlan {
  const rank = inDims.length;
  const axes = axesIn === undefined ? inDims.map((_, i) => i) : normalizeAxes(node, axesIn, rank);
  if (pads.length !== 2 * axes.length) {
    throw kernelError(node, `pads has ${pads.length} values; expected ${2 * axes.length} (begin and end for each of ${axes.length} axes)`);
  }
  const begins = new Array<number>(rank).fill(0);
  const ends = new Array<number>(rank).fill(0);
  axes.forEach((a, k) => {
    begins[a] = pads[k]!;
    ends[a] = pads[k + axes.length]!;
  });
  const strides = stridesOf(inDims);
  const dims = inDims.map((n, a) => n + begins[a]! + ends[a]!);
  const maps = dims.map((d, a) => {
    const n = inDims[a]!;
    if (d < 0) throw kernelError(node, `pads [${pads.join(', ')}] crop axis ${a} of input ${dimsText(inDims)} below zero`);
    if (n === 0 && d > 0 && mode !== 'constant') {
      throw kernelError(node, `${mode} padding needs a non-empty axis; axis ${a} of input ${dimsText(inDims)} is empty`);
    }
    const map = new Int32Array(d);
    for (let c = 0; c < d; c++) {
      const i = sourceIndex(mode, c, begins[a]!, n);
      map[c] = i < 0 ? -1 : i * strides[a]!;
    }
    return map;
  });
  return { dims, maps };
}

function parseMode(node: Node, opset: number): Mode {
  const mode = attrString(node, 'mode', 'constant');
  if (mode === 'constant' || mode === 'reflect' || mode === 'edge' || (mode === 'wrap' && opset >= 19)) return mode;
  throw kernelError(node, `mode '${mode}' is not a Pad mode at opset ${opset} (expected constant, reflect, edge${opset >= 19 ? ', wrap' : ''})`);
}

/** Walks the output with an odometer; each element reads the sum of its per-axis source offsets. */
class PadWriter {
  private counter = new Int32Array(8);
  private offsets = new Float64Array(9);

  /** `src`, `dst` and `fill` (one element) are {@link movable} arrays; `scale` is their slots per element. */
  write(plan: PadPlan, src: ElementArray, dst: Writable, fill: ElementArray, scale: 1 | 2): void {
    const { dims, maps } = plan;
    const rank = dims.length;
    if (rank === 0) {
      for (let k = 0; k < scale; k++) dst[k] = src[k]!;
      return;
    }
    for (const d of dims) if (d === 0) return;
    if (this.counter.length < rank) {
      this.counter = new Int32Array(rank);
      this.offsets = new Float64Array(rank + 1);
    }
    const counter = this.counter;
    // offsets[a] = source offset accumulated over axes < a, or -1 once any of them is padding.
    const offsets = this.offsets;
    counter.fill(0, 0, rank);
    offsets[0] = 0;
    for (let a = 0; a < rank - 1; a++) offsets[a + 1] = add(offsets[a]!, maps[a]![0]!);
    const innerMap = maps[rank - 1]!;
    const inner = dims[rank - 1]!;
    let o = 0;
    for (;;) {
      const base = offsets[rank - 1]!;
      if (scale === 1) {
        const f = fill[0]!;
        if (base < 0) {
          for (let i = 0; i < inner; i++) dst[o++] = f;
        } else {
          for (let i = 0; i < inner; i++) {
            const m = innerMap[i]!;
            dst[o++] = m < 0 ? f : src[base + m]!;
          }
        }
      } else {
        for (let i = 0; i < inner; i++) {
          const m = base < 0 ? -1 : innerMap[i]!;
          const k = m < 0 ? -1 : 2 * (base + m);
          dst[o++] = k < 0 ? fill[0]! : src[k]!;
          dst[o++] = k < 0 ? fill[1]! : src[k + 1]!;
        }
      }
      let axis = rank - 2;
      for (; axis >= 0; axis--) {
        if (++counter[axis]! < dims[axis]!) break;
        counter[axis] = 0;
      }
      if (axis < 0) return;
      for (let a = axis; a < rank - 1; a++) offsets[a + 1] = add(offsets[a]!, maps[a]![counter[a]!]!);
    }
  }
}

function add(offset: number, m: number): number {
  return offset < 0 || m < 0 ? -1 : offset + m;
}

/** Writes the fill value into `cell` (one element of the data's type) without creating a BigInt. */
function writeFill(node: Node, data: Tensor, value: Tensor | number | undefined, cell: TypedArray): void {
  if (value !== undefined && typeof value !== 'number') {
    if (value.dtype !== data.dtype) throw kernelError(node, `constant_value is ${value.dtype} but data is ${data.dtype}`);
    if (value.data.length !== 1) throw kernelError(node, `constant_value must hold one value, got ${value.data.length}`);
    (cell as { set(a: TypedArray): void }).set(value.data);
    return;
  }
  const v = value ?? 0;
  if (cell instanceof BigInt64Array || cell instanceof BigUint64Array) setInt64(cell, int64Words(cell), 0, v);
  else cell[0] = v;
}

const pad: KernelDef = {
  opType: 'Pad',
  sinceVersion: 1,
  create({ node, opset }): Kernel {
    const mode = parseMode(node, opset);
    const memo = new DimsMemo<PadPlan>();
    const writer = new PadWriter();
    const result = new OneResult();
    const attrPads = opset < 11 ? attrInts(node, opset < 2 ? 'paddings' : 'pads') : undefined;
    const attrValue = opset < 11 ? attrFloat(node, 'value', 0) : undefined;
    if (opset < 11 && attrPads === undefined) throw kernelError(node, `attribute 'pads' is required before opset 11`);
    return {
      run(inputs, ctx) {
        const data = inputs[0];
        if (data === undefined) throw kernelError(node, `input 0 (data) is required`);
        const padsT = opset >= 11 ? inputs[1] : undefined;
        if (opset >= 11 && padsT === undefined) throw kernelError(node, `input 1 (pads) is required`);
        const axesT = opset >= 18 ? inputs[3] : undefined;
        const plan =
          memo.hit(data.dims, padsT, axesT) ??
          memo.store(padPlan(node, mode, data.dims, padsT ? readIntList(node, padsT, 'pads') : attrPads!, axesT && readIntList(node, axesT, 'axes')), data.dims, padsT, axesT);
        const cell = ctx.scratch(0, data.dtype, 1);
        writeFill(node, data, opset >= 11 ? inputs[2] : attrValue, cell);
        const out = ctx.output(0, data.dtype, plan.dims);
        writer.write(plan, movable(data.data), movable(out.data) as Writable, movable(cell), slotsPerElement(data.dtype));
        return result.of(out);
      },
    };
  },
};

export const padKernels: KernelDef[] = [pad];
