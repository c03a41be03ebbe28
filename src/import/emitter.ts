/**
 * A small append-only writer of the project's IR for the Keras importer: unique value names scoped by the
 * Keras layer being converted, constants as initializers, and one call per ONNX node. Attribute values are
 * typed by the graph builder's {@link toAttribute} (use `attr.float(1)` for a float that is an integer).
 *
 * Why not the shared GraphBuilder: the importer needs a handful of generic operations with layer-scoped
 * naming, and owning this tiny layer keeps the importer's output stable while the builder evolves.
 */
import type { Attribute, Dim, Graph, Model, Node, ValueInfo } from '../ir/graph.js';
import { toAttribute, type AttrValue } from '../onnx/build.js';
import { tensor, type DType, type Tensor } from '../tensor.js';

/** The ONNX opset the importer targets (LSTM/GRU/RNN-14, Softmax-13, ReduceSum-13 with axes as input). */
export const IMPORT_OPSET = 17;

export class Emitter {
  private readonly nodes: Node[] = [];
  private readonly initializers = new Map<string, Tensor>();
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly used = new Set<string>();
  private scope = '';

  /** Names created from now on start with `scope/` (the Keras layer's name). */
  setScope(scope: string): void {
    this.scope = scope;
  }

  /** A fresh value name `scope/hint`, suffixed `_1`, `_2`... when taken. */
  fresh(hint: string): string {
    const base = this.scope ? `${this.scope}/${hint}` : hint;
    let name = base;
    for (let k = 1; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  /** Reserves an exact name (graph inputs/outputs, state names); false when it is already taken. */
  reserve(name: string): boolean {
    if (this.used.has(name)) return false;
    this.used.add(name);
    return true;
  }

  input(name: string, dtype: DType, shape: Dim[]): string {
    this.inputs.push({ name, type: { kind: 'tensor', elemType: dtype, shape } });
    return name;
  }

  output(name: string, dtype: DType, shape: Dim[]): void {
    this.outputs.push({ name, type: { kind: 'tensor', elemType: dtype, shape } });
  }

  /** Adds an initializer under a fresh name derived from `hint`. */
  constant(hint: string, value: Tensor): string {
    const name = this.fresh(hint);
    this.initializers.set(name, value);
    return name;
  }

  int64s(hint: string, values: readonly number[], dims: number[] = [values.length]): string {
    return this.constant(hint, tensor('int64', dims, values));
  }

  float(hint: string, value: number): string {
    return this.constant(hint, tensor('float32', [], [value]));
  }

  /**
   * Appends a node. `outputs` are names to use verbatim (state outputs, graph outputs) or, when a number,
   * how many fresh outputs to create. Returns the output names.
   */
  node(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, outputs: number | readonly string[] = 1): string[] {
    const outs = typeof outputs === 'number' ? Array.from({ length: outputs }, (_, i) => this.fresh(`${opType}${outputs > 1 ? `_out${i}` : ''}`)) : [...outputs];
    const attributes: Record<string, Attribute> = {};
    for (const [k, v] of Object.entries(attrs)) attributes[k] = toAttribute(v);
    // Trailing omitted optional inputs are dropped, as ONNX allows.
    const ins = [...inputs];
    while (ins.length > 0 && ins[ins.length - 1] === '') ins.pop();
    this.nodes.push({ name: this.fresh(`${opType}_node`), opType, domain: '', inputs: ins, outputs: outs, attributes });
    return outs;
  }

  /** Single-output shorthand for {@link node}. */
  op(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, output?: string): string {
    return this.node(opType, inputs, attrs, output === undefined ? 1 : [output])[0]!;
  }

  build(meta: { name: string; doc?: string; metadata?: Record<string, string> }): Model {
    const graph: Graph = {
      name: meta.name,
      inputs: this.inputs,
      outputs: this.outputs,
      initializers: this.initializers,
      nodes: this.nodes,
      valueInfo: [],
    };
    if (meta.doc !== undefined) graph.doc = meta.doc;
    return {
      irVersion: 8,
      opsetImports: [{ domain: '', version: IMPORT_OPSET }],
      producerName: 'rxrnn-keras-import',
      producerVersion: '0.1.0',
      metadata: meta.metadata ?? {},
      graph,
    };
  }
}
