/**
 * What RNN, LSTM and GRU have in common: checking inputs, packing weights, staging X, the input projection
 * for all time steps as one matrix product, sequence_lens bookkeeping, layout 0/1 addressing and writing
 * Y / Y_h / Y_c. A subclass supplies only the gate math of one time step (`recur`).
 *
 * Workspace regions (float offsets into `ws.mem`, each 4-aligned for the SIMD kernel):
 *   static, per direction d:  w[d] packed W, r[d] packed R, pb[d] projection bias (Wb+Rb, gate-padded),
 *                             rb[d] extra recurrent bias (GRU linear_before_reset), pe[d] peepholes (LSTM)
 *   per run shape (T, B):     x   X as given (rows in X's own order)
 *                             p   X·Wᵀ + pb for every (t, b), same row order as x, GW floats per row
 *                             g   gate pre-activations of the current step, B rows of gStride (≥ GW)
 *                             h   hidden state, D × B rows of HS (the left operand of the recurrent product)
 *                             c   cell state (LSTM), D × B rows of HS;  tmp  r ⊙ h (GRU), B rows of HS
 * GW = gates * Hp, Hp = H padded to whole panels (see pack.ts). State rows are HS = H rounded up to 4 apart.
 *
 * Allocation: regions are laid out again only when a shape changes, so a steady-state run allocates
 * nothing (output tensors come from the plan's pool through ctx.output).
 */
import { KernelError } from '../../../errors.js';
import type { Node } from '../../../ir/graph.js';
import type { DType, Tensor } from '../../../tensor.js';
import type { Kernel, KernelInit, RunContext } from '../../kernel.js';
import type { RecurrentAttributes } from './attributes.js';
import { packedSize, packGateMatrix, paddedHidden } from './pack.js';
import { createWorkspace, type Workspace } from './workspace.js';

/** Input positions shared by the three operators. */
export const IN_X = 0, IN_W = 1, IN_R = 2, IN_B = 3, IN_SEQ_LENS = 4, IN_INITIAL_H = 5, IN_INITIAL_C = 6, IN_P = 7;

const align4 = (n: number) => (n + 3) & ~3;

export abstract class RecurrentKernel implements Kernel {
  protected readonly ws: Workspace = createWorkspace();
  protected readonly D: number;
  /** Whether the gate outputs past `Y`, `Y_h` are wanted (per output index). */
  private readonly wanted: boolean[];
  private readonly outs: (Tensor | undefined)[];
  /** Output dims for the current shapes (made when a shape changes, not per run). */
  private yDims: number[] = [];
  private stateDims: number[] = [];
  /** Weights packed at plan time (all of W, R, B, P are constants), so runs skip packing. */
  private prepacked = false;

  // Shapes of the current layout.
  protected T = -1;
  protected B = -1;
  protected I = -1;
  protected H = -1;
  protected Hp = 0;
  /** Projection row width: gates × Hp. */
  protected GW = 0;
  /** Gate row width: GW plus any extra segments the cell asked for. */
  protected gStride = 0;
  /** State row stride (h, c, tmp): H rounded up to whole 4-float vectors, so SIMD tails stay in the row. */
  protected HS = 0;
  /** Extra Hp-wide segments per gate row (GRU with linear_before_reset keeps its projection there). */
  protected extraGateSegments = 0;

  // Region offsets (see the file comment).
  protected readonly w: number[] = [];
  protected readonly r: number[] = [];
  protected readonly pb: number[] = [];
  protected readonly rb: number[] = [];
  protected readonly pe: number[] = [];
  private staticEnd = 0;
  protected x = 0;
  protected p = 0;
  protected g = 0;
  /** Hidden / cell state of the direction being run (within hAll / cAll, which hold every direction). */
  protected h = 0;
  protected c = 0;
  private hAll = 0;
  private cAll = 0;
  /** See layoutDynamic: whether state rows match the tensors' order, and views of them when they do. */
  private contiguous = false;
  private hAllView: Float32Array = new Float32Array(0);
  private cAllView: Float32Array = new Float32Array(0);
  private readonly hViews: Float32Array[] = [];
  protected tmp = 0;

