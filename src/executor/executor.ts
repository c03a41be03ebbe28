/**
 * The built-in executor: plans a {@link Model} once and runs it synchronously, with buffers reused from
 * run to run. This is what the `builtin` backend wraps.
 */
import { BackendError, InputError, UnsupportedOperatorError } from '../errors.js';
import { opsetOf, type Model, type ValueInfo } from '../ir/graph.js';
import { isDType, sameDims, type Tensor } from '../tensor.js';
import { checkFeed } from './feeds.js';
import { missingOperators } from './missing-ops.js';
import { GraphPlan, type InputBinding } from './plan.js';
import { BufferPool, DEFAULT_MAX_TENSOR_BYTES, type PoolStats } from './pool.js';

export interface ExecutorOptions {
  /** The largest buffer (bytes) a kernel may ask the pool for; default 2 GiB. */
  maxTensorBytes?: number;
}

export interface Executor {
  /** Graph inputs the caller must feed (initializer-backed inputs are optional and not listed). */
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  /**
   * Runs the model. Returns every graph output by name. The returned tensors (and the returned record)
   * are owned by the executor and valid until the next `run`: copy what you keep.
   * @throws InputError for a missing, unknown or ill-shaped feed (nothing has run then).
   * @throws KernelError naming the node that failed.
   */
  run(feeds: Readonly<Record<string, Tensor>>): Record<string, Tensor>;
  /** Buffer pool counters: allocations ever made and bytes held. */
  readonly pool: PoolStats;
  /** Number of nodes computed at plan time (constant folding). */
  readonly foldedNodes: number;
  /** Number of nodes dropped at plan time because no graph output depends on them. */
  readonly prunedNodes: number;
  /** Releases the pool's buffers; `run` after `dispose` throws. */
  dispose(): void;
}

/**
 * Plans `model` for the built-in executor.
 *
 * @throws UnsupportedOperatorError listing every operator (If branches included) without a kernel.
 * @throws BackendError when a graph input or output is not a tensor of a supported element type.
 * @throws ModelLoadError for a structurally broken graph (cycle, value produced twice, dangling input).
 * @throws KernelError when a node's attributes or constant inputs are invalid.
 *
 * @example
 * ```ts
 * import { createExecutor, tensor } from 'rxrnn';
 * const exec = createExecutor(model);
 * const { Y_h } = exec.run({ X: tensor('float32', [1, 1, 16]) });
 * const again = exec.run({ X: tensor('float32', [1, 1, 16]) }); // same shapes: no new buffers
 * console.log(exec.pool.allocations);
 * ```
 */
export function createExecutor(model: Model, options: ExecutorOptions = {}): Executor {
  const opsetFor = (domain: string) => opsetOf(model, domain);
  const missing = missingOperators(model.graph, opsetFor);
  if (missing.length > 0) throw new UnsupportedOperatorError(missing);
  for (const vi of [...model.graph.inputs, ...model.graph.outputs]) {
    const t = vi.type;
    if (t !== undefined && (t.kind !== 'tensor' || !isDType(t.elemType))) {
      const what = t.kind === 'tensor' ? `element type ${t.elemType}` : `a ${t.kind} type`;
      throw new BackendError(
        'builtin',
        `graph value '${vi.name}' has ${what}; the built-in executor runs tensors of float32/64, int8/16/32/64, uint8/16/32/64 and bool. Use the 'ort-node' or 'ort-web' backend.`,
      );
    }
  }
  const pool = new BufferPool(options.maxTensorBytes ?? DEFAULT_MAX_TENSOR_BYTES);
  const plan = new GraphPlan(model.graph, { pool, opsetFor });
  return new PlannedExecutor(model, plan, pool);
}

class PlannedExecutor implements Executor {
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  private readonly bindings: readonly InputBinding[];
  private readonly known: ReadonlySet<string>;
  /** Reused every run; no prototype, so an output named `__proto__` or `constructor` is just a key. */
  private readonly result: Record<string, Tensor> = Object.create(null) as Record<string, Tensor>;
  private disposed = false;
  /** See GraphPlan.constantBuffers: outputs that would alias a constant are copied into these. */
  private readonly constantBuffers: ReadonlySet<ArrayBufferLike>;
  private readonly outputCopies: (Tensor | undefined)[] = [];

