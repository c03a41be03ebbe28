/**
 * One interface over three executors. A backend loads a model into an {@link Engine}; an engine is
 * stateless, as onnxruntime is: recurrent state is an input and an output of every call, carried by the
 * step session above it.
 */
import type { Model, ValueInfo } from '../ir/graph.js';
import type { Tensor } from '../tensor.js';

export type BackendName = 'builtin' | 'ort-node' | 'ort-web';

/** A model as the caller has it: ONNX bytes, a file path (Node only), or the project's IR. */
export type ModelSource = Uint8Array | ArrayBuffer | string | Model;

export interface EngineOptions {
  /** Intra-op threads (ort-node: intraOpNumThreads; ort-web: env.wasm.numThreads). */
  threads?: number;
  /** onnxruntime graph optimisation level. */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** onnxruntime execution providers in order of preference, e.g. `['cuda', 'cpu']` or `['webgpu', 'wasm']`. */
  executionProviders?: string[];
}

/**
 * A loaded model. `run` takes every graph input by name and returns every graph output by name.
 *
 * Ownership: returned tensors may be buffers the engine reuses on its next `run`; read or copy them before
 * calling `run` again.
 */
export interface Engine {
  readonly backend: BackendName;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  run(feeds: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>>;
  /** Synchronous run where the backend can (builtin): no promise, no microtask, no allocation. */
  runSync?(feeds: Readonly<Record<string, Tensor>>): Record<string, Tensor>;
  dispose(): Promise<void>;
}

export interface Backend {
  readonly name: BackendName;
  /** Whether this backend can run here (its native binary loads, its wasm is reachable). */
  available(): Promise<{ ok: boolean; reason: string }>;
  /** Loads a model. A model this backend cannot run is a `BackendError` naming the backend and the reason. */
  load(model: ModelSource, options?: EngineOptions): Promise<Engine>;
}
