/**
 * A small graph builder: make ONNX models in TypeScript for tests, benchmarks, examples and `models/`.
 *
 * Every method returns value names (strings), so calls compose: `b.sigmoid(b.gemm(x, w, c))`. The builder
 * tracks element types so that `output(name)` can declare a type without being told, and it writes inputs
 * that moved from attributes to inputs (Squeeze/Unsqueeze/Reshape/Slice axes and shapes) in the form the
 * chosen opset wants.
 */
import type { Attribute, Dim, ElementType, Graph, Model, Node, OpsetImport, ValueInfo, ValueType } from '../ir/graph.js';
import { tensor, type DType, type Tensor } from '../tensor.js';
import { dataTypeNumberOf } from './element-types.js';

/** What a builder attribute value may be; see {@link toAttribute} for how each is typed. */
export type AttrValue =
  | Attribute
  | number
  | bigint
  | boolean
  | string
  | number[]
  | bigint[]
  | string[]
  | Tensor
  | Tensor[]
  | Graph
  | Graph[];

/** Forces an attribute kind where a plain number would be typed otherwise (e.g. a float that is `1`). */
export const attr = {
  float: (value: number): Attribute => ({ type: 'float', value: Math.fround(value) }),
  int: (value: number | bigint): Attribute => ({ type: 'int', value: toBigInt(value) }),
  floats: (value: readonly number[]): Attribute => ({ type: 'floats', value: value.map(Math.fround) }),
  ints: (value: readonly (number | bigint)[]): Attribute => ({ type: 'ints', value: value.map(toBigInt) }),
  string: (value: string): Attribute => ({ type: 'string', value }),
  strings: (value: readonly string[]): Attribute => ({ type: 'strings', value: [...value] }),
} as const;

function toBigInt(v: number | bigint): bigint {
  if (typeof v === 'bigint') return v;
  if (!Number.isInteger(v)) throw new TypeError(`expected an integer attribute value, got ${v}`);
  return BigInt(v);
}

function isTensor(v: unknown): v is Tensor {
  return typeof v === 'object' && v !== null && 'dtype' in v && 'dims' in v && 'data' in v;
}

function isGraph(v: unknown): v is Graph {
  return typeof v === 'object' && v !== null && 'nodes' in v && 'initializers' in v;
}

function isAttribute(v: unknown): v is Attribute {
  return typeof v === 'object' && v !== null && 'type' in v && 'value' in v && !isTensor(v) && !isGraph(v);
}

/**
 * Types a builder attribute value: integer numbers and bigints → int, other numbers → float (stored as
 * float32, which is what ONNX holds), booleans → int 0/1, strings → string, arrays element-wise (an empty
 * array is `ints`; use `attr.floats([])` for an empty float list), tensors, graphs. Already-typed
 * {@link Attribute}s pass through.
 */
export function toAttribute(v: AttrValue): Attribute {
  if (typeof v === 'number') return Number.isInteger(v) ? attr.int(v) : attr.float(v);
  if (typeof v === 'bigint') return attr.int(v);
  if (typeof v === 'boolean') return attr.int(v ? 1 : 0);
  if (typeof v === 'string') return attr.string(v);
  if (Array.isArray(v)) {
    const items = v as unknown[];
    if (items.every((x) => typeof x === 'string')) {
      return items.length === 0 ? attr.ints([]) : attr.strings(items as string[]);
    }
    if (items.every((x) => typeof x === 'bigint')) return attr.ints(items as bigint[]);
    if (items.every((x) => typeof x === 'number')) {
      const nums = items as number[];
      return nums.every(Number.isInteger) ? attr.ints(nums) : attr.floats(nums);
    }
    if (items.every(isTensor)) return { type: 'tensors', value: items as Tensor[] };
    if (items.every(isGraph)) return { type: 'graphs', value: items as Graph[] };
    throw new TypeError('attribute arrays must hold one kind: numbers, bigints, strings, tensors or graphs');
  }
  if (isTensor(v)) return { type: 'tensor', value: v };
  if (isGraph(v)) return { type: 'graph', value: v };
  if (isAttribute(v)) return v;
  throw new TypeError(`cannot make an attribute from ${String(v)}`);
}

export type Direction = 'forward' | 'reverse' | 'bidirectional';

