/**
 * Static dtype/shape inference at plan time. Dimensions are kept symbolic (`'batch'`) where the model names
 * them, so the plan can tell that two values always have the same shape even when the size is only known
 * at run time (buffer sharing uses this); kernels get the plain {@link StaticInfo} view, where a symbolic
 * dimension is unknown (`null`). Unknown is always a safe answer: a dimension the plan cannot derive is
 * `null`, a rank it cannot derive leaves `dims` absent.
 *
 * Rules cover the operators whose output type follows directly from their inputs; everything else falls
 * back to the model's own `value_info` / graph output annotations.
 */
import type { Dim, Node, ValueType } from '../ir/graph.js';
import { isDType, type DType, type Tensor } from '../tensor.js';
import { dtypeOfDataTypeNumber } from '../onnx/element-types.js';
import type { StaticInfo } from './kernel.js';

/** What the plan knows about a value: like {@link StaticInfo}, with symbolic dimension names kept. */
export interface SymbolicInfo {
  dtype?: DType;
  dims?: Dim[];
}

/** The kernels' view: symbolic dimensions become unknown (`null`). */
export function toStatic(info: SymbolicInfo | undefined): StaticInfo | undefined {
  if (info === undefined) return undefined;
  const out: StaticInfo = {};
  if (info.dtype !== undefined) out.dtype = info.dtype;
  if (info.dims !== undefined) out.dims = info.dims.map((d) => (typeof d === 'number' ? d : null));
  return out;
}

export function infoOfTensor(t: Tensor): SymbolicInfo {
  return { dtype: t.dtype, dims: [...t.dims] };
}

/** What a declared ONNX type says, symbolic dimension names included. */
export function infoOfValueType(type: ValueType | undefined): SymbolicInfo | undefined {
  if (type === undefined || type.kind !== 'tensor') return undefined;
  const info: SymbolicInfo = {};
  if (isDType(type.elemType)) info.dtype = type.elemType;
  if (type.shape !== undefined) info.dims = [...type.shape];
  return info;
}

/** The better known of two descriptions of one dimension: a size over a name over unknown. */
function betterDim(a: Dim, b: Dim): Dim {
  if (typeof a === 'number') return a;
  if (typeof b === 'number') return b;
  return a ?? b;
}

/** Combines two partial descriptions of one value, preferring whatever is known. */
export function mergeInfo(a: SymbolicInfo | undefined, b: SymbolicInfo | undefined): SymbolicInfo | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const out: SymbolicInfo = {};
  const dtype = a.dtype ?? b.dtype;
  if (dtype !== undefined) out.dtype = dtype;
  if (a.dims !== undefined && b.dims !== undefined && a.dims.length === b.dims.length) {
    out.dims = a.dims.map((d, i) => betterDim(d, b.dims![i]!));
  } else {
    const dims = a.dims ?? b.dims;
    if (dims !== undefined) out.dims = dims;
  }
  return out;
}

/**
 * numpy broadcasting over partly known shapes; `undefined` when any rank is unknown. A size other than 1
 * wins over a name or an unknown (which must then be 1 or that size); equal names stay; anything else is
 * unknown (an inconsistent pair is the kernel's to report at run time).
 */
export function broadcastStatic(shapes: readonly (Dim[] | undefined)[]): Dim[] | undefined {
  let rank = 0;
  for (const s of shapes) {
    if (s === undefined) return undefined;
    rank = Math.max(rank, s.length);
  }
  const out: Dim[] = new Array<Dim>(rank).fill(1);
  for (const s of shapes) {
    const off = rank - s!.length;
    for (let i = 0; i < s!.length; i++) {
      const d = s![i]!;
      const o = out[off + i]!;
      if (d === 1 || d === o) continue;
      if (o === 1) out[off + i] = d;
      else if (typeof d === 'number' && typeof o !== 'number') out[off + i] = d;
      else if (typeof o === 'number' && typeof d !== 'number') continue;
      else out[off + i] = null;
    }
  }
  return out;
}

