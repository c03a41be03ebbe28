/**
 * Walks a parsed Keras topology from its outputs back to its inputs and emits each layer call once.
 */
import { ImportError } from '../errors.js';
import type { Model } from '../ir/graph.js';
import {
  convertActivation,
  convertDense,
  convertEmbedding,
  convertIdentity,
  convertInput,
  INFERENCE_IDENTITY,
} from './basic.js';
import { convertConv1D, convertFlatten, convertGlobalPooling1D, convertPooling1D } from './conv-layers.js';
import { Emitter } from './emitter.js';
import { convertMerge, MERGE_CLASSES } from './merge-layers.js';
import { convertBatchNormalization, convertLayerNormalization } from './norm-layers.js';
import { convertBidirectional, convertRecurrent, isRecurrentClass, readRnnSpec } from './recurrent.js';
import { convertPermute, convertReshape } from './reshape-layers.js';
import { convertMasking, convertRepeatVector } from './sequence-layers.js';
import { convertTimeDistributed } from './time-distributed.js';
import type { LayerSpec, TensorRef, Topology } from './topology.js';
import type { ConvertContext, KerasValue, StatePair } from './values.js';
import type { WeightStore } from './weights.js';

export interface ConvertOptions {
  form: 'sequence' | 'step';
  kerasVersion: string | undefined;
  /** Replaces the model's outputs: Keras layer names, `name:k` for a layer's k-th output. */
  outputs?: readonly string[];
}

export interface Converted {
  model: Model;
  /** Streaming form only: every recurrent state, input → output. */
  states: StatePair[];
}

const SUPPORTED =
  'InputLayer, Embedding, Masking, SimpleRNN, LSTM, GRU, Bidirectional, Dense, TimeDistributed (around Dense, Conv1D, pooling, Flatten, Reshape, normalization, Activation, Dropout), RepeatVector, Conv1D, MaxPooling1D, AveragePooling1D, GlobalAveragePooling1D, GlobalMaxPooling1D, Flatten, BatchNormalization, LayerNormalization, Concatenate, Add, Subtract, Multiply, Average, Maximum, Minimum, Dot, Reshape, Permute, Activation, Dropout (and other training-only noise layers)';

function parseOutputRef(s: string, topo: Topology): TensorRef {
  const m = /^(.*?)(?::(\d+))?$/.exec(s)!;
  const layer = m[1]!;
  if (!topo.layers.some((l) => l.name === layer)) throw new ImportError(`outputs: no layer named '${layer}' (layers: ${topo.layers.map((l) => l.name).join(', ')})`);
  return { layer, node: 0, tensor: m[2] === undefined ? 0 : Number(m[2]) };
}