/** Options shared by {@link GraphBuilder.rnn}, {@link GraphBuilder.gru} and {@link GraphBuilder.lstm}. */
export interface RecurrentOptions {
  X: string;
  W: string;
  R: string;
  B?: string;
  sequenceLens?: string;
  initialH?: string;
  hiddenSize: number;
  direction?: Direction;
  activations?: string[];
  activationAlpha?: number[];
  activationBeta?: number[];
  clip?: number;
  layout?: 0 | 1;
  name?: string;
}

export interface RnnOptions extends RecurrentOptions {
  /** Output names `[Y, Y_h]`; `''` omits one. Default: both, with generated names. */
  outputs?: [string, string] | string[];
}

export interface GruOptions extends RecurrentOptions {
  linearBeforeReset?: 0 | 1;
  outputs?: [string, string] | string[];
}

export interface LstmOptions extends RecurrentOptions {
  initialC?: string;
  P?: string;
  inputForget?: 0 | 1;
  /** Output names `[Y, Y_h, Y_c]`; `''` omits one. Default: all three, with generated names. */
  outputs?: [string, string, string] | string[];
}

export interface GraphBuilderOptions {
  /** Default-domain opset version (default 21). */
  opset?: number;
  /** Graph name (default `'graph'`). */
  name?: string;
  /** IR version; default: the one ONNX released with `opset`. */
  irVersion?: number;
  /** Further operator-set imports (custom domains). */
  opsetImports?: OpsetImport[];
  producerName?: string;
  metadata?: Record<string, string>;
  doc?: string;
}

/** The IR version ONNX shipped together with each default-domain opset (from ONNX's versioning table). */
export function irVersionForOpset(opset: number): number {
  if (opset <= 8) return 3;
  if (opset === 9) return 4;
  if (opset === 10) return 5;
  if (opset === 11) return 6;
  if (opset <= 14) return 7;
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  if (opset <= 22) return 10;
  return 11;
}

/** Ops whose output element type differs from their first input's. */
const FIXED_OUTPUT_TYPES: Readonly<Record<string, ElementType>> = {
  Shape: 'int64',
  Size: 'int64',
  ArgMax: 'int64',
  ArgMin: 'int64',
  NonZero: 'int64',
  Equal: 'bool',
  Less: 'bool',
  LessOrEqual: 'bool',
  Greater: 'bool',
  GreaterOrEqual: 'bool',
  Not: 'bool',
  And: 'bool',
  Or: 'bool',
  Xor: 'bool',
  IsNaN: 'bool',
  IsInf: 'bool',
};

/**
 * Builds an ONNX {@link Model} (or a subgraph for `If`) from TypeScript.
 *
 * @example
 * ```ts
 * import { GraphBuilder, tensor } from 'rxrnn';
 * const b = new GraphBuilder({ opset: 21, name: 'lstm_step' });
 * const x = b.input('x', 'float32', [1, 'batch', 16]);
 * const W = b.initializer('W', tensor('float32', [1, 128, 16]));
 * const R = b.initializer('R', tensor('float32', [1, 128, 32]));
 * const h0 = b.input('h', 'float32', [1, 'batch', 32]);
 * const c0 = b.input('c', 'float32', [1, 'batch', 32]);
 * const { Y_h, Y_c } = b.lstm({ X: x, W, R, initialH: h0, initialC: c0, hiddenSize: 32,
 *   outputs: ['', 'hn', 'cn'] });
 * b.output(Y_h); b.output(Y_c);
 * const model = b.build();
 * ```
 */
export class GraphBuilder {
  readonly opset: number;
  private readonly options: GraphBuilderOptions;
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly initializers = new Map<string, Tensor>();
  private readonly nodes: Node[] = [];
  private readonly valueInfo: ValueInfo[] = [];
  /** Every name in use (values and nodes), so generated names never collide. */
  private readonly taken = new Set<string>();
  private readonly elemTypes = new Map<string, ElementType>();
  private counter = 0;

  constructor(options: GraphBuilderOptions = {}) {
    this.options = options;
    this.opset = options.opset ?? 21;
  }

  /** A fresh name starting with `base`, unused so far. */
  fresh(base: string): string {
    const name = this.unused(base);
    this.taken.add(name);
    return name;
  }

