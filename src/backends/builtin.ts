/**
 * The `builtin` backend: the project's own TypeScript executor. It runs anywhere JavaScript runs, needs
 * no native binary or wasm, and steps synchronously (`runSync`), which is what makes a step allocate
 * nothing: feeds go in, outputs come back in the plan's pooled buffers.
 */
import { BackendError, RxrnnError } from '../errors.js';
import { createExecutor, type Executor } from '../executor/executor.js';
import type { Tensor } from '../tensor.js';
import type { Backend, Engine, EngineOptions, ModelSource } from './backend.js';
import { sourceToModel } from './model-source.js';

/** Options only the built-in backend reads. */
export interface BuiltinEngineOptions extends EngineOptions {
  /** Refuse any single tensor larger than this many bytes (initializers and intermediates). */
  maxTensorBytes?: number;
}

class BuiltinEngine implements Engine {
  readonly backend = 'builtin' as const;
  readonly inputs;
  readonly outputs;
  private disposed = false;

  constructor(private readonly executor: Executor) {
    this.inputs = executor.inputs;
    this.outputs = executor.outputs;
  }

  runSync(feeds: Readonly<Record<string, Tensor>>): Record<string, Tensor> {
    if (this.disposed) throw new BackendError('builtin', 'run() after dispose()');
    return this.executor.run(feeds);
  }

  async run(feeds: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>> {
    return this.runSync(feeds);
  }

  /** Buffer allocations the executor's pool ever made (steady-state steps must not move it). */
  get allocations(): number {
    return this.executor.pool.allocations;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.executor.dispose();
  }
}

/**
 * The built-in executor as a backend.
 *
 * @example
 * ```ts
 * import { builtinBackend, tensor } from 'rxrnn';
 * const engine = await builtinBackend.load(modelBytes);
 * const out = engine.runSync!({ x: tensor('float32', [1, 4], [1, 2, 3, 4]) });
 * ```
 */
export const builtinBackend: Backend = {
  name: 'builtin',

  async available() {
    return { ok: true, reason: 'the built-in executor runs everywhere' };
  },

  async load(source: ModelSource, options?: BuiltinEngineOptions): Promise<Engine> {
    const model = await sourceToModel(source, options?.maxTensorBytes !== undefined ? { maxTensorBytes: options.maxTensorBytes } : undefined);
    try {
      const opts = options?.maxTensorBytes !== undefined ? { maxTensorBytes: options.maxTensorBytes } : undefined;
      return new BuiltinEngine(createExecutor(model, opts));
    } catch (e) {
      // A model this backend cannot run is a BackendError naming it; the cause (e.g. an
      // UnsupportedOperatorError listing every missing operator) stays attached.
      if (e instanceof RxrnnError && !(e instanceof BackendError)) {
        throw new BackendError('builtin', `cannot run this model: ${e.message}`, { cause: e });
      }
      throw e;
    }
  },
};
