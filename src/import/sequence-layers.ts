/**
 * Layers that shape sequences around recurrent ones: Masking (padding in numeric sequences, where there is
 * no Embedding to carry `mask_zero`) and RepeatVector (the bridge of an LSTM autoencoder or a simple
 * encoder–decoder: the encoder's last output repeated as every decoder input).
 */
import { ImportError } from '../errors.js';
import { tensor } from '../tensor.js';
import { checkKeys, intOpt, unsupported } from './options.js';
import type { LayerSpec } from './topology.js';
import { ONNX_TYPE, type ConvertContext, type KerasValue } from './values.js';

/**
 * Masking: a step whose every feature equals `mask_value` is padding. As in Keras, the mask travels with
 * the output (recurrent layers then skip those steps, wherever they are) and the masked steps' features
 * are zeroed. In the streaming form the same test runs on each frame.
 */
export function convertMasking(ctx: ConvertContext, layer: LayerSpec, x: KerasValue): KerasValue {
  checkKeys(layer, ['mask_value']);
  const value = layer.config['mask_value'] ?? 0;
  if (typeof value !== 'number' || !Number.isFinite(value)) unsupported(layer, 'mask_value', value, 'expected a finite number');
  if (x.shape.length !== 3) throw new ImportError(`layer '${layer.name}' (Masking): expects a [batch, time, features] input, got rank ${x.shape.length}`);
  const { em } = ctx;
  // Keras: any(x != mask_value) over the features; the max of 0/1 flags is that "any".
  const differs = em.op('Cast', [em.op('Not', [em.op('Equal', [x.name, em.float('mask_value', value)])])], { to: ONNX_TYPE.float32 });
  const mask = em.op('ReduceMax', [differs], { axes: [-1], keepdims: 0 }); // [batch, time]
  const zeroed = em.op('Mul', [x.name, em.op('Unsqueeze', [mask, em.int64s('axis2', [2])])]);
  return { name: zeroed, dtype: 'float32', shape: x.shape, mask: { mask } };
}

/**
 * RepeatVector(n): [batch, features] → [batch, n, features]. Only the whole-sequence form has it: the
 * repeated vector is a sequence's last output, which a frame-by-frame model does not have until the
 * sequence ends.
 */
export function convertRepeatVector(ctx: ConvertContext, layer: LayerSpec, x: KerasValue): KerasValue {
  checkKeys(layer, ['n']);
  const n = intOpt(layer, 'n');
  if (ctx.form === 'step') unsupported(layer, 'n', n, 'RepeatVector repeats a whole sequence\'s output, so it cannot run frame by frame; import the sequence form');
  if (x.shape.length !== 2) throw new ImportError(`layer '${layer.name}' (RepeatVector): expects a [batch, features] input, got rank ${x.shape.length}`);
  const { em } = ctx;
  const repeated = em.op('Tile', [em.op('Unsqueeze', [x.name, em.int64s('axis1', [1])]), em.constant('repeats', tensor('int64', [3], [1, n, 1]))]);
  return { name: repeated, dtype: x.dtype, shape: [x.shape[0]!, n, x.shape[1]!] };
}
