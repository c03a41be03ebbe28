/**
 * The backend registry: one place that lists the backends, plus `loadEngine`, which resolves `auto`.
 */
import { BackendError } from '../errors.js';
import { loadAuto } from './auto.js';
import type { Backend, BackendName, Engine, EngineOptions, ModelSource } from './backend.js';
import { builtinBackend } from './builtin.js';
import { ortNodeBackend } from './ort-node.js';
import { ortWebBackend, type OrtWebEngineOptions } from './ort-web.js';

const BACKENDS: Readonly<Record<BackendName, Backend>> = {
  builtin: builtinBackend,
  'ort-node': ortNodeBackend,
  'ort-web': ortWebBackend,
};

/** Every backend name rxrnn knows. */
export const BACKEND_NAMES = Object.keys(BACKENDS) as BackendName[];

/**
 * The backend called `name`.
 *
 * @example
 * ```ts
 * const { ok, reason } = await getBackend('ort-node').available();
 * ```
 */
export function getBackend(name: BackendName): Backend {
  const b = (BACKENDS as Record<string, Backend | undefined>)[name];
  if (!b) throw new BackendError(String(name), `unknown backend; expected one of ${BACKEND_NAMES.join(', ')} or 'auto'`);
  return b;
}

export interface LoadEngineOptions extends EngineOptions {
  /** A backend by name, or `'auto'` (the default) for the best one available here. */
  backend?: BackendName | 'auto';
  /** Built-in backend only: refuse tensors larger than this. */
  maxTensorBytes?: number;
  /** ort-web only: where its `.wasm` files are served from (see {@link OrtWebEngineOptions}). */
  wasmPaths?: string | Record<string, string>;
}

/** An engine plus which backend runs it and why that one. */
export interface LoadedEngine {
  engine: Engine;
  backend: BackendName;
  reason: string;
}

/**
 * Loads a model on a backend (or on the best available one with `backend: 'auto'`).
 *
 * @example
 * ```ts
 * import { loadEngine } from 'rxrnn';
 * const { engine, backend, reason } = await loadEngine(bytes, { backend: 'auto' });
 * console.log(`running on ${backend}: ${reason}`);
 * ```
 */
export async function loadEngine(source: ModelSource, options: LoadEngineOptions = {}): Promise<LoadedEngine> {
  const { backend = 'auto', ...engineOptions } = options;
  if (backend === 'auto') return loadAuto(source, engineOptions, getBackend);
  const b = getBackend(backend);
  return { engine: await b.load(source, engineOptions), backend, reason: `backend '${backend}' was requested` };
}

export { builtinBackend, ortNodeBackend, ortWebBackend, type OrtWebEngineOptions };
