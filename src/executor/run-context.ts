/**
 * What a kernel sees while it runs: the per-node context that maps its output and scratch numbers to pool
 * slots, the context constant folding uses (fresh buffers, same size limit), and the rule that turns
 * anything a kernel throws into a KernelError naming the node.
 */
import { KernelError, RxrnnError } from '../errors.js';
import { describeNode, type Node } from '../ir/graph.js';
import { allocData, BYTES_PER_ELEMENT, type DataTypeMap, type DType, type Tensor } from '../tensor.js';
import type { RunContext } from './kernel.js';
import type { BufferPool } from './pool.js';

/** Wraps anything a kernel throws into a KernelError that names the node. */
export function kernelFailure(node: Node, phase: string, e: unknown): Error {
  const where = describeNode(node);
  if (e instanceof KernelError && e.message.includes(where)) return e;
  if (e instanceof RxrnnError && !(e instanceof KernelError)) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new KernelError(`${where}: ${phase} failed: ${msg}`, { cause: e });
}

/** The per-node context handed to `Kernel.run`; maps the node's output/scratch numbers to pool slots. */
export class NodeContext implements RunContext {
  private readonly scratchSlots: number[] = [];
  constructor(
    private readonly pool: BufferPool,
    private readonly outputSlots: readonly number[],
    private readonly what: string,
    readonly scope: ReadonlyMap<string, Tensor>,
  ) {}

  output<D extends DType>(index: number, dtype: D, dims: readonly number[]): Tensor<D> {
    const slot = this.outputSlots[index];
    if (slot === undefined) throw new KernelError(`${this.what}: asked for output ${index}, but the node has ${this.outputSlots.length}`);
    return this.pool.tensor(slot, dtype, dims, this.what);
  }

  scratch<D extends DType>(slot: number, dtype: D, length: number): DataTypeMap[D] {
    let s = this.scratchSlots[slot];
    if (s === undefined) {
      // First use of this scratch number: reserve once; later runs find it here.
      s = this.pool.reserve();
      this.scratchSlots[slot] = s;
    }
    return this.pool.array(s, dtype, length, this.what);
  }
}

/**
 * The context for constant folding: fresh buffers that become constants owned by the plan. The same size
 * limit as the pool applies, so a folded ConstantOfShape cannot allocate more than the caller allowed.
 */
export class FoldContext implements RunContext {
  readonly scope: ReadonlyMap<string, Tensor> = new Map();
  constructor(
    private readonly maxTensorBytes: number,
    private readonly what: string,
  ) {}
  output<D extends DType>(_index: number, dtype: D, dims: readonly number[]): Tensor<D> {
    let n = 1;
    for (const d of dims) {
      if (!Number.isInteger(d) || d < 0) throw new KernelError(`${this.what}: output dims must be non-negative integers, got [${dims.join(', ')}]`);
      n *= d;
    }
    return { dtype, dims: dims.slice(), data: this.alloc(dtype, n) };
  }
  scratch<D extends DType>(_slot: number, dtype: D, length: number): DataTypeMap[D] {
    return this.alloc(dtype, length);
  }
  private alloc<D extends DType>(dtype: D, length: number): DataTypeMap[D] {
    const bytes = length * BYTES_PER_ELEMENT[dtype];
    if (bytes > this.maxTensorBytes) {
      throw new KernelError(`${this.what}: a ${dtype} buffer of ${length} elements (${bytes} bytes) exceeds the limit of ${this.maxTensorBytes} bytes`);
    }
    return allocData(dtype, length);
  }
}
