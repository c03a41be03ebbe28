/**
 * Float32 Conv as im2col + a packed matrix product in WebAssembly SIMD, for weights known at load time.
 *
 * Per (batch item, group), the input patches under the kernel are gathered as rows of a matrix (one row per
 * output position, `K = C/group · kH · kW` taps each, zeros over the padding) directly into the module's
 * memory, and the recurrent kernels' SIMD product (gemm-wasm.ts: 16 output channels per panel, two rows
 * per pass, each weight vector loaded once for both rows) computes `bias + patches · Wᵀ`. The product's
 * [position, channel] rows are then scattered into Y's [channel, position] planes.
 *
 * Weights are packed into the product's panel layout once, when the kernel is created (tiled-gemm.ts); the
 * bias row is copied in on every run (at most a few hundred floats), so a bias fed at run time works too.
 * Positions are taken in tiles, so a large image never needs its whole im2col matrix in memory.
 */
import type { ConvGeometry } from './conv-impl.js';
import { TiledGemm } from './tiled-gemm.js';

/** One Conv node's packed weights and working memory. */
export class ConvGemm {
  private readonly gemm: TiledGemm;
  private readonly mPerGroup: number;

  /**
   * @param w ONNX weights [M, C/group, kH, kW] (or [M, C/group, kW]) as one float32 array
   * @throws Error when WebAssembly SIMD is unavailable (check {@link simdGemmAvailable} first)
   */
  constructor(w: Float32Array, outChannels: number, group: number) {
    const mPerGroup = outChannels / group;
    // Taps per output channel: C/group · kH · kW; channel m of group grp is weight row grp·mPerGroup + m.
    const k = w.length / outChannels;
    this.mPerGroup = mPerGroup;
    this.gemm = new TiledGemm(k, mPerGroup, group, (grp, m, i) => w[(grp * mPerGroup + m) * k + i]!);
  }

  /** Y = conv(X, W) + bias for the geometry `g` (whose W shape is the one packed). */
  run(g: ConvGeometry, x: Float32Array, bias: Float32Array | Float64Array | undefined, y: Float32Array): void {
    const outPlane = g.outH * g.outW;
    const gemm = this.gemm;
    const tileRows = gemm.reserve(outPlane);
    const { mem, ncols, rowsOff, outOff } = gemm;
    const { mPerGroup } = this;
    for (let grp = 0; grp < g.group; grp++) {
      const b = gemm.biasOffset(grp);
      for (let m = 0; m < mPerGroup; m++) mem[b + m] = bias === undefined ? 0 : bias[grp * mPerGroup + m]!;
    }
    const cPerGroup = g.inChannels / g.group;
    for (let n = 0; n < g.batch; n++) {
      for (let grp = 0; grp < g.group; grp++) {
        const xGroup = (n * g.inChannels + grp * cPerGroup) * g.inH * g.inW;
        const yGroup = (n * g.outChannels + grp * mPerGroup) * outPlane;
        for (let p0 = 0; p0 < outPlane; p0 += tileRows) {
          const rows = Math.min(tileRows, outPlane - p0);
          gatherPatches(g, x, xGroup, cPerGroup, p0, rows, mem, rowsOff);
          gemm.multiply(rows, grp);
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
