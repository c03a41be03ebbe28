/**
 * The contract between the executor's plan and its kernels. One kernel definition covers one operator over
 * a range of opsets; `create` runs once at plan time (validate attributes, pack weights, precompute
 * strides) and returns the object whose `run` is called every step.
 *
 * Memory rule: a kernel writes its outputs into tensors obtained from `ctx.output(...)` and keeps
 * temporaries in `ctx.scratch(...)`. Both are owned by the plan's buffer pool and reused run after run
 * when sizes repeat, so a steady-state step allocates no tensor buffers. A kernel may instead return one
 * of its inputs unchanged, or a view `{ ...input, dims }` sharing an input's data (Identity, Reshape,
 * Squeeze, Unsqueeze, Flatten) — never a buffer it allocated itself with `new`.
 */
import type { Graph, Node } from '../ir/graph.js';
import type { DataTypeMap, DType, Tensor } from '../tensor.js';

/** What the plan knows about an input before running: its dtype and (partly) known shape. */
export interface StaticInfo {
  dtype?: DType;
  /** `null` entries are unknown dimensions; the whole array is absent when the rank is unknown. */
  dims?: (number | null)[];
}

/** A planned subgraph (If branches); runs with the enclosing scope's values visible. */
export interface SubgraphRunner {
  run(scope: ReadonlyMap<string, Tensor>): Tensor[];
}

export interface KernelInit {
  node: Node;
  /** The model's opset for the node's domain. */
  opset: number;
  /** Inputs whose values are known at plan time (initializers, folded constants), by input position. */
  constants: readonly (Tensor | undefined)[];
  /** Static information per input position (undefined for omitted optional inputs). */
  inputInfo: readonly (StaticInfo | undefined)[];
  /** Plans a subgraph attribute (If's `then_branch` / `else_branch`). */
  planSubgraph(graph: Graph): SubgraphRunner;
}

export interface RunContext {
  /** An output tensor for output `index` of the running node, from the plan's pool. Contents are undefined. */
  output<D extends DType>(index: number, dtype: D, dims: readonly number[]): Tensor<D>;
  /** Temporary memory private to the running node, reused across runs. Contents are undefined. */
  scratch<D extends DType>(slot: number, dtype: D, length: number): DataTypeMap[D];
  /** Values visible from an enclosing graph (for If). */
  readonly scope: ReadonlyMap<string, Tensor>;
}

export interface Kernel {
  /** `inputs[i]` is undefined where the node omits optional input i. Returns one entry per node output. */
  run(inputs: readonly (Tensor | undefined)[], ctx: RunContext): (Tensor | undefined)[];
}

export interface KernelDef {
  opType: string;
  /** Defaults to `''` (ai.onnx). */
  domain?: string;
  /** First opset this definition implements. */
  sinceVersion: number;
  /** Last opset it implements (inclusive); open-ended when absent. */
  untilVersion?: number;
  /**
   * True when every output is always a buffer from `ctx.output` — never an input returned as is, never a
   * view of one. The plan may then hand an input's buffer to a later node as soon as this node (its last
   * reader) has run; without the flag it assumes outputs may alias inputs and keeps inputs alive as long
   * as the outputs.
   */
  freshOutputs?: boolean;
  create(init: KernelInit): Kernel;
}