  /** Valid steps per batch row for the current run, and their minimum (iterations below it have every row active). */
  protected lens = new Int32Array(0);
  protected minLen = 0;
  protected maxLen = 0;
  protected usePeepholes = false;

  constructor(
    protected readonly node: Node,
    protected readonly attrs: RecurrentAttributes,
    /** Gates per direction: RNN 1, GRU 3, LSTM 4. */
    protected readonly gates: number,
    /** LSTM: the cell state input/output and peepholes exist. */
    protected readonly hasCell: boolean,
  ) {
    this.D = attrs.numDirections;
    this.wanted = node.outputs.map((o) => o !== '');
    this.outs = node.outputs.map(() => undefined);
  }

  /**
   * Packs W, R, B (and P) at plan time when all of them are constants, so runs skip packing. Subclasses
   * call it at the end of their constructor, once the fields `packBiases` reads are set.
   */
  protected prepackConstants(init: KernelInit): void {
    // Element types known at plan time are checked now, so a float64 model fails at load, not at step 1.
    for (const [i, name] of [[IN_X, 'X'], [IN_W, 'W'], [IN_R, 'R'], [IN_B, 'B']] as const) {
      const dtype = init.inputInfo[i]?.dtype;
      if (dtype !== undefined && dtype !== 'float32') {
        throw this.err(`${name} must be float32 (the built-in executor runs recurrent operators in float32), got ${dtype}; run this model on 'ort-node' or 'ort-web'`);
      }
    }
    const c = init.constants;
    const constW = c[IN_W];
    const constR = c[IN_R];
    const bOk = !this.present(IN_B) || c[IN_B] !== undefined;
    const pOk = !this.hasCell || !this.present(IN_P) || c[IN_P] !== undefined;
    if (constW === undefined || constR === undefined || !bOk || !pOk) return;
    const p = this.hasCell ? c[IN_P] : undefined;
    const H = this.checkWeights(constW, constR, c[IN_B], p, undefined);
    this.layoutStatic(constW.dims[2]!, H);
    this.packAll(constW, constR, c[IN_B], p);
    this.prepacked = true;
  }

  /** Which matrix product this kernel runs on ('wasm' SIMD or plain 'js'). */
  get matmulImpl(): 'js' | 'wasm' {
    return this.ws.impl;
  }

  /** Runs direction `d` over the staged projection: the subclass's step loop. */
  protected abstract recur(d: number, reverse: boolean, maxLen: number, y: Float32Array | undefined): void;

  /**
   * Writes the projection bias of direction `d` (GW floats at pb[d]) and, where the cell has one, the
   * recurrent bias (Hp floats at rb[d]). `b` holds [Wb, Rb] of all directions, or is undefined (zeros).
   */
  protected packBiases(d: number, b: Float32Array | undefined): void {
    const m = this.ws.mem;
    const { H, Hp, gates } = this;
    const base = d * 2 * gates * H;
    for (let gi = 0; gi < gates; gi++) {
      for (let j = 0; j < Hp; j++) {
        const k = gi * H + j;
        m[this.pb[d]! + gi * Hp + j] = j < H && b !== undefined ? b[base + k]! + b[base + gates * H + k]! : 0;
      }
    }
  }

