/**
 * The `ort-node` backend: onnxruntime-node's native runtime. The package is imported lazily, inside
 * try/catch, because some platforms (a 32-bit Raspberry Pi) have no native binary: there `available()`
 * says why and `auto` moves on to another backend instead of crashing.
 */
import { BackendError } from '../errors.js';
import type { Backend, Engine, EngineOptions, ModelSource } from './backend.js';
import { isModelIR, isNodeRuntime, sourceToBytes } from './model-source.js';
import { loadFailure, OrtEngine, sessionOptions, type OrtModule } from './ort-common.js';

let loading: Promise<OrtModule> | undefined;

/** Imports onnxruntime-node once; the specifier is computed so browser bundlers never include it. */
function importOrtNode(): Promise<OrtModule> {
  if (!isNodeRuntime()) return Promise.reject(new Error('onnxruntime-node needs Node.js; this is not Node'));
  const specifier = 'onnxruntime-node';
  loading ??= (import(/* @vite-ignore */ specifier) as Promise<OrtModule & { default?: OrtModule }>).then(
    (m) => (m.InferenceSession ? m : m.default!),
  );
  // A failed import is not cached: the next call retries (and reports) it.
  loading.catch(() => (loading = undefined));
  return loading;
}

/**
 * onnxruntime-node backend.
 *
 * @example
 * ```ts
 * import { ortNodeBackend } from 'rxrnn';
 * const engine = await ortNodeBackend.load('model.onnx', { threads: 1, graphOptimizationLevel: 'all' });
 * const outputs = await engine.run({ x: tensor('float32', [1, 4], [1, 2, 3, 4]) });
 * ```
 */
export const ortNodeBackend: Backend = {
  name: 'ort-node',

  async available() {
    try {
      await importOrtNode();
      return { ok: true, reason: 'onnxruntime-node native binary loaded' };
    } catch (e) {
      return { ok: false, reason: `onnxruntime-node does not load here: ${(e as Error).message}` };
    }
  },

  async load(source: ModelSource, options?: EngineOptions): Promise<Engine> {
    let ort: OrtModule;
    try {
      ort = await importOrtNode();
    } catch (e) {
      throw new BackendError('ort-node', `onnxruntime-node is not available: ${(e as Error).message}`, { cause: e });
    }
    // A path goes to onnxruntime as a path, so it resolves external data itself.
    const model = typeof source === 'string' && !isModelIR(source) ? source : await sourceToBytes(source);
    try {
      const session = await ort.InferenceSession.create(model, sessionOptions(options));
      // onnxruntime-node writes into caller-provided output tensors, so outputs can be preallocated.
      return new OrtEngine('ort-node', ort, session, true);
    } catch (e) {
      throw loadFailure('ort-node', e);
    }
  },
};
