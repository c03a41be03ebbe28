/**
 * Float32 `Y = A · B + bias` in WebAssembly SIMD for a B known at load time: the dense heads after a
 * recurrent layer (a vocabulary projection of a token generator is the largest matrix such a model has),
 * run by MatMul and Gemm.
 *
 * B is packed once, as the recurrent kernels' product wants it (gemm-wasm.ts: panels of 16 output columns,
 * each weight vector loaded once for two rows of A). Per run, rows of A are copied into the module's memory
 * in tiles of at most {@link TILE_FLOATS} floats (a transposed A is gathered there by strides), the product
 * adds the bias row to each, and the rows are copied out without their panel padding. Sums run in float32,
 * in k order per lane, as onnxruntime's MLAS does; the JavaScript path (double sums) remains for engines
 * without wasm SIMD and for every other case.
 */
import { PANEL } from './recurrent/gemm-js.js';
import { moduleOrNull, TILE_FLOATS } from './conv-gemm.js';

type Gemm = (x: number, xs: number, rows: number, k: number, w: number, ncols: number, out: number, os: number, init: number, is: number) => void;

const PAGE = 65536;
/** Below this many multiply-adds per row the JavaScript loop wins: copying A in and Y out costs more. */
export const MIN_SIMD_WORK = 2048;

/** Whether a constant-B product of this size should run here: SIMD available and enough work per row. */
export function denseGemmWorthIt(k: number, n: number): boolean {
  return k * n >= MIN_SIMD_WORK && moduleOrNull() !== null;
}

const roundUp = (v: number, m: number) => Math.ceil(v / m) * m;

/** A row-major view of A: element (r, i) at `off + r * rs + i * ks`. */
export interface RowsOf {
  data: Float32Array;
  off: number;
  rs: number;
  ks: number;
}

/** One node's packed B and working memory. */
export class DenseGemm {
  private readonly memory: WebAssembly.Memory;
  private readonly gemm: Gemm;
  private mem: Float32Array;
  readonly k: number;
  readonly n: number;
  /** Output columns padded to whole panels. */
  private readonly ncols: number;
  private readonly biasOff: number;
  private readonly rowsOff: number;
  private readonly maxTileRows: number;
  private tileRows = 0;
  private outOff = 0;

  /**
   * @param b B as K×N row-major float32 (`transposed`: N×K, as Gemm's transB gives it)
   * @throws Error when WebAssembly SIMD is unavailable (check {@link denseGemmWorthIt} first)
   */
  constructor(b: Float32Array, k: number, n: number, transposed: boolean) {
    const module = moduleOrNull();
    if (module === null) throw new Error('WebAssembly SIMD is not available in this JavaScript engine');
    this.k = k;
    this.n = n;
    this.ncols = roundUp(n, PANEL);
    this.biasOff = roundUp(this.ncols * k, 4);
    this.rowsOff = this.biasOff + this.ncols;
    // At least two rows, so the product's two-rows-per-pass loop always has a pair to work on.
    this.maxTileRows = Math.max(2, Math.floor(TILE_FLOATS / k));
    this.memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil((this.rowsOff * 4) / PAGE)) });
    this.gemm = new WebAssembly.Instance(module, { env: { mem: this.memory } }).exports.gemm as Gemm;
    this.mem = new Float32Array(this.memory.buffer);
    // Panel p holds columns 16p..16p+15 side by side for each k; columns past N are zero.
    let o = 0;
    for (let n0 = 0; n0 < this.ncols; n0 += PANEL) {
      for (let i = 0; i < k; i++) {
        for (let lane = 0; lane < PANEL; lane++) {
          const col = n0 + lane;
          this.mem[o++] = col < n ? b[transposed ? col * k + i : i * n + col]! : 0;
        }
      }
    }
  }

  /** Room for tiles of `rows` rows of A, and their products after them; grows, never shrinks. */
  private ensureTile(rows: number): void {
    if (rows <= this.tileRows) return;
    this.tileRows = rows;
    this.outOff = roundUp(this.rowsOff + rows * this.k, 4);
    const bytes = (this.outOff + rows * this.ncols) * 4;
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / PAGE));
    // Growing detaches the old buffer: view the new one.
    this.mem = new Float32Array(this.memory.buffer);
  }

  /**
   * `y[yOff + r·N + j] = bias(j) + Σ_i A(r, i) · B(i, j)` for r < rows. `bias` is a row of N values (a
   * scalar broadcast when it has one element, scaled by `biasScale`), or none.
   */
  run(a: RowsOf, rows: number, bias: Float32Array | Float64Array | undefined, biasScale: number, y: Float32Array, yOff: number): void {
    this.ensureTile(Math.min(this.maxTileRows, Math.max(rows, 1)));
    const { mem, k, n, ncols, tileRows, rowsOff, outOff, biasOff } = this;
    for (let j = 0; j < ncols; j++) mem[biasOff + j] = bias === undefined || j >= n ? 0 : biasScale * bias[bias.length === 1 ? 0 : j]!;
    for (let r0 = 0; r0 < rows; r0 += tileRows) {
      const count = Math.min(tileRows, rows - r0);
      for (let r = 0; r < count; r++) {
        const src = a.off + (r0 + r) * a.rs;
        const dst = rowsOff + r * k;
        // Plain loops, not set(subarray()): a subarray is a new object, and a step allocates nothing.
        for (let i = 0, s = src; i < k; i++, s += a.ks) mem[dst + i] = a.data[s]!;
      }
      this.gemm(rowsOff * 4, k * 4, count, k, 0, ncols, outOff * 4, ncols * 4, biasOff * 4, 0);
      for (let r = 0; r < count; r++) {
        const src = outOff + r * ncols;
        const dst = yOff + (r0 + r) * n;
        for (let j = 0; j < n; j++) y[dst + j] = mem[src + j]!;
      }
    }
  }
}
