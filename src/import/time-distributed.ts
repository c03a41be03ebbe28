/**
 * TimeDistributed(layer): the inner layer applied to every step of a [batch, time, ...rest] input, as
 * Keras does by folding time into the batch.
 *
 * Layers that act on the last axis alone (Dense, Activation, the dropout family, BatchNormalization,
 * LayerNormalization) broadcast over [batch, time] already, so their converter runs on the input as is.
 * Layers with axes of their own (Conv1D and the 1-D pools over a step's samples, Flatten, Reshape) run on
 * [batch·time, ...rest] between two Reshapes whose shapes come from the tensors' Shape when a dimension is
 * only known at run time. Either way the inner converter sees a value of rank one less, as the Keras inner
 * layer does, so its axis checks (LayerNormalization's saved `axis: [2]`) read the same.
 *
 * The inner layer's weights are saved under the wrapper's name (`time_distributed/kernel` in TF.js and
 * Keras 2, `time_distributed/conv1d/kernel` in Keras 3); the weight store finds both by that name.
 *
 * No inner layer here mixes time steps, so the wrapper runs frame by frame in the streaming form: the inner
 * layer is converted as if on a sequence form, where its own axis 1 is a step's samples, not time. The mask
 * travels past the inner layer unchanged (it is over [batch, time], which the wrapper keeps).
 */
import { ImportError } from '../errors.js';
import type { Dim } from '../ir/graph.js';
import { convertActivation, convertDense, convertIdentity, INFERENCE_IDENTITY } from './basic.js';
import { convertConv1D, convertFlatten, convertGlobalPooling1D, convertPooling1D } from './conv-layers.js';
import { convertBatchNormalization, convertLayerNormalization } from './norm-layers.js';
import { checkKeys, unsupported } from './options.js';
import { convertReshape } from './reshape-layers.js';
import type { LayerSpec } from './topology.js';
import type { ConvertContext, KerasValue } from './values.js';

type Inner = (ctx: ConvertContext, layer: LayerSpec, x: KerasValue) => KerasValue;

/** Inner layers that only touch the last axis: no reshape needed. */
const LAST_AXIS: Record<string, Inner> = {
  Dense: (ctx, layer, x) => convertDense(ctx, layer, x),
  Activation: convertActivation,
  BatchNormalization: convertBatchNormalization,
  LayerNormalization: convertLayerNormalization,
};

/** Inner layers with axes of their own: run on [batch·time, ...rest]. */
const FOLDED: Record<string, Inner> = {
  Conv1D: convertConv1D,
  MaxPooling1D: (ctx, layer, x) => convertPooling1D(ctx, layer, x, 'max'),
  AveragePooling1D: (ctx, layer, x) => convertPooling1D(ctx, layer, x, 'average'),
  GlobalMaxPooling1D: (ctx, layer, x) => convertGlobalPooling1D(ctx, layer, x, 'max'),
  GlobalAveragePooling1D: (ctx, layer, x) => convertGlobalPooling1D(ctx, layer, x, 'average'),
  Flatten: convertFlatten,
  Reshape: convertReshape,
};

const SUPPORTED_INNER = [...Object.keys(LAST_AXIS), ...Object.keys(FOLDED), ...INFERENCE_IDENTITY].join(', ');

const allKnown = (dims: readonly Dim[]): dims is number[] => dims.every((d) => typeof d === 'number');

/** Axes [from, to) of `v`'s shape as an int64 vector: a constant when known, else sliced from Shape. */
function dimsOf(ctx: ConvertContext, v: KerasValue, from: number, to: number): string {
  const { em } = ctx;
  const dims = v.shape.slice(from, to);
  if (allKnown(dims)) return em.int64s('dims', dims);
  return em.op('Slice', [em.op('Shape', [v.name]), em.int64s('starts', [from]), em.int64s('ends', [to]), em.int64s('axes', [0])]);
}

export function convertTimeDistributed(ctx: ConvertContext, layer: LayerSpec, x: KerasValue): KerasValue {
  const { em } = ctx;
  checkKeys(layer, ['layer']);
  const raw = layer.config['layer'] as { class_name?: unknown; config?: unknown } | undefined;
  const cls = raw?.class_name;
  const isKnown = typeof cls === 'string' && (cls in LAST_AXIS || cls in FOLDED || INFERENCE_IDENTITY.has(cls));
  if (!isKnown) unsupported(layer, 'layer', cls, `the inner layer must be one of ${SUPPORTED_INNER}`);
  const config = raw!.config;
  if (typeof config !== 'object' || config === null || Array.isArray(config)) unsupported(layer, 'layer', cls, 'the inner layer has no config');
  if (x.shape.length < 3) throw new ImportError(`layer '${layer.name}' (TimeDistributed(${cls})): expects a [batch, time, ...] input, got rank ${x.shape.length}`);

  // Named after the wrapper, whose name the weights are saved under; the class says both.
  const inner: LayerSpec = { className: `TimeDistributed(${cls})`, name: layer.name, config: config as Record<string, unknown>, calls: [] };
  const innerCtx: ConvertContext = { ...ctx, form: 'sequence' };
  const [B, T] = x.shape as [Dim, Dim];
  const merged: Dim = typeof B === 'number' && typeof T === 'number' ? B * T : T === 1 ? B : null;
  const rest = x.shape.slice(2);
  const withoutMask = (name: string): KerasValue => ({ name, dtype: x.dtype, shape: [merged, ...rest] });
  const done = (name: string, y: KerasValue): KerasValue => ({ name, dtype: y.dtype, shape: [B, T, ...y.shape.slice(1)], ...(x.mask ? { mask: x.mask } : {}) });

  if (INFERENCE_IDENTITY.has(cls)) {
    convertIdentity(inner, withoutMask(x.name));
    return x;
  }
  const lastAxis = LAST_AXIS[cls];
  if (lastAxis) {
    const y = lastAxis(innerCtx, inner, withoutMask(x.name));
    return done(y.name, y);
  }
  const rank = x.shape.length;
  const foldShape = em.op('Concat', [em.int64s('minus_one', [-1]), dimsOf(ctx, x, 2, rank)], { axis: 0 });
  const y = FOLDED[cls]!(innerCtx, inner, withoutMask(em.op('Reshape', [x.name, foldShape])));
  const unfoldShape = em.op('Concat', [dimsOf(ctx, x, 0, 2), dimsOf(ctx, y, 1, y.shape.length)], { axis: 0 });
  return done(em.op('Reshape', [y.name, unfoldShape]), y);
}
