/**
 * CumSum (opset 11/14): running sums along `axis` (a scalar int32/int64 input), optionally `exclusive`
 * (each sum leaves out its own element) and `reverse` (summing from the end). Sums accumulate in the
 * element type, as onnxruntime does: float32 rounds at every step, int32/uint32 wrap, and int64/uint64
 * are added as 32-bit word pairs with a carry, exact modulo 2^64 without creating a BigInt per element.
 */
import { attrInt } from '../../ir/attributes.js';
import type { Node } from '../../ir/graph.js';
import { shapeToString, type Tensor } from '../../tensor.js';
import type { Kernel, KernelDef } from '../kernel.js';
import { requireInputs } from './arity.js';
import { int32At, int64Words } from './int64-words.js';
import { kernelError, normalizeAxis, OneResult } from './shape-impl.js';

const TYPES = new Set(['float32', 'float64', 'int32', 'int64', 'uint32', 'uint64']);
const TWO_32 = 4294967296;

type NumberArray = Float32Array | Float64Array | Int32Array | Uint32Array;


const cumSum: KernelDef = {
  opType: 'CumSum',
  sinceVersion: 11,
  freshOutputs: true,
  create(init): Kernel {
    requireInputs(init, 2);
    const { node } = init;
    const exclusive = attrInt(node, 'exclusive', 0) !== 0;
    const reverse = attrInt(node, 'reverse', 0) !== 0;
    const result = new OneResult();
    return {
      run(inputs, ctx) {
        const x = inputs[0]!;
        if (!TYPES.has(x.dtype)) throw kernelError(node, `x must be float, double, int32, int64, uint32 or uint64, got ${x.dtype}`);
        const axis = normalizeAxis(node, readAxis(node, inputs[1]!), x.dims.length);
        const n = x.dims[axis]!;
        let outer = 1;
        for (let i = 0; i < axis; i++) outer *= x.dims[i]!;
        let inner = 1;
        for (let i = axis + 1; i < x.dims.length; i++) inner *= x.dims[i]!;
        const out = ctx.output(0, x.dtype, x.dims);
        const isBig = x.dtype === 'int64' || x.dtype === 'uint64';
        const acc = isBig ? undefined : (ctx.scratch(0, x.dtype, 1) as NumberArray);
        const srcWords = isBig ? int64Words(x.data as BigInt64Array) : undefined;
        const dstWords = isBig ? int64Words(out.data as BigInt64Array) : undefined;
        // Each line along the axis: its first element sits at `o * n * inner + j`, the next `inner` further.
        const step = reverse ? -inner : inner;
        for (let o = 0; o < outer; o++) {
          for (let j = 0; j < inner; j++) {
            const first = o * n * inner + j + (reverse ? (n - 1) * inner : 0);
            if (!isBig) sumNumbers(x.data as NumberArray, out.data as NumberArray, acc!, first, step, n, exclusive);
            else if (srcWords !== undefined && dstWords !== undefined) sumWords(srcWords, dstWords, first, step, n, exclusive);
            else sumBigInts(x.data as BigInt64Array, out.data as BigInt64Array, first, step, n, exclusive);
          }
        }
        return result.of(out);
      },
    };
  },
};

function readAxis(node: Node, t: Tensor): number {
  if ((t.dtype !== 'int32' && t.dtype !== 'int64') || t.data.length !== 1) {
    throw kernelError(node, `axis must be an int32 or int64 scalar, got ${t.dtype} ${shapeToString(t.dims)}`);
  }
  if (t.dtype === 'int32') return (t.data as Int32Array)[0]!;
  const data = t.data as BigInt64Array;
  return int32At(data, int64Words(data), 0) ?? Number.NaN;
}

/**
 * One line of a number-typed tensor. The running sum lives in `acc`, a one-element array of the element
 * type, so it is rounded (float32) or wrapped (int32/uint32) after every addition exactly as a sum kept in
 * that type.
 */
function sumNumbers(src: NumberArray, dst: NumberArray, acc: NumberArray, first: number, step: number, n: number, exclusive: boolean): void {
  acc[0] = 0;
  for (let i = 0, p = first; i < n; i++, p += step) {
    const before = acc[0]!;
    acc[0] = before + src[p]!;
    dst[p] = exclusive ? before : acc[0]!;
  }
}

/** One line of an int64/uint64 tensor, added as [low, high] 32-bit word pairs with a carry. */
function sumWords(src: Int32Array, dst: Int32Array, first: number, step: number, n: number, exclusive: boolean): void {
  let lo = 0;
  let hi = 0;
  for (let i = 0, p = first; i < n; i++, p += step) {
    if (exclusive) {
      dst[2 * p] = lo;
      dst[2 * p + 1] = hi;
    }
    const low = (lo >>> 0) + (src[2 * p]! >>> 0);
    hi = (hi + src[2 * p + 1]! + (low >= TWO_32 ? 1 : 0)) | 0;
    lo = low | 0;
    if (!exclusive) {
      dst[2 * p] = lo;
      dst[2 * p + 1] = hi;
    }
  }
}

/** The same for a big-endian host, where the word order is unknown: BigInt arithmetic, wrapped to 64 bits. */
function sumBigInts(src: BigInt64Array | BigUint64Array, dst: BigInt64Array | BigUint64Array, first: number, step: number, n: number, exclusive: boolean): void {
  let acc = 0n;
  for (let i = 0, p = first; i < n; i++, p += step) {
    const next = BigInt.asIntN(64, acc + BigInt(src[p]!));
    dst[p] = dst instanceof BigUint64Array ? BigInt.asUintN(64, exclusive ? acc : next) : exclusive ? acc : next;
    acc = next;
  }
}

export const cumSumKernels: KernelDef[] = [cumSum];
