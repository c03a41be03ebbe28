/**
 * The recurrent matrix product as a WebAssembly SIMD (f32x4) function, assembled here byte by byte: no
 * toolchain, no binary file, nothing fetched. Same contract and packed layout as gemm-js.ts:
 *
 *   gemm(x, xs, rows, k, w, ncols, out, os):  out[r, n] += sum_i x[r, i] * W[n, i]
 *
 * with every address and stride in bytes into the module's (imported) memory. Per 16-column panel, rows are
 * taken two at a time: each weight vector is loaded once and used for both rows (8 accumulators), which is
 * what makes a batch of streams cheaper per stream than one stream alone; a last odd row runs alone with 4
 * accumulators. The inner loop streams the panel contiguously, 4 × f32x4 per k.
 */
import type { Workspace } from './workspace.js';

// ---- a tiny assembler -------------------------------------------------------------------------------

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const str = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];

const I32 = 0x7f;
const V128 = 0x7b;
const get = (i: number) => [0x20, i];
const set = (i: number) => [0x21, i];
const i32 = (n: number) => [0x41, ...sleb(n)];
const add = [0x6a];
const shl = [0x74];
const shrU = [0x76];
const mul = [0x6c];
const geU = [0x4f];
const ltS = [0x48];
const geS = [0x4e];
const brIf = (depth: number) => [0x0d, depth];
const br = (depth: number) => [0x0c, depth];
const block = [0x02, 0x40];
const loop = [0x03, 0x40];
const end = [0x0b];
const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
const vload = (offset: number) => simd(0x00, 4, ...uleb(offset));
const vstore = (offset: number) => simd(0x0b, 4, ...uleb(offset));
const splat32 = simd(0x09, 2, 0);
const fadd = simd(0xe4);
const fmul = simd(0xe6);
const vzero = simd(0x0c, ...new Array<number>(16).fill(0));

// Parameters.
const X = 0, XS = 1, ROWS = 2, K = 3, W = 4, NCOLS = 5, OUT = 6, OS = 7;
// i32 locals.
const PW = 8, PEND = 9, PB = 10, R = 11, XR = 12, O = 13, Q = 14, XI = 15, XEND = 16, OCOL = 17, O2 = 18;
// v128 locals.
const A = [19, 20, 21, 22], B = [23, 24, 25, 26], XV = 27, YV = 28, WV = 29;

/** acc = acc + v * WV */
const fma = (acc: number, v: number) => [...get(acc), ...get(v), ...get(WV), ...fmul, ...fadd, ...set(acc)];

/** The k loop for one row (a only) or two rows (a and b); q and xi advance, xend bounds it. */
function kLoop(two: boolean): number[] {
  const body: number[] = [...get(XI), ...get(XEND), ...geU, ...brIf(1)];
  body.push(...get(XI), ...splat32, ...set(XV));
  if (two) body.push(...get(XI), ...get(XS), ...add, ...splat32, ...set(YV));
  for (let j = 0; j < 4; j++) {
    body.push(...get(Q), ...vload(16 * j), ...set(WV), ...fma(A[j]!, XV));
    if (two) body.push(...fma(B[j]!, YV));
  }
  body.push(...get(Q), ...i32(64), ...add, ...set(Q));
  body.push(...get(XI), ...i32(4), ...add, ...set(XI));
  body.push(...br(0));
  return [...block, ...loop, ...body, ...end, ...end];
}

/** out[base + 16j] += acc[j] for j < 4. */
function storeRow(base: number, accs: number[]): number[] {
  const out: number[] = [];
  accs.forEach((acc, j) => out.push(...get(base), ...get(base), ...vload(16 * j), ...get(acc), ...fadd, ...vstore(16 * j)));
  return out;
}

function rowSetup(two: boolean): number[] {
  const out: number[] = [];
  for (const a of two ? [...A, ...B] : A) out.push(...vzero, ...set(a));
  out.push(...get(PW), ...set(Q), ...get(XR), ...set(XI));
  out.push(...get(XR), ...get(K), ...i32(2), ...shl, ...add, ...set(XEND));
  return out;
}

