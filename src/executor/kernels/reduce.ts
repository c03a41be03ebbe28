/** Kernels: ReduceMax/ReduceMean/ReduceSum (and ReduceMin/ReduceProd), ArgMax/ArgMin, TopK. */
import { KernelError } from '../../errors.js';
import { attrInt, attrInts } from '../../ir/attributes.js';
import { describeNode, type Node } from '../../ir/graph.js';
import { isBigIntDType, shapeToString, type Tensor } from '../../tensor.js';
import { DimsBuffer } from '../dims-buffer.js';
import { requireInputs } from './arity.js';
import { int32At, int64Words, setInt64 } from './int64-words.js';
import { selectTop } from './topk-impl.js';
import type { KernelDef, KernelInit, RunContext } from '../kernel.js';
import type { Arr } from './elementwise-impl.js';
import { reduceInto, type ReduceOp } from './reduce-impl.js';

/**
 * The opset from which each reduction reads `axes` from its second input instead of an attribute
 * (ReduceSum at 13, the others at 18).
 */
const AXES_INPUT_SINCE: Record<ReduceOp, number> = { sum: 13, mean: 18, max: 18, min: 18, prod: 18 };

/** Normalises axes against `rank` (negative counts from the end), rejecting out-of-range and repeats. */
function normaliseAxes(axes: BigInt64Array | readonly number[], rank: number, what: string, into: boolean[]): void {
  into.length = rank;
  for (let i = 0; i < rank; i++) into[i] = false;
  for (let i = 0; i < axes.length; i++) {
    const raw = axes instanceof BigInt64Array ? (int32At(axes, int64Words(axes), i) ?? Infinity) : axes[i]!;
    const ax = raw < 0 ? raw + rank : raw;
    if (!Number.isInteger(ax) || ax < 0 || ax >= rank) throw new KernelError(`${what}: axis ${raw} is out of range for rank ${rank}`);
    if (into[ax]) throw new KernelError(`${what}: axis ${raw} is listed twice`);
    into[ax] = true;
  }
}

function reduceKernel(opType: string, op: ReduceOp): KernelDef {
  return {
    opType,
    sinceVersion: 1,
    freshOutputs: true,
    create(init: KernelInit) {
      const what = describeNode(init.node);
      const node: Node = init.node;
      const fromInput = init.opset >= AXES_INPUT_SINCE[op];
      requireInputs(init, 1, fromInput ? 2 : 1);
      if (fromInput && node.attributes.axes !== undefined) {
        // Ignoring it would silently reduce over every axis instead of the ones the model meant.
        throw new KernelError(`${what}: from opset ${AXES_INPUT_SINCE[op]} ${opType} takes axes as input 1, not as an attribute (model opset ${init.opset})`);
      }
      const keepdims = attrInt(node, 'keepdims', 1) !== 0;
      const noopEmpty = fromInput && attrInt(node, 'noop_with_empty_axes', 0) !== 0;
      const attrAxes = fromInput ? undefined : attrInts(node, 'axes');
      const reduced: boolean[] = [];
      const outDims = new DimsBuffer();
      const result: (Tensor | undefined)[] = [undefined];
      return {
        run(inputs, ctx: RunContext) {
          const x = inputs[0]!;
          if (x.dtype === 'bool') throw new KernelError(`${what}: ${opType} does not accept bool`);
          const rank = x.dims.length;
          const axesT = fromInput ? inputs[1] : undefined;
          if (axesT !== undefined && axesT.dtype !== 'int64') throw new KernelError(`${what}: axes must be int64, got ${axesT.dtype}`);
          const axes: BigInt64Array | readonly number[] | undefined = fromInput ? (axesT?.data as BigInt64Array | undefined) : attrAxes;
          if (axes === undefined || axes.length === 0) {
            if (noopEmpty) {
              // identity, as the operator text says for noop_with_empty_axes; copied so the output is fresh
              const copy = ctx.output(0, x.dtype, x.dims);
              (copy.data as Arr).set(x.data);
              result[0] = copy;
              return result;
            }
            reduced.length = rank;
            for (let i = 0; i < rank; i++) reduced[i] = true;
          } else {
            normaliseAxes(axes, rank, what, reduced);
          }
          outDims.reset();
          for (let i = 0; i < rank; i++) {
            if (!reduced[i]) outDims.push(x.dims[i]!);
            else if (keepdims) outDims.push(1);
          }
          const out = ctx.output(0, x.dtype, outDims.finish());
          reduceInto(op, x, reduced, out, ctx);
          result[0] = out;
          return result;
        },
      };
    },
  };
}

