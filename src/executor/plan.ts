/**
 * Plans one graph (the model's, or an If branch) once and runs it many times.
 *
 * Planning: name → value id, topological order, dead-node elimination, kernel lookup, constant folding (a
 * node whose inputs are all constants runs here, once, and its outputs become constants for the nodes after
 * it), static dtype/shape inference, and pool slots for node outputs, shared between values whose
 * lifetimes do not overlap. Running is a plain loop over preallocated per-node input arrays: no closures,
 * no Map lookups, no allocation once shapes repeat.
 */
import { KernelError, ModelLoadError } from '../errors.js';
import { describeNode, type Graph, type Node } from '../ir/graph.js';
import type { Tensor } from '../tensor.js';
import type { Kernel, KernelInit, RunContext, SubgraphRunner } from './kernel.js';
import { findKernel } from './kernels/registry.js';
import { liveNodes, nodeReads } from './liveness.js';
import type { OpsetResolver } from './missing-ops.js';
import type { BufferPool } from './pool.js';
import { FoldContext, kernelFailure, NodeContext } from './run-context.js';
import { ScopeView } from './scope.js';
import { inferOutputs, infoOfTensor, infoOfValueType, mergeInfo, toStatic, type SymbolicInfo } from './shape-inference.js';
import { assignSlots } from './slot-assignment.js';
import { topologicalOrder } from './topo-order.js';

/** What a subgraph can see of the graphs around it at plan time. */
export interface OuterScope {
  /** Whether `name` is a value of an enclosing graph. */
  has(name: string): boolean;
  info(name: string): SymbolicInfo | undefined;
  constant(name: string): Tensor | undefined;
}

interface Step {
  readonly node: Node;
  readonly kernel: Kernel;
  /** Value id per node input; -1 for an omitted optional input. */
  readonly inIds: readonly number[];
  /** Reused every run: the kernel's input array. */
  readonly inputs: (Tensor | undefined)[];
  /** Value id per node output; -1 for an omitted output. */
  readonly outIds: readonly number[];
  readonly ctx: RunContext;
  /** Pool slot per output, filled in by slot assignment once every step is known. */
  readonly outputSlots: number[];
  /** Value ids this step reads: its inputs plus what its subgraphs read from this graph. */
  readonly reads: readonly number[];
  /** The kernel never returns an input or a view of one (KernelDef.freshOutputs). */
  readonly fresh: boolean;
}

/** One graph input: where its value goes, what it must look like, and its default (an initializer). */
export interface InputBinding {
  readonly name: string;
  readonly id: number;
  readonly info: SymbolicInfo | undefined;
  /** Declared dims including symbolic names, for error messages. */
  readonly declaredDims: readonly (number | string | null)[] | undefined;
  readonly declaredType: string;
  readonly fallback: Tensor | undefined;
}

export interface PlanOptions {
  pool: BufferPool;
  opsetFor: OpsetResolver;
  outer?: OuterScope;
}

export class GraphPlan implements SubgraphRunner {
  /** Value storage, indexed by value id. Constants are written once at plan time. */
  readonly values: (Tensor | undefined)[] = [];
  readonly inputs: InputBinding[] = [];
  readonly outputIds: number[] = [];
  readonly outputNames: string[] = [];
  /** Number of nodes folded into constants at plan time. */
  folded = 0;
  /** Number of nodes no graph output depends on (not planned, never run). */
  pruned = 0;
  /** How many step outputs reuse another output's pool slot (buffer sharing by lifetime). */
  sharedSlots = 0;

  private readonly ids = new Map<string, number>();
  private readonly infos: (SymbolicInfo | undefined)[] = [];
  private readonly constants: (Tensor | undefined)[] = [];
  private readonly steps: Step[] = [];
  private readonly outerIds: number[] = [];
  private readonly outerNames: string[] = [];
  private readonly outputArray: Tensor[] = [];
  private readonly scope: ScopeView;
  /** Types the model declares for intermediate values and outputs (`value_info`, graph outputs). */
  private declared = new Map<string, SymbolicInfo | undefined>();

  constructor(
    private readonly graph: Graph,
    private readonly options: PlanOptions,
  ) {
    this.scope = new ScopeView(this.ids, this.values);
    this.bindSources();
    const outer = options.outer;
    const order = topologicalOrder(graph, (name) => this.ids.has(name) || outer?.has(name) === true);
    const live = liveNodes(order, graph.outputs.map((o) => o.name));
    this.pruned = order.length - live.length;
    for (const node of live) this.planNode(node);
    for (const out of graph.outputs) {
      const id = this.ids.get(out.name) ?? this.bindOuter(out.name);
      if (id === undefined) {
        throw new ModelLoadError(`graph '${graph.name}': output '${out.name}' is not produced by any node, input or initializer`);
      }
      this.outputIds.push(id);
      this.outputNames.push(out.name);
    }
    this.assignOutputSlots();
  }

