/**
 * What the two onnxruntime backends (ort-node, ort-web) share: converting between rxrnn tensors and
 * onnxruntime tensors without copying, reading a session's input/output metadata as IR `ValueInfo`, and
 * the engine itself. The onnxruntime module is passed in (each backend imports its own package lazily),
 * so this file has no runtime import of either package.
 */
import type { InferenceSession, Tensor as OrtTensor, TypedTensor } from 'onnxruntime-common';
import type { Dim, ElementType, ValueInfo } from '../ir/graph.js';
import { BackendError } from '../errors.js';
import { isDType, sameDims, type DType, type Tensor } from '../tensor.js';
import type { BackendName, Engine, EngineOptions } from './backend.js';

/** The part of an onnxruntime package (node or web) the engine uses. */
export interface OrtModule {
  InferenceSession: { create(model: Uint8Array | string, options?: InferenceSession.SessionOptions): Promise<InferenceSession> };
  Tensor: new (type: OrtTensor.Type, data: OrtTensor.DataType, dims: readonly number[]) => OrtTensor;
}

const ORT_TYPES: Readonly<Record<DType, OrtTensor.Type>> = {
  float32: 'float32',
  float64: 'float64',
  int8: 'int8',
  int16: 'int16',
  int32: 'int32',
  int64: 'int64',
  uint8: 'uint8',
  uint16: 'uint16',
  uint32: 'uint32',
  uint64: 'uint64',
  bool: 'bool',
};

/**
 * onnxruntime reports an unknown dimension as `''` (node) or 2^32-1 (web) and a symbolic one by its name.
 * Both unknown and symbolic become the IR's `Dim` (null or the name).
 */
function toDim(d: number | string): Dim {
  if (typeof d === 'string') return d === '' ? null : d;
  return d < 0 || d >= 0xffffffff ? null : d;
}

/** Reads onnxruntime metadata as IR value infos. Non-tensor values keep their name and no type. */
export function metadataToValueInfo(meta: readonly InferenceSession.ValueMetadata[]): ValueInfo[] {
  return meta.map((m) => {
    if (!m.isTensor) return { name: m.name };
    const elemType = (m.type === 'float16' ? 'float16' : m.type) as ElementType;
    return { name: m.name, type: { kind: 'tensor', elemType, shape: m.shape.map(toDim) } };
  });
}

/** Maps graph optimisation levels and execution providers from rxrnn's options to onnxruntime's. */
export function sessionOptions(options: EngineOptions | undefined, extra: InferenceSession.SessionOptions = {}): InferenceSession.SessionOptions {
  const o: InferenceSession.SessionOptions = { ...extra };
  if (options?.threads !== undefined) o.intraOpNumThreads = options.threads;
  if (options?.graphOptimizationLevel !== undefined) o.graphOptimizationLevel = options.graphOptimizationLevel;
  if (options?.executionProviders !== undefined) o.executionProviders = options.executionProviders;
  return o;
}

/**
 * An onnxruntime session behind the {@link Engine} interface.
 *
 * Allocation: the onnxruntime tensor wrapping a feed is cached per typed array, so a caller that reuses
 * its feed buffers (the step session does) creates no wrapper objects in steady state. Where the backend
 * writes into caller-provided output tensors (`preallocateOutputs`, onnxruntime-node), outputs are
 * preallocated once per output shape seen, so the native side fills the same buffers step after step.
 */
export class OrtEngine implements Engine {
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  private readonly wrappers = new WeakMap<object, OrtTensor>();
  /** Preallocated outputs, keyed by the feed shapes that produced them. */
  private readonly fetchCache = new Map<string, { fetches: Record<string, OrtTensor>; results: Record<string, Tensor> }>();
  private readonly unpreallocatable = new Set<string>();
  private ortFeeds: Record<string, OrtTensor> = {};
  private ortFeedsKey = '';
  private disposed = false;

  constructor(
    readonly backend: BackendName,
    private readonly ort: OrtModule,
    private readonly session: InferenceSession,
    private readonly preallocateOutputs: boolean,
  ) {
    this.inputs = metadataToValueInfo(session.inputMetadata);
    this.outputs = metadataToValueInfo(session.outputMetadata);
  }

