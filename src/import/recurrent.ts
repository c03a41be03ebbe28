/**
 * SimpleRNN, LSTM, GRU and Bidirectional → ONNX RNN / LSTM / GRU.
 *
 * Layout differences handled here:
 * - Keras kernels are [input, gates*units] with gates in Keras order; ONNX W is [dirs, gates*units, input]
 *   in ONNX order. LSTM gates are i,f,c,o in Keras and i,o,f,c in ONNX; GRU is z,r,h in both.
 * - GRU `reset_after: true` has a [2, 3*units] bias (input row, recurrent row) and applies the reset gate
 *   after the recurrent matmul: ONNX GRU `linear_before_reset = 1` with Wb and Rb. `reset_after: false`
 *   is `linear_before_reset = 0` with Rb = 0.
 * - Keras is batch-major; ONNX RNN ops are time-major (`layout = 1` is not accepted by onnxruntime), so
 *   the input is transposed on the way in and outputs on the way out.
 *
 * Masking (Keras semantics, padding anywhere: leading, trailing or scattered): masked steps carry the
 * state; a plain RNN with return_sequences emits its previous output at masked steps (zero before the
 * first real step; TensorFlow.js does the same), while Bidirectional with return_sequences emits zeros
 * there (Keras forces `zero_output_for_mask`; TensorFlow.js repeats the forward half's last output
 * instead — rxrnn follows Keras). The whole-sequence form compacts the real steps (masked-sequence.ts);
 * the streaming form carries the state over a padded frame.
 */
import { ImportError } from '../errors.js';
import type { Dim } from '../ir/graph.js';
import { tensor } from '../tensor.js';
import { activationName, rnnActivation, rnnActivationAttrs, type RnnActivation } from './activations.js';
import { boolOpt, checkKeys, intOpt, unsupported } from './options.js';
import type { LayerSpec } from './topology.js';
import { compactMaskedSequence } from './masked-sequence.js';
import type { ConvertContext, KerasValue, MaskValues } from './values.js';
import type { AttrValue } from '../onnx/build.js';

type CellKind = 'SimpleRNN' | 'LSTM' | 'GRU';

const ONNX_OP: Record<CellKind, string> = { SimpleRNN: 'RNN', LSTM: 'LSTM', GRU: 'GRU' };
/** For each ONNX gate slot, the Keras gate index that fills it. */
const GATE_FROM_KERAS: Record<CellKind, number[]> = { SimpleRNN: [0], LSTM: [0, 3, 1, 2], GRU: [0, 1, 2] };

const RNN_KEYS = [
  'units',
  'activation',
  'recurrent_activation',
  'use_bias',
  'unit_forget_bias',
  'dropout',
  'recurrent_dropout',
  'implementation',
  'reset_after',
  'return_sequences',
  'return_state',
  'go_backwards',
  'stateful',
  'unroll',
  'time_major',
  'use_cudnn',
  'zero_output_for_mask',
];

export interface RnnSpec {
  cell: CellKind;
  units: number;
  /** In ONNX order: RNN [f], LSTM [f, g, h], GRU [f, g]. */
  activations: RnnActivation[];
  useBias: boolean;
  resetAfter: boolean;
  returnSequences: boolean;
  returnState: boolean;
  goBackwards: boolean;
  /** Keras 3 saves it: emit zeros (not the previous output) at masked steps with return_sequences. */
  zeroOutputForMask: boolean;
}

export function isRecurrentClass(className: string): className is CellKind {
  return className === 'SimpleRNN' || className === 'LSTM' || className === 'GRU';
}