  /** Gives every step output a pool slot, sharing slots between values whose lifetimes do not overlap. */
  private assignOutputSlots(): void {
    const pool = this.options.pool;
    const shareKey = (id: number): string | undefined => {
      // Equal keys mean equal shapes on every run: sizes, or the same symbolic name (the model's 'batch').
      const info = this.infos[id];
      if (info?.dtype === undefined || info.dims === undefined || info.dims.some((d) => d === null)) return undefined;
      return `${info.dtype}${JSON.stringify(info.dims)}`;
    };
    const slots = assignSlots(this.steps, this.outputIds, shareKey, () => pool.reserve());
    this.steps.forEach((step, s) => step.outputSlots.push(...slots[s]!));
    this.sharedSlots = this.steps.reduce((n, step) => n + step.outputSlots.length, 0) - new Set(slots.flat()).size;
  }

  /**
   * The buffers behind every constant of this graph (initializers, folded values, input defaults). A graph
   * output sharing one of them must be copied before it is handed out, or a caller writing into it would
   * change the model.
   */
  constantBuffers(): Set<ArrayBufferLike> {
    const set = new Set<ArrayBufferLike>();
    for (const c of this.constants) if (c !== undefined) set.add(c.data.buffer);
    for (const b of this.inputs) if (b.fallback !== undefined) set.add(b.fallback.data.buffer);
    return set;
  }

  /** Static information about a value of this graph (after folding and inference). */
  infoOf(name: string): SymbolicInfo | undefined {
    const id = this.ids.get(name);
    return id === undefined ? this.options.outer?.info(name) : this.infos[id];
  }

  private newId(name: string, info: SymbolicInfo | undefined, constant?: Tensor): number {
    const id = this.values.length;
    this.ids.set(name, id);
    this.values.push(constant);
    this.constants.push(constant);
    this.infos.push(info);
    return id;
  }

  private bindSources(): void {
    const g = this.graph;
    const declared = new Map<string, SymbolicInfo | undefined>();
    for (const vi of [...g.valueInfo, ...g.outputs]) declared.set(vi.name, infoOfValueType(vi.type));
    const inputNames = new Set(g.inputs.map((i) => i.name));
    for (const input of g.inputs) {
      if (this.ids.has(input.name)) throw new ModelLoadError(`graph '${g.name}': input '${input.name}' is declared twice`);
      const fallback = g.initializers.get(input.name);
      const info = mergeInfo(infoOfValueType(input.type), fallback && { dtype: fallback.dtype });
      const id = this.newId(input.name, info);
      const t = input.type;
      this.inputs.push({
        name: input.name,
        id,
        info,
        declaredDims: t?.kind === 'tensor' ? t.shape : undefined,
        declaredType: t === undefined ? 'unknown' : t.kind === 'tensor' ? t.elemType : t.kind,
        fallback,
      });
    }
    for (const [name, t] of g.initializers) {
      if (inputNames.has(name)) continue; // an overridable default, bound above
      this.newId(name, infoOfTensor(t), t);
    }
    this.declared = declared;
  }

  /** Binds a name read from an enclosing graph; its value is copied in from the scope on every run. */
  private bindOuter(name: string): number | undefined {
    const outer = this.options.outer;
    if (outer === undefined || !outer.has(name)) return undefined;
    const constant = outer.constant(name);
    const id = this.newId(name, outer.info(name), constant);
    if (constant === undefined) {
      this.outerIds.push(id);
      this.outerNames.push(name);
    }
    return id;
  }