  run(inputs: readonly (Tensor | undefined)[], ctx: RunContext): (Tensor | undefined)[] {
    const { attrs, D } = this;
    const X = this.need(inputs, IN_X, 'X');
    this.expectFloat(X, 'X');
    if (X.dims.length !== 3) throw this.err(`X must have rank 3, got dims ${fmt(X.dims)}`);
    const layout1 = attrs.layout === 1;
    const T = layout1 ? X.dims[1]! : X.dims[0]!;
    const B = layout1 ? X.dims[0]! : X.dims[1]!;
    const I = X.dims[2]!;

    const W = this.need(inputs, IN_W, 'W');
    const R = this.need(inputs, IN_R, 'R');
    const bias = inputs[IN_B];
    const peep = this.hasCell ? inputs[IN_P] : undefined;
    if (!this.prepacked) {
      const H = this.checkWeights(W, R, bias, peep, I);
      this.layoutStatic(I, H);
      this.packAll(W, R, bias, peep);
    } else if (I !== this.I) {
      throw this.err(`X has input size ${I} (dims ${fmt(X.dims)}), but W was built for input size ${this.I}`);
    }
    const H = this.H;
    this.layoutDynamic(T, B);
    this.readSeqLens(inputs[IN_SEQ_LENS], T, B);
    const initH = inputs[IN_INITIAL_H];
    const initC = this.hasCell ? inputs[IN_INITIAL_C] : undefined;
    const stateDims = this.stateDims;
    if (initH !== undefined) this.expectDims(initH, 'initial_h', stateDims);
    if (initC !== undefined) this.expectDims(initC, 'initial_c', stateDims);

    // Outputs.
    const Y = this.wanted[0] ? ctx.output(0, 'float32', this.yDims) : undefined;
    const Yh = this.wanted[1] ? ctx.output(1, 'float32', stateDims) : undefined;
    const Yc = this.hasCell && this.wanted[2] ? ctx.output(2, 'float32', stateDims) : undefined;
    let maxLen = 0;
    let minLen = T;
    for (let b = 0; b < B; b++) {
      const len = this.lens[b]!;
      if (len > maxLen) maxLen = len;
      if (len < minLen) minLen = len;
    }
    this.minLen = minLen;
    this.maxLen = maxLen;
    const allFull = minLen === T;
    // Positions past a row's length stay zero; when every row is full every position gets written.
    if (Y !== undefined && !allFull) Y.data.fill(0);

    const m = this.ws.mem;
    if (X.data.length !== T * B * I) throw this.err(`X data holds ${X.data.length} values, dims ${fmt(X.dims)} need ${T * B * I}`);
    m.set(X.data as Float32Array, this.x);

    // Every input is read before any output is written, so a caller may feed last run's Y_h / Y_c
    // buffers back as initial_h / initial_c (a step session carrying state does exactly that).
    this.loadStates(initH, this.hAll);
    if (this.hasCell) this.loadStates(initC, this.cAll);
    for (let d = 0; d < D; d++) {
      this.h = this.hAll + d * B * this.HS;
      this.c = this.cAll + d * B * this.HS;
      this.project(d);
      const reverse = attrs.direction === 'reverse' || d === 1;
      this.recur(d, reverse, maxLen, Y?.data);
    }
    if (Yh !== undefined) this.storeStates(Yh.data, this.hAll, this.hAllView);
    if (Yc !== undefined) this.storeStates(Yc.data, this.cAll, this.cAllView);
    // One array reused run after run: the plan reads the entries right away.
    const out = this.outs;
    out.fill(undefined);
    if (Y !== undefined) out[0] = Y;
    if (Yh !== undefined) out[1] = Yh;
    if (Yc !== undefined) out[2] = Yc;
    return out;
  }

  // ---- step-loop helpers for subclasses -------------------------------------------------------------

  /**
   * Where iteration `s` can read every row's projection at a fixed stride ({@link projStride}), the
   * offset of row 0's; else -1 (reverse over rows of different lengths: gather instead). Forward, all
   * rows are at time s; inactive rows then compute values nobody reads.
   */
  protected projAt(s: number, reverse: boolean): number {
    if (reverse && this.minLen !== this.maxLen) return -1;
    const t = reverse ? this.maxLen - 1 - s : s;
    return this.p + (this.attrs.layout === 1 ? t : t * this.B) * this.GW;
  }

  /** Distance between consecutive batch rows' projection rows at one time step. */
  protected get projStride(): number {
    return this.attrs.layout === 1 ? this.T * this.GW : this.GW;
  }