  private unused(base: string): string {
    let name = base;
    while (this.taken.has(name)) name = `${base}_${this.counter++}`;
    return name;
  }

  private claim(name: string, what: string): void {
    if (this.taken.has(name)) throw new Error(`GraphBuilder: ${what} name '${name}' is already used`);
    this.taken.add(name);
  }

  /** Declares a graph input and returns its name. `dims` entries: sizes, symbolic names, or `null`. */
  input(name: string, elemType: ElementType, dims?: Dim[]): string {
    this.claim(name, 'input');
    this.inputs.push({ name, type: tensorType(elemType, dims) });
    this.elemTypes.set(name, elemType);
    return name;
  }

  /** Declares a graph input of any {@link ValueType} (sequence, optional). */
  inputOfType(name: string, type: ValueType): string {
    this.claim(name, 'input');
    this.inputs.push({ name, type });
    if (type.kind === 'tensor') this.elemTypes.set(name, type.elemType);
    return name;
  }

  /** Adds a constant (an ONNX initializer) and returns its name; `initializer(t)` names it for you. */
  initializer(name: string, value: Tensor): string;
  initializer(value: Tensor): string;
  initializer(nameOrValue: string | Tensor, maybeValue?: Tensor): string {
    let name: string;
    let value: Tensor;
    if (typeof nameOrValue === 'string') {
      if (maybeValue === undefined) throw new TypeError(`GraphBuilder.initializer('${nameOrValue}'): missing tensor`);
      name = nameOrValue;
      value = maybeValue;
      this.claim(name, 'initializer');
    } else {
      value = nameOrValue;
      name = this.fresh('const');
    }
    this.initializers.set(name, value);
    this.elemTypes.set(name, value.dtype);
    return name;
  }

  /** An int64 1-D constant (shapes, axes, starts/ends). */
  int64s(values: readonly (number | bigint)[], name?: string): string {
    const t = tensor('int64', [values.length], values.map((v) => BigInt(v)));
    return name === undefined ? this.initializer(t) : this.initializer(name, t);
  }

  /** Marks a value as a graph output. Without `elemType` the type the builder tracked is used. */
  output(name: string, elemType?: ElementType, dims?: Dim[]): string {
    if (this.outputs.some((o) => o.name === name)) throw new Error(`GraphBuilder: '${name}' is already an output`);
    const t = elemType ?? this.elemTypes.get(name);
    this.outputs.push(t === undefined ? { name } : { name, type: tensorType(t, dims) });
    return name;
  }

  /** Declares the type of an intermediate value (ONNX `value_info`). */
  annotate(name: string, elemType: ElementType, dims?: Dim[]): void {
    this.valueInfo.push({ name, type: tensorType(elemType, dims) });
  }

  /**
   * Adds any node. `outputs` is a count (names are generated) or explicit names (`''` omits an optional
   * output). Returns the output names.
   */
  node(
    opType: string,
    inputs: readonly (string | undefined)[],
    attributes: Record<string, AttrValue | undefined> = {},
    outputs: number | readonly string[] = 1,
    options: { domain?: string; name?: string } = {},
  ): string[] {
    const outNames =
      typeof outputs === 'number'
        ? Array.from({ length: outputs }, () => this.fresh(opType.toLowerCase()))
        : outputs.map((o) => {
            if (o !== '') this.claim(o, 'output');
            return o;
          });
    const attrs: Record<string, Attribute> = {};
    for (const [k, v] of Object.entries(attributes)) if (v !== undefined) attrs[k] = toAttribute(v);
    const name = options.name ?? this.fresh(`${opType}_node`);
    if (options.name !== undefined) this.claim(name, 'node');
    this.nodes.push({
      name,
      opType,
      domain: options.domain ?? '',
      inputs: trimTrailingEmpty(inputs.map((i) => i ?? '')),
      outputs: trimTrailingEmpty(outNames),
      attributes: attrs,
    });
    const outType = FIXED_OUTPUT_TYPES[opType] ?? this.elemTypes.get(inputs[0] ?? '');
    if (outType !== undefined) for (const o of outNames) if (o !== '') this.elemTypes.set(o, outType);
    return outNames;
  }

  /** Records the element type of a value the builder cannot infer (e.g. after Cast). */
  setElemType(name: string, elemType: ElementType): void {
    this.elemTypes.set(name, elemType);
  }

