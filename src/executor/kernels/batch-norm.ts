/**
 * BatchNormalization (opsets 7, 9, 14, 15), inference only: `Y = (X - mean) / sqrt(var + epsilon) * scale + B`
 * per channel, with X [N, C, D1, ...] and the four parameters [C]. Opset 7's `spatial = 0` keeps separate
 * statistics per position, so the parameters are [C, D1, ...] instead. The parameters are folded into one
 * multiplier and one offset per channel (in double, rounded once on the way out) — at plan time when all
 * four are constants, in scratch otherwise. `momentum` only matters for training and is ignored.
 */
import { attrFloat, attrInt, hasAttr } from '../../ir/attributes.js';
import type { Node } from '../../ir/graph.js';
import type { DType, Tensor } from '../../tensor.js';
import type { Kernel, KernelDef, KernelInit } from '../kernel.js';
import { requireInputs } from './arity.js';
import { dimsText, kernelError, OneResult } from './shape-impl.js';

type FloatArray = Float32Array | Float64Array;

const PARAM_NAMES = ['scale', 'B', 'input_mean', 'input_var'] as const;

const isFloat = (d: DType | undefined): boolean => d === 'float32' || d === 'float64';

const batchNorm: KernelDef = {
  opType: 'BatchNormalization',
  sinceVersion: 7,
  freshOutputs: true,
  create(init): Kernel {
    requireInputs(init, 5);
    const { node, opset } = init;
    const epsilon = attrFloat(node, 'epsilon', 1e-5);
    if (opset >= 14 && attrInt(node, 'training_mode', 0) !== 0) {
      throw kernelError(node, `training_mode=1 is not supported: only inference (training_mode=0) is implemented`);
    }
    if (node.outputs.length > 1) {
      // Before opset 14 extra outputs are what selects training; from 14 they are only valid with training_mode=1.
      throw kernelError(node, `has ${node.outputs.length} outputs, but the running/saved mean and variance outputs exist only in training mode, which is not supported (expected Y alone)`);
    }
    const spatial = readSpatial(node, opset);
    checkConstantTypes(init);
    const folded = foldConstants(init, epsilon);
    const result = new OneResult();
    return {
      run(inputs, ctx) {
        const x = inputs[0]!;
        if (!isFloat(x.dtype)) throw kernelError(node, `X must be float32 or float64, got ${x.dtype}`);
        const rank = x.dims.length;
        if (rank < 2) throw kernelError(node, `X must have rank 2 or more ([N, C, ...]), got ${dimsText(x.dims)}`);
        for (let i = 1; i < 5; i++) checkParam(node, opset, spatial, inputs, i, x);
        const C = x.dims[1]!;
        let inner = 1;
        for (let i = 2; i < rank; i++) inner *= x.dims[i]!;
        const perChannel = spatial ? C : C * inner;
        let coef = folded;
        if (coef === undefined) {
          coef = ctx.scratch(0, 'float64', 2 * perChannel);
          fold(inputs[1]!.data as FloatArray, inputs[2]!.data as FloatArray, inputs[3]!.data as FloatArray, inputs[4]!.data as FloatArray, epsilon, coef, perChannel);
        }
        const out = ctx.output(0, x.dtype, x.dims);
        apply(x.data as FloatArray, out.data as FloatArray, coef, perChannel, x.dims[0]!, C, inner, spatial);
        return result.of(out);
      },
    };
  },
};

function readSpatial(node: Node, opset: number): boolean {
  if (opset < 9) return attrInt(node, 'spatial', 1) !== 0;
  if (hasAttr(node, 'spatial')) throw kernelError(node, `attribute 'spatial' was removed in opset 9 (model opset ${opset})`);
  return true;
}

/**
 * Type rules: before opset 15 every input has X's type; from 15 scale and B share one type (T1) and
 * input_mean and input_var another (T2), each float32 or float64 independently of X.
 */
