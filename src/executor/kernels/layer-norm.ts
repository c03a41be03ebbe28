/**
 * LayerNormalization (opset 17): X is split at `axis` into rows (the leading axes) and normalised shapes
 * (axis onwards); each row is normalised by its own mean and variance, then multiplied by Scale and shifted
 * by the optional B: `Y = (X - mean) / sqrt(var + epsilon) * Scale + B`. Optional outputs Mean and InvStdDev
 * have X's shape with the normalised axes kept as 1.
 *
 * Scale and B broadcast unidirectionally to X, as the operator's function body (a plain Mul and Add on
 * the normalised X) allows: usually they have the normalised shape, but a dimension may be 1 or missing on
 * the left, and they may even vary along the leading axes — onnxruntime accepts all of these.
 *
 * `stash_type` 1 (the default, and the only value the operator's U = float allows besides bfloat16) makes
 * Mean and InvStdDev float32 for any X. The statistics themselves are two-pass sums in double whatever
 * the type, which is at least as precise as computing them in float32; only the outputs are rounded.
 */
import { attrFloat, attrInt } from '../../ir/attributes.js';
import type { Node } from '../../ir/graph.js';
import type { Tensor } from '../../tensor.js';
import { DimsBuffer } from '../dims-buffer.js';
import type { Kernel, KernelDef } from '../kernel.js';
import { requireInputs } from './arity.js';
import { dimsText, kernelError, normalizeAxis } from './shape-impl.js';

type FloatArray = Float32Array | Float64Array;

/**
 * Where each element of X finds its Scale (or B) value. Recomputed every run from the shapes — O(rank) —
 * into arrays kept between runs, so a steady-state step allocates nothing.
 */
class ParamLayout {
  /** The parameter's stride along each of X's axes; 0 where it broadcasts (dim 1 or missing). */
  private readonly strides: number[] = [];
  private rank = 0;
  private axis = 0;
  /** Whether any leading (row) axis has a non-zero stride, i.e. the parameter differs between rows. */
  private perRow = false;
  /** Whether the parameter's normalised part is laid out like one row of X, so element h of a row reads `rowOffset + h`. */
  contiguous = true;

  setup(node: Node, name: string, p: Tensor, x: Tensor, axis: number): void {
    const xd = x.dims;
    const rank = xd.length;
    const pRank = p.dims.length;
    if (pRank > rank) throw broadcastError(node, name, p, x, axis);
    this.rank = rank;
    this.axis = axis;
    this.perRow = false;
    this.contiguous = true;
    let pStride = 1;
    let rowStride = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const k = d - (rank - pRank);
      const pd = k < 0 ? 1 : p.dims[k]!;
      if (pd !== xd[d] && pd !== 1) throw broadcastError(node, name, p, x, axis);
      const stride = pd === 1 ? 0 : pStride;
      pStride *= pd;
      this.strides[d] = stride;
      if (d < axis) {
        if (stride !== 0) this.perRow = true;
      } else {
        if (xd[d] !== 1 && stride !== rowStride) this.contiguous = false;
        rowStride *= xd[d]!;
      }
    }
    this.strides.length = rank;
  }

  /** The parameter offset of row `row` (a flat index over X's leading axes). */
  rowOffset(row: number, xDims: readonly number[]): number {
    if (!this.perRow) return 0;
    let off = 0;
    let rem = row;
    for (let d = this.axis - 1; d >= 0; d--) {
      const n = xDims[d]!;
      const coord = rem % n;
      rem = (rem - coord) / n;
      off += coord * this.strides[d]!;
    }
    return off;
  }

  /** `map[h]`: the parameter offset of element h within a row, relative to the row's offset. */
  fillMap(map: Int32Array, xDims: readonly number[]): void {
    for (let h = 0; h < map.length; h++) {
      let off = 0;
      let rem = h;
      for (let d = this.rank - 1; d >= this.axis; d--) {
        const n = xDims[d]!;
        const coord = rem % n;
        rem = (rem - coord) / n;
        off += coord * this.strides[d]!;
      }
      map[h] = off;
    }
  }
}

function broadcastError(node: Node, name: string, p: Tensor, x: Tensor, axis: number): Error {
  return kernelError(
    node,
    `${name} has shape ${dimsText(p.dims)}, expected the normalized shape ${dimsText(x.dims.slice(axis))} (X ${dimsText(x.dims)} from axis ${axis}) ` +
      `or a shape that broadcasts to X (each dim, aligned from the right, equal to X's or 1)`,
  );
}