  // ---- recurrent layers -------------------------------------------------------------------------

  /** ONNX RNN. Returns `{ Y, Y_h }` (`''` for an omitted output). */
  rnn(o: RnnOptions): { Y: string; Y_h: string } {
    const [Y = '', Y_h = ''] = this.recurrentOutputs('rnn', o.outputs, 2);
    this.node('RNN', [o.X, o.W, o.R, o.B, o.sequenceLens, o.initialH], this.recurrentAttrs(o), [Y, Y_h], nodeName(o));
    return { Y, Y_h };
  }

  /** ONNX GRU. Returns `{ Y, Y_h }`. */
  gru(o: GruOptions): { Y: string; Y_h: string } {
    const [Y = '', Y_h = ''] = this.recurrentOutputs('gru', o.outputs, 2);
    const attrs = { ...this.recurrentAttrs(o), linear_before_reset: o.linearBeforeReset };
    this.node('GRU', [o.X, o.W, o.R, o.B, o.sequenceLens, o.initialH], attrs, [Y, Y_h], nodeName(o));
    return { Y, Y_h };
  }

  /** ONNX LSTM. Returns `{ Y, Y_h, Y_c }`. */
  lstm(o: LstmOptions): { Y: string; Y_h: string; Y_c: string } {
    const [Y = '', Y_h = '', Y_c = ''] = this.recurrentOutputs('lstm', o.outputs, 3);
    const attrs = { ...this.recurrentAttrs(o), input_forget: o.inputForget };
    const inputs = [o.X, o.W, o.R, o.B, o.sequenceLens, o.initialH, o.initialC, o.P];
    this.node('LSTM', inputs, attrs, [Y, Y_h, Y_c], nodeName(o));
    return { Y, Y_h, Y_c };
  }

  private recurrentOutputs(base: string, names: readonly string[] | undefined, count: number): string[] {
    // Generated names are claimed by node(), like explicit ones.
    if (names === undefined) return Array.from({ length: count }, (_, i) => this.unused(`${base}_${['Y', 'Y_h', 'Y_c'][i]}`));
    if (names.length > count) throw new Error(`GraphBuilder.${base}: at most ${count} outputs, got ${names.length}`);
    return Array.from({ length: count }, (_, i) => names[i] ?? '');
  }

  private recurrentAttrs(o: RecurrentOptions): Record<string, AttrValue | undefined> {
    return {
      hidden_size: attr.int(o.hiddenSize),
      direction: o.direction,
      activations: o.activations === undefined ? undefined : attr.strings(o.activations),
      activation_alpha: o.activationAlpha === undefined ? undefined : attr.floats(o.activationAlpha),
      activation_beta: o.activationBeta === undefined ? undefined : attr.floats(o.activationBeta),
      clip: o.clip === undefined ? undefined : attr.float(o.clip),
      layout: o.layout,
    };
  }

  // ---- common operators -------------------------------------------------------------------------

  gemm(a: string, b: string, c?: string, o: { transA?: 0 | 1; transB?: 0 | 1; alpha?: number; beta?: number } = {}): string {
    return this.one('Gemm', [a, b, c], {
      transA: o.transA,
      transB: o.transB,
      alpha: o.alpha === undefined ? undefined : attr.float(o.alpha),
      beta: o.beta === undefined ? undefined : attr.float(o.beta),
    });
  }

  matmul(a: string, b: string): string { return this.one('MatMul', [a, b]); }
  add(a: string, b: string): string { return this.one('Add', [a, b]); }
  sub(a: string, b: string): string { return this.one('Sub', [a, b]); }
  mul(a: string, b: string): string { return this.one('Mul', [a, b]); }
  div(a: string, b: string): string { return this.one('Div', [a, b]); }
  pow(a: string, b: string): string { return this.one('Pow', [a, b]); }
  max(...xs: string[]): string { return this.one('Max', xs); }
  min(...xs: string[]): string { return this.one('Min', xs); }
  equal(a: string, b: string): string { return this.one('Equal', [a, b]); }
  less(a: string, b: string): string { return this.one('Less', [a, b]); }
  greater(a: string, b: string): string { return this.one('Greater', [a, b]); }
  where(cond: string, a: string, b: string): string {
    const [y] = this.node('Where', [cond, a, b]);
    this.copyType(a, y!);
    return y!;
  }

