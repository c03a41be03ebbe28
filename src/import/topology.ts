/**
 * Reads a Keras / TensorFlow.js Layers `model.json` topology into one normal form: a list of layers, each
 * called at one or more nodes whose inputs are references to other layers' outputs, plus the model's input
 * and output references. Sequential models are rewritten as the equivalent chain.
 *
 * Accepted spellings (all seen in the wild):
 * - `tf.LayersModel.save` artifacts: `{ modelTopology: { class_name, config, keras_version }, ... }`;
 * - `tensorflowjs_converter` files: `{ modelTopology: { model_config: { class_name, config }, keras_version } }`;
 * - a bare Keras config `{ class_name, config }` (what `model.to_json()` returns);
 * - Keras 2 inbound nodes `[[["layer", 0, 0, {}], ...]]` and Keras 3 `[{ args: [...keras tensors], kwargs }]`.
 */
import { ImportError } from '../errors.js';

/** One output of one call of a layer: Keras's `[layer_name, node_index, tensor_index]`. */
export interface TensorRef {
  layer: string;
  node: number;
  tensor: number;
}

/** One call of a layer. `inputs[0]` is the main input; for RNNs the rest are initial states. */
export interface CallNode {
  inputs: TensorRef[];
}

export interface LayerSpec {
  className: string;
  name: string;
  config: Record<string, unknown>;
  calls: CallNode[];
}

export interface Topology {
  name: string;
  /** `keras_version` as saved: `'2.15.0'`, `'3.3.3'`, `'tfjs-layers 4.22.0'`, or undefined. */
  kerasVersion: string | undefined;
  layers: LayerSpec[];
  inputs: TensorRef[];
  outputs: TensorRef[];
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Finds the `{ class_name, config }` model object and the Keras version in any accepted wrapper. */
export function unwrapModelJson(json: unknown): { model: Json; kerasVersion: string | undefined; weightsManifest?: unknown; weightSpecs?: unknown } {
  if (!isObject(json)) throw new ImportError(`Layers model: expected a model.json object, got ${json === null ? 'null' : typeof json}`);
  let kerasVersion: string | undefined;
  let node: Json = json;
  const extra: { weightsManifest?: unknown; weightSpecs?: unknown } = {};
  if ('weightsManifest' in json) extra.weightsManifest = json['weightsManifest'];
  if ('weightSpecs' in json) extra.weightSpecs = json['weightSpecs'];
  if (isObject(json['modelTopology'])) node = json['modelTopology'];
  if (typeof node['keras_version'] === 'string') kerasVersion = node['keras_version'];
  if (isObject(node['model_config'])) node = node['model_config'];
  if (typeof node['keras_version'] === 'string') kerasVersion ??= node['keras_version'];
  if (typeof node['class_name'] !== 'string' || node['config'] === undefined) {
    throw new ImportError(
      `Layers model: expected { class_name, config } (optionally inside modelTopology / model_config), got keys [${Object.keys(node).join(', ')}]`,
    );
  }
  return { model: node, kerasVersion, ...extra };
}

/** A Keras 2 `[name, node, tensor, kwargs?]` array or a Keras 3 `__keras_tensor__` object, else undefined. */
function asRef(v: unknown): TensorRef | undefined {
  if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'number' && typeof v[2] === 'number') {
    return { layer: v[0], node: v[1], tensor: v[2] };
  }
  if (isObject(v) && v['class_name'] === '__keras_tensor__' && isObject(v['config'])) {
    const h = v['config']['keras_history'];
    if (Array.isArray(h)) return asRef(h);
  }
  return undefined;
}

/** Every tensor reference inside a (possibly nested) value, in order. */
function collectRefs(v: unknown, out: TensorRef[]): void {
  const r = asRef(v);
  if (r) {
    out.push(r);
    return;
  }
  if (Array.isArray(v)) for (const e of v) collectRefs(e, out);
  else if (isObject(v)) for (const e of Object.values(v)) collectRefs(e, out);
}

function parseCalls(layerName: string, inbound: unknown): CallNode[] {
  if (inbound === undefined || inbound === null) return [];
  if (!Array.isArray(inbound)) throw new ImportError(`layer '${layerName}': inbound_nodes must be an array, got ${typeof inbound}`);
  return inbound.map((call) => {
    const inputs: TensorRef[] = [];
    if (isObject(call)) {
      // Keras 3: { args: [tensor | [tensors]], kwargs: { initial_state: [...], mask: ... } }
      collectRefs(call['args'], inputs);
      const kwargs = call['kwargs'];
      if (isObject(kwargs) && kwargs['initial_state'] !== undefined) collectRefs(kwargs['initial_state'], inputs);
    } else if (Array.isArray(call)) {
      // Keras 2: [[name, node, tensor, kwargs], ...]; kwargs may carry initial_state references.
      for (const entry of call) {
        const r = asRef(entry);
        if (!r) throw new ImportError(`layer '${layerName}': cannot read inbound node entry ${JSON.stringify(entry)}`);
        inputs.push(r);
        const kwargs = Array.isArray(entry) ? entry[3] : undefined;
        if (isObject(kwargs) && kwargs['initial_state'] !== undefined) collectRefs(kwargs['initial_state'], inputs);
      }
    } else {
      throw new ImportError(`layer '${layerName}': cannot read inbound node ${JSON.stringify(call)}`);
    }
    return { inputs };
  });
}

