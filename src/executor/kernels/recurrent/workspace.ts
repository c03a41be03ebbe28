/**
 * The memory a recurrent kernel works in: one Float32Array holding packed weights, the staged input, the
 * input projection, gate pre-activations and the running state, plus the matrix product that reads and
 * writes it by offset. Two implementations share the interface: plain JavaScript, and WebAssembly SIMD
 * (the workspace is then the module's linear memory, so the product runs without copying operands).
 */
import { gemmJs } from './gemm-js.js';
import { createWasmWorkspace, recurrentSimdAvailable, type WasmCells } from './wasm-workspace.js';

/** How recurrent kernels compute: WebAssembly SIMD, plain JavaScript, or `auto` (SIMD where available). */
export type RecurrentMatmulImpl = 'auto' | 'js' | 'wasm';

export interface Workspace {
  readonly impl: 'js' | 'wasm';
  /** The memory. The view is replaced by {@link Workspace.ensure} when it grows: re-read it after. */
  readonly mem: Float32Array;
  /** Grows to at least `floats` elements, keeping the contents. Never shrinks. */
  ensure(floats: number): void;
  /**
   * `mem[out + r*os + n] = mem[init + r*is + n] + sum_i mem[x + r*xs + i] * W[n, i]` for r < rows,
   * n < ncols, with W packed at `w` (see gemm-js.ts). `init`/`is` default to `out`/`os` (accumulate);
   * `is` 0 broadcasts one bias row. Offsets are in floats; w, out and init must be multiples of 4.
   */
  gemm(x: number, xs: number, rows: number, k: number, w: number, ncols: number, out: number, os: number, init?: number, is?: number): void;
  /** SIMD gate math for the default activations; absent on the JavaScript workspace. */
  readonly cells?: WasmCells;
}

class JsWorkspace implements Workspace {
  readonly impl = 'js' as const;
  mem = new Float32Array(0);
  ensure(floats: number): void {
    if (floats <= this.mem.length) return;
    const next = new Float32Array(Math.max(floats, Math.ceil(this.mem.length * 1.5)));
    next.set(this.mem);
    this.mem = next;
  }
  gemm(x: number, xs: number, rows: number, k: number, w: number, ncols: number, out: number, os: number, init = out, is = os): void {
    gemmJs(this.mem, x, xs, rows, k, w, ncols, out, os, init, is);
  }
}

/** A new, empty workspace of the requested implementation (`auto`: wasm SIMD when the engine has it). */
export function createWorkspace(impl: RecurrentMatmulImpl = defaultMatmulImpl): Workspace {
  if (impl === 'js') return new JsWorkspace();
  if (impl === 'wasm' || recurrentSimdAvailable()) return createWasmWorkspace();
  return new JsWorkspace();
}

let defaultMatmulImpl: RecurrentMatmulImpl = 'auto';

/**
 * Chooses how RNN / LSTM / GRU kernels created from now on compute: `'wasm'` (WebAssembly SIMD, assembled
 * at run time), `'js'` (plain JavaScript, e.g. where a content-security policy forbids WebAssembly), or
 * `'auto'` (the default: WebAssembly SIMD where the engine has it, else JavaScript). Both give the same
 * results to float32 rounding; engines already created keep their choice.
 *
 * @example
 * ```ts
 * import { createExecutor, setRecurrentMatmulImpl } from 'rxrnn';
 * setRecurrentMatmulImpl('js');
 * const exec = createExecutor(model); // its LSTM runs in plain JavaScript
 * setRecurrentMatmulImpl('auto');
 * ```
 */
export function setRecurrentMatmulImpl(impl: RecurrentMatmulImpl): void {
  defaultMatmulImpl = impl;
}