  sigmoid(x: string): string { return this.one('Sigmoid', [x]); }
  tanh(x: string): string { return this.one('Tanh', [x]); }
  relu(x: string): string { return this.one('Relu', [x]); }
  exp(x: string): string { return this.one('Exp', [x]); }
  log(x: string): string { return this.one('Log', [x]); }
  sqrt(x: string): string { return this.one('Sqrt', [x]); }
  neg(x: string): string { return this.one('Neg', [x]); }
  not(x: string): string { return this.one('Not', [x]); }
  identity(x: string): string { return this.one('Identity', [x]); }
  shape(x: string): string { return this.one('Shape', [x]); }
  leakyRelu(x: string, alpha?: number): string {
    return this.one('LeakyRelu', [x], { alpha: alpha === undefined ? undefined : attr.float(alpha) });
  }
  hardSigmoid(x: string, o: { alpha?: number; beta?: number } = {}): string {
    return this.one('HardSigmoid', [x], {
      alpha: o.alpha === undefined ? undefined : attr.float(o.alpha),
      beta: o.beta === undefined ? undefined : attr.float(o.beta),
    });
  }

  softmax(x: string, o: { axis?: number } = {}): string { return this.one('Softmax', [x], { axis: o.axis }); }
  logSoftmax(x: string, o: { axis?: number } = {}): string { return this.one('LogSoftmax', [x], { axis: o.axis }); }
  argmax(x: string, o: { axis?: number; keepdims?: 0 | 1; selectLastIndex?: 0 | 1 } = {}): string {
    return this.one('ArgMax', [x], { axis: o.axis, keepdims: o.keepdims, select_last_index: o.selectLastIndex });
  }

  /** Clip; `min`/`max` are value names (opset ≥ 11 inputs) or numbers (made constants of `x`'s type). */
  clip(x: string, min?: string | number, max?: string | number): string {
    if (this.opset < 11) {
      return this.one('Clip', [x], {
        min: min === undefined ? undefined : attr.float(Number(min)),
        max: max === undefined ? undefined : attr.float(Number(max)),
      });
    }
    const t = (this.elemTypes.get(x) ?? 'float32') as DType;
    const asInput = (v: string | number | undefined) => (typeof v === 'number' ? this.initializer(tensor(t, [], [v])) : v);
    return this.one('Clip', [x, asInput(min), asInput(max)]);
  }

  concat(xs: readonly string[], axis: number): string { return this.one('Concat', xs, { axis }); }
  transpose(x: string, perm?: number[]): string {
    return this.one('Transpose', [x], { perm: perm === undefined ? undefined : attr.ints(perm) });
  }
  gather(data: string, indices: string, axis?: number): string { return this.one('Gather', [data, indices], { axis }); }

  cast(x: string, to: DType | ElementType): string {
    const [y] = this.node('Cast', [x], { to: attr.int(dataTypeNumberOf(to)) });
    this.elemTypes.set(y!, to);
    return y!;
  }

  /** Reshape to a fixed shape (a number list, made an int64 constant) or to a shape value. */
  reshape(x: string, shape: string | readonly number[]): string {
    return this.one('Reshape', [x, typeof shape === 'string' ? shape : this.int64s(shape)]);
  }

  /** Squeeze; `axes` become an input from opset 13 and an attribute before. */
  squeeze(x: string, axes?: readonly number[]): string {
    if (axes === undefined) return this.one('Squeeze', [x]);
    return this.opset >= 13 ? this.one('Squeeze', [x, this.int64s(axes)]) : this.one('Squeeze', [x], { axes: attr.ints(axes) });
  }

  /** Unsqueeze; `axes` become an input from opset 13 and an attribute before. */
  unsqueeze(x: string, axes: readonly number[]): string {
    return this.opset >= 13
      ? this.one('Unsqueeze', [x, this.int64s(axes)])
      : this.one('Unsqueeze', [x], { axes: attr.ints(axes) });
  }

