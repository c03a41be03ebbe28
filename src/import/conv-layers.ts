/**
 * The convolutional front end of CNN-LSTM time-series models: Conv1D, MaxPooling1D / AveragePooling1D,
 * GlobalAveragePooling1D / GlobalMaxPooling1D and Flatten, all channels_last ([batch, time, features]).
 *
 * ONNX Conv and the pools work on [batch, channels, time], so each is wrapped in two Transposes. Keras's
 * "same" padding is TensorFlow's: total pad max((ceil(T/s) − 1)·s + (k − 1)·d + 1 − T, 0), the odd one on
 * the right. That is ONNX's SAME_UPPER too; explicit pads are written when T is known at import, so the
 * graph does not depend on a runtime's auto_pad.
 *
 * None of these can carry a mask along the time axis (a window mixes padded and real steps, and strides
 * change the length), so a mask arriving at them is an error, as it is in Keras for most of them. In the
 * streaming form only a pointwise Conv1D (kernel 1, stride 1) works: everything else needs neighbouring
 * frames or the whole sequence.
 */
import { ImportError } from '../errors.js';
import type { Dim } from '../ir/graph.js';
import { tensor } from '../tensor.js';
import { activationName, emitActivation } from './activations.js';
import { boolOpt, checkKeys, intOpt, unsupported } from './options.js';
import type { LayerSpec } from './topology.js';
import type { ConvertContext, KerasValue } from './values.js';

const where = (layer: LayerSpec) => `layer '${layer.name}' (${layer.className})`;

/** A 1-D size option: Keras writes `3` or `[3]` (TF.js and Python tuples). `fallback` when absent or null. */
function sizeOpt(layer: LayerSpec, key: string, fallback?: number): number {
  let v = layer.config[key];
  if ((v === undefined || v === null) && fallback !== undefined) return fallback;
  if (Array.isArray(v)) {
    if (v.length !== 1) unsupported(layer, key, v, 'a 1-D layer takes one value');
    v = v[0];
  }
  return intOpt(layer, key, { [key]: v });
}

function paddingOpt<P extends string>(layer: LayerSpec, allowed: readonly P[]): P {
  const v = layer.config['padding'] ?? 'valid';
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) unsupported(layer, 'padding', v, `expected one of ${allowed.join(', ')}`);
  return v as P;
}

function channelsLast(layer: LayerSpec): void {
  const v = layer.config['data_format'];
  if (v !== undefined && v !== null && v !== 'channels_last') {
    unsupported(layer, 'data_format', v, 'only channels_last ([batch, time, features]) is supported; transpose the input or re-save the model channels_last');
  }
}

function noMask(layer: LayerSpec, x: KerasValue): void {
  if (x.mask) {
    throw new ImportError(
      `${where(layer)} does not support a mask: the mask (from Masking or Embedding mask_zero) cannot follow the time axis through it; remove the mask or put this layer before it`,
    );
  }
}

function sequenceInput(layer: LayerSpec, x: KerasValue): void {
  if (x.shape.length !== 3) throw new ImportError(`${where(layer)}: expects a [batch, time, features] input, got rank ${x.shape.length}`);
}

/** The streaming form has no way to run a layer that mixes frames. */
function noStepForm(layer: LayerSpec, why: string): never {
  throw new ImportError(`${where(layer)}: the streaming form is not supported: ${why}; import the sequence form`);
}

/** Pads [begin, end] on the time axis, or SAME_UPPER when T is unknown (the same rule, applied at run time). */
function windowPads(padding: 'valid' | 'same' | 'causal', T: Dim, k: number, s: number, d: number): { pads: number[] } | { auto_pad: string } | Record<string, never> {
  const span = (k - 1) * d + 1;
  if (padding === 'valid') return {};
  if (padding === 'causal') return { pads: [span - 1, 0] };
  // With stride 1 the total pad is span − 1 whatever T is; only a strided window needs T, and then
  // SAME_UPPER (which onnxruntime refuses with dilations, but Keras has no strided dilated windows).
  if (typeof T !== 'number' && s === 1) return { pads: [Math.floor((span - 1) / 2), span - 1 - Math.floor((span - 1) / 2)] };
  if (typeof T !== 'number') return { auto_pad: 'SAME_UPPER' };
  const total = Math.max((Math.ceil(T / s) - 1) * s + span - T, 0);
  return { pads: [Math.floor(total / 2), total - Math.floor(total / 2)] };
}

