/**
 * Weight packing for the recurrent matrix products (layout described in gemm-js.ts).
 *
 * Each gate's H rows are placed in a column segment padded to `Hp` (a multiple of the panel width), so a
 * gate always starts on a panel boundary: the product can then be run over any run of whole gates (GRU
 * computes z,r first and h after), and padded columns never spill into the next gate. Padded weights are
 * zero and their outputs are never read.
 */
import { PANEL } from './gemm-js.js';

/** `h` rounded up to whole panels. */
export function paddedHidden(h: number): number {
  return Math.ceil(h / PANEL) * PANEL;
}

/**
 * Packs `gates` stacked [h, k] matrices (ONNX W or R of one direction, rows gate-major) read from
 * `src[srcOff ..]` into `m[dst ..]` as panels: `gates * hp / PANEL` panels of `k * PANEL` floats.
 */
export function packGateMatrix(
  m: Float32Array,
  dst: number,
  src: Float32Array,
  srcOff: number,
  gates: number,
  h: number,
  hp: number,
  k: number,
): void {
  const ncols = gates * hp;
  let o = dst;
  for (let n0 = 0; n0 < ncols; n0 += PANEL) {
    for (let i = 0; i < k; i++) {
      for (let lane = 0; lane < PANEL; lane++) {
        const n = n0 + lane;
        const g = (n / hp) | 0;
        const j = n - g * hp;
        m[o++] = j < h ? src[srcOff + (g * h + j) * k + i]! : 0;
      }
    }
  }
}

/** Floats {@link packGateMatrix} writes. */
export function packedSize(gates: number, hp: number, k: number): number {
  return gates * hp * k;
}
