/**
 * Kernels: LSTM (opset 7+; opset 14 added `layout`, opset 22 only widened the types).
 *
 * Per step, with gates in ONNX order i, o, f, c and pre-activations (X·Wᵀ + Wb + Rb, precomputed for all
 * steps by the driver) + H·Rᵀ in the gate row:
 *   i = f(.. + Pi ⊙ C₋₁)   f = input_forget ? 1 - i : f(.. + Pf ⊙ C₋₁)   c = g(..)
 *   C = f ⊙ C₋₁ + i ⊙ c    o = f(.. + Po ⊙ C)    H = o ⊙ h(C)
 * `clip` clamps each pre-activation (after bias and peephole) before its activation, as onnxruntime does.
 */
import { attrInt } from '../../ir/attributes.js';
import type { Kernel, KernelDef, KernelInit } from '../kernel.js';
import { ActKind, activate, clipRange, type Activation } from './recurrent/activations.js';
import { readRecurrentAttributes } from './recurrent/attributes.js';
import { RecurrentKernel } from './recurrent/driver.js';

class LstmKernel extends RecurrentKernel {
  private readonly inputForget: boolean;

  constructor(init: KernelInit) {
    super(init.node, readRecurrentAttributes(init.node, 3, ['Sigmoid', 'Tanh', 'Tanh']), 4, true);
    this.inputForget = attrInt(init.node, 'input_forget', 0) !== 0;
    this.prepackConstants(init);
  }

  protected recur(d: number, reverse: boolean, maxLen: number, y: Float32Array | undefined): void {
    const [f, g, h] = this.attrs.acts[d]!;
    const { B, H, HS, Hp, gStride, lens } = this;
    const clip = this.attrs.clip;
    const defaults =
      f!.kind === ActKind.Sigmoid && g!.kind === ActKind.Tanh && h!.kind === ActKind.Tanh &&
      clip === undefined && !this.usePeepholes && !this.inputForget;
    const simd = defaults ? this.ws.cells : undefined;
    const pe = this.usePeepholes ? this.pe[d]! : -1;
    for (let s = 0; s < maxLen; s++) {
      this.gatePreactivations(d, s, reverse);
      const m = this.ws.mem;
      if (simd !== undefined && s < this.minLen) {
        // Every row is active: one SIMD call for the whole batch.
        simd.lstm(this.g, gStride, Hp, H, this.c, this.h, HS, B);
        if (y !== undefined) this.emitAll(y, d, s, reverse);
        continue;
      }
      for (let b = 0; b < B; b++) {
        if (s >= lens[b]!) continue;
        const gr = this.g + b * gStride;
        const c = this.c + b * HS;
        const hr = this.h + b * HS;
        if (simd !== undefined) simd.lstm(gr, gStride, Hp, H, c, hr, HS, 1);
        else if (defaults) lstmCellDefault(m, gr, Hp, H, c, hr);
        else lstmCell(m, gr, Hp, H, c, hr, pe, f!, g!, h!, clip, this.inputForget);
        if (y !== undefined) this.emit(y, d, b, s, reverse);
      }
    }
  }
}

/** The default activations (Sigmoid, Tanh, Tanh), no clip, no peepholes: one fused pass. */
function lstmCellDefault(m: Float32Array, gr: number, hp: number, H: number, c: number, h: number): void {
  const o0 = gr + hp;
  const f0 = gr + 2 * hp;
  const c0 = gr + 3 * hp;
  for (let j = 0; j < H; j++) {
    const i = 1 / (1 + Math.exp(-m[gr + j]!));
    const f = 1 / (1 + Math.exp(-m[f0 + j]!));
    const cc = Math.tanh(m[c0 + j]!);
    const cell = f * m[c + j]! + i * cc;
    m[c + j] = cell;
    const o = 1 / (1 + Math.exp(-m[o0 + j]!));
    m[h + j] = o * Math.tanh(m[c + j]!);
  }
}

/** Any activations, clip, peepholes (`pe` < 0: none) and input_forget: pass by pass over the gate row. */
function lstmCell(
  m: Float32Array,
  gr: number,
  hp: number,
  H: number,
  c: number,
  h: number,
  pe: number,
  fAct: Activation,
  gAct: Activation,
  hAct: Activation,
  clip: number | undefined,
  inputForget: boolean,
): void {
  const gi = gr;
  const go = gr + hp;
  const gf = gr + 2 * hp;
  const gc = gr + 3 * hp;
  if (pe >= 0) {
    // P is [Pi, Po, Pf]; i and f look at the previous cell state.
    for (let j = 0; j < H; j++) {
      m[gi + j] += m[pe + j]! * m[c + j]!;
      m[gf + j] += m[pe + 2 * H + j]! * m[c + j]!;
    }
  }
  if (clip !== undefined) {
    clipRange(m, gi, H, clip);
    if (!inputForget) clipRange(m, gf, H, clip);
    clipRange(m, gc, H, clip);
  }
  activate(fAct, m, gi, H);
  if (inputForget) for (let j = 0; j < H; j++) m[gf + j] = 1 - m[gi + j]!;
  else activate(fAct, m, gf, H);
  activate(gAct, m, gc, H);
  for (let j = 0; j < H; j++) m[c + j] = m[gf + j]! * m[c + j]! + m[gi + j]! * m[gc + j]!;
  // The output gate's peephole looks at the new cell state.
  if (pe >= 0) for (let j = 0; j < H; j++) m[go + j] += m[pe + H + j]! * m[c + j]!;
  if (clip !== undefined) clipRange(m, go, H, clip);
  activate(fAct, m, go, H);
  // h(C) goes into the spent cell-gate slot, so C itself is kept for the next step.
  for (let j = 0; j < H; j++) m[gc + j] = m[c + j]!;
  activate(hAct, m, gc, H);
  for (let j = 0; j < H; j++) m[h + j] = m[go + j]! * m[gc + j]!;
}

export const kernels: KernelDef[] = [
  {
    opType: 'LSTM',
    sinceVersion: 7,
    // Outputs always come from ctx.output, so the plan may recycle input buffers right after this node.
    freshOutputs: true,
    create: (init: KernelInit): Kernel => new LstmKernel(init),
  },
];
