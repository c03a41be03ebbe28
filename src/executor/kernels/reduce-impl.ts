/**
 * One-pass reduction over any set of axes: walk the input once in memory order, keeping the output offset
 * up to date with an odometer over the leading axes (the output stride of a reduced axis is 0) and a tight
 * loop over the trailing block. Number-backed dtypes accumulate
 * in a float64 scratch row, so float32 sums are as exact as a double and integer sums are exact below
 * 2^53 before they wrap on store; int64/uint64 accumulate as BigInt.
 */
import type { Tensor } from '../../tensor.js';
import { isBigIntDType } from '../../tensor.js';
import type { RunContext } from '../kernel.js';
import type { Arr } from './elementwise-impl.js';

export type ReduceOp = 'sum' | 'mean' | 'max' | 'min' | 'prod';

// Reused across calls: kernels run one at a time and never re-enter a reduction.
const outStrides: number[] = [];
const counter: number[] = [];

/** Reduces `x` over the axes flagged in `reduced` into `out` (whose size is the product of kept dims). */
export function reduceInto(op: ReduceOp, x: Tensor, reduced: readonly boolean[], out: Tensor, ctx: RunContext): void {
  const dims = x.dims;
  const rank = dims.length;
  const n = x.data.length;
  const outSize = out.data.length;
  outStrides.length = rank;
  counter.length = rank;
  let s = 1;
  for (let d = rank - 1; d >= 0; d--) {
    counter[d] = 0;
    if (reduced[d]) outStrides[d] = 0;
    else {
      outStrides[d] = s;
      s *= dims[d]!;
    }
  }
  const count = outSize === 0 ? 0 : n / outSize;
  const xd = x.data as Arr;
  if (isBigIntDType(x.dtype)) {
    const od = out.data as BigInt64Array;
    const seen = ctx.scratch(1, 'uint8', outSize);
    seen.fill(0);
    od.fill(op === 'prod' ? 1n : 0n);
    let oi = 0;
    for (let i = 0; i < n; i++) {
      const v: bigint = xd[i];
      if (op === 'sum' || op === 'mean') od[oi] = od[oi]! + v;
      else if (op === 'prod') od[oi] = od[oi]! * v;
      else if (!seen[oi] || (op === 'max' ? v > od[oi]! : v < od[oi]!)) {
        od[oi] = v;
        seen[oi] = 1;
      }
      oi = advance(oi, dims, rank);
    }
    if (op === 'mean' && count > 0) for (let j = 0; j < outSize; j++) od[j] = od[j]! / BigInt(count);
    return;
  }
  const acc = ctx.scratch(0, 'float64', outSize);
  acc.fill(op === 'prod' ? 1 : op === 'max' ? -Infinity : op === 'min' ? Infinity : 0);
  // Walk the input in runs: the trailing axes that are all reduced (or all kept) form one contiguous block
  // handled by a tight loop — into one accumulator, or into consecutive ones — and the odometer only
  // moves once per block over the leading axes.
  const innerReduced = rank > 0 && reduced[rank - 1] === true;
  let split = rank;
  let block = 1;
  while (split > 0 && (reduced[split - 1] === innerReduced || dims[split - 1] === 1)) {
    block *= dims[split - 1]!;
    split--;
  }
  let oi = 0;
  for (let i = 0; i < n; i += block) {
    if (innerReduced) {
      let a = acc[oi]!;
      if (op === 'sum' || op === 'mean') for (let t = 0; t < block; t++) a += xd[i + t];
      else if (op === 'prod') for (let t = 0; t < block; t++) a *= xd[i + t];
      else if (op === 'max') {
        for (let t = 0; t < block; t++) {
          const v = xd[i + t];
          if (v > a || v !== v) a = v; // NaN wins, as numpy's max
        }
      } else {
        for (let t = 0; t < block; t++) {
          const v = xd[i + t];
          if (v < a || v !== v) a = v;
        }
      }
      acc[oi] = a;
    } else if (op === 'sum' || op === 'mean') {
      for (let t = 0; t < block; t++) acc[oi + t] += xd[i + t];
    } else if (op === 'prod') {
      for (let t = 0; t < block; t++) acc[oi + t] *= xd[i + t];
    } else if (op === 'max') {
      for (let t = 0; t < block; t++) {
        const v = xd[i + t];
        if (v > acc[oi + t]! || v !== v) acc[oi + t] = v;
      }
    } else {
      for (let t = 0; t < block; t++) {
        const v = xd[i + t];
        if (v < acc[oi + t]! || v !== v) acc[oi + t] = v;
      }
    }
    oi = advance(oi, dims, split);
  }
  const od = out.data as Float64Array;
  // Mean of an empty set is NaN (0/0), as numpy gives.
  if (op === 'mean') for (let j = 0; j < outSize; j++) od[j] = acc[j]! / count;
  else for (let j = 0; j < outSize; j++) od[j] = acc[j]!;
}

/** Moves the odometer one element forward in input order and returns the new output offset. */
function advance(oi: number, dims: readonly number[], rank: number): number {
  for (let d = rank - 1; d >= 0; d--) {
    counter[d]!++;
    oi += outStrides[d]!;
    if (counter[d]! < dims[d]!) return oi;
    oi -= outStrides[d]! * dims[d]!;
    counter[d] = 0;
  }
  return oi;
}