export function convertTopology(topo: Topology, weights: WeightStore, options: ConvertOptions): Converted {
  const em = new Emitter();
  const ctx: ConvertContext = { em, weights, kerasVersion: options.kerasVersion, form: options.form, states: [] };
  const byName = new Map<string, LayerSpec>(topo.layers.map((l) => [l.name, l]));
  const done = new Map<string, KerasValue[]>();
  const inProgress = new Set<string>();

  const resolve = (ref: TensorRef): KerasValue => {
    const layer = byName.get(ref.layer);
    if (!layer) throw new ImportError(`Layers model: a node refers to layer '${ref.layer}', which the model does not define`);
    const key = `${ref.layer}#${ref.node}`;
    let outs = done.get(key);
    if (!outs) {
      if (inProgress.has(key)) throw new ImportError(`Layers model: layer '${ref.layer}' depends on itself`);
      inProgress.add(key);
      outs = convertCall(layer, ref.node);
      inProgress.delete(key);
      done.set(key, outs);
    }
    const v = outs[ref.tensor];
    if (!v) throw new ImportError(`Layers model: layer '${ref.layer}' has ${outs.length} output(s), tensor ${ref.tensor} was asked for`);
    return v;
  };

  const convertCall = (layer: LayerSpec, nodeIndex: number): KerasValue[] => {
    if (layer.className === 'InputLayer') {
      em.setScope(layer.name);
      return [convertInput(ctx, layer)];
    }
    const call = layer.calls[nodeIndex];
    if (!call) throw new ImportError(`layer '${layer.name}' (${layer.className}): call #${nodeIndex} is referenced but not defined`);
    if (call.inputs.length === 0) throw new ImportError(`layer '${layer.name}' (${layer.className}): call #${nodeIndex} has no inputs`);
    // Before its inputs, so the refusal names the Lambda whatever it takes.
    if (layer.className === 'Lambda') {
      throw new ImportError(
        `layer '${layer.name}' (Lambda): a Lambda layer runs arbitrary Python/JS code, which cannot be imported; replace it with built-in layers and re-save the model`,
      );
    }
    const recurrent = isRecurrentClass(layer.className) || layer.className === 'Bidirectional';
    // The streaming form takes every recurrent state from its own state input, so initial_state links
    // are not followed there (set the decoder's state from the encoder's with the session's setState).
    const refs = recurrent && ctx.form === 'step' ? call.inputs.slice(0, 1) : call.inputs;
    const inputs = refs.map(resolve);
    const merge = MERGE_CLASSES.has(layer.className);
    if (!recurrent && !merge && inputs.length !== 1) {
      throw new ImportError(`layer '${layer.name}' (${layer.className}): takes one input, got ${inputs.length}`);
    }
    em.setScope(nodeIndex === 0 ? layer.name : `${layer.name}@${nodeIndex}`);
    const x = inputs[0]!;
    if (merge) return [convertMerge(ctx, layer, inputs)];
    if (isRecurrentClass(layer.className)) {
      const spec = readRnnSpec(layer, layer.className, layer.config, ctx.kerasVersion);
      return convertRecurrent(ctx, layer, spec, { x, initialStates: inputs.slice(1) });
    }
    switch (layer.className) {
      case 'Bidirectional':
        return convertBidirectional(ctx, layer, { x, initialStates: inputs.slice(1) });
      case 'Embedding':
        return [convertEmbedding(ctx, layer, x)];
      case 'Dense':
        return [convertDense(ctx, layer, x)];
      case 'TimeDistributed':
        return [convertTimeDistributed(ctx, layer, x)];
      case 'Activation':
        return [convertActivation(ctx, layer, x)];
      case 'Masking':
        return [convertMasking(ctx, layer, x)];
      case 'RepeatVector':
        return [convertRepeatVector(ctx, layer, x)];
      case 'Conv1D':
        return [convertConv1D(ctx, layer, x)];
      case 'MaxPooling1D':
        return [convertPooling1D(ctx, layer, x, 'max')];
      case 'AveragePooling1D':
        return [convertPooling1D(ctx, layer, x, 'average')];
      case 'GlobalAveragePooling1D':
        return [convertGlobalPooling1D(ctx, layer, x, 'average')];
      case 'GlobalMaxPooling1D':
        return [convertGlobalPooling1D(ctx, layer, x, 'max')];
      case 'Flatten':
        return [convertFlatten(ctx, layer, x)];
      case 'BatchNormalization':
        return [convertBatchNormalization(ctx, layer, x)];
      case 'LayerNormalization':
        return [convertLayerNormalization(ctx, layer, x)];
      case 'Reshape':
        return [convertReshape(ctx, layer, x)];
      case 'Permute':
        return [convertPermute(ctx, layer, x)];
      default:
        if (INFERENCE_IDENTITY.has(layer.className)) return [convertIdentity(layer, x)];
        throw new ImportError(`layer '${layer.name}': class '${layer.className}' is not supported (supported: ${SUPPORTED})`);
    }
  };

  // Inputs first, in the model's order, so the graph's inputs keep Keras's order. The streaming form keeps
  // only the inputs its outputs need (an encoder feeding a decoder's initial state is not part of it), and
  // so does a model whose outputs were chosen by the caller.
  if (options.form === 'sequence' && !options.outputs) for (const ref of topo.inputs) resolve(ref);
  const outRefs = options.outputs ? options.outputs.map((s) => parseOutputRef(s, topo)) : topo.outputs;
  em.setScope('');
  for (const ref of outRefs) {
    const v = resolve(ref);
    em.setScope('');
    let name = ref.tensor === 0 ? ref.layer : `${ref.layer}:${ref.tensor}`;
    if (ref.node !== 0) name = `${name}@${ref.node}`;
    for (let k = 1; !em.reserve(name); k++) name = `${ref.layer}_out${k}`;
    em.op('Identity', [v.name], {}, name);
    em.output(name, v.dtype, v.shape);
  }
  const metadata: Record<string, string> = { 'keras.form': options.form };
  if (options.kerasVersion !== undefined) metadata['keras.keras_version'] = options.kerasVersion;
  if (ctx.states.length) metadata['rxrnn.state'] = JSON.stringify(ctx.states.map((s) => ({ input: s.input, output: s.output })));
  const model = em.build({
    name: options.form === 'step' ? `${topo.name}_step` : topo.name,
    doc: `Imported from a Keras / TensorFlow.js Layers model (${options.form} form)`,
    metadata,
  });
  // Keras's inputs and outputs first, then the state pairs, so position 0 is what the user expects.
  const stateIns = new Set(ctx.states.map((st) => st.input));
  const stateOuts = new Set(ctx.states.map((st) => st.output));
  const g = model.graph;
  g.inputs = [...g.inputs.filter((v) => !stateIns.has(v.name)), ...g.inputs.filter((v) => stateIns.has(v.name))];
  g.outputs = [...g.outputs.filter((v) => !stateOuts.has(v.name)), ...g.outputs.filter((v) => stateOuts.has(v.name))];
  return { model, states: ctx.states };
}
