/**
 * The WebAssembly SIMD workspace: small modules (the matrix product of gemm-wasm.ts, the gate functions of
 * cells-wasm.ts), assembled and compiled once per process, instantiated per kernel over that kernel's own
 * memory so the workspace *is* the linear memory and nothing is copied in or out of the product.
 */
import { cellModules, probeFunctions } from './cells-wasm.js';
import { gemmFunction } from './gemm-wasm.js';
import { assembleModule } from './wasm-asm.js';
import type { Workspace } from './workspace.js';

type Fn8 = (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number) => void;
type Fn10 = (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number) => void;

/** The SIMD gate functions; every address and stride is in floats (converted to bytes here). */
export interface WasmCells {
  /** LSTM default cell over `rows` gate rows (see cells-wasm.ts `lstm`). */
  lstm(g: number, gw: number, hp: number, n: number, c: number, h: number, hs: number, rows: number): void;
  gruGates(g: number, gw: number, hp: number, n: number, h: number, tmp: number, hs: number, rows: number): void;
  gruOut(g: number, gw: number, hp: number, n: number, h: number, lbr: boolean, hs: number, rows: number): void;
  /** RNN with Tanh: h = tanh(g) for `rows` rows. */
  rnnTanh(g: number, gw: number, n: number, h: number, hs: number, rows: number): void;
}

let compiled: WebAssembly.Module[] | null | undefined;

/**
 * The modules' bytes: the matrix product, then the LSTM, GRU and RNN gate functions. Browsers refuse to
 * compile a module over 4 KiB synchronously on the main thread (kernels are created synchronously), so
 * kernels-recurrent-simd.test.ts keeps each under that size.
 */
export function recurrentModuleBytes(): Uint8Array<ArrayBuffer>[] {
  return [[gemmFunction()], ...cellModules()].map((fns) => assembleModule(fns));
}

/** The compiled modules, or null where WebAssembly, its SIMD extension or synchronous compilation is unavailable. */
function modulesOrNull(): WebAssembly.Module[] | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  if (typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function') {
    try {
      const all = recurrentModuleBytes();
      if (all.every((bytes) => WebAssembly.validate(bytes))) compiled = all.map((bytes) => new WebAssembly.Module(bytes));
    } catch {
      // A content-security policy without 'wasm-unsafe-eval', or a size limit: run the JavaScript path.
      compiled = null;
    }
  }
  return compiled;
}

/** The SIMD sigmoid or tanh applied to `values` (a test probe for their accuracy; a separate module). */
export function simdActivation(which: 'sigmoid' | 'tanh', values: Float32Array): Float32Array {
  const memory = new WebAssembly.Memory({ initial: Math.ceil((values.length * 4 + 16) / PAGE) });
  const module = new WebAssembly.Module(assembleModule(probeFunctions()));
  const exports = new WebAssembly.Instance(module, { env: { mem: memory } }).exports;
  const fn = (which === 'tanh' ? exports.probeTanh : exports.probeSigmoid) as Fn8;
  const view = new Float32Array(memory.buffer, 0, values.length);
  view.set(values);
  fn(0, 0, 0, vecBytes(values.length), 0, 0, 0, 1);
  return view.slice();
}

/**
 * Whether this JavaScript engine runs the recurrent kernels' WebAssembly SIMD code (Node ≥ 16.4 and every
 * current browser do, unless a content-security policy forbids WebAssembly).
 *
 * @example
 * ```ts
 * import { recurrentSimdAvailable } from 'rxrnn';
 * console.log(recurrentSimdAvailable() ? 'LSTM steps run in WebAssembly SIMD' : 'LSTM steps run in JavaScript');
 * ```
 */
export function recurrentSimdAvailable(): boolean {
  return modulesOrNull() !== null;
}

const PAGE = 65536;
/** Float count rounded up to whole 4-float vectors, in bytes. */
const vecBytes = (n: number) => ((n + 3) >> 2) << 4;

class WasmWorkspace implements Workspace {
  readonly impl = 'wasm' as const;
  mem: Float32Array;
  readonly cells: WasmCells;
  private readonly memory: WebAssembly.Memory;
  private readonly fgemm: Fn10;

  constructor(modules: readonly WebAssembly.Module[]) {
    this.memory = new WebAssembly.Memory({ initial: 1 });
    // Every module imports the same memory: one workspace, several small modules.
    const ex: Record<string, Fn8> = {};
    for (const module of modules) Object.assign(ex, new WebAssembly.Instance(module, { env: { mem: this.memory } }).exports);
    this.fgemm = ex.gemm as unknown as Fn10;
    const lstm = ex.lstm!, gates = ex.gruGates!, out = ex.gruOut!, outLbr = ex.gruOutLbr!, rnnTanh = ex.rnnTanh!;
    this.cells = {
      lstm: (g, gw, hp, n, c, h, hs, rows) => lstm(g * 4, gw * 4, hp * 4, vecBytes(n), c * 4, h * 4, hs * 4, rows),
      gruGates: (g, gw, hp, n, h, tmp, hs, rows) => gates(g * 4, gw * 4, hp * 4, vecBytes(n), h * 4, tmp * 4, hs * 4, rows),
      gruOut: (g, gw, hp, n, h, lbr, hs, rows) => (lbr ? outLbr : out)(g * 4, gw * 4, hp * 4, vecBytes(n), h * 4, 0, hs * 4, rows),
      rnnTanh: (g, gw, n, h, hs, rows) => rnnTanh(g * 4, gw * 4, 0, vecBytes(n), h * 4, 0, hs * 4, rows),
    };
    this.mem = new Float32Array(this.memory.buffer);
  }

  ensure(floats: number): void {
    const bytes = floats * 4;
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    this.memory.grow(Math.ceil((bytes - have) / PAGE));
    this.mem = new Float32Array(this.memory.buffer);
  }

  gemm(x: number, xs: number, rows: number, k: number, w: number, ncols: number, out: number, os: number, init = out, is = os): void {
    this.fgemm(x * 4, xs * 4, rows, k, w * 4, ncols, out * 4, os * 4, init * 4, is * 4);
  }
}

/**
 * A workspace whose product and default gate math run in WebAssembly SIMD.
 * @throws Error when the engine lacks WebAssembly SIMD (check {@link recurrentSimdAvailable} first).
 */
export function createWasmWorkspace(): Workspace {
  const modules = modulesOrNull();
  if (modules === null) throw new Error('WebAssembly SIMD is not available in this JavaScript engine');
  return new WasmWorkspace(modules);
}
