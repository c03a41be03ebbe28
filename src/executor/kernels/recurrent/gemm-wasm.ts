/**
 * The recurrent matrix product as a WebAssembly SIMD (f32x4) function, assembled here byte by byte: no
 * toolchain, no binary file, nothing fetched. Same contract and packed layout as gemm-js.ts:
 *
 *   gemm(x, xs, rows, k, w, ncols, out, os, init, is):  out[r, n] = init[r, n] + sum_i x[r, i] * W[n, i]
 *
 * (init may be out itself, to accumulate, or a bias row with stride 0, to broadcast it)
 * with every address and stride in bytes into the module's (imported) memory. Per 16-column panel, rows are
 * taken two at a time: each weight vector is loaded once and used for both rows (8 accumulators), which is
 * what makes a batch of streams cheaper per stream than one stream alone; a last odd row runs alone with 4
 * accumulators. The inner loop streams the panel contiguously, 4 × f32x4 per k.
 */

import {
  add, block, br, brIf, end, fadd, fmul, geS, geU, get, i32, i32s, loop, ltS, mul, set, shl, shrU, splat32, vload, vstore, vzero,
  type WasmFunction,
} from './wasm-asm.js';

// Parameters.
const X = 0, XS = 1, ROWS = 2, K = 3, W = 4, NCOLS = 5, OUT = 6, OS = 7, INIT = 8, IS = 9;
// i32 locals.
const PW = 10, PEND = 11, PB = 12, R = 13, XR = 14, O = 15, Q = 16, XI = 17, XEND = 18, OCOL = 19, O2 = 20;
const ICOL = 21, IR = 22, IR2 = 23;
// v128 locals.
const A = [24, 25, 26, 27], B = [28, 29, 30, 31], XV = 32, YV = 33, WV = 34;

/** acc = acc + v * WV */
const fma = (acc: number, v: number) => [...get(acc), ...get(v), ...get(WV), ...fmul, ...fadd, ...set(acc)];

/** The k loop for one row (a only) or two rows (a and b); q and xi advance, xend bounds it. */
function kLoop(two: boolean): number[] {
  const body: number[] = [...get(XI), ...get(XEND), ...geU, ...brIf(1)];
  body.push(...get(XI), ...splat32, ...set(XV));
  if (two) body.push(...get(XI), ...get(XS), ...add, ...splat32, ...set(YV));
  for (let j = 0; j < 4; j++) {
    body.push(...get(Q), ...vload(16 * j), ...set(WV), ...fma(A[j]!, XV));
    if (two) body.push(...fma(B[j]!, YV));
  }
  body.push(...get(Q), ...i32(64), ...add, ...set(Q));
  body.push(...get(XI), ...i32(4), ...add, ...set(XI));
  body.push(...br(0));
  return [...block, ...loop, ...body, ...end, ...end];
}

/** out[base + 16j] = init[initBase + 16j] + acc[j] for j < 4. */
function storeRow(base: number, initBase: number, accs: number[]): number[] {
  const out: number[] = [];
  accs.forEach((acc, j) => out.push(...get(base), ...get(initBase), ...vload(16 * j), ...get(acc), ...fadd, ...vstore(16 * j)));
  return out;
}

function rowSetup(two: boolean): number[] {
  const out: number[] = [];
  for (const a of two ? [...A, ...B] : A) out.push(...vzero, ...set(a));
  out.push(...get(PW), ...set(Q), ...get(XR), ...set(XI));
  out.push(...get(XR), ...get(K), ...i32(2), ...shl, ...add, ...set(XEND));
  return out;
}

/** The `gemm` export (10 i32 parameters, see the file comment). */
export function gemmFunction(): WasmFunction {
  const c: number[] = [];
  c.push(...get(K), ...i32(6), ...shl, ...set(PB)); // a panel is k × 16 floats = k·64 bytes
  c.push(...get(W), ...get(NCOLS), ...i32(4), ...shrU, ...get(PB), ...mul, ...add, ...set(PEND));
  c.push(...get(W), ...set(PW), ...get(OUT), ...set(OCOL), ...get(INIT), ...set(ICOL));
  const panel: number[] = [...get(PW), ...get(PEND), ...geU, ...brIf(1)];
  panel.push(...i32(0), ...set(R), ...get(X), ...set(XR), ...get(OCOL), ...set(O), ...get(ICOL), ...set(IR));
  // Pairs of rows.
  const pair: number[] = [...get(ROWS), ...get(R), ...i32(2), ...add, ...ltS, ...brIf(1)];
  pair.push(...rowSetup(true), ...kLoop(true));
  pair.push(...get(O), ...get(OS), ...add, ...set(O2), ...get(IR), ...get(IS), ...add, ...set(IR2));
  pair.push(...storeRow(O, IR, A), ...storeRow(O2, IR2, B));
  pair.push(...get(R), ...i32(2), ...add, ...set(R));
  pair.push(...get(XR), ...get(XS), ...i32(1), ...shl, ...add, ...set(XR));
  pair.push(...get(O), ...get(OS), ...i32(1), ...shl, ...add, ...set(O));
  pair.push(...get(IR), ...get(IS), ...i32(1), ...shl, ...add, ...set(IR));
  pair.push(...br(0));
  panel.push(...block, ...loop, ...pair, ...end, ...end);
  // The last odd row.
  const single: number[] = [...get(R), ...get(ROWS), ...geS, ...brIf(0), ...rowSetup(false), ...kLoop(false), ...storeRow(O, IR, A)];
  panel.push(...block, ...single, ...end);
  panel.push(...get(PW), ...get(PB), ...add, ...set(PW));
  panel.push(...get(OCOL), ...i32(64), ...add, ...set(OCOL));
  panel.push(...get(ICOL), ...i32(64), ...add, ...set(ICOL));
  panel.push(...br(0));
  c.push(...block, ...loop, ...panel, ...end, ...end);
  return { name: 'gemm', params: i32s(10), results: [], exported: true, i32Locals: 14, v128Locals: 11, code: c };
}
