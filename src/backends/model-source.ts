/**
 * Turning a {@link ModelSource} (bytes, a file path, or IR) into what a backend needs: onnxruntime takes
 * bytes, the built-in executor takes IR. A string is a file path in Node and a URL (fetched) elsewhere;
 * Node's file modules are imported dynamically, behind a runtime check, so the browser bundle never
 * pulls in `fs`.
 */
import type { Model } from '../ir/graph.js';
import { ModelLoadError } from '../errors.js';
import { readModel } from '../onnx/read.js';
import { writeModel } from '../onnx/write.js';
import type { ModelSource } from './backend.js';

/** True in Node (and Node-compatible runtimes), false in browsers and workers. */
export function isNodeRuntime(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

export function isModelIR(source: ModelSource): source is Model {
  return typeof source === 'object' && source !== null && !(source instanceof Uint8Array) && !(source instanceof ArrayBuffer) && 'graph' in source;
}

/** Imports a Node-only module by a computed specifier, so bundlers leave it out of browser builds. */
async function importNodeOnly<T>(specifier: string): Promise<T> {
  if (!isNodeRuntime()) throw new ModelLoadError(`'${specifier}' is only available in Node; pass model bytes or IR in a browser`);
  return (await import(/* @vite-ignore */ specifier)) as T;
}

/** Fetches a model by URL (browsers and workers, where a string source is a URL, not a path). */
export async function fetchModelBytes(url: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new ModelLoadError(`cannot fetch model '${url}': ${(e as Error).message}`, { cause: e });
  }
  if (!res.ok) throw new ModelLoadError(`cannot fetch model '${url}': HTTP ${res.status} ${res.statusText}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** Reads a model file (Node only) as bytes. */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  const fs = await importNodeOnly<{ readFile(p: string): Promise<Uint8Array> }>('node:fs/promises');
  try {
    const buf = await fs.readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    throw new ModelLoadError(`cannot read model file '${path}': ${(e as Error).message}`, { cause: e });
  }
}

/** The model as ONNX bytes (IR is serialised with the project's writer). */
export async function sourceToBytes(source: ModelSource): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (typeof source === 'string') return isNodeRuntime() ? readFileBytes(source) : fetchModelBytes(source);
  return writeModel(source);
}

/**
 * The model as IR. A path (Node only) is read from disk, external data resolved next to the file.
 */
export async function sourceToModel(source: ModelSource, options?: { maxTensorBytes?: number }): Promise<Model> {
  if (isModelIR(source)) return source;
  if (typeof source === 'string' && !isNodeRuntime()) return readModel(await fetchModelBytes(source), options);
  if (typeof source === 'string') {
    const bytes = await readFileBytes(source);
    const fs = await importNodeOnly<{ readFileSync(p: string): Uint8Array }>('node:fs');
    const path = await importNodeOnly<{ dirname(p: string): string; resolve(...p: string[]): string }>('node:path');
    const dir = path.dirname(source);
    // External data lives next to the model file (ONNX's convention for models over 2 GB).
    const externalData = (location: string): Uint8Array => {
      const buf = fs.readFileSync(path.resolve(dir, location));
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    };
    return readModel(bytes, { ...options, externalData });
  }
  return readModel(source instanceof Uint8Array ? source : new Uint8Array(source), options);
}
