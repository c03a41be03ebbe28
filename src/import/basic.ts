/**
 * The non-recurrent layers: InputLayer, Embedding (with mask_zero), Dense, Activation and the dropout
 * family (identity at inference). TimeDistributed is time-distributed.ts.
 */
import { ImportError } from '../errors.js';
import type { Dim } from '../ir/graph.js';
import { tensor, type DType } from '../tensor.js';
import { activationName, emitActivation } from './activations.js';
import { boolOpt, checkKeys, intOpt, unsupported } from './options.js';
import { declaredBatchShape, type LayerSpec } from './topology.js';
import { ONNX_TYPE, type ConvertContext, type KerasValue, type MaskValues } from './values.js';

function kerasDType(layer: LayerSpec): DType {
  let d = layer.config['dtype'];
  // Keras 3 writes a dtype policy object.
  if (typeof d === 'object' && d !== null) d = (d as { config?: { name?: unknown } }).config?.name;
  if (d === undefined || d === null || d === 'float32' || d === 'float16' || d === 'float64' || d === 'mixed_float16') return 'float32';
  if (d === 'int32' || d === 'int64') return d;
  return unsupported(layer, 'dtype', d, 'inputs must be float32, int32 or int64');
}

/**
 * A graph input for an InputLayer. In the streaming form the time axis (axis 1) is one frame long.
 */
export function convertInput(ctx: ConvertContext, layer: LayerSpec): KerasValue {
  checkKeys(layer, ['sparse', 'ragged', 'optional']);
  if (layer.config['sparse'] === true) unsupported(layer, 'sparse', true, 'sparse inputs are not supported');
  if (layer.config['ragged'] === true) unsupported(layer, 'ragged', true, 'ragged inputs are not supported');
  const shape = declaredBatchShape(layer.config);
  if (!shape) throw new ImportError(`layer '${layer.name}' (InputLayer): no batch_input_shape / batch_shape`);
  const dims: Dim[] = shape.map((d, i) => (i === 0 ? 'batch' : d === null ? (i === 1 ? 'time' : null) : d));
  if (ctx.form === 'step') {
    if (dims.length < 2) throw new ImportError(`layer '${layer.name}' (InputLayer): the streaming form needs a [batch, time, ...] input, got rank ${dims.length}`);
    dims[1] = 1;
  }
  const dtype = kerasDType(layer);
  if (!ctx.em.reserve(layer.name)) throw new ImportError(`layer '${layer.name}' (InputLayer): the name is used twice`);
  return { name: ctx.em.input(layer.name, dtype, dims), dtype, shape: dims };
}

/** Embedding: a Gather of the table; with mask_zero, id 0 marks padding. */
export function convertEmbedding(ctx: ConvertContext, layer: LayerSpec, x: KerasValue): KerasValue {
  const { em } = ctx;
  checkKeys(layer, ['input_dim', 'output_dim', 'mask_zero', 'sparse', 'lora_rank', 'lora_alpha']);
  if (layer.config['sparse'] === true) unsupported(layer, 'sparse', true, 'sparse embeddings are not supported');
  if (layer.config['lora_rank'] !== undefined && layer.config['lora_rank'] !== null) unsupported(layer, 'lora_rank', layer.config['lora_rank'], 'LoRA embeddings are not supported');
  const V = intOpt(layer, 'input_dim');
  const E = intOpt(layer, 'output_dim');
  const table = ctx.weights.get(layer.name, layer.className, 'embeddings');
  if (table.dims[0] !== V || table.dims[1] !== E) {
    throw new ImportError(`layer '${layer.name}' (Embedding): embeddings have shape [${table.dims.join(', ')}], expected [${V}, ${E}]`);
  }
  const ids = x.dtype === 'float32' ? em.op('Cast', [x.name], { to: ONNX_TYPE.int64 }) : x.name; // Keras casts ids to int
  const out = em.op('Gather', [em.constant('embeddings', tensor('float32', [V, E], table.data)), ids], { axis: 0 });
  const value: KerasValue = { name: out, dtype: 'float32', shape: [...x.shape, E] };
  if (boolOpt(layer, 'mask_zero', false)) {
    if (x.shape.length !== 2) throw new ImportError(`layer '${layer.name}' (Embedding): mask_zero needs [batch, time] ids, got rank ${x.shape.length}`);
    const mask = em.op('Cast', [em.op('Cast', [x.name], { to: ONNX_TYPE.bool })], { to: ONNX_TYPE.float32 }); // 1 where id != 0
    const m: MaskValues = { mask };
    value.mask = m;
  } else if (x.mask) {
    value.mask = x.mask;
  }
  return value;
}

/** Dense on the last axis (so TimeDistributed(Dense) needs no reshape). `config` is the inner layer's there. */
export function convertDense(ctx: ConvertContext, layer: LayerSpec, x: KerasValue, config: Record<string, unknown> = layer.config): KerasValue {
  const { em } = ctx;
  checkKeys(layer, ['units', 'activation', 'use_bias', 'lora_rank', 'lora_alpha', 'quantization_config'], config);
  if (config['lora_rank'] !== undefined && config['lora_rank'] !== null) unsupported(layer, 'lora_rank', config['lora_rank'], 'LoRA layers are not supported');
  if (config['quantization_config'] !== undefined && config['quantization_config'] !== null) unsupported(layer, 'quantization_config', config['quantization_config'], 'quantized Dense is not supported');
  const units = intOpt(layer, 'units', config);
  const kernel = ctx.weights.get(layer.name, layer.className, 'kernel');
  const inSize = x.shape[x.shape.length - 1];
  if (kernel.dims.length !== 2 || kernel.dims[1] !== units || (typeof inSize === 'number' && kernel.dims[0] !== inSize)) {
    throw new ImportError(`layer '${layer.name}' (${layer.className}): kernel has shape [${kernel.dims.join(', ')}], expected [${inSize ?? '?'}, ${units}]`);
  }
  let y = em.op('MatMul', [x.name, em.constant('kernel', tensor('float32', kernel.dims, kernel.data))]);
  if (boolOpt(layer, 'use_bias', true, config)) {
    const bias = ctx.weights.get(layer.name, layer.className, 'bias');
    if (bias.dims.length !== 1 || bias.dims[0] !== units) throw new ImportError(`layer '${layer.name}' (${layer.className}): bias has shape [${bias.dims.join(', ')}], expected [${units}]`);
    y = em.op('Add', [y, em.constant('bias', tensor('float32', [units], bias.data))]);
  }
  const site = { layer: layer.name, className: layer.className, option: 'activation' };
  y = emitActivation(em, activationName(config['activation'], site), y, site, ctx.kerasVersion);
  return { name: y, dtype: 'float32', shape: [...x.shape.slice(0, -1), units], ...(x.mask ? { mask: x.mask } : {}) };
}

export function convertActivation(ctx: ConvertContext, layer: LayerSpec, x: KerasValue): KerasValue {
  checkKeys(layer, ['activation']);
  const site = { layer: layer.name, className: layer.className, option: 'activation' };
  return { ...x, name: emitActivation(ctx.em, activationName(layer.config['activation'], site), x.name, site, ctx.kerasVersion) };
}

/** Layers that only act while training. */
export const INFERENCE_IDENTITY = new Set(['Dropout', 'SpatialDropout1D', 'GaussianDropout', 'GaussianNoise', 'AlphaDropout', 'ActivityRegularization']);

export function convertIdentity(layer: LayerSpec, x: KerasValue): KerasValue {
  checkKeys(layer, ['rate', 'noise_shape', 'stddev', 'l1', 'l2']);
  return x;
}
