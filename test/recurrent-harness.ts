/**
 * Runs the one RNN/LSTM/GRU node of a model on the recurrent kernels directly, the way the executor's plan
 * calls a kernel (initializers arrive as `init.constants`, outputs come from `ctx.output`), without the rest
 * of the executor. The property tests use it so they check these kernels alone; the executor's own tests
 * cover the plan around them.
 */
import { kernels as gru } from '../src/executor/kernels/gru.js';
import { kernels as lstm } from '../src/executor/kernels/lstm.js';
import { kernels as rnn } from '../src/executor/kernels/rnn.js';
import type { Kernel, RunContext } from '../src/executor/kernel.js';
import { opsetOf, type Model } from '../src/ir/graph.js';
import { allocData, type DataTypeMap, type DType, type Tensor } from '../src/tensor.js';

const DEFS = [...rnn, ...lstm, ...gru];

export interface RecurrentRunner {
  kernel: Kernel;
  /** Runs with graph feeds; returns outputs by graph name (fresh copies). */
  run(feeds: Record<string, Tensor>): Record<string, Tensor>;
  /** Like run, but returns the kernel's own output tensors (pool buffers reused by the next run). */
  runShared(feeds: Record<string, Tensor>): Record<string, Tensor>;
  /** Buffers handed out by ctx.output / ctx.scratch that had to be newly allocated, over all runs. */
  readonly allocations: number;
}

export function createRecurrentRunner(model: Model): RecurrentRunner {
  const { graph } = model;
  if (graph.nodes.length !== 1) throw new Error(`expected a one-node model, got ${graph.nodes.length} nodes`);
  const node = graph.nodes[0]!;
  const opset = opsetOf(model) ?? 1;
  const def = DEFS.find((d) => d.opType === node.opType && d.sinceVersion <= opset && (d.untilVersion ?? Infinity) >= opset);
  if (def === undefined) throw new Error(`no recurrent kernel for ${node.opType}@${opset}`);
  const constants = node.inputs.map((n) => (n === '' ? undefined : graph.initializers.get(n)));
  const kernel = def.create({
    node,
    opset,
    constants,
    inputInfo: node.inputs.map(() => undefined),
    planSubgraph: () => {
      throw new Error('no subgraphs here');
    },
  });
  // A pool like the plan's: one buffer per output index / scratch slot, reused while the size fits.
  const outBufs = new Map<number, { dtype: DType; data: DataTypeMap[DType] }>();
  const scratchBufs = new Map<number, DataTypeMap[DType]>();
  let allocations = 0;
  const ctx: RunContext = {
    output<D extends DType>(index: number, dtype: D, dims: readonly number[]): Tensor<D> {
      const n = dims.reduce((a, b) => a * b, 1);
      let buf = outBufs.get(index);
      if (buf === undefined || buf.dtype !== dtype || buf.data.length !== n) {
        buf = { dtype, data: allocData(dtype, n) };
        outBufs.set(index, buf);
        allocations++;
      }
      return { dtype, dims: [...dims], data: buf.data as DataTypeMap[D] };
    },
    scratch<D extends DType>(slot: number, dtype: D, length: number): DataTypeMap[D] {
      let buf = scratchBufs.get(slot);
      if (buf === undefined || buf.length < length) {
        buf = allocData(dtype, length);
        scratchBufs.set(slot, buf);
        allocations++;
      }
      return buf as DataTypeMap[D];
    },
    scope: new Map(),
  };
  return {
    kernel,
    get allocations() {
      return allocations;
    },
    runShared(feeds) {
      const inputs = node.inputs.map((n, i) => (n === '' ? undefined : (constants[i] ?? feeds[n])));
      const outs = kernel.run(inputs, ctx);
      const result: Record<string, Tensor> = {};
      node.outputs.forEach((name, i) => {
        const t = outs[i];
        if (name !== '' && t !== undefined) result[name] = t;
      });
      return result;
    },
    run(feeds) {
      const result = this.runShared(feeds);
      for (const [name, t] of Object.entries(result)) result[name] = { dtype: t.dtype, dims: [...t.dims], data: t.data.slice() } as Tensor;
      return result;
    },
  };
}
