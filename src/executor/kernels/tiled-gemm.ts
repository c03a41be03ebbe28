/**
 * The recurrent kernels' WebAssembly SIMD product (gemm-wasm.ts: 16 output columns per panel, two rows per
 * pass, each weight vector loaded once for both rows) with weights known at load time, as Conv
 * (conv-gemm.ts) and the constant-B MatMul/Gemm (dense-gemm.ts) use it.
 *
 * One wasm memory holds, in order: the weights of every group packed once into panels, one bias row per
 * group, a tile of input rows (K floats each) that the caller writes, and the tile's product rows. Inputs are
 * taken in tiles of at most {@link TILE_FLOATS} floats, so a large input never needs all its rows in memory.
 * Sums run in float32 (as onnxruntime's MLAS does), in k order per lane.
 */
import { gemmFunction } from './recurrent/gemm-wasm.js';
import { PANEL } from './recurrent/gemm-js.js';
import { assembleModule } from './recurrent/wasm-asm.js';

type Gemm = (x: number, xs: number, rows: number, k: number, w: number, ncols: number, out: number, os: number, init: number, is: number) => void;

/** Input floats per tile: 128 KiB of rows stay in a core's L2 beside one weight panel. */
export const TILE_FLOATS = 32768;
const PAGE = 65536;

let compiled: WebAssembly.Module | null | undefined;

/** The product's module (only the gemm function, well under browsers' 4 KiB synchronous-compile limit). */
export function gemmModuleBytes(): Uint8Array<ArrayBuffer> {
  return assembleModule([gemmFunction()]);
}

function moduleOrNull(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  if (typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function') {
    const bytes = gemmModuleBytes();
    try {
      if (WebAssembly.validate(bytes)) compiled = new WebAssembly.Module(bytes);
    } catch {
      // A content-security policy without 'wasm-unsafe-eval': the kernels run their JavaScript loops instead.
      compiled = null;
    }
  }
  return compiled;
}

/** Whether this engine runs the SIMD product (WebAssembly with SIMD, compiled synchronously). */
export function simdGemmAvailable(): boolean {
  return moduleOrNull() !== null;
}

const roundUp = (v: number, m: number) => Math.ceil(v / m) * m;

/** Packed weights and working memory for `Y[r, col] = bias[col] + Σ_i X[r, i] · W(col, i)`, per group. */
export class TiledGemm {
  /** Inputs per row. */
  readonly k: number;
  /** Output columns per group, padded to whole panels: the stride of a product row. */
  readonly ncols: number;
  /** Where the caller writes a tile's input rows (in floats into {@link mem}). */
  readonly rowsOff: number;
  /** Where the product writes a tile's output rows; set by {@link reserve}. */
  outOff = 0;
  /** The memory as floats; replaced when it grows, so read it after {@link reserve}. */
  mem: Float32Array;
  private readonly biasOff: number;
  private readonly maxTileRows: number;
  private tileRows = 0;
  private readonly memory: WebAssembly.Memory;
  private readonly gemm: Gemm;

  /**
   * @param weight W(col, i) of group `group`, for col < n and i < k (read once, here)
   * @throws Error when WebAssembly SIMD is unavailable (check {@link simdGemmAvailable} first)
   */
  constructor(k: number, n: number, groups: number, weight: (group: number, col: number, i: number) => number) {
    const module = moduleOrNull();
    if (module === null) throw new Error('WebAssembly SIMD is not available in this JavaScript engine');
    this.k = k;
    this.ncols = roundUp(n, PANEL);
    this.biasOff = roundUp(groups * this.ncols * k, 4);
    this.rowsOff = this.biasOff + groups * this.ncols;
    // At least two rows, so the product's two-rows-per-pass loop always has a pair to work on.
    this.maxTileRows = Math.max(2, Math.floor(TILE_FLOATS / k));
    this.memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil((this.rowsOff * 4) / PAGE)) });
    this.gemm = new WebAssembly.Instance(module, { env: { mem: this.memory } }).exports.gemm as Gemm;
    this.mem = new Float32Array(this.memory.buffer);
    // Panel p of a group holds its columns 16p..16p+15 side by side for each i; columns past n stay zero.
    let o = 0;
    for (let grp = 0; grp < groups; grp++) {
      for (let n0 = 0; n0 < this.ncols; n0 += PANEL) {
        for (let i = 0; i < k; i++) {
          for (let lane = 0; lane < PANEL; lane++, o++) if (n0 + lane < n) this.mem[o] = weight(grp, n0 + lane, i);
        }
      }
    }
  }

  /** Where group `group`'s bias row starts in {@link mem} (zero until written). */
  biasOffset(group: number): number {
    return this.biasOff + group * this.ncols;
  }

  /**
   * Makes room for tiles of up to `rows` rows (capped at the tile size) and returns the rows per tile.
   * Grows, never shrinks, so a steady state allocates nothing.
   */
  reserve(rows: number): number {
    const want = Math.min(this.maxTileRows, Math.max(rows, 1));
    if (want > this.tileRows) {
      this.tileRows = want;
      this.outOff = roundUp(this.rowsOff + want * this.k, 4);
      const bytes = (this.outOff + want * this.ncols) * 4;
      const have = this.memory.buffer.byteLength;
      if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / PAGE));
      // Growing detaches the old buffer: view the new one.
      this.mem = new Float32Array(this.memory.buffer);
    }
    return this.tileRows;
  }

  /** The product of the first `rows` input rows of the tile with group `group`'s weights, plus its bias. */
  multiply(rows: number, group: number): void {
    const { k, ncols } = this;
    this.gemm(this.rowsOff * 4, k * 4, rows, k, group * ncols * k * 4, ncols, this.outOff * 4, ncols * 4, this.biasOffset(group) * 4, 0);
  }
}
