/**
 * The plain-JavaScript matrix product of the recurrent kernels, over weights packed by `pack.ts`:
 * `out[r, n] = init[r, n] + sum_k x[r, k] * W[n, k]` for `n < ncols` (init may be out itself, to
 * accumulate, or a bias row with stride 0, to broadcast it), all operands addressed as float offsets into one
 * Float32Array (the workspace), so the same call shape works for the WebAssembly kernel.
 *
 * Packed weights are panels of {@link PANEL} output columns: panel p holds, for k = 0..K-1, the 16 weights
 * `W[16p .. 16p+15, k]` side by side. The inner loop then reads one contiguous stream and keeps 16
 * independent accumulators (no dependency chain longer than K), and for batch > 1 each panel is reused for
 * every row while it is still in cache.
 */
export const PANEL = 16;

/**
 * @param m     the workspace
 * @param x     offset of row 0 of the left operand; row r starts at `x + r * xs`
 * @param rows  number of rows
 * @param k     inner dimension (row length of x)
 * @param w     offset of the packed weights (first panel)
 * @param ncols number of output columns, a multiple of {@link PANEL}
 * @param out   offset of row 0 of the output; row r starts at `out + r * os`
 * @param init  offset of row 0 of the starting values; row r starts at `init + r * is`
 */
export function gemmJs(
  m: Float32Array,
  x: number,
  xs: number,
  rows: number,
  k: number,
  w: number,
  ncols: number,
  out: number,
  os: number,
  init: number,
  is: number,
): void {
  const panels = ncols / PANEL;
  const panelSize = k * PANEL;
  for (let p = 0; p < panels; p++) {
    const wp = w + p * panelSize;
    for (let r = 0; r < rows; r++) {
      const xr = x + r * xs;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
      let a8 = 0, a9 = 0, a10 = 0, a11 = 0, a12 = 0, a13 = 0, a14 = 0, a15 = 0;
      for (let i = 0, q = wp; i < k; i++, q += PANEL) {
        const v = m[xr + i]!;
        a0 += v * m[q]!;
        a1 += v * m[q + 1]!;
        a2 += v * m[q + 2]!;
        a3 += v * m[q + 3]!;
        a4 += v * m[q + 4]!;
        a5 += v * m[q + 5]!;
        a6 += v * m[q + 6]!;
        a7 += v * m[q + 7]!;
        a8 += v * m[q + 8]!;
        a9 += v * m[q + 9]!;
        a10 += v * m[q + 10]!;
        a11 += v * m[q + 11]!;
        a12 += v * m[q + 12]!;
        a13 += v * m[q + 13]!;
        a14 += v * m[q + 14]!;
        a15 += v * m[q + 15]!;
      }
      const o = out + r * os + p * PANEL;
      const b = init + r * is + p * PANEL;
      m[o] = m[b]! + a0;
      m[o + 1] = m[b + 1]! + a1;
      m[o + 2] = m[b + 2]! + a2;
      m[o + 3] = m[b + 3]! + a3;
      m[o + 4] = m[b + 4]! + a4;
      m[o + 5] = m[b + 5]! + a5;
      m[o + 6] = m[b + 6]! + a6;
      m[o + 7] = m[b + 7]! + a7;
      m[o + 8] = m[b + 8]! + a8;
      m[o + 9] = m[b + 9]! + a9;
      m[o + 10] = m[b + 10]! + a10;
      m[o + 11] = m[b + 11]! + a11;
      m[o + 12] = m[b + 12]! + a12;
      m[o + 13] = m[b + 13]! + a13;
      m[o + 14] = m[b + 14]! + a14;
      m[o + 15] = m[b + 15]! + a15;
    }
  }
}