function expectedType(opset: number, i: number, xType: DType | undefined, previousType: DType | undefined): DType | undefined {
  if (opset < 15) return xType;
  return i === 2 || i === 4 ? previousType : undefined;
}

function checkType(node: Node, opset: number, i: number, dtype: DType | undefined, want: DType | undefined): void {
  if (dtype === undefined) return;
  if (!isFloat(dtype)) throw kernelError(node, `${PARAM_NAMES[i - 1]} must be float32 or float64, got ${dtype}`);
  if (want !== undefined && dtype !== want) {
    const rule = opset < 15 ? `X's type before opset 15` : i === 2 ? `scale's type (T1)` : `input_mean's type (T2)`;
    throw kernelError(node, `${PARAM_NAMES[i - 1]} is ${dtype}, expected ${want} (${rule})`);
  }
}

/** Rejects constant parameters of the wrong type at load, before they are folded. */
function checkConstantTypes(init: KernelInit): void {
  const types = init.inputInfo.map((info, k) => init.constants[k]?.dtype ?? info?.dtype);
  for (let i = 1; i < 5; i++) checkType(init.node, init.opset, i, types[i], expectedType(init.opset, i, types[0], types[i - 1]));
}

function checkParam(node: Node, opset: number, spatial: boolean, inputs: readonly (Tensor | undefined)[], i: number, x: Tensor): void {
  const p = inputs[i]!;
  checkType(node, opset, i, p.dtype, expectedType(opset, i, x.dtype, inputs[i - 1]!.dtype));
  const xd = x.dims;
  let ok = p.dims.length === (spatial ? 1 : xd.length - 1);
  for (let k = 0; ok && k < p.dims.length; k++) ok = p.dims[k] === xd[k + 1];
  if (ok) return;
  const want = spatial ? `[${xd[1]}] (C of X ${dimsText(xd)})` : `${dimsText(xd.slice(1))} (X ${dimsText(xd)} without N, as spatial=0 wants)`;
  throw kernelError(node, `${PARAM_NAMES[i - 1]} has shape ${dimsText(p.dims)}, expected ${want}`);
}

/** The multipliers and offsets, computed once at plan time when every parameter is a constant. */
function foldConstants(init: KernelInit, epsilon: number): Float64Array | undefined {
  const [, s, b, m, v] = init.constants;
  if (s === undefined || b === undefined || m === undefined || v === undefined) return undefined;
  const n = s.data.length;
  // Left to the run, whose check against X says which one is wrong and what C is.
  if (b.data.length !== n || m.data.length !== n || v.data.length !== n) return undefined;
  const coef = new Float64Array(2 * n);
  fold(s.data as FloatArray, b.data as FloatArray, m.data as FloatArray, v.data as FloatArray, epsilon, coef, n);
  return coef;
}

/** `coef[k] = scale / sqrt(var + eps)` and `coef[n + k] = B - mean * coef[k]`, so Y = X * coef[k] + coef[n + k]. */
function fold(s: FloatArray, b: FloatArray, m: FloatArray, v: FloatArray, epsilon: number, coef: Float64Array, n: number): void {
  for (let k = 0; k < n; k++) {
    const a = s[k]! / Math.sqrt(v[k]! + epsilon);
    coef[k] = a;
    coef[n + k] = b[k]! - m[k]! * a;
  }
}

function apply(x: FloatArray, y: FloatArray, coef: Float64Array, n: number, N: number, C: number, inner: number, spatial: boolean): void {
  let p = 0;
  for (let i = 0; i < N; i++) {
    for (let c = 0; c < C; c++) {
      if (spatial) {
        const a = coef[c]!;
        const b = coef[n + c]!;
        for (let j = 0; j < inner; j++, p++) y[p] = x[p]! * a + b;
      } else {
        // Per-position statistics: the parameter index is the position within one sample.
        for (let k = c * inner, end = k + inner; k < end; k++, p++) y[p] = x[p]! * coef[k]! + coef[n + k]!;
      }
    }
  }
}

export const batchNormKernels: KernelDef[] = [batchNorm];
