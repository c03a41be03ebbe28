/**
 * A model file as the commands take it: ONNX (`.onnx`, or anything not ending in `.json`) read into IR, or a
 * Keras / TensorFlow.js Layers `model.json` (weight shards next to it) imported into IR. Every failure is one
 * line naming the file: missing, not a model, truncated, an unsupported layer.
 */
import { stat } from 'node:fs/promises';
import { ModelLoadError, RxrnnError } from '../errors.js';
import type { Model } from '../ir/graph.js';
import { loadLayersModel } from '../node/load-layers-model.js';
import { readModelFile } from '../node/read-model-file.js';
import { requireFile } from './files.js';

export interface LoadedModel {
  model: Model;
  kind: 'onnx' | 'layers';
}

function isLayersPath(path: string): boolean {
  return path.toLowerCase().endsWith('.json');
}

/** Reads and imports a Layers model.json with its shards (H7's node loader), naming the file on failure. */
async function loadLayers(path: string, form: 'sequence' | 'step'): Promise<Model> {
  await requireFile(path, 'model');
  try {
    return await loadLayersModel(path, { form });
  } catch (e) {
    if (e instanceof RxrnnError) {
      if (!e.message.includes(path)) Object.defineProperty(e, 'message', { value: `'${path}': ${e.message}` });
      throw e;
    }
    throw new ModelLoadError(`'${path}' could not be imported: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Loads an ONNX file or a Layers model.json.
 *
 * @example
 * ```ts
 * const { model } = await loadModelFile('models/next-word/model.onnx');
 * ```
 */
export async function loadModelFile(
  path: string,
  options: { maxTensorBytes?: number; layersForm?: 'sequence' | 'step' } = {},
): Promise<LoadedModel> {
  if (isLayersPath(path)) return { model: await loadLayers(path, options.layersForm ?? 'sequence'), kind: 'layers' };
  await requireFile(path, 'model');
  if ((await stat(path)).size === 0) throw new ModelLoadError(`'${path}' is not a model: the file is empty`);
  try {
    // readModelFile resolves external data (large initializers in side files) next to the model.
    return { model: await readModelFile(path, options.maxTensorBytes !== undefined ? { maxTensorBytes: options.maxTensorBytes } : {}), kind: 'onnx' };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new ModelLoadError(`'${path}' is not a readable ONNX model: ${msg}`, { cause: e });
  }
}
