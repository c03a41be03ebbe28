/**
 * The matrix product both Gemm and MatMul run on: `out[i, j] = Σ_k A(i, k) · Bt(j, k)` with A and Bt given by
 * strides, so a transposed operand is only a stride swap. B is consumed as "Bt" (one row of K values per
 * output column) because then the innermost loop walks both operands contiguously; a constant B is packed
 * into that layout once at plan time, a runtime B is repacked into scratch memory per run.
 *
 * Floats accumulate in double precision (at least as accurate as onnxruntime's float32 accumulation);
 * 32-bit integers wrap as C does via Math.imul; int64/uint64 accumulate as BigInt and wrap on store.
 */
import type { DType, TypedArray } from '../../tensor.js';

/** Strided view of a 2-D operand: element (r, k) lives at `off + r*rs + k*ks`. */
export interface Strided {
  data: TypedArray;
  off: number;
  rs: number;
  ks: number;
}

export type DotKind = 'float' | 'int32' | 'uint32' | 'bigint';

export function dotKind(dtype: DType): DotKind | undefined {
  switch (dtype) {
    case 'float32':
    case 'float64':
      return 'float';
    case 'int32':
      return 'int32';
    case 'uint32':
      return 'uint32';
    case 'int64':
    case 'uint64':
      return 'bigint';
    default:
      return undefined;
  }
}

/**
 * Writes the M×N product into `out` starting at `oOff` (row-major, row stride N). When `alpha`/`beta`/`c`
 * are given (Gemm), each result is `alpha·dot + beta·C(i, j)` with C(i, j) at `cOff + i*cRs + j*cCs`.
 */
export function product(
  kind: DotKind,
  m: number,
  n: number,
  k: number,
  a: Strided,
  bt: Strided,
  out: TypedArray,
  oOff: number,
  alpha = 1,
  beta = 0,
  c?: Strided,
  acc?: Float64Array,
): void {
  if (kind === 'bigint') return productBig(m, n, k, a, bt, out as BigInt64Array, oOff, alpha, beta, c);
  if (kind === 'float') {
    if (bt.ks === 1) return productDots(m, n, k, a, bt, out as Float32Array, oOff, alpha, beta, c);
    if (bt.rs === 1 && acc !== undefined) return productRows(m, n, k, a, bt, out as Float32Array, oOff, alpha, beta, c, acc);
  }
  const ad = a.data as Float64Array;
  const bd = bt.data as Float64Array;
  const od = out as Float64Array;
  const cd = c?.data as Float64Array | undefined;
  for (let i = 0; i < m; i++) {
    const aRow = a.off + i * a.rs;
    for (let j = 0; j < n; j++) {
      const bRow = bt.off + j * bt.rs;
      let sum = 0;
      if (kind === 'float') {
        if (a.ks === 1 && bt.ks === 1) {
          for (let p = 0; p < k; p++) sum += ad[aRow + p]! * bd[bRow + p]!;
        } else {
          for (let p = 0, pa = aRow, pb = bRow; p < k; p++, pa += a.ks, pb += bt.ks) sum += ad[pa]! * bd[pb]!;
        }
      } else {
        for (let p = 0, pa = aRow, pb = bRow; p < k; p++, pa += a.ks, pb += bt.ks) sum = (sum + Math.imul(ad[pa]!, bd[pb]!)) | 0;
        if (kind === 'uint32') sum >>>= 0;
      }
      let v = alpha === 1 ? sum : alpha * sum;
      if (cd !== undefined && beta !== 0) v += beta * cd[c!.off + i * c!.rs + j * c!.ks]!;
      od[oOff + i * n + j] = v;
    }
  }
}

/**
 * Float product when each output column's K values are contiguous (Bt packed, or B transposed): four
 * columns at a time, so every A value loaded feeds four accumulators.
 */