/** ArgMax / ArgMin along one axis; ties go to the first index unless `select_last_index` (opset 12). */
function argKernel(opType: 'ArgMax' | 'ArgMin'): KernelDef {
  const max = opType === 'ArgMax';
  return {
    opType,
    sinceVersion: 1,
    freshOutputs: true,
    create(init) {
      requireInputs(init, 1);
      const what = describeNode(init.node);
      const axisAttr = attrInt(init.node, 'axis', 0);
      const keepdims = attrInt(init.node, 'keepdims', 1) !== 0;
      const last = attrInt(init.node, 'select_last_index', 0) !== 0;
      const outDims = new DimsBuffer();
      const result: (Tensor | undefined)[] = [undefined];
      return {
        run(inputs, ctx) {
          const x = inputs[0]!;
          const rank = x.dims.length;
          const axis = axisAttr < 0 ? axisAttr + rank : axisAttr;
          if (axis < 0 || axis >= rank) throw new KernelError(`${what}: axis ${axisAttr} is out of range for ${shapeToString(x.dims)}`);
          const n = x.dims[axis]!;
          if (n === 0) throw new KernelError(`${what}: cannot take ${opType} over an empty axis`);
          let outer = 1;
          for (let i = 0; i < axis; i++) outer *= x.dims[i]!;
          let inner = 1;
          for (let i = axis + 1; i < rank; i++) inner *= x.dims[i]!;
          outDims.reset();
          for (let i = 0; i < rank; i++) if (i !== axis) outDims.push(x.dims[i]!);
          else if (keepdims) outDims.push(1);
          const out = ctx.output(0, 'int64', outDims.finish());
          const xd = x.data as Arr;
          const od = out.data;
          const words = int64Words(od);
          for (let o = 0; o < outer; o++) {
            for (let j = 0; j < inner; j++) {
              const base = o * n * inner + j;
              let best = xd[base];
              let bi = 0;
              for (let k = 1, p = base + inner; k < n; k++, p += inner) {
                const v = xd[p];
                const better = max ? (last ? v >= best : v > best) : last ? v <= best : v < best;
                if (better) {
                  best = v;
                  bi = k;
                }
              }
              setInt64(od, words, o * inner + j, bi);
            }
          }
          result[0] = out;
          return result;
        },
      };
    },
  };
}

/**
 * TopK: the k largest (or smallest) along `axis`, sorted, equal values ordered by lower index first.
 * `k` is an attribute before opset 10 and an int64 input from 10; `largest`/`sorted` exist from 11
 * (unsorted output is allowed to be in any order, so sorted order is always returned).
 */
const topK: KernelDef = {
  opType: 'TopK',
  sinceVersion: 1,
  freshOutputs: true,
  create(init) {
    requireInputs(init, init.opset < 10 ? 1 : 2);
    const what = describeNode(init.node);
    const axisAttr = attrInt(init.node, 'axis', -1);
    const largest = attrInt(init.node, 'largest', 1) !== 0;
    const kAttr = init.opset < 10 ? attrInt(init.node, 'k') : undefined;
    const outDims = new DimsBuffer();
    const result: (Tensor | undefined)[] = [undefined, undefined];
    return {
      run(inputs, ctx) {
        const x = inputs[0]!;
        let k: number;
        if (kAttr !== undefined) k = kAttr;
        else {
          const kt = inputs[1];
          if (kt === undefined || kt.dtype !== 'int64' || kt.data.length !== 1) {
            throw new KernelError(`${what}: K must be an int64 tensor of one element, got ${kt ? `${kt.dtype} ${shapeToString(kt.dims)}` : 'nothing'}`);
          }
          k = int32At(kt.data as BigInt64Array, int64Words(kt.data as BigInt64Array), 0) ?? Infinity;
        }
        const rank = x.dims.length;
        const axis = axisAttr < 0 ? axisAttr + rank : axisAttr;
        if (axis < 0 || axis >= rank) throw new KernelError(`${what}: axis ${axisAttr} is out of range for ${shapeToString(x.dims)}`);
        const n = x.dims[axis]!;
        if (!Number.isInteger(k) || k < 0 || k > n) throw new KernelError(`${what}: K=${k} must be in [0, ${n}] for axis ${axis} of ${shapeToString(x.dims)}`);
        let outer = 1;
        for (let i = 0; i < axis; i++) outer *= x.dims[i]!;
        let inner = 1;
        for (let i = axis + 1; i < rank; i++) inner *= x.dims[i]!;
        outDims.reset();
        for (let i = 0; i < rank; i++) outDims.push(i === axis ? k : x.dims[i]!);
        const values = ctx.output(0, x.dtype, outDims.finish());
        const indices = ctx.output(1, 'int64', outDims.dims);
        const best = ctx.scratch(0, 'int32', k);
        const xd = x.data as Arr;
        const vd = values.data as Arr;
        const id = indices.data;
        const words = int64Words(id);
        const big = isBigIntDType(x.dtype);
        for (let o = 0; o < outer; o++) {
          for (let j = 0; j < inner; j++) {
            const base = o * n * inner + j;
            const filled = selectTop(xd, base, inner, n, k, largest, big, best);
            for (let t = 0; t < filled; t++) {
              const src = best[t]!;
              vd[o * k * inner + t * inner + j] = xd[base + src * inner];
              setInt64(id, words, o * k * inner + t * inner + j, src);
            }
          }
        }
        result[0] = values;
        result[1] = indices;
        return result;
      },
    };
  },
};

export const kernels: KernelDef[] = [
  reduceKernel('ReduceSum', 'sum'),
  reduceKernel('ReduceMean', 'mean'),
  reduceKernel('ReduceMax', 'max'),
  reduceKernel('ReduceMin', 'min'),
  reduceKernel('ReduceProd', 'prod'),
  argKernel('ArgMax'),
  argKernel('ArgMin'),
  topK,
];
