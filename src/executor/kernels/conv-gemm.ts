/**
 * Float32 Conv as im2col + a packed matrix product in WebAssembly SIMD, for weights known at load time.
 *
 * Per (batch item, group), the input patches under the kernel are gathered as rows of a matrix (one row per
 * output position, `K = C/group · kH · kW` taps each, zeros over the padding) directly into the module's
 * memory, and the recurrent kernels' SIMD product (gemm-wasm.ts: 16 output channels per panel, two rows
 * per pass, each weight vector loaded once for both rows) computes `bias + patches · Wᵀ`. The product's
 * [position, channel] rows are then scattered into Y's [channel, position] planes.
 *
 * Weights are packed into the product's panel layout once, when the kernel is created; the bias row is
 * copied in on every run (at most a few hundred floats), so a bias fed at run time works too. Positions
 * are taken in tiles of at most {@link TILE_FLOATS} patch floats, so a large image never needs its whole
 * im2col matrix in memory. Sums run in float32 (as onnxruntime's MLAS does), in tap order per lane.
 */
import { gemmFunction } from './recurrent/gemm-wasm.js';
import { PANEL } from './recurrent/gemm-js.js';
import { assembleModule } from './recurrent/wasm-asm.js';
import type { ConvGeometry } from './conv-impl.js';

type Gemm = (x: number, xs: number, rows: number, k: number, w: number, ncols: number, out: number, os: number, init: number, is: number) => void;

/** Patch floats per tile: 128 KiB of patches stay in a core's L2 beside one weight panel. */
export const TILE_FLOATS = 32768;
const PAGE = 65536;

let compiled: WebAssembly.Module | null | undefined;

/** The product's module (only the gemm function, well under browsers' 4 KiB synchronous-compile limit). */
export function convModuleBytes(): Uint8Array<ArrayBuffer> {
  return assembleModule([gemmFunction()]);
}

/** The compiled product module, shared by Conv and the dense products; null without wasm SIMD. */
export function moduleOrNull(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  if (typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function') {
    const bytes = convModuleBytes();
    try {
      if (WebAssembly.validate(bytes)) compiled = new WebAssembly.Module(bytes);
    } catch {
      // A content-security policy without 'wasm-unsafe-eval': Conv runs its JavaScript loop instead.
      compiled = null;
    }
  }
  return compiled;
}

/** Whether this engine runs the SIMD Conv (WebAssembly with SIMD, compiled synchronously). */
export function convSimdAvailable(): boolean {
  return moduleOrNull() !== null;
}

const roundUp = (n: number, m: number) => Math.ceil(n / m) * m;

/** One Conv node's packed weights and working memory. */
export class ConvGemm {
  private readonly memory: WebAssembly.Memory;
  private readonly gemm: Gemm;
  private mem: Float32Array;
  private readonly group: number;
  private readonly mPerGroup: number;
  /** Taps per output channel: C/group · kH · kW. */
  private readonly k: number;
  /** Output channels per group, padded to whole panels. */
  private readonly ncols: number;
  private readonly biasOff: number;
  private readonly patchOff: number;
  /** Most positions per tile. */
  private readonly maxTileRows: number;
  /** Positions per tile the memory currently holds room for (grown to the output size on first use). */
  private tileRows = 0;
  private outOff = 0;

  /**
   * @param w ONNX weights [M, C/group, kH, kW] (or [M, C/group, kW]) as one float32 array
   * @throws Error when WebAssembly SIMD is unavailable (check {@link convSimdAvailable} first)
   */
  constructor(w: Float32Array, outChannels: number, group: number) {
    const module = moduleOrNull();
    if (module === null) throw new Error('WebAssembly SIMD is not available in this JavaScript engine');
    this.group = group;
    this.mPerGroup = outChannels / group;
    this.k = w.length / outChannels;
    this.ncols = roundUp(this.mPerGroup, PANEL);
    const packed = group * this.ncols * this.k;
    this.biasOff = roundUp(packed, 4);
    this.patchOff = this.biasOff + group * this.ncols;
    // At least two rows, so the product's two-rows-per-pass loop always has a pair to work on.
    this.maxTileRows = Math.max(2, Math.floor(TILE_FLOATS / this.k));
    this.memory = new WebAssembly.Memory({ initial: Math.ceil((this.patchOff * 4) / PAGE) });
    this.gemm = new WebAssembly.Instance(module, { env: { mem: this.memory } }).exports.gemm as Gemm;
    this.mem = new Float32Array(this.memory.buffer);
    this.pack(w);
  }

  /** Each group's [mPerGroup, K] weight rows as panels of 16 channels: panel p holds W[16p..16p+15, i] side by side per tap i. */
  private pack(w: Float32Array): void {
    const { mem, k, ncols, mPerGroup } = this;
    let o = 0;
    for (let grp = 0; grp < this.group; grp++) {
      for (let n0 = 0; n0 < ncols; n0 += PANEL) {
        for (let i = 0; i < k; i++) {
          for (let lane = 0; lane < PANEL; lane++) {
            const n = n0 + lane;
            mem[o++] = n < mPerGroup ? w[(grp * mPerGroup + n) * k + i]! : 0;
          }
        }
      }
    }
  }