  /** Slice with constant starts/ends/axes/steps (inputs from opset 10, attributes before). */
  slice(x: string, starts: readonly number[], ends: readonly number[], axes?: readonly number[], steps?: readonly number[]): string {
    if (this.opset < 10) {
      return this.one('Slice', [x], {
        starts: attr.ints(starts),
        ends: attr.ints(ends),
        axes: axes === undefined ? undefined : attr.ints(axes),
      });
    }
    const opt = (v: readonly number[] | undefined) => (v === undefined ? undefined : this.int64s(v));
    return this.one('Slice', [x, this.int64s(starts), this.int64s(ends), opt(axes), opt(steps)]);
  }

  /** Split into `count` outputs (equal parts) or the given part sizes. */
  split(x: string, axis: number, parts: number | readonly number[]): string[] {
    const count = typeof parts === 'number' ? parts : parts.length;
    if (typeof parts === 'number') {
      return this.node('Split', [x], { axis, num_outputs: this.opset >= 18 ? parts : undefined }, count);
    }
    return this.opset >= 13
      ? this.node('Split', [x, this.int64s(parts)], { axis }, count)
      : this.node('Split', [x], { axis, split: attr.ints(parts) }, count);
  }

  /** A Constant node holding `value` (use {@link initializer} unless the node form matters). */
  constant(value: Tensor): string {
    const [y] = this.node('Constant', [], { value });
    this.elemTypes.set(y!, value.dtype);
    return y!;
  }

  /** Conv (1-D or 2-D; pads/strides/dilations as ONNX lists them). */
  conv(
    x: string,
    w: string,
    b?: string,
    o: { pads?: number[]; strides?: number[]; dilations?: number[]; group?: number; autoPad?: string; kernelShape?: number[] } = {},
  ): string {
    const ints = (v?: number[]) => (v === undefined ? undefined : attr.ints(v));
    return this.one('Conv', [x, w, b], {
      pads: ints(o.pads),
      strides: ints(o.strides),
      dilations: ints(o.dilations),
      group: o.group,
      auto_pad: o.autoPad,
      kernel_shape: ints(o.kernelShape),
    });
  }

  /** If with two branch graphs (build them with `new GraphBuilder().buildGraph()`). */
  if(cond: string, thenBranch: Graph, elseBranch: Graph): string[] {
    const outs = this.node('If', [cond], { then_branch: thenBranch, else_branch: elseBranch }, thenBranch.outputs.length);
    thenBranch.outputs.forEach((v, i) => {
      if (v.type?.kind === 'tensor') this.elemTypes.set(outs[i]!, v.type.elemType);
    });
    return outs;
  }

  private one(opType: string, inputs: readonly (string | undefined)[], attributes: Record<string, AttrValue | undefined> = {}): string {
    return this.node(opType, inputs, attributes, 1)[0]!;
  }

  private copyType(from: string, to: string): void {
    const t = this.elemTypes.get(from);
    if (t !== undefined) this.elemTypes.set(to, t);
  }

  // ---- results ----------------------------------------------------------------------------------

  /** The graph alone (for If branches, or to embed elsewhere). */
  buildGraph(): Graph {
    const g: Graph = {
      name: this.options.name ?? 'graph',
      inputs: [...this.inputs],
      outputs: [...this.outputs],
      initializers: new Map(this.initializers),
      nodes: [...this.nodes],
      valueInfo: [...this.valueInfo],
    };
    if (this.options.doc !== undefined) g.doc = this.options.doc;
    return g;
  }

  /** The finished model. */
  build(): Model {
    if (this.outputs.length === 0) throw new Error('GraphBuilder.build: the graph has no outputs; call output(name)');
    return {
      irVersion: this.options.irVersion ?? irVersionForOpset(this.opset),
      opsetImports: [{ domain: '', version: this.opset }, ...(this.options.opsetImports ?? [])],
      producerName: this.options.producerName ?? 'rxrnn',
      metadata: { ...(this.options.metadata ?? {}) },
      graph: this.buildGraph(),
    };
  }
}

function tensorType(elemType: ElementType, dims?: Dim[]): ValueType {
  return dims === undefined ? { kind: 'tensor', elemType } : { kind: 'tensor', elemType, shape: [...dims] };
}

function trimTrailingEmpty(names: string[]): string[] {
  let end = names.length;
  while (end > 0 && names[end - 1] === '') end--;
  return names.slice(0, end);
}

function nodeName(o: { name?: string }): { name?: string } {
  return o.name === undefined ? {} : { name: o.name };
}