  private wrap(t: Tensor): OrtTensor {
    const cached = this.wrappers.get(t.data);
    if (cached && sameDims(cached.dims, t.dims)) return cached;
    const w = new this.ort.Tensor(ORT_TYPES[t.dtype], t.data as OrtTensor.DataType, t.dims);
    // One wrapper per buffer: a buffer fed under another shape is wrapped anew (rare: batch size change).
    this.wrappers.set(t.data, w);
    return w;
  }

  /** The feed-shape key of the last run, rebuilt only when a feed's name set or shape changes. */
  private lastKey = '';
  private readonly lastDims = new Map<string, readonly number[]>();

  private feedKey(feeds: Readonly<Record<string, Tensor>>): string {
    let same = true;
    let count = 0;
    for (const name in feeds) {
      count++;
      const prev = this.lastDims.get(name);
      const dims = feeds[name]!.dims;
      if (prev !== dims && (prev === undefined || !sameDims(prev, dims))) same = false;
    }
    if (same && count === this.lastDims.size) return this.lastKey;
    this.lastDims.clear();
    let key = '';
    for (const name in feeds) {
      const dims = feeds[name]!.dims;
      this.lastDims.set(name, dims);
      key += `${name}:${dims.join('x')};`;
    }
    this.lastKey = key;
    return key;
  }

  async run(feeds: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>> {
    if (this.disposed) throw new BackendError(this.backend, 'run() after dispose()');
    const key = this.feedKey(feeds);
    if (key !== this.ortFeedsKey) {
      // A different feed set: start a fresh record rather than deleting keys (which deoptimises it).
      this.ortFeeds = {};
      this.ortFeedsKey = key;
    }
    for (const name in feeds) this.ortFeeds[name] = this.wrap(feeds[name]!);
    const cached = this.preallocateOutputs ? this.fetchCache.get(key) : undefined;
    try {
      if (cached) {
        try {
          await this.session.run(this.ortFeeds, cached.fetches);
          return cached.results;
        } catch {
          // An output whose shape depends on the data, not only on the feed shapes: stop preallocating it.
          this.fetchCache.delete(key);
          this.unpreallocatable.add(key);
        }
      }
      const out = await this.session.run(this.ortFeeds);
      const results: Record<string, Tensor> = {};
      for (const name in out) results[name] = fromOrt(this.backend, name, out[name] as OrtTensor);
      if (this.preallocateOutputs && this.fetchCache.size < 16 && !this.unpreallocatable.has(key)) this.remember(key, results);
      return results;
    } catch (e) {
      if (e instanceof BackendError) throw e;
      throw new BackendError(this.backend, `run failed: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Keeps the first outputs of this feed signature as the buffers onnxruntime writes into from now on. */
  private remember(key: string, results: Record<string, Tensor>): void {
    const fetches: Record<string, OrtTensor> = {};
    const owned: Record<string, Tensor> = {};
    for (const name in results) {
      const t = results[name]!;
      const data = t.data.slice() as Tensor['data'];
      owned[name] = { dtype: t.dtype, dims: [...t.dims], data };
      fetches[name] = new this.ort.Tensor(ORT_TYPES[t.dtype], data as OrtTensor.DataType, t.dims);
    }
    this.fetchCache.set(key, { fetches, results: owned });
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.fetchCache.clear();
    await this.session.release();
  }
}


/** Wraps an onnxruntime CPU tensor as an rxrnn tensor (no copy). */
export function fromOrt(backend: BackendName, name: string, t: OrtTensor): Tensor {
  if (!isDType(t.type)) {
    throw new BackendError(backend, `output '${name}' has element type ${t.type}, which rxrnn tensors cannot hold`);
  }
  return { dtype: t.type, dims: [...t.dims], data: (t as TypedTensor<typeof t.type & OrtTensor.Type>).data as Tensor['data'] };
}

/** Turns an onnxruntime session-creation failure into a BackendError naming the backend and the reason. */
export function loadFailure(backend: BackendName, e: unknown): BackendError {
  const msg = e instanceof Error ? e.message : String(e);
  return new BackendError(backend, `cannot load this model: ${msg}`, { cause: e });
}