  constructor(
    model: Model,
    private readonly plan: GraphPlan,
    readonly pool: BufferPool,
  ) {
    const g = model.graph;
    this.inputs = g.inputs.filter((i) => !g.initializers.has(i.name));
    this.outputs = g.outputs;
    this.bindings = plan.inputs;
    this.known = new Set(plan.inputs.map((b) => b.name));
    this.constantBuffers = plan.constantBuffers();
  }

  get foldedNodes(): number {
    return this.plan.folded;
  }

  get prunedNodes(): number {
    return this.plan.pruned;
  }

  run(feeds: Readonly<Record<string, Tensor>>): Record<string, Tensor> {
    if (this.disposed) throw new BackendError('builtin', 'run() called after dispose()');
    if (feeds === null || typeof feeds !== 'object') {
      throw new InputError(`feeds must be an object of tensors by input name, got ${feeds === null ? 'null' : typeof feeds}`);
    }
    // Validate everything before writing anything, so a bad feed leaves the plan as it was.
    let matched = 0;
    const bindings = this.bindings;
    for (let i = 0; i < bindings.length; i++) {
      const b = bindings[i]!;
      // own properties only: an input named `constructor` must not find Object's
      const t = Object.hasOwn(feeds, b.name) ? feeds[b.name] : undefined;
      if (t === undefined) {
        if (b.fallback !== undefined) continue;
        throw missingInput(b, this.inputs);
      }
      checkFeed(b, t);
      matched++;
    }
    let given = 0;
    for (const _ in feeds) given++;
    if (given !== matched) checkUnknown(feeds, this.known);
    const values = this.plan.values;
    for (let i = 0; i < bindings.length; i++) {
      const b = bindings[i]!;
      values[b.id] = (Object.hasOwn(feeds, b.name) ? feeds[b.name] : undefined) ?? b.fallback;
    }
    const outs = this.plan.run();
    const names = this.plan.outputNames;
    const result = this.result;
    for (let k = 0; k < names.length; k++) {
      const t = outs[k]!;
      result[names[k]!] = this.constantBuffers.has(t.data.buffer) ? this.copyOfConstant(k, t) : t;
    }
    return result;
  }

  /** A caller may write into what `run` returns; a constant (or a view of one) must not be changed that way. */
  private copyOfConstant(k: number, t: Tensor): Tensor {
    let copy = this.outputCopies[k];
    if (copy === undefined || copy.dtype !== t.dtype || copy.data.length !== t.data.length || !sameDims(copy.dims, t.dims)) {
      copy = { dtype: t.dtype, dims: [...t.dims], data: t.data.slice() } as Tensor;
      this.outputCopies[k] = copy;
    } else {
      (copy.data as Float32Array).set(t.data as Float32Array);
    }
    return copy;
  }

  dispose(): void {
    this.disposed = true;
    this.pool.clear();
    this.plan.values.fill(undefined);
  }
}

// Error paths live outside `run`: a closure inside it that captured `feeds` would make V8 allocate a
// context object on every call, even when no error occurs.

function missingInput(b: InputBinding, inputs: readonly ValueInfo[]): InputError {
  return new InputError(
    `missing input '${b.name}' (${b.declaredType}${b.declaredDims ? ' ' + dimsText(b.declaredDims) : ''}); ` +
      `the model needs: ${inputs.map((x) => x.name).join(', ')}`,
  );
}

function checkUnknown(feeds: Readonly<Record<string, Tensor>>, known: ReadonlySet<string>): void {
  const unknown = Object.keys(feeds).filter((k) => !known.has(k) && feeds[k] !== undefined);
  if (unknown.length > 0) {
    throw new InputError(`unknown input(s) ${unknown.map((u) => `'${u}'`).join(', ')}; the model's inputs are: ${[...known].join(', ')}`);
  }
}

function dimsText(dims: readonly (number | string | null)[]): string {
  return `[${dims.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

