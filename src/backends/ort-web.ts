/**
 * The `ort-web` backend: onnxruntime-web's WebAssembly runtime, in browsers and in Node. In Node the
 * package's `node` export locates its `.wasm` files next to itself; in a browser they load from wherever
 * the bundler or `env.wasm.wasmPaths` puts them. WebGPU is passed through as an execution provider where
 * the browser has it.
 */
import { BackendError } from '../errors.js';
import type { Backend, Engine, EngineOptions, ModelSource } from './backend.js';
import { isNodeRuntime, sourceToBytes } from './model-source.js';
import { loadFailure, OrtEngine, sessionOptions, type OrtModule } from './ort-common.js';

interface OrtWebModule extends OrtModule {
  env: { wasm: { numThreads?: number; wasmPaths?: string | Record<string, string> } };
}

/** Options only the ort-web backend reads. */
export interface OrtWebEngineOptions extends EngineOptions {
  /**
   * Where onnxruntime-web finds its `.wasm` files (a URL prefix, or file → URL), for pages that serve
   * them from a CDN or another folder. Process-wide, as `env.wasm.wasmPaths` is; takes effect before the
   * first session is created.
   */
  wasmPaths?: string | Record<string, string>;
}

let loading: Promise<OrtWebModule> | undefined;

function importOrtWeb(): Promise<OrtWebModule> {
  loading ??= (import('onnxruntime-web') as unknown as Promise<OrtWebModule & { default?: OrtWebModule }>).then((m) =>
    m.InferenceSession ? m : m.default!,
  );
  loading.catch(() => (loading = undefined));
  return loading;
}

/**
 * onnxruntime-web (wasm) backend. `threads` sets `env.wasm.numThreads` (process-wide, as onnxruntime-web
 * has it); in Node it defaults to 1, because wasm threads there spawn workers that keep the process alive.
 *
 * @example
 * ```ts
 * import { ortWebBackend } from 'rxrnn';
 * const engine = await ortWebBackend.load(bytes, { executionProviders: ['webgpu', 'wasm'] });
 * ```
 */
export const ortWebBackend: Backend & { load(source: ModelSource, options?: OrtWebEngineOptions): Promise<Engine> } = {
  name: 'ort-web',

  async available() {
    try {
      await importOrtWeb();
      if (typeof WebAssembly !== 'object') return { ok: false, reason: 'this runtime has no WebAssembly' };
      return { ok: true, reason: 'onnxruntime-web (wasm) loaded' };
    } catch (e) {
      return { ok: false, reason: `onnxruntime-web does not load here: ${(e as Error).message}` };
    }
  },

  async load(source: ModelSource, options?: OrtWebEngineOptions): Promise<Engine> {
    let ort: OrtWebModule;
    try {
      ort = await importOrtWeb();
    } catch (e) {
      throw new BackendError('ort-web', `onnxruntime-web is not available: ${(e as Error).message}`, { cause: e });
    }
    if (options?.wasmPaths !== undefined) ort.env.wasm.wasmPaths = options.wasmPaths;
    if (options?.threads !== undefined) ort.env.wasm.numThreads = options.threads;
    else if (isNodeRuntime()) ort.env.wasm.numThreads = 1;
    const bytes = await sourceToBytes(source);
    // intraOpNumThreads means nothing to the wasm backend; its thread count is env.wasm.numThreads (above).
    const { threads: _threads, wasmPaths: _wasmPaths, ...rest } = options ?? {};
    try {
      const session = await ort.InferenceSession.create(bytes, sessionOptions(rest));
      // onnxruntime-web 1.30 accepts CPU output tensors in run() but leaves them unwritten (wasm copies
      // results into fresh arrays), so outputs are not preallocated here.
      return new OrtEngine('ort-web', ort, session, false);
    } catch (e) {
      throw loadFailure('ort-web', e);
    }
  },
};