function parseRefList(what: string, v: unknown): TensorRef[] {
  const single = asRef(v);
  if (single) return [single]; // Keras 3 flattens a single input/output to one reference.
  if (!Array.isArray(v)) throw new ImportError(`Layers model: ${what} must be a list of [layer, node, tensor], got ${JSON.stringify(v)}`);
  return v.map((e) => {
    const r = asRef(e);
    if (!r) throw new ImportError(`Layers model: ${what} entry must be [layer, node, tensor], got ${JSON.stringify(e)}`);
    return r;
  });
}

function layerName(raw: Json, cfg: Json, fallback: string): string {
  const n = raw['name'] ?? cfg['name'];
  return typeof n === 'string' ? n : fallback;
}

/** The batch input shape a layer config declares, if any (`batch_input_shape`, `batch_shape`, `input_shape`). */
export function declaredBatchShape(cfg: Json): (number | null)[] | undefined {
  const b = cfg['batch_input_shape'] ?? cfg['batch_shape'];
  if (Array.isArray(b)) return b as (number | null)[];
  const s = cfg['input_shape'];
  if (Array.isArray(s)) return [null, ...(s as (number | null)[])];
  return undefined;
}

function sequentialToChain(cfg: unknown, name: string): { layers: LayerSpec[]; inputs: TensorRef[]; outputs: TensorRef[] } {
  const rawLayers = Array.isArray(cfg) ? cfg : isObject(cfg) ? cfg['layers'] : undefined;
  if (!Array.isArray(rawLayers) || rawLayers.length === 0) throw new ImportError(`Sequential model '${name}': no layers`);
  const layers: LayerSpec[] = [];
  let prev: string;
  const first = rawLayers[0] as Json;
  const firstCfg = (isObject(first['config']) ? first['config'] : {}) as Json;
  if (first['class_name'] === 'InputLayer') {
    prev = layerName(first, firstCfg, 'input');
    layers.push({ className: 'InputLayer', name: prev, config: firstCfg, calls: [] });
  } else {
    const shape = declaredBatchShape(firstCfg);
    if (!shape) {
      throw new ImportError(
        `Sequential model '${name}': the first layer '${layerName(first, firstCfg, '?')}' declares no batch_input_shape/input_shape and there is no InputLayer, so the input shape is unknown`,
      );
    }
    prev = `${layerName(first, firstCfg, 'layer')}_input`;
    const inputCfg: Json = { batch_input_shape: shape, name: prev };
    if (firstCfg['dtype'] !== undefined) inputCfg['dtype'] = firstCfg['dtype'];
    layers.push({ className: 'InputLayer', name: prev, config: inputCfg, calls: [] });
  }
  const inputs = [{ layer: prev, node: 0, tensor: 0 }];
  for (let i = first['class_name'] === 'InputLayer' ? 1 : 0; i < rawLayers.length; i++) {
    const raw = rawLayers[i] as Json;
    const lc = (isObject(raw['config']) ? raw['config'] : {}) as Json;
    const ln = layerName(raw, lc, `layer_${i}`);
    if (typeof raw['class_name'] !== 'string') throw new ImportError(`Sequential model '${name}': layer #${i} has no class_name`);
    layers.push({ className: raw['class_name'], name: ln, config: lc, calls: [{ inputs: [{ layer: prev, node: 0, tensor: 0 }] }] });
    prev = ln;
  }
  return { layers, inputs, outputs: [{ layer: prev, node: 0, tensor: 0 }] };
}

/**
 * Parses any accepted model.json spelling into a {@link Topology}.
 *
 * @example
 * ```ts
 * const topo = parseTopology(JSON.parse(text));
 * console.log(topo.layers.map((l) => `${l.name}: ${l.className}`));
 * ```
 */
export function parseTopology(json: unknown): Topology {
  const { model, kerasVersion } = unwrapModelJson(json);
  const className = model['class_name'] as string;
  const cfg = model['config'];
  const name = isObject(cfg) && typeof cfg['name'] === 'string' ? cfg['name'] : 'model';
  if (className === 'Sequential') return { name, kerasVersion, ...sequentialToChain(cfg, name) };
  if (className !== 'Model' && className !== 'Functional') {
    throw new ImportError(`Layers model: top-level class '${className}' is not supported (expected Sequential, Model or Functional)`);
  }
  if (!isObject(cfg) || !Array.isArray(cfg['layers'])) throw new ImportError(`${className} model '${name}': config.layers is missing`);
  const layers: LayerSpec[] = cfg['layers'].map((raw: unknown, i: number) => {
    if (!isObject(raw) || typeof raw['class_name'] !== 'string') throw new ImportError(`${className} model '${name}': layer #${i} has no class_name`);
    const lc = (isObject(raw['config']) ? raw['config'] : {}) as Json;
    const ln = layerName(raw, lc, `layer_${i}`);
    return { className: raw['class_name'], name: ln, config: lc, calls: parseCalls(ln, raw['inbound_nodes']) };
  });
  return {
    name,
    kerasVersion,
    layers,
    inputs: parseRefList('input_layers', cfg['input_layers']),
    outputs: parseRefList('output_layers', cfg['output_layers']),
  };
}