function productDots(
  m: number,
  n: number,
  k: number,
  a: Strided,
  bt: Strided,
  od: Float32Array,
  oOff: number,
  alpha: number,
  beta: number,
  c: Strided | undefined,
): void {
  const ad = a.data as Float32Array;
  const bd = bt.data as Float32Array;
  const aks = a.ks;
  const brs = bt.rs;
  const n4 = n - (n % 4);
  for (let i = 0; i < m; i++) {
    const aRow = a.off + i * a.rs;
    const oRow = oOff + i * n;
    let j = 0;
    for (; j < n4; j += 4) {
      const b0 = bt.off + j * brs;
      const b1 = b0 + brs;
      const b2 = b1 + brs;
      const b3 = b2 + brs;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let p = 0, pa = aRow; p < k; p++, pa += aks) {
        const av = ad[pa]!;
        s0 += av * bd[b0 + p]!;
        s1 += av * bd[b1 + p]!;
        s2 += av * bd[b2 + p]!;
        s3 += av * bd[b3 + p]!;
      }
      od[oRow + j] = s0;
      od[oRow + j + 1] = s1;
      od[oRow + j + 2] = s2;
      od[oRow + j + 3] = s3;
    }
    for (; j < n; j++) {
      const b0 = bt.off + j * brs;
      let s0 = 0;
      for (let p = 0, pa = aRow; p < k; p++, pa += aks) s0 += ad[pa]! * bd[b0 + p]!;
      od[oRow + j] = s0;
    }
    if (alpha !== 1 || c !== undefined) finishRow(od, oRow, n, i, alpha, beta, c);
  }
}

/**
 * Float product for a row-major K×N B read in place (a runtime B): each output row accumulates
 * `A(i, p) · B[p, :]` over p in double precision, walking B contiguously.
 */
function productRows(
  m: number,
  n: number,
  k: number,
  a: Strided,
  bt: Strided,
  od: Float32Array,
  oOff: number,
  alpha: number,
  beta: number,
  c: Strided | undefined,
  acc: Float64Array,
): void {
  const ad = a.data as Float32Array;
  const bd = bt.data as Float32Array;
  const bks = bt.ks; // the row stride of B (N, or more for a view)
  for (let i = 0; i < m; i++) {
    acc.fill(0, 0, n);
    const aRow = a.off + i * a.rs;
    for (let p = 0; p < k; p++) {
      const av = ad[aRow + p * a.ks]!;
      const bRow = bt.off + p * bks;
      for (let j = 0; j < n; j++) acc[j] += av * bd[bRow + j]!;
    }
    const oRow = oOff + i * n;
    for (let j = 0; j < n; j++) od[oRow + j] = acc[j]!;
    if (alpha !== 1 || c !== undefined) finishRow(od, oRow, n, i, alpha, beta, c);
  }
}

/** Applies Gemm's `alpha·dot + beta·C(i, j)` to one finished output row. */
function finishRow(od: Float32Array, oRow: number, n: number, i: number, alpha: number, beta: number, c: Strided | undefined): void {
  const cd = c?.data as Float32Array | undefined;
  for (let j = 0; j < n; j++) {
    let v = alpha * od[oRow + j]!;
    if (cd !== undefined && beta !== 0) v += beta * cd[c!.off + i * c!.rs + j * c!.ks]!;
    od[oRow + j] = v;
  }
}

function productBig(
  m: number,
  n: number,
  k: number,
  a: Strided,
  bt: Strided,
  out: BigInt64Array,
  oOff: number,
  alpha: number,
  beta: number,
  c?: Strided,
): void {
  const ad = a.data as BigInt64Array;
  const bd = bt.data as BigInt64Array;
  const cd = c?.data as BigInt64Array | undefined;
  const al = BigInt(alpha);
  const be = BigInt(beta);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0n;
      for (let p = 0, pa = a.off + i * a.rs, pb = bt.off + j * bt.rs; p < k; p++, pa += a.ks, pb += bt.ks) sum += ad[pa]! * bd[pb]!;
      if (al !== 1n) sum *= al;
      if (cd !== undefined && be !== 0n) sum += be * cd[c!.off + i * c!.rs + j * c!.ks]!;
      out[oOff + i * n + j] = sum;
    }
  }
}

/** Copies a K×N matrix (row-major at `off`) into `dst` as N×K, i.e. the Bt layout. */
export function transposeInto(src: TypedArray, off: number, k: number, n: number, dst: TypedArray, dOff: number): void {
  const s = src as Float64Array;
  const d = dst as Float64Array;
  for (let p = 0; p < k; p++) {
    const row = off + p * n;
    for (let j = 0; j < n; j++) d[dOff + j * k + p] = s[row + j]!;
  }
}
