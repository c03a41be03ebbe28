/**
 * Kernels: RNN, the gate-free recurrence (opset 7+; opset 14 added `layout`, opset 22 only widened types):
 *   H = f(X·Wᵀ + H₋₁·Rᵀ + Wb + Rb), f = Tanh by default.
 */
import type { Kernel, KernelDef, KernelInit } from '../kernel.js';
import { ActKind, activate, clipRange } from './recurrent/activations.js';
import { readRecurrentAttributes } from './recurrent/attributes.js';
import { RecurrentKernel } from './recurrent/driver.js';

class RnnKernel extends RecurrentKernel {
  constructor(init: KernelInit) {
    super(init.node, readRecurrentAttributes(init.node, 1, ['Tanh']), 1, false);
    this.prepackConstants(init);
  }

  protected recur(d: number, reverse: boolean, maxLen: number, y: Float32Array | undefined): void {
    const f = this.attrs.acts[d]![0]!;
    const { B, H, HS, gStride, lens } = this;
    const clip = this.attrs.clip;
    const simd = f.kind === ActKind.Tanh && clip === undefined ? this.ws.cells : undefined;
    for (let s = 0; s < maxLen; s++) {
      this.gatePreactivations(d, s, reverse);
      const m = this.ws.mem;
      if (simd !== undefined && s < this.minLen) {
        simd.rnnTanh(this.g, gStride, H, this.h, HS, B);
        if (y !== undefined) this.emitAll(y, d, s, reverse);
        continue;
      }
      for (let b = 0; b < B; b++) {
        if (s >= lens[b]!) continue;
        const gr = this.g + b * gStride;
        if (simd !== undefined) simd.rnnTanh(gr, gStride, H, this.h + b * HS, HS, 1);
        else {
          if (clip !== undefined) clipRange(m, gr, H, clip);
          activate(f, m, gr, H);
          m.copyWithin(this.h + b * HS, gr, gr + H);
        }
        if (y !== undefined) this.emit(y, d, b, s, reverse);
      }
    }
  }
}

export const kernels: KernelDef[] = [
  {
    opType: 'RNN',
    sinceVersion: 7,
    // Outputs always come from ctx.output, so the plan may recycle input buffers right after this node.
    freshOutputs: true,
    create: (init: KernelInit): Kernel => new RnnKernel(init),
  },
];