  /**
   * The gate pre-activations of iteration `s`, direction `d`, across the full gate width: each row's input
   * projection plus h·R, accumulated in place (RNN and LSTM; GRU splits its gates around the reset).
   */
  protected gatePreactivations(d: number, s: number, reverse: boolean): void {
    const at = this.projAt(s, reverse);
    if (at >= 0) {
      this.ws.gemm(this.h, this.HS, this.B, this.H, this.r[d]!, this.GW, this.g, this.gStride, at, this.projStride);
    } else {
      this.gather(s, reverse, 0, this.GW);
      this.ws.gemm(this.h, this.HS, this.B, this.H, this.r[d]!, this.GW, this.g, this.gStride);
    }
  }

  /**
   * Copies columns [col, col+span) of each active row's projection for iteration `s` into the gate rows:
   * the starting value the recurrent product then accumulates onto.
   */
  protected gather(s: number, reverse: boolean, col: number, span: number, dstCol = col): void {
    const m = this.ws.mem;
    const { B, T, GW, gStride, lens } = this;
    const layout1 = this.attrs.layout === 1;
    for (let b = 0; b < B; b++) {
      const len = lens[b]!;
      if (s >= len) continue;
      const t = reverse ? len - 1 - s : s;
      const src = this.p + (layout1 ? b * T + t : t * B + b) * GW + col;
      m.copyWithin(this.g + b * gStride + dstCol, src, src + span);
    }
  }

  /**
   * Writes every row's hidden state into Y for iteration `s`, direction `d`, when every row is active:
   * one block copy where Y's rows for a time step are contiguous and share one time index.
   */
  protected emitAll(y: Float32Array, d: number, s: number, reverse: boolean): void {
    const { B, D, H } = this;
    if (this.contiguous && this.attrs.layout === 0 && (!reverse || this.minLen === this.maxLen)) {
      const t = reverse ? this.maxLen - 1 - s : s;
      y.set(this.hViews[d]!, (t * D + d) * B * H);
      return;
    }
    for (let b = 0; b < B; b++) this.emit(y, d, b, s, reverse);
  }

  /** Writes row `b`'s hidden state into Y at its time index for iteration `s`, direction `d`. */
  protected emit(y: Float32Array, d: number, b: number, s: number, reverse: boolean): void {
    const { T, B, D, H } = this;
    const t = reverse ? this.lens[b]! - 1 - s : s;
    const o = this.attrs.layout === 1 ? ((b * T + t) * D + d) * H : ((t * D + d) * B + b) * H;
    const m = this.ws.mem;
    const src = this.h + b * this.HS;
    for (let j = 0; j < H; j++) y[o + j] = m[src + j]!;
  }

  // ---- internals ------------------------------------------------------------------------------------

  /** p = X·Wᵀ + pb for every staged row. */
  private project(d: number): void {
    const { T, B, GW } = this;
    const rows = T * B;
    if (rows === 0) return;
    this.ws.gemm(this.x, this.I, rows, this.I, this.w[d]!, GW, this.p, GW, this.pb[d]!, 0);
  }

  /** Initial states of every direction into the state rows at `base` (zeros when not given). */
  private loadStates(init: Tensor | undefined, base: number): void {
    const m = this.ws.mem;
    const { B, D } = this;
    if (init === undefined) m.fill(0, base, base + D * B * this.HS);
    else if (this.contiguous) m.set(init.data as Float32Array, base);
    else for (let d = 0; d < D; d++) this.loadState(d, init, base + d * B * this.HS);
  }

  /** Final states of every direction (rows at `base`) into Y_h / Y_c. */
  private storeStates(out: Float32Array, base: number, view: Float32Array): void {
    const { B, D } = this;
    if (this.contiguous && this.minLen > 0) out.set(view);
    else for (let d = 0; d < D; d++) this.storeState(d, out, base + d * B * this.HS);
  }

  private loadState(d: number, init: Tensor, dst: number): void {
    const m = this.ws.mem;
    const { B, D, H } = this;
    const src = init.data as Float32Array;
    const layout1 = this.attrs.layout === 1;
    for (let b = 0; b < B; b++) {
      const s = layout1 ? (b * D + d) * H : (d * B + b) * H;
      const o = dst + b * this.HS;
      for (let j = 0; j < H; j++) m[o + j] = src[s + j]!;
    }
  }

