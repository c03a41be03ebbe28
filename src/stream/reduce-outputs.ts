/** Reductions over a window's outputs (last / mean / max / all), shared by both modes of `window`. */
import { InputError } from '../errors.js';
import { allocData, sizeOf, type Tensor } from '../tensor.js';

export type WindowReduce = 'last' | 'mean' | 'max' | 'all';

/**
 * Ring storage for the last `size` steps' outputs, copied into buffers allocated once (on the first step),
 * so streaming windows allocate only what they emit.
 */
export class OutputRing {
  private rings: Map<string, { dtype: Tensor['dtype']; dims: readonly number[]; buffers: Tensor['data'][] }> | undefined;
  private written = 0;

  constructor(private readonly capacity: number, private readonly names: readonly string[] | undefined) {}

  push(outputs: Readonly<Record<string, Tensor>>): void {
    if (this.rings === undefined) {
      this.rings = new Map();
      for (const name of this.names ?? Object.keys(outputs)) {
        const t = outputs[name];
        if (t === undefined) throw new InputError(`window: the model has no output '${name}'; it has ${Object.keys(outputs).join(', ')}`);
        const buffers: Tensor['data'][] = [];
        for (let i = 0; i < this.capacity; i++) buffers.push(allocData(t.dtype, t.data.length));
        this.rings.set(name, { dtype: t.dtype, dims: [...t.dims], buffers });
      }
    }
    const at = this.written % this.capacity;
    for (const [name, ring] of this.rings) {
      const t = outputs[name]!;
      if (t.data.length !== ring.buffers[0]!.length) {
        throw new InputError(`window: output '${name}' changed size between steps (${ring.buffers[0]!.length} → ${t.data.length}); streaming windows need fixed-size outputs`);
      }
      (ring.buffers[at] as Float32Array).set(t.data as Float32Array);
    }
    this.written++;
  }

  /** Reduces the last `count` pushed steps (count ≤ capacity) into fresh tensors. */
  reduce(count: number, how: WindowReduce): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    if (this.rings === undefined) return out;
    const first = this.written - count;
    for (const [name, ring] of this.rings) {
      const n = ring.buffers[0]!.length;
      const at = (k: number) => ring.buffers[(first + k) % this.capacity]!;
      if (how === 'last') {
        out[name] = { dtype: ring.dtype, dims: [...ring.dims], data: at(count - 1).slice() };
      } else if (how === 'all') {
        const data = allocData(ring.dtype, n * count);
        for (let k = 0; k < count; k++) (data as Float32Array).set(at(k) as Float32Array, k * n);
        out[name] = { dtype: ring.dtype, dims: [count, ...ring.dims], data };
      } else {
        requireFloat(name, ring.dtype, how);
        const data = allocData(ring.dtype, n) as Float32Array | Float64Array;
        // Element by element with a double accumulator, so a mean over many float32 steps is not rounded at each add.
        for (let i = 0; i < n; i++) {
          let acc = (at(0) as Float32Array)[i]!;
          for (let k = 1; k < count; k++) {
            const v = (at(k) as Float32Array)[i]!;
            if (how === 'mean') acc += v;
            else if (v > acc || Number.isNaN(v)) acc = v;
          }
          data[i] = how === 'mean' ? acc / count : acc;
        }
        out[name] = { dtype: ring.dtype, dims: [...ring.dims], data };
      }
    }
    return out;
  }

  clear(): void {
    this.rings = undefined;
    this.written = 0;
  }
}

function requireFloat(name: string, dtype: string, how: string): void {
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new InputError(`window: reduce '${how}' needs float outputs but '${name}' is ${dtype}; choose outputs with the 'outputs' option or reduce 'last' / 'all'`);
  }
}

/**
 * Reduces a tensor along `axis` (the time axis of a per-window run): `last` keeps the last index, `mean` /
 * `max` collapse the axis (kept with length 1), `all` returns the tensor as it is.
 */
export function reduceAlongAxis(name: string, t: Tensor, axis: number, how: WindowReduce): Tensor {
  if (how === 'all') return { dtype: t.dtype, dims: [...t.dims], data: t.data.slice() };
  const rank = t.dims.length;
  const ax = axis < 0 ? axis + rank : axis;
  if (ax < 0 || ax >= rank) throw new InputError(`window: timeAxis ${axis} is outside output '${name}' of rank ${rank}`);
  const outer = sizeOf(t.dims.slice(0, ax));
  const len = t.dims[ax]!;
  const inner = sizeOf(t.dims.slice(ax + 1));
  const dims = [...t.dims];
  dims[ax] = 1;
  const data = allocData(t.dtype, outer * inner);
  if (len === 0) return { dtype: t.dtype, dims, data };
  if (how !== 'last') requireFloat(name, t.dtype, how);
  const src = t.data as Float32Array;
  const dst = data as Float32Array;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      if (how === 'last') {
        (dst as unknown as Tensor['data'])[o * inner + i] = (t.data as Float32Array)[base + (len - 1) * inner]!;
        continue;
      }
      let acc = src[base]!;
      for (let k = 1; k < len; k++) {
        const v = src[base + k * inner]!;
        if (how === 'mean') acc += v;
        else if (v > acc || Number.isNaN(v)) acc = v;
      }
      dst[o * inner + i] = how === 'mean' ? acc / len : acc;
    }
  }
  return { dtype: t.dtype, dims, data };
}
