/**
 * Node-only: read an ONNX model from a path, resolving external data files (tensors stored beside the
 * model with `data_location = EXTERNAL`) relative to the model's folder.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { ModelLoadError } from '../errors.js';
import type { Model } from '../ir/graph.js';
import { readModel, type ReadModelOptions } from '../onnx/read.js';

export type ReadModelFileOptions = Omit<ReadModelOptions, 'externalData'>;

/**
 * Reads an ONNX model file. External data locations must name files inside the model's folder (no
 * absolute paths, no `..` escape, no symlink out of it); each file is read once however many tensors use it.
 *
 * @example
 * ```ts
 * import { readModelFile } from 'rxrnn/node';
 * const model = await readModelFile('models/big/model.onnx'); // reads models/big/weights.bin as needed
 * ```
 */
export async function readModelFile(path: string, options: ReadModelFileOptions = {}): Promise<Model> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new ModelLoadError(`cannot read model file '${path}': ${(e as Error).message}`, { cause: e });
  }
  const folder = realpathSync(dirname(resolve(path)));
  const cache = new Map<string, Uint8Array>();
  const externalData = (location: string): Uint8Array => {
    let data = cache.get(location);
    if (data === undefined) {
      data = readFileSync(insideFolder(folder, location));
      cache.set(location, data);
    }
    return data;
  };
  return readModel(bytes, { ...options, externalData });
}

/** The real path of `location` under `folder`, refusing anything that resolves outside it. */
function insideFolder(folder: string, location: string): string {
  const refuse = (why: string): never => {
    throw new ModelLoadError(`external data location '${location}' ${why}; it must name a file inside the model's folder '${folder}'`);
  };
  if (location === '' || location.includes('\0')) refuse('is empty or malformed');
  if (isAbsolute(location)) refuse('is an absolute path');
  const candidate = resolve(folder, location);
  if (!isWithin(folder, candidate)) refuse('leaves the folder');
  let real: string;
  try {
    real = realpathSync(candidate);
  } catch (e) {
    throw new ModelLoadError(`external data file '${location}' cannot be opened: ${(e as Error).message}`, { cause: e });
  }
  if (!isWithin(folder, real)) refuse('is a link to a file outside the folder');
  return real;
}

function isWithin(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}