  private planNode(node: Node): void {
    const what = describeNode(node);
    const opset = this.options.opsetFor(node.domain);
    const def = opset === undefined ? undefined : findKernel(node.opType, node.domain, opset);
    if (def === undefined || opset === undefined) {
      // missingOperators() runs before planning, so this is only reached by a caller that skipped it.
      throw new KernelError(`${what}: no kernel for ${node.domain || 'ai.onnx'}::${node.opType}@${opset ?? '?'}`);
    }
    const inIds = node.inputs.map((name) => (name === '' ? -1 : (this.ids.get(name) ?? this.bindOuter(name)!)));
    const constants = inIds.map((id) => (id < 0 ? undefined : this.constants[id]));
    const symbolic = inIds.map((id) => (id < 0 ? undefined : this.infos[id]));
    const inputInfo = symbolic.map(toStatic);
    const hasSubgraph = Object.values(node.attributes).some((a) => a.type === 'graph' || a.type === 'graphs');
    const init: KernelInit = {
      node,
      opset,
      constants,
      inputInfo,
      planSubgraph: (graph: Graph) => this.planSubgraph(graph),
    };
    let kernel: Kernel;
    try {
      kernel = def.create(init);
    } catch (e) {
      throw kernelFailure(node, 'preparing the kernel', e);
    }
    const foldable = !hasSubgraph && inIds.every((id, i) => id < 0 || constants[i] !== undefined);
    if (foldable) {
      let outs: (Tensor | undefined)[];
      try {
        outs = kernel.run(constants, new FoldContext(this.options.pool.maxTensorBytes, what));
      } catch (e) {
        throw kernelFailure(node, 'constant folding', e);
      }
      node.outputs.forEach((name, j) => {
        if (name === '') return;
        const t = outs[j];
        this.newId(name, t === undefined ? undefined : infoOfTensor(t), t);
      });
      this.folded++;
      return;
    }
    const inferred = inferOutputs(node, symbolic, opset, constants);
    const outIds: number[] = [];
    const outputSlots: number[] = [];
    node.outputs.forEach((name, j) => {
      outIds.push(name === '' ? -1 : this.newId(name, mergeInfo(inferred[j], this.declared.get(name))));
    });
    const reads = [...inIds];
    if (hasSubgraph) {
      for (const name of nodeReads(node)) {
        const id = this.ids.get(name);
        if (id !== undefined) reads.push(id);
      }
    }
    this.steps.push({
      node,
      kernel,
      inIds,
      inputs: new Array<Tensor | undefined>(inIds.length).fill(undefined),
      outIds,
      ctx: new NodeContext(this.options.pool, outputSlots, what, this.scope),
      outputSlots,
      reads,
      fresh: def.freshOutputs === true,
    });
  }

  private planSubgraph(graph: Graph): SubgraphRunner {
    const outer: OuterScope = {
      has: (name) => this.ids.has(name) || this.options.outer?.has(name) === true,
      info: (name) => this.infoOf(name),
      constant: (name) => {
        const id = this.ids.get(name);
        return id === undefined ? this.options.outer?.constant(name) : this.constants[id];
      },
    };
    return new GraphPlan(graph, { pool: this.options.pool, opsetFor: this.options.opsetFor, outer });
  }

  /**
   * Runs the graph on values already placed in `values` (inputs) — for the model's graph the executor
   * writes the feeds first. Returns the graph outputs in order (an array reused by the next run).
   */
  run(scope?: ReadonlyMap<string, Tensor>): Tensor[] {
    const values = this.values;
    this.scope.parent = scope;
    if (this.outerIds.length > 0) {
      for (let k = 0; k < this.outerIds.length; k++) {
        const v = scope?.get(this.outerNames[k]!);
        if (v === undefined) {
          throw new KernelError(`graph '${this.graph.name}': outer-scope value '${this.outerNames[k]}' has no value at run time`);
        }
        values[this.outerIds[k]!] = v;
      }
    }
    const steps = this.steps;
    for (let s = 0; s < steps.length; s++) {
      const step = steps[s]!;
      const inIds = step.inIds;
      const inputs = step.inputs;
      for (let i = 0; i < inIds.length; i++) {
        const id = inIds[i]!;
        if (id < 0) {
          inputs[i] = undefined;
          continue;
        }
        const v = values[id];
        if (v === undefined) throw this.unproduced(step.node, i);
        inputs[i] = v;
      }
      let outs: (Tensor | undefined)[];
      try {
        outs = step.kernel.run(inputs, step.ctx);
      } catch (e) {
        throw kernelFailure(step.node, 'running', e);
      }
      const outIds = step.outIds;
      for (let j = 0; j < outIds.length; j++) {
        const id = outIds[j]!;
        if (id >= 0) values[id] = outs[j];
      }
    }
    const result = this.outputArray;
    for (let k = 0; k < this.outputIds.length; k++) {
      const v = values[this.outputIds[k]!];
      if (v === undefined) {
        throw new KernelError(`graph '${this.graph.name}': output '${this.outputNames[k]}' was not produced (its node returned no value)`);
      }
      result[k] = v;
    }
    return result;
  }

  private unproduced(node: Node, i: number): KernelError {
    return new KernelError(
      `${describeNode(node)}: input ${i} ('${node.inputs[i]}') has no value: its producer did not output it`,
    );
  }
}