const SAME_AS_FIRST = new Set([
  'Identity', 'Abs', 'Neg', 'Exp', 'Log', 'Sqrt', 'Tanh', 'Sigmoid', 'Relu', 'LeakyRelu', 'HardSigmoid',
  'Softmax', 'LogSoftmax', 'Clip', 'Erf', 'Elu', 'Selu', 'Softplus', 'Softsign', 'Reciprocal', 'Floor',
  'Ceil', 'Round', 'Sign', 'Sin', 'Cos', 'HardSwish', 'Gelu', 'Mish', 'PRelu', 'CumSum', 'Dropout',
  'BatchNormalization', 'LayerNormalization', 'InstanceNormalization',
]);
const BROADCAST_SAME_TYPE = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'Mean', 'Mod']);
const BROADCAST_BOOL = new Set(['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor']);

function intAttr(node: Node, name: string, fallback: number): number {
  const a = node.attributes[name];
  return a !== undefined && a.type === 'int' ? Number(a.value) : fallback;
}

/**
 * Derives what can be derived about a node's outputs from its inputs. Returns one entry per output;
 * `undefined` entries mean nothing is known.
 */
export function inferOutputs(
  node: Node,
  inputs: readonly (SymbolicInfo | undefined)[],
  opset = Infinity,
  constants: readonly (Tensor | undefined)[] = [],
): (SymbolicInfo | undefined)[] {
  const out: (SymbolicInfo | undefined)[] = node.outputs.map(() => undefined);
  const first = inputs[0];
  const op = node.domain === '' || node.domain === 'ai.onnx' ? node.opType : '';
  const withDtype = (dtype: DType | undefined, dims: Dim[] | undefined): SymbolicInfo => {
    const info: SymbolicInfo = {};
    if (dtype !== undefined) info.dtype = dtype;
    if (dims !== undefined) info.dims = dims;
    return info;
  };
  if (SAME_AS_FIRST.has(op)) {
    if (first !== undefined) out[0] = withDtype(first.dtype, first.dims?.slice());
  } else if (op === 'Not' || op === 'IsNaN' || op === 'IsInf') {
    out[0] = withDtype('bool', first?.dims?.slice());
  } else if (op === 'GatherElements') {
    out[0] = withDtype(first?.dtype, inputs[1]?.dims?.slice());
  } else if (BROADCAST_SAME_TYPE.has(op) || BROADCAST_BOOL.has(op)) {
    const dims = broadcastStatic(inputs.filter((i) => i !== undefined).map((i) => i!.dims));
    const dtype = BROADCAST_BOOL.has(op) ? 'bool' : inputs.find((i) => i?.dtype !== undefined)?.dtype;
    out[0] = withDtype(dtype, dims);
  } else if (op === 'Where') {
    out[0] = withDtype(inputs[1]?.dtype ?? inputs[2]?.dtype, broadcastStatic(inputs.map((i) => i?.dims)));
  } else if (op === 'Cast') {
    out[0] = withDtype(dtypeOfDataTypeNumber(intAttr(node, 'to', 0)), first?.dims?.slice());
  } else if (op === 'CastLike') {
    out[0] = withDtype(inputs[1]?.dtype, first?.dims?.slice());
  } else if (op === 'Size') {
    out[0] = withDtype('int64', []);
  } else if (op === 'Shape') {
    const rank = first?.dims?.length;
    let dims: Dim[] = [null];
    if (rank !== undefined) {
      const clampAxis = (a: number) => Math.min(Math.max(a < 0 ? a + rank : a, 0), rank);
      dims = [Math.max(0, clampAxis(intAttr(node, 'end', rank)) - clampAxis(intAttr(node, 'start', 0)))];
    }
    out[0] = withDtype('int64', dims);
  } else if (op === 'ArgMax' || op === 'ArgMin') {
    out[0] = withDtype('int64', reducedDims(first?.dims, [intAttr(node, 'axis', 0)], intAttr(node, 'keepdims', 1) !== 0));
  } else if (REDUCE_AXES_INPUT_SINCE[op] !== undefined) {
    const fromInput = opset >= REDUCE_AXES_INPUT_SINCE[op]!;
    const axesT = fromInput ? constants[1] : undefined;
    let axes: number[] | undefined;
    if (!fromInput) axes = intsAttr(node, 'axes') ?? [];
    else if (node.inputs[1] === undefined || node.inputs[1] === '') axes = [];
    else if (axesT !== undefined) axes = Array.from(axesT.data as ArrayLike<number | bigint>, Number);
    const noop = fromInput && intAttr(node, 'noop_with_empty_axes', 0) !== 0;
    let dims: Dim[] | undefined;
    if (axes !== undefined && first?.dims !== undefined) {
      dims = axes.length === 0 && noop ? first.dims.slice() : reducedDims(first.dims, axes.length ? axes : first.dims.map((_, i) => i), intAttr(node, 'keepdims', 1) !== 0);
    }
    out[0] = withDtype(first?.dtype, dims);
  } else if (op === 'RNN' || op === 'GRU' || op === 'LSTM') {
    recurrentOutputs(node, first, out);
  } else if (op === 'MatMul') {
    out[0] = withDtype(first?.dtype, matmulStatic(first?.dims, inputs[1]?.dims));
  } else if (op === 'Gemm') {
    const a = first?.dims;
    const b = inputs[1]?.dims;
    let dims: Dim[] | undefined;
    if (a?.length === 2 && b?.length === 2) {
      const m = intAttr(node, 'transA', 0) ? a[1]! : a[0]!;
      const n = intAttr(node, 'transB', 0) ? b[0]! : b[1]!;
      dims = [m, n];
    }
    out[0] = withDtype(first?.dtype, dims);
  }
  return out;
}