/** Reads and validates a SimpleRNN / LSTM / GRU config. */
export function readRnnSpec(layer: LayerSpec, cell: CellKind, config: Record<string, unknown>, kerasVersion: string | undefined): RnnSpec {
  checkKeys(layer, RNN_KEYS, config);
  if (config['time_major'] === true) unsupported(layer, 'time_major', true, 'Keras inputs are batch-major');
  const site = (option: string) => ({ layer: layer.name, className: layer.className, option });
  const act = rnnActivation(activationName(config['activation'] ?? 'tanh', site('activation')), site('activation'), kerasVersion);
  const activations: RnnActivation[] = [act];
  if (cell !== 'SimpleRNN') {
    // Keras 2 / Keras 3 default to sigmoid; TensorFlow.js writes its own default (hard_sigmoid) explicitly.
    const rec = rnnActivation(activationName(config['recurrent_activation'] ?? 'sigmoid', site('recurrent_activation')), site('recurrent_activation'), kerasVersion);
    activations.unshift(rec);
    if (cell === 'LSTM') activations.push(act);
  }
  if (cell !== 'GRU' && config['reset_after'] !== undefined) unsupported(layer, 'reset_after', config['reset_after'], 'only GRU has it');
  return {
    cell,
    units: intOpt(layer, 'units', config),
    activations,
    useBias: boolOpt(layer, 'use_bias', true, config),
    resetAfter: cell === 'GRU' ? boolOpt(layer, 'reset_after', defaultResetAfter(kerasVersion), config) : false,
    returnSequences: boolOpt(layer, 'return_sequences', false, config),
    returnState: boolOpt(layer, 'return_state', false, config),
    goBackwards: boolOpt(layer, 'go_backwards', false, config),
    zeroOutputForMask: boolOpt(layer, 'zero_output_for_mask', false, config),
  };
}

/**
 * GRU `reset_after` when the config leaves it out: TensorFlow.js always writes it; tf.keras (TF2, versions
 * `2.2.4-tf` and `2.4`+) and Keras 3 default to true, standalone Keras up to 2.3 to false. When the layer has
 * a bias, its shape settles it anyway (see {@link packDirection}).
 */
function defaultResetAfter(kerasVersion: string | undefined): boolean {
  return !(kerasVersion !== undefined && /^(1\.|2\.[0-3]\.)/.test(kerasVersion) && !kerasVersion.includes('-tf'));
}

interface Packed {
  inputSize: number;
  W: Float32Array;
  R: Float32Array;
  B: Float32Array | undefined;
}

/** Re-orders one direction's Keras weights into ONNX W, R, B rows. */
function packDirection(ctx: ConvertContext, layer: LayerSpec, spec: RnnSpec, direction?: 'forward' | 'backward'): Packed {
  const { weights } = ctx;
  const gates = GATE_FROM_KERAS[spec.cell];
  const G = gates.length;
  const U = spec.units;
  const kernel = weights.get(layer.name, layer.className, 'kernel', direction);
  const rec = weights.get(layer.name, layer.className, 'recurrent_kernel', direction);
  const F = kernel.dims[0]!;
  const expect = (what: string, dims: number[], want: number[]) => {
    if (dims.length !== want.length || dims.some((d, i) => d !== want[i])) {
      throw new ImportError(`layer '${layer.name}' (${layer.className}): ${what} has shape [${dims.join(', ')}], expected [${want.join(', ')}]`);
    }
  };
  expect('kernel', kernel.dims, [F, G * U]);
  expect('recurrent_kernel', rec.dims, [U, G * U]);
  const W = new Float32Array(G * U * F);
  const R = new Float32Array(G * U * U);
  for (let g = 0; g < G; g++) {
    const kg = gates[g]!;
    for (let u = 0; u < U; u++) {
      const row = g * U + u;
      const col = kg * U + u;
      for (let f = 0; f < F; f++) W[row * F + f] = kernel.data[f * G * U + col]!;
      for (let j = 0; j < U; j++) R[row * U + j] = rec.data[j * G * U + col]!;
    }
  }
  let B: Float32Array | undefined;
  if (spec.useBias) {
    const bias = weights.get(layer.name, layer.className, 'bias', direction);
    if (spec.cell === 'GRU' && layer.config['reset_after'] === undefined && (layer.className !== 'Bidirectional' || (layer.config['layer'] as { config?: Record<string, unknown> }).config?.['reset_after'] === undefined)) {
      // Not in the config: a [2, 3*units] bias can only be reset_after=true, a [3*units] one only false.
      spec.resetAfter = bias.dims.length === 2;
    }
    const twoRows = spec.cell === 'GRU' && spec.resetAfter;
    expect('bias', bias.dims, twoRows ? [2, G * U] : [G * U]);
    B = new Float32Array(2 * G * U); // [Wb, Rb]; Rb stays zero unless the bias has a recurrent row
    for (let g = 0; g < G; g++) {
      const kg = gates[g]!;
      for (let u = 0; u < U; u++) {
        B[g * U + u] = bias.data[kg * U + u]!;
        if (twoRows) B[G * U + g * U + u] = bias.data[G * U + kg * U + u]!;
      }
    }
  }
  return { inputSize: F, W, R, B };
}

