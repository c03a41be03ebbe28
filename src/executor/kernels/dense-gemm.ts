/**
 * Float32 `Y = A · B + bias` in WebAssembly SIMD for a B known at load time: the dense heads after a
 * recurrent layer (a vocabulary projection of a token generator is the largest matrix such a model has),
 * run by MatMul and Gemm.
 *
 * B is packed once into the SIMD product's panels (tiled-gemm.ts). Per run, rows of A are copied into the
 * module's memory a tile at a time (a transposed A is gathered there by strides), the product adds the bias
 * row to each, and the rows are copied out without their panel padding. Sums run in float32, as
 * onnxruntime's MLAS does; the JavaScript path (double sums) remains for engines without wasm SIMD and for
 * every other case.
 */
import { simdGemmAvailable, TiledGemm } from './tiled-gemm.js';

/** Below this many multiply-adds per row the JavaScript loop wins: copying A in and Y out costs more. */
export const MIN_SIMD_WORK = 2048;

/** Whether a constant-B product of this size should run here: SIMD available and enough work per row. */
export function denseGemmWorthIt(k: number, n: number): boolean {
  return k * n >= MIN_SIMD_WORK && simdGemmAvailable();
}

/** A row-major view of A: element (r, i) at `off + r * rs + i * ks`. */
export interface RowsOf {
  data: Float32Array;
  off: number;
  rs: number;
  ks: number;
}

/** One node's packed B and working memory. */
export class DenseGemm {
  private readonly gemm: TiledGemm;
  private readonly n: number;

  /**
   * @param b B as K×N row-major float32 (`transposed`: N×K, as Gemm's transB gives it)
   * @throws Error when WebAssembly SIMD is unavailable (check {@link denseGemmWorthIt} first)
   */
  constructor(b: Float32Array, k: number, n: number, transposed: boolean) {
    this.n = n;
    this.gemm = new TiledGemm(k, n, 1, (_group, col, i) => b[transposed ? col * k + i : i * n + col]!);
  }

  /**
   * `y[yOff + r·N + j] = bias(j) + Σ_i A(r, i) · B(i, j)` for r < rows. `bias` is a row of N values (a
   * scalar broadcast when it has one element, scaled by `biasScale`), or none.
   */
  run(a: RowsOf, rows: number, bias: Float32Array | Float64Array | undefined, biasScale: number, y: Float32Array, yOff: number): void {
    const gemm = this.gemm;
    const tileRows = gemm.reserve(rows);
    const { mem, k, ncols, rowsOff, outOff } = gemm;
    const { n } = this;
    const biasOff = gemm.biasOffset(0);
    for (let j = 0; j < n; j++) mem[biasOff + j] = bias === undefined ? 0 : biasScale * bias[bias.length === 1 ? 0 : j]!;
    for (let r0 = 0; r0 < rows; r0 += tileRows) {
      const count = Math.min(tileRows, rows - r0);
      for (let r = 0; r < count; r++) {
        const src = a.off + (r0 + r) * a.rs;
        const dst = rowsOff + r * k;
        // Plain loops, not set(subarray()): a subarray is a new object, and a step allocates nothing.
        for (let i = 0, s = src; i < k; i++, s += a.ks) mem[dst + i] = a.data[s]!;
      }
      gemm.multiply(count, 0);
      for (let r = 0; r < count; r++) {
        const src = outOff + r * ncols;
        const dst = yOff + (r0 + r) * n;
        for (let j = 0; j < n; j++) y[dst + j] = mem[src + j]!;
      }
    }
  }
}