/** The opset from which each reduction takes `axes` as its second input. */
const REDUCE_AXES_INPUT_SINCE: Readonly<Record<string, number>> = {
  ReduceSum: 13,
  ReduceMean: 18,
  ReduceMax: 18,
  ReduceMin: 18,
  ReduceProd: 18,
};

function intsAttr(node: Node, name: string): number[] | undefined {
  const a = node.attributes[name];
  return a !== undefined && a.type === 'ints' ? a.value.map(Number) : undefined;
}

/** `dims` with `axes` removed (or set to 1 with keepdims); undefined when an axis is out of range. */
function reducedDims(dims: Dim[] | undefined, axes: readonly number[], keepdims: boolean): Dim[] | undefined {
  if (dims === undefined) return undefined;
  const rank = dims.length;
  const drop = new Set<number>();
  for (const a of axes) {
    const ax = a < 0 ? a + rank : a;
    if (ax < 0 || ax >= rank) return undefined;
    drop.add(ax);
  }
  const out: Dim[] = [];
  dims.forEach((d, i) => {
    if (!drop.has(i)) out.push(d);
    else if (keepdims) out.push(1);
  });
  return out;
}

/** Y, Y_h (and Y_c) of RNN/GRU/LSTM from X's shape, hidden_size, direction and layout. */
function recurrentOutputs(node: Node, x: SymbolicInfo | undefined, out: (SymbolicInfo | undefined)[]): void {
  const hidden = intAttr(node, 'hidden_size', 0);
  const a = node.attributes.direction;
  const dirs = a !== undefined && a.type === 'string' && a.value === 'bidirectional' ? 2 : 1;
  const layout = intAttr(node, 'layout', 0);
  const dtype = x?.dtype;
  const xd = x?.dims?.length === 3 ? x.dims : undefined;
  const seq = xd === undefined ? null : layout ? xd[1]! : xd[0]!;
  const batch = xd === undefined ? null : layout ? xd[0]! : xd[1]!;
  const h = hidden > 0 ? hidden : null;
  const info = (dims: Dim[]): SymbolicInfo => (dtype === undefined ? { dims } : { dtype, dims });
  out[0] = info(layout ? [batch, seq, dirs, h] : [seq, dirs, batch, h]);
  const state = info(layout ? [batch, dirs, h] : [dirs, batch, h]);
  for (let i = 1; i < out.length; i++) out[i] = { ...state, dims: [...state.dims!] };
}

function matmulStatic(a: Dim[] | undefined, b: Dim[] | undefined): Dim[] | undefined {
  if (a === undefined || b === undefined || a.length === 0 || b.length === 0) return undefined;
  const a2 = a.length === 1 ? [1, a[0]!] : a;
  const b2 = b.length === 1 ? [b[0]!, 1] : b;
  const batch = broadcastStatic([a2.slice(0, -2), b2.slice(0, -2)]);
  if (batch === undefined) return undefined;
  const dims = [...batch, a2[a2.length - 2]!, b2[b2.length - 1]!];
  if (b.length === 1) dims.pop();
  if (a.length === 1) dims.splice(dims.length - (b.length === 1 ? 1 : 2), 1);
  return dims;
}
