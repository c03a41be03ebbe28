/**
 * Kernels: GRU (opset 7+; opset 14 added `layout`, opset 22 only widened the types).
 *
 * Gates in ONNX order z, r, h:
 *   z = f(X·Wzᵀ + H₋₁·Rzᵀ + Wbz + Rbz)      r = f(X·Wrᵀ + H₋₁·Rrᵀ + Wbr + Rbr)
 *   linear_before_reset = 0:  h = g(X·Whᵀ + (r ⊙ H₋₁)·Rhᵀ + Rbh + Wbh)
 *   linear_before_reset ≠ 0:  h = g(X·Whᵀ + r ⊙ (H₋₁·Rhᵀ + Rbh) + Wbh)
 *   H = (1 - z) ⊙ h + z ⊙ H₋₁
 * The driver's projection row already holds X·Wᵀ plus the biases that sit outside r: Wb+Rb for z and r,
 * and for h Wbh+Rbh (lbr = 0) or Wbh alone (lbr ≠ 0, where Rbh is the recurrent bias `rb`).
 */
import { attrInt } from '../../ir/attributes.js';
import type { Kernel, KernelDef, KernelInit } from '../kernel.js';
import { ActKind, activate, clipRange, type Activation } from './recurrent/activations.js';
import { readRecurrentAttributes } from './recurrent/attributes.js';
import { RecurrentKernel } from './recurrent/driver.js';

class GruKernel extends RecurrentKernel {
  private readonly linearBeforeReset: boolean;

  constructor(init: KernelInit) {
    super(init.node, readRecurrentAttributes(init.node, 2, ['Sigmoid', 'Tanh']), 3, false);
    this.linearBeforeReset = attrInt(init.node, 'linear_before_reset', 0) !== 0;
    if (this.linearBeforeReset) this.extraGateSegments = 1;
    this.prepackConstants(init);
  }

  protected override packBiases(d: number, b: Float32Array | undefined): void {
    super.packBiases(d, b);
    const m = this.ws.mem;
    const { H, Hp } = this;
    if (!this.linearBeforeReset) return;
    // Rbh moves from the projection into the recurrent product, inside r ⊙ (..).
    const base = d * 6 * H;
    for (let j = 0; j < Hp; j++) {
      const inRange = j < H && b !== undefined;
      m[this.pb[d]! + 2 * Hp + j] = inRange ? b[base + 2 * H + j]! : 0;
      m[this.rb[d]! + j] = inRange ? b[base + 5 * H + j]! : 0;
    }
  }

  protected recur(d: number, reverse: boolean, maxLen: number, y: Float32Array | undefined): void {
    const [f, g] = this.attrs.acts[d]!;
    const { B, H, HS, Hp, GW, gStride, lens } = this;
    const clip = this.attrs.clip;
    const lbr = this.linearBeforeReset;
    const simd = f!.kind === ActKind.Sigmoid && g!.kind === ActKind.Tanh && clip === undefined ? this.ws.cells : undefined;
    const rz = this.r[d]!;
    // Packed panels are gate-aligned: the h gate's panels start 2·Hp columns in, i.e. 2·Hp·H floats.
    const rh = rz + 2 * Hp * H;
    const rb = this.rb[d]!;
    for (let s = 0; s < maxLen; s++) {
      const all = s < this.minLen;
      const at = this.projAt(s, reverse);
      if (at >= 0) this.ws.gemm(this.h, HS, B, H, rz, 2 * Hp, this.g, gStride, at, this.projStride);
      else {
        this.gather(s, reverse, 0, 2 * Hp);
        this.ws.gemm(this.h, HS, B, H, rz, 2 * Hp, this.g, gStride);
      }
      // linear_before_reset: the candidate's projection waits in the fourth segment.
      if (lbr) this.gather(s, reverse, 2 * Hp, Hp, 3 * Hp);
      let m = this.ws.mem;
      if (simd !== undefined && all) simd.gruGates(this.g, gStride, Hp, H, this.h, this.tmp, HS, B);
      else {
        for (let b = 0; b < B; b++) {
          if (s >= lens[b]!) continue;
          const gr = this.g + b * gStride;
          const hr = this.h + b * HS;
          const t = this.tmp + b * HS;
          if (simd !== undefined) {
            simd.gruGates(gr, gStride, Hp, H, hr, t, HS, 1);
            continue;
          }
          if (clip !== undefined) clipRange(m, gr, Hp + H, clip);
          activateZr(f!, m, gr, Hp, H);
          if (!lbr) for (let j = 0, r = gr + Hp; j < H; j++) m[t + j] = m[r + j]! * m[hr + j]!;
        }
      }
      if (lbr) {
        // H·Rhᵀ + Rbh (broadcast), which r scales as a whole.
        this.ws.gemm(this.h, HS, B, H, rh, Hp, this.g + 2 * Hp, gStride, rb, 0);
      } else if (at >= 0) {
        this.ws.gemm(this.tmp, HS, B, H, rh, Hp, this.g + 2 * Hp, gStride, at + 2 * Hp, this.projStride);
      } else {
        this.gather(s, reverse, 2 * Hp, Hp);
        this.ws.gemm(this.tmp, HS, B, H, rh, Hp, this.g + 2 * Hp, gStride);
      }
      m = this.ws.mem;
      if (simd !== undefined && all) {
        simd.gruOut(this.g, gStride, Hp, H, this.h, lbr, HS, B);
        if (y !== undefined) this.emitAll(y, d, s, reverse);
        continue;
      }
      for (let b = 0; b < B; b++) {
        if (s >= lens[b]!) continue;
        const gr = this.g + b * gStride;
        const hr = this.h + b * HS;
        if (simd !== undefined) simd.gruOut(gr, gStride, Hp, H, hr, lbr, HS, 1);
        else gruOut(m, gr, Hp, H, hr, lbr, g!, clip);
        if (y !== undefined) this.emit(y, d, b, s, reverse);
      }
    }
  }
}

/** Candidate and new state of one row (JavaScript path): any activation g, clip. */
function gruOut(m: Float32Array, gr: number, hp: number, H: number, h: number, lbr: boolean, g: Activation, clip: number | undefined): void {
  const hh = gr + 2 * hp;
  if (lbr) {
    const p = gr + 3 * hp;
    const r = gr + hp;
    for (let j = 0; j < H; j++) m[hh + j] = m[p + j]! + m[r + j]! * m[hh + j]!;
  }
  if (clip !== undefined) clipRange(m, hh, H, clip);
  activate(g, m, hh, H);
  for (let j = 0; j < H; j++) {
    const z = m[gr + j]!;
    m[h + j] = (1 - z) * m[hh + j]! + z * m[h + j]!;
  }
}

/** f over z and r (the first H columns of each of the first two gate segments). */
function activateZr(f: Activation, m: Float32Array, gr: number, hp: number, H: number): void {
  if (f.kind === ActKind.Sigmoid && hp === H) {
    // Segments are contiguous: one pass over 2H values.
    for (let j = gr, end = gr + 2 * H; j < end; j++) m[j] = 1 / (1 + Math.exp(-m[j]!));
    return;
  }
  activate(f, m, gr, H);
  activate(f, m, gr + hp, H);
}

export const kernels: KernelDef[] = [
  {
    opType: 'GRU',
    sinceVersion: 7,
    // Outputs always come from ctx.output, so the plan may recycle input buffers right after this node.
    freshOutputs: true,
    create: (init: KernelInit): Kernel => new GruKernel(init),
  },
];
