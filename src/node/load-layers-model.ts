/**
 * Node-only: reads a Layers model.json and the weight shards beside it from disk and imports it.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { ImportError } from '../errors.js';
import type { Model } from '../ir/graph.js';
import { importLayersModel, type ImportLayersOptions } from '../import/layers.js';

/**
 * Loads `model.json` (as `tensorflowjs_converter` or `tf.LayersModel.save` writes it) and every shard its
 * `weightsManifest` names, resolved relative to the file; a shard path that leaves the model's folder is
 * refused.
 *
 * @example
 * ```ts
 * import { loadLayersModel, writeModel } from 'rxrnn/node';
 * const model = await loadLayersModel('models/next-word/layers/model.json');
 * await writeFile('next-word.onnx', writeModel(model));
 * ```
 */
export async function loadLayersModel(path: string, options: ImportLayersOptions = {}): Promise<Model> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new ImportError(`cannot read Layers model '${path}': ${(e as Error).message}`, { cause: e });
  }
  const dir = resolve(dirname(path));
  const manifest = (json as { weightsManifest?: unknown }).weightsManifest;
  const shards = new Map<string, Uint8Array>();
  if (Array.isArray(manifest)) {
    for (const group of manifest as { paths?: unknown }[]) {
      for (const p of Array.isArray(group.paths) ? group.paths : []) {
        if (typeof p !== 'string') throw new ImportError(`Layers model '${path}': a shard path is not a string: ${JSON.stringify(p)}`);
        const full = resolve(dir, p);
        if (!full.startsWith(dir + sep)) throw new ImportError(`Layers model '${path}': shard '${p}' is outside the model's folder`);
        try {
          shards.set(p, new Uint8Array(await readFile(full)));
        } catch (e) {
          throw new ImportError(`Layers model '${path}': cannot read weight shard '${p}': ${(e as Error).message}`, { cause: e });
        }
      }
    }
  }
  return importLayersModel(json as object, (p) => shards.get(p)!, options);
}