  private storeState(d: number, out: Float32Array, src: number): void {
    const m = this.ws.mem;
    const { B, D, H } = this;
    const layout1 = this.attrs.layout === 1;
    for (let b = 0; b < B; b++) {
      const o = layout1 ? (b * D + d) * H : (d * B + b) * H;
      const s = src + b * this.HS;
      // A row of length 0 ran no step: onnxruntime reports a zero state for it, not initial_h.
      if (this.lens[b] === 0) for (let j = 0; j < H; j++) out[o + j] = 0;
      else for (let j = 0; j < H; j++) out[o + j] = m[s + j]!;
    }
  }

  private readSeqLens(t: Tensor | undefined, T: number, B: number): void {
    if (this.lens.length < B) this.lens = new Int32Array(B);
    const lens = this.lens;
    if (t === undefined) {
      lens.fill(T, 0, B);
      return;
    }
    if (t.dtype !== 'int32' && t.dtype !== 'int64') {
      throw this.err(`sequence_lens must be int32, got ${t.dtype}`);
    }
    if (t.dims.length !== 1 || t.dims[0] !== B) {
      throw this.err(`sequence_lens must have dims [${B}] (one length per batch row), got ${fmt(t.dims)}`);
    }
    for (let b = 0; b < B; b++) {
      const v = Number(t.data[b]!);
      if (!(v >= 0 && v <= T)) {
        throw this.err(`sequence_lens[${b}] = ${v} is outside [0, ${T}] (the sequence length of X)`);
      }
      lens[b] = v;
    }
  }

  /** Validates W, R, B (and P) against each other and the attributes; returns the hidden size. */
  private checkWeights(
    W: Tensor,
    R: Tensor,
    b: Tensor | undefined,
    p: Tensor | undefined,
    inputSize: number | undefined,
  ): number {
    const { D, gates } = this;
    this.expectFloat(W, 'W');
    this.expectFloat(R, 'R');
    if (R.dims.length !== 3) throw this.err(`R must have rank 3 [${D}, ${gates}*hidden_size, hidden_size], got ${fmt(R.dims)}`);
    const H = this.attrs.hiddenSize ?? R.dims[2]!;
    this.expectDims(R, 'R', [D, gates * H, H]);
    if (W.dims.length !== 3) throw this.err(`W must have rank 3 [${D}, ${gates * H}, input_size], got ${fmt(W.dims)}`);
    this.expectDims(W, 'W', [D, gates * H, inputSize ?? W.dims[2]!]);
    if (b !== undefined) {
      this.expectFloat(b, 'B');
      this.expectDims(b, 'B', [D, 2 * gates * H]);
    }
    if (p !== undefined) {
      this.expectFloat(p, 'P');
      this.expectDims(p, 'P', [D, 3 * H]);
    }
    return H;
  }

  private layoutStatic(I: number, H: number): void {
    if (I === this.I && H === this.H) return;
    const { D, gates } = this;
    this.I = I;
    this.H = H;
    this.Hp = paddedHidden(H);
    this.GW = gates * this.Hp;
    this.HS = align4(H);
    this.gStride = (gates + this.extraGateSegments) * this.Hp;
    let o = 0;
    for (let d = 0; d < D; d++) {
      this.w[d] = o;
      o = align4(o + packedSize(gates, this.Hp, I));
      this.r[d] = o;
      o = align4(o + packedSize(gates, this.Hp, H));
      this.pb[d] = o;
      o = align4(o + this.GW);
      this.rb[d] = o;
      o = align4(o + this.Hp);
      this.pe[d] = o;
      o = align4(o + 3 * H);
    }
    this.staticEnd = o;
    this.T = -1; // force the dynamic regions to be laid out after the new static ones
    this.grow(o, true);
  }

  private layoutDynamic(T: number, B: number): void {
    // The check stays apart from the work: a function that makes objects costs an allocation on every
    // call once the JIT stops inlining it, even on the early return.
    if (T !== this.T || B !== this.B) this.relayoutDynamic(T, B);
  }

