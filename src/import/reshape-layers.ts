/**
 * Reshape and Permute (the batch axis excluded, as in Keras).
 *
 * Neither carries a mask (TensorFlow.js refuses one too): a mask belongs to the time axis, which these
 * layers may move or merge. In the streaming form they run frame by frame only when they leave the time
 * axis (a length-1 axis 1 there, see merge-layers.ts) where it is.
 */
import { ImportError } from '../errors.js';
import type { Dim } from '../ir/graph.js';
import { hasFrameAxis } from './merge-layers.js';
import { checkKeys, unsupported } from './options.js';
import type { LayerSpec } from './topology.js';
import type { ConvertContext, KerasValue } from './values.js';

const where = (layer: LayerSpec) => `layer '${layer.name}' (${layer.className})`;

function noMask(layer: LayerSpec, x: KerasValue): void {
  if (x.mask) {
    throw new ImportError(
      `${where(layer)} does not support a mask (from Masking or Embedding mask_zero), as in Keras and TensorFlow.js: the mask follows the time axis, which this layer may move; remove the mask or put this layer before it`,
    );
  }
}

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
const allKnown = (dims: readonly Dim[]): dims is number[] => dims.every((d) => typeof d === 'number');

/** `target_shape` with the one unknown dimension (-1 or null) as null. */
function targetShape(layer: LayerSpec): (number | null)[] {
  const raw = layer.config['target_shape'];
  if (!Array.isArray(raw) || raw.length === 0) unsupported(layer, 'target_shape', raw, 'expected a list of dimensions');
  const dims = raw.map((d) => {
    if (d === null || d === -1) return null;
    if (typeof d !== 'number' || !Number.isInteger(d) || d <= 0) unsupported(layer, 'target_shape', raw, 'dimensions must be positive integers, with at most one -1');
    return d;
  });
  if (dims.filter((d) => d === null).length > 1) unsupported(layer, 'target_shape', raw, 'at most one dimension may be -1');
  return dims;
}

/** Reshape: [batch, ...] → [batch, ...target_shape], one dimension (-1) worked out from the rest. */
export function convertReshape(ctx: ConvertContext, layer: LayerSpec, x: KerasValue): KerasValue {
  const { em } = ctx;
  checkKeys(layer, ['target_shape']);
  const target = targetShape(layer);
  noMask(layer, x);
  const rest = x.shape.slice(1);
  if (hasFrameAxis(ctx, x)) {
    // Frame by frame only when the time axis stays axis 1 and the rest of each step maps onto the rest of
    // the target; the time length is then whatever it is (one frame here).
    const stepRest = rest.slice(1);
    const targetRest = target.slice(1);
    if (!(target.length >= 1 && allKnown(stepRest) && allKnown(targetRest) && product(stepRest) === product(targetRest))) {
      unsupported(layer, 'target_shape', layer.config['target_shape'], 'it reshapes across the time axis, which needs the whole sequence, so it cannot run frame by frame; import the sequence form');
    }
    const y = em.op('Reshape', [x.name, em.int64s('shape', [0, -1, ...(targetRest as number[])])]);
    return { name: y, dtype: x.dtype, shape: [x.shape[0]!, 1, ...(targetRest as number[])] };
  }
  let out: Dim[];
  if (allKnown(rest)) {
    const known = product(target.filter((d): d is number => d !== null));
    const size = product(rest);
    const unknown = target.indexOf(null);
    if (unknown < 0 ? known !== size : size % known !== 0) {
      throw new ImportError(`${where(layer)}: cannot reshape [${rest.join(', ')}] (${size} values per row) to target_shape [${target.map((d) => d ?? -1).join(', ')}]`);
    }
    out = target.map((d) => d ?? size / known);
  } else {
    // An unknown length stays symbolic where the -1 is exactly it (time kept, the rest of each step reshaped).
    const keepsTime = target[0] === null && allKnown(rest.slice(1)) && allKnown(target.slice(1)) && product(rest.slice(1) as number[]) === product(target.slice(1) as number[]);
    out = keepsTime ? [rest[0]!, ...target.slice(1)] : [...target];
  }
  // 0 copies the batch; -1 is the unknown dimension, worked out at run time.
  const y = em.op('Reshape', [x.name, em.int64s('shape', [0, ...target.map((d) => d ?? -1)])]);
  return { name: y, dtype: x.dtype, shape: [x.shape[0]!, ...out] };
}

/** Permute: `dims` is a 1-based permutation of the non-batch axes. */
export function convertPermute(ctx: ConvertContext, layer: LayerSpec, x: KerasValue): KerasValue {
  checkKeys(layer, ['dims']);
  const raw = layer.config['dims'];
  const n = x.shape.length - 1;
  const ok = Array.isArray(raw) && raw.length === n && [...raw].sort((a, b) => a - b).every((d, i) => d === i + 1);
  if (!ok) unsupported(layer, 'dims', raw, `expected a permutation of 1..${n} for a rank-${x.shape.length} input (the batch axis is not counted)`);
  const dims = raw as number[];
  noMask(layer, x);
  if (hasFrameAxis(ctx, x) && dims[0] !== 1) {
    unsupported(layer, 'dims', raw, 'it moves the time axis, which needs the whole sequence, so it cannot run frame by frame; import the sequence form');
  }
  const y = ctx.em.op('Transpose', [x.name], { perm: [0, ...dims] });
  return { name: y, dtype: x.dtype, shape: [x.shape[0]!, ...dims.map((d) => x.shape[d]!)] };
}