  /** Room for tiles of `rows` positions (patches, then product rows after them); grows, never shrinks. */
  private ensureTile(rows: number): void {
    if (rows <= this.tileRows) return;
    this.tileRows = rows;
    this.outOff = roundUp(this.patchOff + rows * this.k, 4);
    const bytes = (this.outOff + rows * this.ncols) * 4;
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / PAGE));
    // Growing detaches the old buffer: view the new one.
    this.mem = new Float32Array(this.memory.buffer);
  }

  /** Y = conv(X, W) + bias for the geometry `g` (whose W shape is the one packed). */
  run(g: ConvGeometry, x: Float32Array, bias: Float32Array | Float64Array | undefined, y: Float32Array): void {
    const outPlane = g.outH * g.outW;
    this.ensureTile(Math.min(this.maxTileRows, outPlane));
    const { mem, k, ncols, mPerGroup, tileRows, patchOff, outOff } = this;
    for (let grp = 0; grp < this.group; grp++) {
      const b = this.biasOff + grp * ncols;
      for (let m = 0; m < mPerGroup; m++) mem[b + m] = bias === undefined ? 0 : bias[grp * mPerGroup + m]!;
    }
    const cPerGroup = g.inChannels / g.group;
    for (let n = 0; n < g.batch; n++) {
      for (let grp = 0; grp < g.group; grp++) {
        const xGroup = (n * g.inChannels + grp * cPerGroup) * g.inH * g.inW;
        const yGroup = (n * g.outChannels + grp * mPerGroup) * outPlane;
        const wOff = grp * ncols * k;
        const bOff = this.biasOff + grp * ncols;
        for (let p0 = 0; p0 < outPlane; p0 += tileRows) {
          const rows = Math.min(tileRows, outPlane - p0);
          gatherPatches(g, x, xGroup, cPerGroup, p0, rows, mem, patchOff);
          this.gemm(patchOff * 4, k * 4, rows, k, wOff * 4, ncols, outOff * 4, ncols * 4, bOff * 4, 0);
          // [position, channel] rows → Y's channel planes.
          for (let r = 0; r < rows; r++) {
            const src = outOff + r * ncols;
            const dst = yGroup + p0 + r;
            for (let m = 0; m < mPerGroup; m++) y[dst + m * outPlane] = mem[src + m]!;
          }
        }
      }
    }
  }
}

/**
 * Writes the patches of output positions p0 .. p0+rows-1 (row-major over (oh, ow)) as rows of K floats at
 * `mem[off ..]`, in the (c, kh, kw) order of ONNX's weight rows; zeros where the kernel hangs over padding.
 */
function gatherPatches(g: ConvGeometry, x: Float32Array, xGroup: number, cPerGroup: number, p0: number, rows: number, mem: Float32Array, off: number): void {
  // One input row read by one kernel row into one output row: a 1-D convolution (or a 2-D one of height 1
  // without vertical padding).
  if (g.inH === 1 && g.kH === 1 && g.outH === 1 && g.padTop === 0) {
    gatherPatches1d(g, x, xGroup, cPerGroup, p0, rows, mem, off);
    return;
  }
  const { inH, inW, kH, kW, outW, strideH, strideW, dilH, dilW, padTop, padLeft } = g;
  const inPlane = inH * inW;
  let j = off;
  for (let r = 0; r < rows; r++) {
    const p = p0 + r;
    const oh = (p / outW) | 0;
    const ow = p - oh * outW;
    const iw0 = ow * strideW - padLeft;
    // The kernel row lies wholly inside X when its first and last taps do: then copy without checks.
    const rowInside = iw0 >= 0 && iw0 + (kW - 1) * dilW < inW;
    for (let c = 0; c < cPerGroup; c++) {
      const xc = xGroup + c * inPlane;
      for (let kh = 0; kh < kH; kh++) {
        const ih = oh * strideH - padTop + kh * dilH;
        if (ih < 0 || ih >= inH) {
          for (let kw = 0; kw < kW; kw++) mem[j++] = 0;
          continue;
        }
        const xRow = xc + ih * inW + iw0;
        if (rowInside) {
          for (let kw = 0, q = xRow; kw < kW; kw++, q += dilW) mem[j++] = x[q]!;
        } else {
          for (let kw = 0; kw < kW; kw++) {
            const iw = iw0 + kw * dilW;
            mem[j++] = iw >= 0 && iw < inW ? x[xRow + kw * dilW]! : 0;
          }
        }
      }
    }
  }
}

/**
 * {@link gatherPatches} for 1-D convolutions (one input row), Silero's case: no row loop or row bounds, and
 * the channel loop runs with the tap offsets fixed, which matters when kernels are short (3 taps).
 */
function gatherPatches1d(g: ConvGeometry, x: Float32Array, xGroup: number, cPerGroup: number, p0: number, rows: number, mem: Float32Array, off: number): void {
  const { inW, kW, strideW, dilW, padLeft } = g;
  let j = off;
  for (let r = 0; r < rows; r++) {
    const iw0 = (p0 + r) * strideW - padLeft;
    if (iw0 >= 0 && iw0 + (kW - 1) * dilW < inW) {
      for (let c = 0, xr = xGroup + iw0; c < cPerGroup; c++, xr += inW) {
        for (let kw = 0, q = xr; kw < kW; kw++, q += dilW) mem[j++] = x[q]!;
      }
    } else {
      for (let c = 0, xr = xGroup + iw0; c < cPerGroup; c++, xr += inW) {
        for (let kw = 0; kw < kW; kw++) {
          const iw = iw0 + kw * dilW;
          mem[j++] = iw >= 0 && iw < inW ? x[xr + kw * dilW]! : 0;
        }
      }
    }
  }
}