const layerNorm: KernelDef = {
  opType: 'LayerNormalization',
  sinceVersion: 17,
  freshOutputs: true,
  create(init): Kernel {
    requireInputs(init, 2, 3);
    const { node } = init;
    const axisAttr = attrInt(node, 'axis', -1);
    const epsilon = attrFloat(node, 'epsilon', 1e-5);
    const stashType = attrInt(node, 'stash_type', 1);
    if (stashType !== 1) throw kernelError(node, `stash_type ${stashType} is not supported (only 1: Mean and InvStdDev in float32)`);
    const wantMean = node.outputs.length > 1 && node.outputs[1] !== '';
    const wantInvStd = node.outputs.length > 2 && node.outputs[2] !== '';
    const scaleLayout = new ParamLayout();
    const biasLayout = new ParamLayout();
    const statDims = new DimsBuffer();
    const result: (Tensor | undefined)[] = [undefined, undefined, undefined];
    return {
      run(inputs, ctx) {
        const x = inputs[0]!;
        if (x.dtype !== 'float32' && x.dtype !== 'float64') throw kernelError(node, `X must be float32 or float64, got ${x.dtype}`);
        const xDims = x.dims;
        const axis = normalizeAxis(node, axisAttr, xDims.length);
        const scale = inputs[1]!;
        const bias = inputs[2];
        if (scale.dtype !== x.dtype) throw kernelError(node, `Scale is ${scale.dtype}, expected ${x.dtype} (X's type)`);
        if (bias !== undefined && bias.dtype !== x.dtype) throw kernelError(node, `B is ${bias.dtype}, expected ${x.dtype} (X's type)`);
        scaleLayout.setup(node, 'Scale', scale, x, axis);
        if (bias !== undefined) biasLayout.setup(node, 'B', bias, x, axis);
        let rows = 1;
        for (let d = 0; d < axis; d++) rows *= xDims[d]!;
        let width = 1;
        for (let d = axis; d < xDims.length; d++) width *= xDims[d]!;

        const y = ctx.output(0, x.dtype, xDims);
        statDims.reset();
        for (let d = 0; d < xDims.length; d++) statDims.push(d < axis ? xDims[d]! : 1);
        const meanOut = wantMean ? ctx.output(1, 'float32', statDims.finish()) : undefined;
        const invStdOut = wantInvStd ? ctx.output(2, 'float32', statDims.finish()) : undefined;
        const mean = meanOut?.data;
        const invStd = invStdOut?.data;

        const general = !scaleLayout.contiguous || (bias !== undefined && !biasLayout.contiguous);
        const scaleMap = general ? ctx.scratch(0, 'int32', width) : undefined;
        const biasMap = general && bias !== undefined ? ctx.scratch(1, 'int32', width) : undefined;
        if (scaleMap !== undefined) scaleLayout.fillMap(scaleMap, xDims);
        if (biasMap !== undefined) biasLayout.fillMap(biasMap, xDims);

        const xd = x.data as FloatArray;
        const yd = y.data as FloatArray;
        const s = scale.data as FloatArray;
        const b = bias?.data as FloatArray | undefined;
        for (let row = 0; row < rows; row++) {
          const start = row * width;
          const end = start + width;
          let sum = 0;
          for (let p = start; p < end; p++) sum += xd[p]!;
          const m = sum / width;
          let sq = 0;
          for (let p = start; p < end; p++) {
            const d = xd[p]! - m;
            sq += d * d;
          }
          const inv = 1 / Math.sqrt(sq / width + epsilon);
          if (mean !== undefined) mean[row] = m;
          if (invStd !== undefined) invStd[row] = inv;
          const so = scaleLayout.rowOffset(row, xDims);
          if (b === undefined) {
            if (scaleMap === undefined) for (let h = 0; h < width; h++) yd[start + h] = (xd[start + h]! - m) * inv * s[so + h]!;
            else for (let h = 0; h < width; h++) yd[start + h] = (xd[start + h]! - m) * inv * s[so + scaleMap[h]!]!;
            continue;
          }
          const bo = biasLayout.rowOffset(row, xDims);
          if (scaleMap === undefined) {
            for (let h = 0; h < width; h++) yd[start + h] = (xd[start + h]! - m) * inv * s[so + h]! + b[bo + h]!;
          } else {
            for (let h = 0; h < width; h++) yd[start + h] = (xd[start + h]! - m) * inv * s[so + scaleMap[h]!]! + b[bo + biasMap![h]!]!;
          }
        }
        result[0] = y;
        result[1] = meanOut;
        result[2] = invStdOut;
        return result;
      },
    };
  },
};

export const layerNormKernels: KernelDef[] = [layerNorm];
