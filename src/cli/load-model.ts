/**
 * A model file as the commands take it: ONNX (`.onnx`, or anything not ending in `.json`) read into IR, or a
 * Keras / TensorFlow.js Layers `model.json` (weight shards next to it) imported into IR. Every failure is one
 * line naming the file: missing, not a model, truncated, an unsupported layer.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ModelLoadError, RxrnnError } from '../errors.js';
import { importLayersModel } from '../import/layers.js';
import type { Model } from '../ir/graph.js';
import { readModel } from '../onnx/read.js';
import { CliError, readInputFile } from './files.js';

export interface LoadedModel {
  model: Model;
  kind: 'onnx' | 'layers';
}

function isLayersPath(path: string): boolean {
  return path.toLowerCase().endsWith('.json');
}

/** Reads and imports a Layers model.json with its shards. */
async function loadLayers(path: string): Promise<Model> {
  const bytes = await readInputFile(path, 'model');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new ModelLoadError(`'${path}' is not a model: not valid JSON (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ModelLoadError(`'${path}' is not a Layers model: expected a JSON object with modelTopology`);
  }
  const dir = dirname(path);
  const shard = (p: string): Uint8Array => {
    try {
      const buf = readFileSync(resolve(dir, p));
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (e) {
      throw new CliError(`cannot read weight shard '${resolve(dir, p)}' of '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  try {
    return importLayersModel(json, shard);
  } catch (e) {
    if (e instanceof RxrnnError || e instanceof CliError) {
      Object.defineProperty(e, 'message', { value: `'${path}': ${e.message}` });
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
export async function loadModelFile(path: string, options: { maxTensorBytes?: number } = {}): Promise<LoadedModel> {
  if (isLayersPath(path)) return { model: await loadLayers(path), kind: 'layers' };
  const bytes = await readInputFile(path, 'model');
  if (bytes.length === 0) throw new ModelLoadError(`'${path}' is not a model: the file is empty`);
  try {
    return { model: readModel(bytes, options), kind: 'onnx' };
  } catch (e) {
    if (e instanceof ModelLoadError) throw new ModelLoadError(`'${path}' is not a readable ONNX model: ${e.message}`, { cause: e });
    throw new ModelLoadError(`'${path}' is not a readable ONNX model: ${(e as Error).message}`, { cause: e });
  }
}
