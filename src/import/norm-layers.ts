/**
 * BatchNormalization (inference: the moving statistics) and LayerNormalization, both over the last axis.
 * Each acts on one step's features alone, so both run frame by frame and pass a mask through unchanged.
 */
import { ImportError } from '../errors.js';
import { attr } from '../onnx/build.js';
import { tensor } from '../tensor.js';
import { boolOpt, checkKeys, unsupported } from './options.js';
import type { LayerSpec } from './topology.js';
import type { ConvertContext, KerasValue } from './values.js';

const where = (layer: LayerSpec) => `layer '${layer.name}' (${layer.className})`;

/**
 * Only the last axis: Keras writes `-1`, or after building a list of positive axes (`[2]`), as TF.js does.
 */
function lastAxisOnly(layer: LayerSpec, x: KerasValue): void {
  const v = layer.config['axis'] ?? -1;
  const axes = Array.isArray(v) ? v : [v];
  const rank = x.shape.length;
  if (axes.length !== 1 || (axes[0] !== -1 && axes[0] !== rank - 1)) unsupported(layer, 'axis', v, `only the last axis (-1, here ${rank - 1}) is supported`);
}

function epsilonOpt(layer: LayerSpec): number {
  const v = layer.config['epsilon'] ?? 1e-3;
  if (typeof v !== 'number' || !(v >= 0)) unsupported(layer, 'epsilon', v, 'expected a non-negative number');
  return v;
}

/** A per-feature weight checked against the feature count. */
function featureWeight(ctx: ConvertContext, layer: LayerSpec, kind: string, n: number | undefined): Float32Array {
  const w = ctx.weights.get(layer.name, layer.className, kind);
  if (w.dims.length !== 1 || (n !== undefined && w.dims[0] !== n)) throw new ImportError(`${where(layer)}: ${kind} has shape [${w.dims.join(', ')}], expected [${n ?? '?'}]`);
  return w.data;
}

const features = (x: KerasValue) => {
  const f = x.shape[x.shape.length - 1];
  return typeof f === 'number' ? f : undefined;
};

/**
 * BatchNormalization at inference: (x − moving_mean) · gamma / sqrt(moving_variance + epsilon) + beta.
 * The per-feature factor is folded in double at import; gamma is 1 without `scale`, beta 0 without `center`.
 */
export function convertBatchNormalization(ctx: ConvertContext, layer: LayerSpec, x: KerasValue): KerasValue {
  const { em } = ctx;
  checkKeys(layer, ['axis', 'momentum', 'epsilon', 'center', 'scale', 'synchronized', 'fused', 'renorm', 'renorm_clipping', 'renorm_momentum', 'virtual_batch_size', 'adjustment']);
  // Renorm and ghost batches change training only, but a model saved with them is not worth guessing at.
  if (layer.config['renorm'] === true) unsupported(layer, 'renorm', true, 'batch renormalization is not supported');
  for (const key of ['virtual_batch_size', 'adjustment']) {
    if (layer.config[key] !== undefined && layer.config[key] !== null) unsupported(layer, key, layer.config[key], 'not supported');
  }
  if (x.shape.length < 2) throw new ImportError(`${where(layer)}: expects an input with a feature axis, got rank ${x.shape.length}`);
  lastAxisOnly(layer, x);
  const eps = epsilonOpt(layer);
  const mean = featureWeight(ctx, layer, 'moving_mean', features(x));
  const n = mean.length;
  const variance = featureWeight(ctx, layer, 'moving_variance', n);
  const gamma = boolOpt(layer, 'scale', true) ? featureWeight(ctx, layer, 'gamma', n) : undefined;
  const beta = boolOpt(layer, 'center', true) ? featureWeight(ctx, layer, 'beta', n) : undefined;
  const factor = new Float32Array(n);
  for (let i = 0; i < n; i++) factor[i] = (gamma ? gamma[i]! : 1) / Math.sqrt(variance[i]! + eps);
  let y = em.op('Sub', [x.name, em.constant('moving_mean', tensor('float32', [n], mean))]);
  y = em.op('Mul', [y, em.constant('factor', tensor('float32', [n], factor))]);
  if (beta) y = em.op('Add', [y, em.constant('beta', tensor('float32', [n], beta))]);
  return { ...x, name: y, dtype: 'float32' };
}

/** LayerNormalization over the last axis: ONNX LayerNormalization (opset 17). */
export function convertLayerNormalization(ctx: ConvertContext, layer: LayerSpec, x: KerasValue): KerasValue {
  const { em } = ctx;
  checkKeys(layer, ['axis', 'epsilon', 'center', 'scale', 'rms_scaling']);
  if (layer.config['rms_scaling'] === true) unsupported(layer, 'rms_scaling', true, 'RMS normalization is not supported');
  if (x.shape.length < 2) throw new ImportError(`${where(layer)}: expects an input with a feature axis, got rank ${x.shape.length}`);
  lastAxisOnly(layer, x);
  const eps = epsilonOpt(layer);
  const scale = boolOpt(layer, 'scale', true) ? featureWeight(ctx, layer, 'gamma', features(x)) : undefined;
  const n = scale?.length ?? features(x);
  if (n === undefined) throw new ImportError(`${where(layer)}: the feature axis must have a known size when scale is false`);
  const beta = boolOpt(layer, 'center', true) ? featureWeight(ctx, layer, 'beta', n) : undefined;
  const inputs = [x.name, em.constant('gamma', tensor('float32', [n], scale ?? new Float32Array(n).fill(1)))];
  if (beta) inputs.push(em.constant('beta', tensor('float32', [n], beta)));
  const y = em.op('LayerNormalization', inputs, { axis: -1, epsilon: attr.float(eps) });
  return { ...x, name: y, dtype: 'float32' };
}
