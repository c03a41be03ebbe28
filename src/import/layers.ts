/**
 * Keras / TensorFlow.js Layers models → rxrnn IR (and from there ONNX, any backend, a step session).
 *
 * Browser-safe: the caller supplies model.json (parsed) and the weight bytes. Reading a model.json and its
 * shards from disk is `loadLayersModel` in `rxrnn/node`.
 */
import { ImportError } from '../errors.js';
import type { Model } from '../ir/graph.js';
import { convertTopology } from './convert.js';
import { parseTopology, unwrapModelJson } from './topology.js';
import { readWeights, WeightStore, type WeightSource } from './weights.js';

export type { WeightSource } from './weights.js';

export interface ImportLayersOptions {
  /**
   * `sequence` (default): the model as Keras runs it on whole sequences. `step`: the streaming form (see
   * {@link toStepModel}).
   */
  form?: 'sequence' | 'step';
  /**
   * Overrides the `keras_version` the file declares. It decides `hard_sigmoid`: 0.2x + 0.5 for Keras 2 and
   * TensorFlow.js (also assumed when the file does not say), x/6 + 0.5 for `3.x`.
   */
  kerasVersion?: string;
  /**
   * Graph outputs to expose instead of the model's: Keras layer names, `name:k` for the k-th output of a
   * layer (e.g. `'encoder:1'` for an LSTM's h with return_state).
   */
  outputs?: readonly string[];
  /** The weight list when `modelJson` carries neither `weightsManifest` nor `weightSpecs`. */
  weightSpecs?: unknown;
}

interface Source {
  modelJson: object;
  weights: WeightSource;
  options: ImportLayersOptions;
}

/** Where each imported model came from, so {@link toStepModel} can rebuild it in streaming form. */
const SOURCES = new WeakMap<Model, Source>();

/**
 * Imports a Keras / TensorFlow.js Layers model.
 *
 * `modelJson` is model.json as parsed JSON — what `tf.LayersModel.save` writes, what
 * `tensorflowjs_converter` writes (a `model_config` wrapper, `Functional` class), or a bare Keras
 * `{ class_name, config }` with the weight list passed in `options.weightSpecs`. `weights` is every
 * weight shard concatenated in manifest order, or a function returning a shard's bytes by its manifest
 * path (`group1-shard1of1.bin`).
 *
 * Graph inputs are named after the Keras input layers, outputs after the output layers (`layer:k` for a
 * layer's k-th output). Inputs are batch-major like Keras's: `[batch, time, features]`, ids `[batch, time]`.
 * With `Embedding(mask_zero=True)`, an id 0 is padding wherever it stands (before, inside or after the
 * real ids), and the model follows Keras at padded steps: the state is carried over them.
 *
 * @throws ImportError naming the layer, its class and the option it cannot honour.
 * @example
 * ```ts
 * import { importLayersModel } from 'rxrnn';
 * const model = importLayersModel(modelJson, (path) => shards[path]);
 * const engine = await loadEngine(model, { backend: 'builtin' });
 * const { dense } = await engine.run({ embedding_input: tensor('float32', [1, 5], [3, 1, 4, 1, 5]) });
 * ```
 */
export function importLayersModel(modelJson: object, weights: WeightSource, options: ImportLayersOptions = {}): Model {
  const unwrapped = unwrapModelJson(modelJson);
  const manifest = unwrapped.weightsManifest ?? unwrapped.weightSpecs ?? options.weightSpecs;
  if (manifest === undefined) throw new ImportError('Layers model: no weightsManifest or weightSpecs in model.json, and options.weightSpecs is not given');
  const topology = parseTopology(modelJson);
  const store = new WeightStore(readWeights(manifest, weights));
  const { model } = convertTopology(topology, store, {
    form: options.form ?? 'sequence',
    kerasVersion: options.kerasVersion ?? topology.kerasVersion,
    ...(options.outputs ? { outputs: options.outputs } : {}),
  });
  SOURCES.set(model, { modelJson, weights, options });
  return model;
}

/**
 * The streaming form of an imported recurrent model: one frame in (`[batch, 1, features]`, ids
 * `[batch, 1]`), and for every recurrent layer its state as an explicit input and output —
 * `<layer>/h_in` → `<layer>/h_out` (and `<layer>/c_in` → `<layer>/c_out` for LSTM), each
 * `[1, batch, units]` — so a step session carries it from frame to frame. A many-to-many model emits
 * `[batch, 1, out]` per frame; a many-to-one model's output after the last frame is the sequence's
 * output. Padded frames (id 0 under `mask_zero`) keep the state, as Keras does.
 *
 * Layers that read the sequence backwards (`go_backwards`, Bidirectional) cannot stream: `ImportError`.
 * A layer whose Keras `initial_state` comes from another layer takes it from its state input instead
 * (set it with the session's `setState`); the other layer is left out unless an output needs it.
 *
 * @param model a model returned by {@link importLayersModel} in this process.
 * @example
 * ```ts
 * const step = toStepModel(importLayersModel(modelJson, weights));
 * const session = await createStepSession(step, { backend: 'builtin' });
 * for (const id of [3, 1, 4]) console.log((await session.step([id])).dense.data);
 * ```
 */
export function toStepModel(model: Model): Model {
  const source = SOURCES.get(model);
  if (!source) {
    throw new ImportError('toStepModel: this model was not produced by importLayersModel in this process; call importLayersModel(modelJson, weights, { form: "step" }) instead');
  }
  return importLayersModel(source.modelJson, source.weights, { ...source.options, form: 'step' });
}

/**
 * The state pairs of a streaming-form model (from its `rxrnn.state` metadata): which input each state
 * output feeds on the next step.
 */
export function stepStateBindings(model: Model): { input: string; output: string }[] {
  const raw = model.metadata['rxrnn.state'];
  return raw ? (JSON.parse(raw) as { input: string; output: string }[]) : [];
}