function gemmBody(): number[] {
  const c: number[] = [];
  c.push(...get(K), ...i32(6), ...shl, ...set(PB)); // a panel is k × 16 floats = k·64 bytes
  c.push(...get(W), ...get(NCOLS), ...i32(4), ...shrU, ...get(PB), ...mul, ...add, ...set(PEND));
  c.push(...get(W), ...set(PW), ...get(OUT), ...set(OCOL));
  const panel: number[] = [...get(PW), ...get(PEND), ...geU, ...brIf(1)];
  panel.push(...i32(0), ...set(R), ...get(X), ...set(XR), ...get(OCOL), ...set(O));
  // Pairs of rows.
  const pair: number[] = [...get(ROWS), ...get(R), ...i32(2), ...add, ...ltS, ...brIf(1)];
  pair.push(...rowSetup(true), ...kLoop(true));
  pair.push(...get(O), ...get(OS), ...add, ...set(O2));
  pair.push(...storeRow(O, A), ...storeRow(O2, B));
  pair.push(...get(R), ...i32(2), ...add, ...set(R));
  pair.push(...get(XR), ...get(XS), ...i32(1), ...shl, ...add, ...set(XR));
  pair.push(...get(O), ...get(OS), ...i32(1), ...shl, ...add, ...set(O));
  pair.push(...br(0));
  panel.push(...block, ...loop, ...pair, ...end, ...end);
  // The last odd row.
  const single: number[] = [...get(R), ...get(ROWS), ...geS, ...brIf(0), ...rowSetup(false), ...kLoop(false), ...storeRow(O, A)];
  panel.push(...block, ...single, ...end);
  panel.push(...get(PW), ...get(PB), ...add, ...set(PW));
  panel.push(...get(OCOL), ...i32(64), ...add, ...set(OCOL));
  panel.push(...br(0));
  c.push(...block, ...loop, ...panel, ...end, ...end);
  const locals = [2, ...uleb(11), I32, ...uleb(11), V128];
  const body = [...locals, ...c, ...end];
  return [...uleb(body.length), ...body];
}

function assemble(): Uint8Array<ArrayBuffer> {
  const type = section(1, [1, 0x60, 8, ...new Array<number>(8).fill(I32), 0]);
  const imports = section(2, [1, ...str('env'), ...str('mem'), 0x02, 0x00, 1]);
  const funcs = section(3, [1, 0]);
  const exports = section(7, [1, ...str('gemm'), 0x00, 0]);
  const code = section(10, [1, ...gemmBody()]);
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...imports, ...funcs, ...exports, ...code]);
}

// ---- the workspace ------------------------------------------------------------------------------------

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null where WebAssembly or its SIMD extension is unavailable. */
function moduleOrNull(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  if (typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function') {
    const bytes = assemble();
    // Synchronous compilation: the module is a few hundred bytes, far under the browsers' main-thread limit.
    if (WebAssembly.validate(bytes)) compiled = new WebAssembly.Module(bytes);
  }
  return compiled;
}

/** Whether this engine runs WebAssembly SIMD (Node ≥ 16.4 and every current browser do). */
export function wasmSimdAvailable(): boolean {
  return moduleOrNull() !== null;
}

type GemmFn = (x: number, xs: number, rows: number, k: number, w: number, ncols: number, out: number, os: number) => void;

const PAGE = 65536;

class WasmWorkspace implements Workspace {
  readonly impl = 'wasm' as const;
  mem: Float32Array;
  private readonly memory: WebAssembly.Memory;
  private readonly fn: GemmFn;

  constructor(module: WebAssembly.Module) {
    this.memory = new WebAssembly.Memory({ initial: 1 });
    const instance = new WebAssembly.Instance(module, { env: { mem: this.memory } });
    this.fn = instance.exports.gemm as GemmFn;
    this.mem = new Float32Array(this.memory.buffer);
  }

  ensure(floats: number): void {
    const bytes = floats * 4;
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    this.memory.grow(Math.ceil((bytes - have) / PAGE));
    this.mem = new Float32Array(this.memory.buffer);
  }

  gemm(x: number, xs: number, rows: number, k: number, w: number, ncols: number, out: number, os: number): void {
    this.fn(x * 4, xs * 4, rows, k, w * 4, ncols, out * 4, os * 4);
  }
}

/**
 * A workspace whose product runs in WebAssembly SIMD.
 * @throws Error when the engine lacks WebAssembly SIMD (check {@link wasmSimdAvailable} first).
 */
export function createWasmWorkspace(): Workspace {
  const module = moduleOrNull();
  if (module === null) throw new Error('WebAssembly SIMD is not available in this JavaScript engine');
  return new WasmWorkspace(module);
}
