/**
 * The memory a recurrent kernel works in: one Float32Array holding packed weights, the staged input, the
 * input projection, gate pre-activations and the running state, plus the matrix product that reads and
 * writes it by offset. Two implementations share the interface: plain JavaScript, and WebAssembly SIMD
 * (the workspace is then the module's linear memory, so the product runs without copying operands).
 */
import { gemmJs } from './gemm-js.js';
import { createWasmWorkspace, wasmSimdAvailable, type WasmCells } from './wasm-workspace.js';

/** Which matrix-product implementation a kernel uses. `auto` picks WebAssembly SIMD where available. */
export type MatmulImpl = 'auto' | 'js' | 'wasm';

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
export function createWorkspace(impl: MatmulImpl = defaultMatmulImpl): Workspace {
  if (impl === 'js') return new JsWorkspace();
  if (impl === 'wasm' || wasmSimdAvailable()) return createWasmWorkspace();
  return new JsWorkspace();
}

let defaultMatmulImpl: MatmulImpl = 'auto';

/**
 * Chooses the matrix product used by recurrent kernels created from now on (tests and benchmarks compare
 * the two paths; `auto` is the default).
 */
export function setRecurrentMatmulImpl(impl: MatmulImpl): void {
  defaultMatmulImpl = impl;
}