function concatDirs(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** What a recurrent call needs besides the layer: its input and Keras initial states. */
export interface RecurrentCall {
  x: KerasValue;
  initialStates: KerasValue[];
}

const stateCount = (cell: CellKind) => (cell === 'LSTM' ? 2 : 1);

function checkInput(layer: LayerSpec, x: KerasValue, inputSize: number): void {
  if (x.shape.length !== 3) {
    throw new ImportError(`layer '${layer.name}' (${layer.className}): expects a [batch, time, features] input, got rank ${x.shape.length} ${JSON.stringify(x.shape)}`);
  }
  const f = x.shape[2];
  if (typeof f === 'number' && f !== inputSize) {
    throw new ImportError(`layer '${layer.name}' (${layer.className}): input has ${f} features but the kernel expects ${inputSize}`);
  }
}

/** ONNX attributes of the recurrent node. */
function nodeAttrs(spec: RnnSpec, direction: 'forward' | 'reverse' | 'bidirectional') {
  const acts = direction === 'bidirectional' ? [...spec.activations, ...spec.activations] : spec.activations;
  const attrs: Record<string, AttrValue> = {
    hidden_size: spec.units,
    direction,
    ...rnnActivationAttrs(acts),
  };
  if (spec.cell === 'GRU') attrs['linear_before_reset'] = spec.resetAfter ? 1 : 0;
  return attrs;
}

/** [batch, units] Keras state → [1, batch, units]. */
function toOnnxState(ctx: ConvertContext, s: KerasValue): string {
  return ctx.em.op('Unsqueeze', [s.name, ctx.em.int64s('axis0', [0])]);
}

/**
 * Converts one call of a SimpleRNN / LSTM / GRU layer. Returns Keras's outputs in order:
 * `[output, ...states]` (states only with return_state).
 */
export function convertRecurrent(ctx: ConvertContext, layer: LayerSpec, spec: RnnSpec, call: RecurrentCall): KerasValue[] {
  const { em } = ctx;
  const packed = packDirection(ctx, layer, spec);
  checkInput(layer, call.x, packed.inputSize);
  const G = GATE_FROM_KERAS[spec.cell].length;
  const U = spec.units;
  const F = packed.inputSize;
  const W = em.constant('W', tensor('float32', [1, G * U, F], packed.W));
  const R = em.constant('R', tensor('float32', [1, G * U, U], packed.R));
  const B = packed.B ? em.constant('B', tensor('float32', [1, 2 * G * U], packed.B)) : '';
  const nStates = stateCount(spec.cell);
  if (call.initialStates.length !== 0 && call.initialStates.length !== nStates) {
    throw new ImportError(`layer '${layer.name}' (${layer.className}): initial_state has ${call.initialStates.length} tensors, expected ${nStates}`);
  }
  const batch: Dim = call.x.shape[0] ?? 'batch';
  const time = call.x.shape[1] ?? null;
  const timeMajor = () => em.op('Transpose', [call.x.name], { perm: [1, 0, 2] });
  const mask = call.x.mask;

  if (ctx.form === 'step') {
    if (spec.goBackwards) unsupported(layer, 'go_backwards', true, 'a layer that reads its sequence backwards cannot run frame by frame');
    const hIn = em.input(stateName(em, layer.name, 'h_in'), 'float32', [1, batch, U]);
    const cIn = spec.cell === 'LSTM' ? em.input(stateName(em, layer.name, 'c_in'), 'float32', [1, batch, U]) : '';
    const hOutName = stateName(em, layer.name, 'h_out');
    const cOutName = spec.cell === 'LSTM' ? stateName(em, layer.name, 'c_out') : '';
    const outs = em.node(ONNX_OP[spec.cell], [timeMajor(), W, R, B, '', hIn, cIn], nodeAttrs(spec, 'forward'), spec.cell === 'LSTM' ? 3 : 2);
    let hOut: string;
    let cOut = '';
    if (mask) {
      // A padded frame keeps the state (and Keras repeats the previous output, which is that state).
      const m = em.op('Transpose', [em.op('Unsqueeze', [mask.mask, em.int64s('axis2', [2])])], { perm: [1, 0, 2] }); // [1, batch, 1]
      const carry = (fresh: string, prev: string, out: string) => em.op('Add', [prev, em.op('Mul', [m, em.op('Sub', [fresh, prev])])], {}, out);
      hOut = carry(outs[1]!, hIn, hOutName);
      if (spec.cell === 'LSTM') cOut = carry(outs[2]!, cIn, cOutName);
    } else {
      hOut = em.op('Identity', [outs[1]!], {}, hOutName);
      if (spec.cell === 'LSTM') cOut = em.op('Identity', [outs[2]!], {}, cOutName);
    }
    em.output(hOutName, 'float32', [1, batch, U]);
    ctx.states.push({ input: hIn, output: hOutName, units: U, layer: layer.name });
    if (spec.cell === 'LSTM') {
      em.output(cOutName, 'float32', [1, batch, U]);
      ctx.states.push({ input: cIn, output: cOutName, units: U, layer: layer.name });
    }
    let axis0Name = '';
    const axis0 = () => (axis0Name ||= em.int64s('axis0', [0]));
    const seqOut = mask && spec.zeroOutputForMask ? em.op('Mul', [hOut, em.op('Transpose', [em.op('Unsqueeze', [mask.mask, em.int64s('axis2', [2])])], { perm: [1, 0, 2] })]) : hOut;
    const output: KerasValue = spec.returnSequences
      ? { name: em.op('Transpose', [seqOut], { perm: [1, 0, 2] }), dtype: 'float32', shape: [batch, 1, U], ...(mask ? { mask } : {}) }
      : { name: em.op('Squeeze', [hOut, axis0()]), dtype: 'float32', shape: [batch, U] };
    if (!spec.returnState) return [output];
    const states = [hOut, cOut].slice(0, nStates).map((s) => ({ name: em.op('Squeeze', [s, axis0()]), dtype: 'float32' as const, shape: [batch, U] }));
    return [output, ...states];
  }

  const h0 = call.initialStates[0] ? toOnnxState(ctx, call.initialStates[0]) : '';
  const c0 = call.initialStates[1] ? toOnnxState(ctx, call.initialStates[1]) : '';
  if (mask) return maskedLayer(ctx, spec, call.x, mask, { W, R, B, h0, c0, F });
  const direction = spec.goBackwards ? 'reverse' : 'forward';
  const outs = em.node(ONNX_OP[spec.cell], [timeMajor(), W, R, B, '', h0, c0], nodeAttrs(spec, direction), spec.cell === 'LSTM' ? 3 : 2);
  const [Y, Yh, Yc] = outs as [string, string, string | undefined];
  let output: KerasValue;
  if (spec.returnSequences) {
    let seq = em.op('Transpose', [em.op('Squeeze', [Y, em.int64s('axis1', [1])])], { perm: [1, 0, 2] }); // [batch, time, units]
    // Keras returns a backwards layer's outputs in processing order (last input step first).
    if (spec.goBackwards) seq = reverseTime(ctx, seq);
    output = { name: seq, dtype: 'float32', shape: [batch, time, U] };
  } else {
    output = { name: em.op('Squeeze', [Yh, em.int64s('axis0', [0])]), dtype: 'float32', shape: [batch, U] };
  }
  return withStates(ctx, spec, output, [Yh, Yc]);
}

interface PackedOperands {
  W: string;
  R: string;
  B: string;
  h0: string;
  c0: string;
  F: number;
}

/**
 * A masked whole-sequence layer: the real steps compacted to the front (masked-sequence.ts) and run
 * forward; a `go_backwards` layer compacts the reversed sequence and mask, since Keras reverses both and
 * then runs forward, returning outputs in that processing order. The output keeps the input's mask, as
 * Keras's `compute_mask` does.
 */
function maskedLayer(ctx: ConvertContext, spec: RnnSpec, input: KerasValue, mask: MaskValues, p: PackedOperands): KerasValue[] {
  const { em } = ctx;
  const U = spec.units;
  const batch: Dim = input.shape[0] ?? 'batch';
  const x = spec.goBackwards ? reverseTime(ctx, input.name) : input.name;
  const m = spec.goBackwards ? reverseTime(ctx, mask.mask) : mask.mask;
  const compacted = compactMaskedSequence(ctx, x, m, p.F);
  const timeMajor = em.op('Transpose', [compacted.x], { perm: [1, 0, 2] });
  const outs = em.node(ONNX_OP[spec.cell], [timeMajor, p.W, p.R, p.B, compacted.seqLens, p.h0, p.c0], nodeAttrs(spec, 'forward'), spec.cell === 'LSTM' ? 3 : 2);
  const [Y, YhRaw, YcRaw] = outs as [string, string, string | undefined];
  const Yh = compacted.finalState(YhRaw, p.h0);
  const Yc = YcRaw === undefined ? undefined : compacted.finalState(YcRaw, p.c0);
  let output: KerasValue;
  if (spec.returnSequences) {
    const compact = em.op('Transpose', [em.op('Squeeze', [Y, em.int64s('axis1', [1])])], { perm: [1, 0, 2] }); // [batch, time, units]
    output = { name: compacted.expand(compact, U, spec.zeroOutputForMask), dtype: 'float32', shape: [batch, input.shape[1] ?? null, U], mask };
  } else {
    output = { name: compacted.lastOutput(em.op('Squeeze', [Yh, em.int64s('axis0', [0])])), dtype: 'float32', shape: [batch, U] };
  }
  return withStates(ctx, spec, output, [Yh, Yc]);
}

/** The layer's outputs: `[output]`, or with return_state `[output, h]` / `[output, h, c]` ([batch, units]). */
function withStates(ctx: ConvertContext, spec: RnnSpec, output: KerasValue, finals: (string | undefined)[]): KerasValue[] {
  if (!spec.returnState) return [output];
  const { em } = ctx;
  const axis0 = em.int64s('axis0', [0]);
  const states = finals.slice(0, stateCount(spec.cell)).map((s) => ({ name: em.op('Squeeze', [s!, axis0]), dtype: 'float32' as const, shape: output.shape.slice(0, 1).concat([spec.units]) }));
  return [output, ...states];
}

/** Reverses axis 1 (time) with a negative-step Slice. */
function reverseTime(ctx: ConvertContext, x: string): string {
  const { em } = ctx;
  return em.op('Slice', [x, em.int64s('starts', [-1]), em.int64s('ends', [-9223372036854775808]), em.int64s('axes', [1]), em.int64s('steps', [-1])]);
}

/** A unique state name `layer/h_in`; the emitter suffixes it if the name is taken. */
function stateName(em: ConvertContext['em'], layer: string, what: string): string {
  let name = `${layer}/${what}`;
  for (let k = 1; !em.reserve(name); k++) name = `${layer}/${what}_${k}`;
  return name;
}

const MERGE_MODES = ['concat', 'sum', 'mul', 'ave', null] as const;
type MergeMode = (typeof MERGE_MODES)[number];

/**
 * Converts one call of a Bidirectional wrapper. Keras outputs: `[merged]` (or `[forward, backward]` with
 * merge_mode None), then with return_state the forward states and the backward states.
 */
export function convertBidirectional(ctx: ConvertContext, layer: LayerSpec, call: RecurrentCall): KerasValue[] {
  const { em } = ctx;
  checkKeys(layer, ['layer', 'merge_mode', 'backward_layer', 'num_constants']);
  if (ctx.form === 'step') unsupported(layer, 'layer', (layer.config['layer'] as { class_name?: unknown } | undefined)?.class_name, 'a Bidirectional layer reads its sequence backwards too, so it cannot run frame by frame');
  const inner = layer.config['layer'] as { class_name?: unknown; config?: Record<string, unknown> } | undefined;
  if (!inner || typeof inner.class_name !== 'string' || !inner.config) throw new ImportError(`layer '${layer.name}' (Bidirectional): option 'layer' is missing or unreadable`);
  if (!isRecurrentClass(inner.class_name)) unsupported(layer, 'layer', inner.class_name, 'the wrapped layer must be SimpleRNN, LSTM or GRU');
  const mergeMode = (layer.config['merge_mode'] === undefined ? 'concat' : layer.config['merge_mode']) as MergeMode;
  if (!MERGE_MODES.includes(mergeMode)) unsupported(layer, 'merge_mode', mergeMode, 'expected concat, sum, mul, ave or null');
  const spec = readRnnSpec(layer, inner.class_name, inner.config, ctx.kerasVersion);
  if (spec.goBackwards) unsupported(layer, 'layer.go_backwards', true, 'a Bidirectional wrapper around a backwards layer is not supported');
  const back = layer.config['backward_layer'] as { class_name?: unknown; config?: Record<string, unknown> } | undefined;
  if (back) {
    const bspec = back.config && back.class_name === inner.class_name ? readRnnSpec(layer, inner.class_name, back.config, ctx.kerasVersion) : undefined;
    const same = bspec && bspec.units === spec.units && bspec.useBias === spec.useBias && bspec.resetAfter === spec.resetAfter && bspec.goBackwards &&
      JSON.stringify(bspec.activations) === JSON.stringify(spec.activations);
    if (!same) unsupported(layer, 'backward_layer', back.class_name, 'a backward layer that differs from the forward one is not supported');
  }

  const fw = packDirection(ctx, layer, spec, 'forward');
  const bw = packDirection(ctx, layer, spec, 'backward');
  checkInput(layer, call.x, fw.inputSize);
  if (bw.inputSize !== fw.inputSize) throw new ImportError(`layer '${layer.name}' (Bidirectional): forward and backward kernels disagree on the input size`);
  const G = GATE_FROM_KERAS[spec.cell].length;
  const U = spec.units;
  const F = fw.inputSize;
  const W = em.constant('W', tensor('float32', [2, G * U, F], concatDirs([fw.W, bw.W])));
  const R = em.constant('R', tensor('float32', [2, G * U, U], concatDirs([fw.R, bw.R])));
  const B = fw.B && bw.B ? em.constant('B', tensor('float32', [2, 2 * G * U], concatDirs([fw.B, bw.B]))) : '';
  const nStates = stateCount(spec.cell);
  const init = call.initialStates;
  if (init.length !== 0 && init.length !== 2 * nStates) {
    throw new ImportError(`layer '${layer.name}' (Bidirectional): initial_state has ${init.length} tensors, expected ${2 * nStates} (forward states, then backward)`);
  }
  const both = (i: number) => em.op('Concat', [toOnnxState(ctx, init[i]!), toOnnxState(ctx, init[nStates + i]!)], { axis: 0 });
  const h0 = init.length ? both(0) : '';
  const c0 = init.length && nStates === 2 ? both(1) : '';
  const batch: Dim = call.x.shape[0] ?? 'batch';
  const time = call.x.shape[1] ?? null;
  const mask = call.x.mask;
  // Masked: both directions run over the compacted real steps (masked-sequence.ts); the reverse direction
  // then walks them backwards, as Keras's backward layer does.
  const compacted = mask ? compactMaskedSequence(ctx, call.x.name, mask.mask, F) : undefined;
  const x = em.op('Transpose', [compacted?.x ?? call.x.name], { perm: [1, 0, 2] });
  const outs = em.node(ONNX_OP[spec.cell], [x, W, R, B, compacted?.seqLens ?? '', h0, c0], nodeAttrs(spec, 'bidirectional'), spec.cell === 'LSTM' ? 3 : 2);
  const [Y, YhRaw, YcRaw] = outs as [string, string, string | undefined];
  const Yh = compacted ? compacted.finalState(YhRaw, h0) : YhRaw;
  const Yc = compacted && YcRaw !== undefined ? compacted.finalState(YcRaw, c0) : YcRaw;
  let d0 = '';
  let d1 = '';
  const dir0 = () => (d0 ||= em.constant('dir0', tensor('int64', [], [0])));
  const dir1 = () => (d1 ||= em.constant('dir1', tensor('int64', [], [1])));

  const merge = (halves: () => [string, string], both: () => string, shape: Dim[], concatShape: Dim[]): KerasValue[] => {
    if (mergeMode === 'concat') return [{ name: both(), dtype: 'float32', shape: concatShape }];
    const [f, b] = halves();
    switch (mergeMode) {
      case 'sum':
        return [{ name: em.op('Add', [f, b]), dtype: 'float32', shape }];
      case 'mul':
        return [{ name: em.op('Mul', [f, b]), dtype: 'float32', shape }];
      case 'ave':
        return [{ name: em.op('Mul', [em.op('Add', [f, b]), em.float('half', 0.5)]), dtype: 'float32', shape }];
      default:
        return [
          { name: f, dtype: 'float32', shape },
          { name: b, dtype: 'float32', shape },
        ];
    }
  };

  let outputs: KerasValue[];
  if (spec.returnSequences && compacted) {
    // Keras forces zero outputs at masked steps in both halves of a Bidirectional with return_sequences.
    const half = (dir: string) => compacted.expand(em.op('Transpose', [em.op('Gather', [Y, dir], { axis: 1 })], { perm: [1, 0, 2] }), U, true);
    const fw = half(dir0());
    const bw = half(dir1());
    outputs = merge(() => [fw, bw], () => em.op('Concat', [fw, bw], { axis: 2 }), [batch, time, U], [batch, time, 2 * U]).map((o) => ({ ...o, mask: mask! }));
  } else if (spec.returnSequences) {
    const seq = em.op('Transpose', [Y], { perm: [2, 0, 1, 3] }); // [batch, time, 2, units]
    const halves = (): [string, string] => [em.op('Gather', [seq, dir0()], { axis: 2 }), em.op('Gather', [seq, dir1()], { axis: 2 })];
    outputs = merge(halves, () => em.op('Reshape', [seq, em.int64s('shape', [0, 0, -1])]), [batch, time, U], [batch, time, 2 * U]);
  } else {
    const last = (dir: string) => {
      const h = em.op('Gather', [Yh, dir], { axis: 0 });
      return compacted ? compacted.lastOutput(h) : h;
    };
    let halvesMemo: [string, string] | undefined;
    const halves = (): [string, string] => (halvesMemo ??= [last(dir0()), last(dir1())]);
    outputs = merge(halves, () => em.op('Concat', halves(), { axis: 1 }), [batch, U], [batch, 2 * U]);
  }
  if (!spec.returnState) return outputs;
  const fwStates: KerasValue[] = [];
  const bwStates: KerasValue[] = [];
  for (const s of [Yh, Yc].slice(0, nStates)) {
    fwStates.push({ name: em.op('Gather', [s!, dir0()], { axis: 0 }), dtype: 'float32', shape: [batch, U] });
    bwStates.push({ name: em.op('Gather', [s!, dir1()], { axis: 0 }), dtype: 'float32', shape: [batch, U] });
  }
  return [...outputs, ...fwStates, ...bwStates];
}