  private relayoutDynamic(T: number, B: number): void {
    this.T = T;
    this.B = B;
    const { D } = this;
    this.yDims = this.attrs.layout === 1 ? [B, T, D, this.H] : [T, D, B, this.H];
    this.stateDims = this.attrs.layout === 1 ? [B, D, this.H] : [D, B, this.H];
    const { H, GW, I } = this;
    let o = this.staticEnd;
    this.x = o;
    o = align4(o + T * B * I);
    this.p = o;
    o = align4(o + T * B * GW);
    this.g = o;
    o = align4(o + B * this.gStride);
    this.hAll = o;
    o = align4(o + this.D * B * this.HS);
    this.cAll = o;
    o = align4(o + this.D * B * this.HS);
    this.tmp = o;
    o = align4(o + B * this.HS);
    this.grow(o, false);
    // State rows packed exactly like the [D, B, H] tensors: block copies instead of row loops. The
    // views are made again whenever the layout (and so possibly the memory) changes.
    this.contiguous = this.HS === this.H && (this.attrs.layout === 0 || D === 1);
    if (this.contiguous) {
      const buf = this.ws.mem.buffer;
      const n = D * B * this.H;
      this.hAllView = new Float32Array(buf, this.hAll * 4, n);
      this.cAllView = new Float32Array(buf, this.cAll * 4, n);
      for (let d = 0; d < D; d++) this.hViews[d] = new Float32Array(buf, (this.hAll + d * B * this.H) * 4, B * this.H);
    }
  }

  private packAll(W: Tensor, R: Tensor, b: Tensor | undefined, p: Tensor | undefined): void {
    const { D, gates, H, Hp, I } = this;
    const m = this.ws.mem;
    const wd = W.data as Float32Array;
    const rd = R.data as Float32Array;
    for (let d = 0; d < D; d++) {
      packGateMatrix(m, this.w[d]!, wd, d * gates * H * I, gates, H, Hp, I);
      packGateMatrix(m, this.r[d]!, rd, d * gates * H * H, gates, H, Hp, H);
      this.packBiases(d, b?.data as Float32Array | undefined);
      if (p !== undefined) {
        const pd = p.data as Float32Array;
        for (let j = 0; j < 3 * H; j++) m[this.pe[d]! + j] = pd[d * 3 * H + j]!;
      }
    }
    this.usePeepholes = p !== undefined;
  }

  /**
   * Grows the workspace; where the engine cannot (WebAssembly's 4 GiB, memory limits) the layout is marked
   * stale (the static part, or only the per-run part) and a KernelError says how much was asked for.
   */
  private grow(floats: number, staticPart: boolean): void {
    try {
      this.ws.ensure(floats);
    } catch (e) {
      this.T = -1;
      if (staticPart) this.I = this.H = -1;
      throw new KernelError(`${this.attrs.where}: cannot allocate ${floats * 4} bytes of workspace (${(e as Error).message})`, { cause: e });
    }
  }

  private present(i: number): boolean {
    return (this.node.inputs[i] ?? '') !== '';
  }

  private need(inputs: readonly (Tensor | undefined)[], i: number, name: string): Tensor {
    const t = inputs[i];
    if (t === undefined) throw this.err(`input ${name} (position ${i}) is required but missing`);
    return t;
  }

  private expectFloat(t: Tensor, name: string): void {
    if (t.dtype !== ('float32' satisfies DType)) {
      throw this.err(`${name} must be float32 (the built-in executor runs recurrent operators in float32), got ${t.dtype}`);
    }
  }

  private expectDims(t: Tensor, name: string, dims: readonly number[]): void {
    // A plain loop: a closure here would be an allocation on every run.
    let ok = t.dims.length === dims.length;
    for (let i = 0; ok && i < dims.length; i++) ok = t.dims[i] === dims[i];
    if (!ok) throw this.err(`${name} must have dims ${fmt(dims)}, got ${fmt(t.dims)}`);
  }

  protected err(message: string): KernelError {
    return new KernelError(`${this.attrs.where}: ${message}`);
  }
}

const fmt = (dims: readonly number[]) => `[${dims.join(', ')}]`;
