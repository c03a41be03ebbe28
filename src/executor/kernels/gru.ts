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
    const { B, H, Hp, GW, lens } = this;
    const clip = this.attrs.clip;
    const lbr = this.linearBeforeReset;
    const rz = this.r[d]!;
    // Packed panels are gate-aligned: the h gate's panels start 2·Hp columns in, i.e. 2·Hp·H floats.
    const rh = rz + 2 * Hp * H;
    for (let s = 0; s < maxLen; s++) {
      this.gather(s, reverse, 0, 2 * Hp);
      this.ws.gemm(this.h, H, B, H, rz, 2 * Hp, this.g, GW);
      let m = this.ws.mem;
      for (let b = 0; b < B; b++) {
        if (s >= lens[b]!) continue;
        const gr = this.g + b * GW;
        if (clip !== undefined) clipRange(m, gr, Hp + H, clip);
        activateZr(f!, m, gr, Hp, H);
        if (!lbr) {
          const t = this.tmp + b * H;
          const h = this.h + b * H;
          const r = gr + Hp;
          for (let j = 0; j < H; j++) m[t + j] = m[r + j]! * m[h + j]!;
        }
      }
      if (lbr) {
        for (let b = 0; b < B; b++) m.copyWithin(this.g + b * GW + 2 * Hp, this.rb[d]!, this.rb[d]! + Hp);
        this.ws.gemm(this.h, H, B, H, rh, Hp, this.g + 2 * Hp, GW);
      } else {
        this.gather(s, reverse, 2 * Hp, Hp);
        this.ws.gemm(this.tmp, H, B, H, rh, Hp, this.g + 2 * Hp, GW);
      }
      m = this.ws.mem;
      for (let b = 0; b < B; b++) {
        if (s >= lens[b]!) continue;
        const gr = this.g + b * GW;
        const hh = gr + 2 * Hp;
        if (lbr) {
          const pr = this.projRow(b, s, reverse) + 2 * Hp;
          const r = gr + Hp;
          for (let j = 0; j < H; j++) m[hh + j] = m[pr + j]! + m[r + j]! * m[hh + j]!;
        }
        if (clip !== undefined) clipRange(m, hh, H, clip);
        activate(g!, m, hh, H);
        const h = this.h + b * H;
        for (let j = 0; j < H; j++) {
          const z = m[gr + j]!;
          m[h + j] = (1 - z) * m[hh + j]! + z * m[h + j]!;
        }
        if (y !== undefined) this.emit(y, d, b, s, reverse);
      }
    }
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
    create: (init: KernelInit): Kernel => new GruKernel(init),
  },
];