/** The output length of a windowed layer; unknown stays unknown (the same symbol when the length is kept). */
function outLength(layer: LayerSpec, padding: 'valid' | 'same' | 'causal', T: Dim, k: number, s: number, d: number): Dim {
  if (typeof T !== 'number') return padding !== 'valid' && s === 1 ? T : null;
  const out = padding === 'valid' ? Math.floor((T - (k - 1) * d - 1) / s) + 1 : Math.ceil(T / s);
  if (out < 1) throw new ImportError(`${where(layer)}: the input has ${T} steps, too few for a window of ${(k - 1) * d + 1} with padding 'valid'`);
  return out;
}

/** Runs `op` on [batch, channels, time] between two Transposes. */
function channelsFirst(ctx: ConvertContext, x: string, op: (xt: string) => string): string {
  const { em } = ctx;
  return em.op('Transpose', [op(em.op('Transpose', [x], { perm: [0, 2, 1] }))], { perm: [0, 2, 1] });
}

/**
 * Conv1D. A pointwise one (kernel 1, stride 1) is a MatMul on the features, which runs frame by frame;
 * any other needs its neighbours, so it has only the sequence form.
 */
export function convertConv1D(ctx: ConvertContext, layer: LayerSpec, x: KerasValue): KerasValue {
  const { em } = ctx;
  checkKeys(layer, ['filters', 'kernel_size', 'strides', 'padding', 'dilation_rate', 'activation', 'use_bias', 'data_format', 'groups']);
  channelsLast(layer);
  if (layer.config['groups'] !== undefined && layer.config['groups'] !== null && layer.config['groups'] !== 1) {
    unsupported(layer, 'groups', layer.config['groups'], 'only groups = 1 is supported');
  }
  sequenceInput(layer, x);
  noMask(layer, x);
  const filters = intOpt(layer, 'filters');
  const k = sizeOpt(layer, 'kernel_size');
  const s = sizeOpt(layer, 'strides', 1);
  const d = sizeOpt(layer, 'dilation_rate', 1);
  const padding = paddingOpt(layer, ['valid', 'same', 'causal'] as const);
  if (s > 1 && d > 1) unsupported(layer, 'dilation_rate', d, `Keras does not define a strided (strides ${s}) dilated window`);
  const pointwise = k === 1 && s === 1;
  if (ctx.form === 'step' && !pointwise) {
    const [key, value] = k !== 1 ? ['kernel_size', k] : ['strides', s];
    unsupported(layer, key, value, 'a Conv1D wider than one frame, or strided, needs neighbouring frames, so it cannot run frame by frame (kernel_size 1 and strides 1 can); import the sequence form');
  }
  const C = x.shape[2];
  const kernel = ctx.weights.get(layer.name, layer.className, 'kernel');
  if (kernel.dims.length !== 3 || kernel.dims[0] !== k || kernel.dims[2] !== filters || (typeof C === 'number' && kernel.dims[1] !== C)) {
    throw new ImportError(`${where(layer)}: kernel has shape [${kernel.dims.join(', ')}], expected [${k}, ${C ?? '?'}, ${filters}]`);
  }
  const inC = kernel.dims[1]!;
  let bias: Float32Array | undefined;
  if (boolOpt(layer, 'use_bias', true)) {
    const b = ctx.weights.get(layer.name, layer.className, 'bias');
    if (b.dims.length !== 1 || b.dims[0] !== filters) throw new ImportError(`${where(layer)}: bias has shape [${b.dims.join(', ')}], expected [${filters}]`);
    bias = b.data;
  }
  let y: string;
  if (pointwise) {
    // Keras's [1, in, out] kernel is Dense's [in, out]; padding changes nothing for a one-frame window.
    y = em.op('MatMul', [x.name, em.constant('kernel', tensor('float32', [inC, filters], kernel.data))]);
    if (bias) y = em.op('Add', [y, em.constant('bias', tensor('float32', [filters], bias))]);
  } else {
    // Keras [k, in, out] → ONNX W [out, in, k].
    const w = new Float32Array(filters * inC * k);
    for (let t = 0; t < k; t++) for (let i = 0; i < inC; i++) for (let o = 0; o < filters; o++) w[(o * inC + i) * k + t] = kernel.data[(t * inC + i) * filters + o]!;
    const inputs = [em.constant('W', tensor('float32', [filters, inC, k], w))];
    if (bias) inputs.push(em.constant('B', tensor('float32', [filters], bias)));
    const attrs = { kernel_shape: [k], strides: [s], dilations: [d], ...windowPads(padding, x.shape[1] ?? null, k, s, d) };
    y = channelsFirst(ctx, x.name, (xt) => em.op('Conv', [xt, ...inputs], attrs));
  }
  const site = { layer: layer.name, className: layer.className, option: 'activation' };
  y = emitActivation(em, activationName(layer.config['activation'], site), y, site, ctx.kerasVersion);
  return { name: y, dtype: 'float32', shape: [x.shape[0]!, outLength(layer, padding, x.shape[1] ?? null, k, s, d), filters] };
}

