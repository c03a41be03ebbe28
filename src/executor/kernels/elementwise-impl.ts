/**
 * Shared machinery of the broadcasting element-wise kernels: a binary driver over {@link Broadcaster}
 * rows, and the row loops of each operator for number-backed and bigint-backed dtypes.
 *
 * A row loop is `(out, o, a, ao, as, b, bo, bs, len)`: write `len` results to `out[o..]`, reading `a` from
 * `ao` in steps of `as` (0 or 1) and `b` likewise. One function call per row keeps the per-element work a
 * plain indexed loop.
 */
import { KernelError } from '../../errors.js';
import { isBigIntDType, type DType, type Tensor, type TypedArray } from '../../tensor.js';
import { Broadcaster } from '../broadcast.js';
import type { Kernel, KernelDef, KernelInit, RunContext } from '../kernel.js';
import { describeNode } from '../../ir/graph.js';
import { requireInputs } from './arity.js';

// Element access is deliberately loose here: every row loop is written once for all number-backed arrays
// (or all bigint-backed arrays); the dtype checks happen before a loop is chosen.
/* eslint-disable @typescript-eslint/no-explicit-any */
export type Arr = any;
export type RowFn = (out: Arr, o: number, a: Arr, ao: number, as: number, b: Arr, bo: number, bs: number, len: number) => void;

/** A binary operator: the loops it has and the dtype of its output given its inputs' dtypes. */
export interface BinaryOp {
  name: string;
  /** Loop for number-backed inputs; given the output dtype so integer types can truncate. */
  num?: (dtype: DType) => RowFn;
  /** Loop for bigint-backed inputs (int64/uint64). */
  big?: RowFn;
  /** Output dtype; defaults to the first input's. */
  outType?: (a: DType, b: DType) => DType;
  /** Accepted input dtypes (both inputs); when absent both must be equal. */
  accepts?: (a: DType, b: DType) => boolean;
  /** Custom loop choice for operators whose inputs may differ in dtype (Pow). */
  select?: (a: DType, b: DType, out: DType) => RowFn | undefined;
}

/** Runs `fn` over every row of a planned broadcast of two inputs. */
export function runRows(bc: Broadcaster, fn: RowFn, out: TypedArray, a: TypedArray, b: TypedArray): void {
  const rows = bc.rows;
  const len = bc.rowLen;
  const oa = bc.offsets[0]!;
  const ob = bc.offsets[1]!;
  const sa = bc.steps[0]!;
  const sb = bc.steps[1]!;
  for (let r = 0, o = 0; r < rows; r++, o += len) fn(out, o, a, oa[r]!, sa, b, ob[r]!, sb, len);
}

/** The row loop for `op` on these input dtypes, or a KernelError saying which dtypes it takes. */
export function pickRow(op: BinaryOp, a: DType, b: DType, out: DType, what: string): RowFn {
  if (op.accepts !== undefined && !op.accepts(a, b)) {
    throw new KernelError(`${what}: ${op.name} does not accept inputs of dtype ${a} and ${b}`);
  }
  const big = isBigIntDType(a) || isBigIntDType(b);
  const fn = op.select ? op.select(a, b, out) : big ? op.big : op.num?.(out);
  if (fn === undefined) throw new KernelError(`${what}: ${op.name} is not implemented for dtype ${a}`);
  return fn;
}

/** A kernel definition for a two-input broadcasting operator. */
export function binaryKernel(opType: string, sinceVersion: number, op: BinaryOp): KernelDef {
  return {
    opType,
    sinceVersion,
    freshOutputs: true,
    create(init: KernelInit): Kernel {
      requireInputs(init, 2);
      const what = describeNode(init.node);
      const bc = new Broadcaster(2);
      const pair: Tensor[] = [];
      let lastA: DType | undefined;
      let lastB: DType | undefined;
      let row: RowFn | undefined;
      let outType: DType = 'float32';
      const result: (Tensor | undefined)[] = [undefined];
      return {
        run(inputs, ctx: RunContext) {
          const a = inputs[0]!;
          const b = inputs[1]!;
          if (a.dtype !== lastA || b.dtype !== lastB) {
            if (op.accepts === undefined && a.dtype !== b.dtype) {
              throw new KernelError(`${what}: both inputs must have the same dtype, got ${a.dtype} and ${b.dtype}`);
            }
            outType = op.outType ? op.outType(a.dtype, b.dtype) : a.dtype;
            row = pickRow(op, a.dtype, b.dtype, outType, what);
            lastA = a.dtype;
            lastB = b.dtype;
          }
          pair[0] = a;
          pair[1] = b;
          bc.plan(pair, ctx, what);
          const out = ctx.output(0, outType, bc.dims);
          runRows(bc, row!, out.data, a.data, b.data);
          result[0] = out;
          return result;
        },
      };
    },
  };
}

/** Integer dtypes of 32 bits whose products overflow a double's exact range. */
export const isInt32ish = (d: DType) => d === 'int32' || d === 'uint32';
export const isFloat = (d: DType) => d === 'float32' || d === 'float64';

/** A loop applying a one-input operator to `n` elements. */
export type UnaryLoop = (x: Arr, out: Arr, n: number) => void;

/**
 * A one-input element-wise operator. Each operator brings its own loop rather than a per-element callback:
 * a shared loop calling many different callbacks cannot inline them, and every double such a call returns
 * is then boxed on the heap — one allocation per element per step.
 */
export interface UnaryOp {
  /** For number-backed dtypes. */
  num: UnaryLoop;
  /** For bigint-backed dtypes; absent when the operator does not take int64/uint64. */
  big?: UnaryLoop;
  /** Dtypes accepted; default: float32/float64. */
  dtypes?: readonly DType[];
}

const FLOATS: readonly DType[] = ['float32', 'float64'];

/** A kernel definition for a one-input, same-shape, same-dtype operator. */
export function unaryKernel(opType: string, sinceVersion: number, op: UnaryOp): KernelDef {
  const dtypes = op.dtypes ?? FLOATS;
  return {
    opType,
    sinceVersion,
    freshOutputs: true,
    create(init: KernelInit): Kernel {
      requireInputs(init, 1);
      const what = describeNode(init.node);
      const declared = init.inputInfo[0]?.dtype;
      if (declared !== undefined && !dtypes.includes(declared)) {
        throw new KernelError(`${what}: ${opType} takes ${dtypes.join('/')}, got ${declared}`);
      }
      const result: (Tensor | undefined)[] = [undefined];
      return {
        run(inputs, ctx) {
          const x = inputs[0]!;
          if (!dtypes.includes(x.dtype)) throw new KernelError(`${what}: ${opType} takes ${dtypes.join('/')}, got ${x.dtype}`);
          const out = ctx.output(0, x.dtype, x.dims);
          const loop = isBigIntDType(x.dtype) ? op.big : op.num;
          if (loop === undefined) throw new KernelError(`${what}: ${opType} does not take ${x.dtype}`);
          loop(x.data, out.data, x.data.length);
          result[0] = out;
          return result;
        },
      };
    },
  };
}