/** MaxPooling1D / AveragePooling1D over time; strides default to the pool size, as in Keras. */
export function convertPooling1D(ctx: ConvertContext, layer: LayerSpec, x: KerasValue, kind: 'max' | 'average'): KerasValue {
  const { em } = ctx;
  checkKeys(layer, ['pool_size', 'strides', 'padding', 'data_format']);
  channelsLast(layer);
  sequenceInput(layer, x);
  noMask(layer, x);
  const p = sizeOpt(layer, 'pool_size', 2);
  const s = sizeOpt(layer, 'strides', p);
  const padding = paddingOpt(layer, ['valid', 'same'] as const);
  if (ctx.form === 'step') unsupported(layer, 'pool_size', p, 'pooling over time needs neighbouring frames, so it cannot run frame by frame; import the sequence form');
  const attrs = {
    kernel_shape: [p],
    strides: [s],
    ...windowPads(padding, x.shape[1] ?? null, p, s, 1),
    // TensorFlow's "same" average divides by the steps inside the input only.
    ...(kind === 'average' ? { count_include_pad: 0 } : {}),
  };
  const y = channelsFirst(ctx, x.name, (xt) => em.op(kind === 'max' ? 'MaxPool' : 'AveragePool', [xt], attrs));
  return { name: y, dtype: x.dtype, shape: [x.shape[0]!, outLength(layer, padding, x.shape[1] ?? null, p, s, 1), x.shape[2]!] };
}

/** GlobalAveragePooling1D / GlobalMaxPooling1D: mean or max over the time axis. */
export function convertGlobalPooling1D(ctx: ConvertContext, layer: LayerSpec, x: KerasValue, kind: 'max' | 'average'): KerasValue {
  checkKeys(layer, ['data_format', 'keepdims']);
  channelsLast(layer);
  sequenceInput(layer, x);
  noMask(layer, x);
  if (ctx.form === 'step') noStepForm(layer, 'it pools over the whole sequence, which a frame-by-frame model does not have until the sequence ends');
  const keep = boolOpt(layer, 'keepdims', false);
  const y = ctx.em.op(kind === 'max' ? 'ReduceMax' : 'ReduceMean', [x.name], { axes: [1], keepdims: keep ? 1 : 0 });
  return { name: y, dtype: x.dtype, shape: keep ? [x.shape[0]!, 1, x.shape[2]!] : [x.shape[0]!, x.shape[2]!] };
}

/** Flatten: [batch, d1, d2, ...] → [batch, d1·d2·...]. */
export function convertFlatten(ctx: ConvertContext, layer: LayerSpec, x: KerasValue): KerasValue {
  const { em } = ctx;
  checkKeys(layer, ['data_format']);
  noMask(layer, x);
  if (x.shape.length <= 2) return x;
  if (ctx.form === 'step') noStepForm(layer, 'flattening the time axis needs the whole sequence');
  let input = x.name;
  let rest = x.shape.slice(1);
  const format = layer.config['data_format'];
  if (format === 'channels_first') {
    // Keras moves the channels (axis 1) last before flattening.
    const perm = [0, ...rest.map((_, i) => i + 2).slice(0, -1), 1];
    input = em.op('Transpose', [input], { perm });
    rest = [...rest.slice(1), rest[0]!];
  } else channelsLast(layer);
  const size = rest.every((dim) => typeof dim === 'number') ? (rest as number[]).reduce((a, b) => a * b, 1) : null;
  // 0 keeps the batch; -1 works out the rest when a length is only known at run time.
  const y = em.op('Reshape', [input, em.int64s('shape', [0, size ?? -1])]);
  return { name: y, dtype: x.dtype, shape: [x.shape[0]!, size] };
}
