/**
 * Just enough of a WebAssembly assembler to write the recurrent kernels' SIMD functions in TypeScript:
 * LEB128 encoding, the opcodes they use, and module assembly (one imported memory `env.mem`, exported
 * kernels and internal helpers). Instruction helpers return byte arrays
 * that callers concatenate in stack order.
 */

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
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

export const I32 = 0x7f;
export const V128 = 0x7b;

export const get = (i: number) => [0x20, i];
export const set = (i: number) => [0x21, i];
export const i32 = (n: number) => [0x41, ...sleb(n)];
export const add = [0x6a];
export const sub = [0x6b];
export const mul = [0x6c];
export const shl = [0x74];
export const xor = [0x73];
export const shrU = [0x76];
export const ltS = [0x48];
export const geS = [0x4e];
export const geU = [0x4f];
export const brIf = (depth: number) => [0x0d, depth];
export const br = (depth: number) => [0x0c, depth];
export const block = [0x02, 0x40];
export const loop = [0x03, 0x40];
export const end = [0x0b];

export const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
/** v128.load / v128.store at `address + offset` (alignment hint 16 bytes; unaligned is still correct). */
export const vload = (offset = 0) => simd(0x00, 4, ...uleb(offset));
export const vstore = (offset = 0) => simd(0x0b, 4, ...uleb(offset));
export const splat32 = simd(0x09, 2, 0);
export const fadd = simd(0xe4);
export const fsub = simd(0xe5);
export const fmul = simd(0xe6);
export const fdiv = simd(0xe7);
export const fmin = simd(0xe8);
export const fmax = simd(0xe9);
export const fabs = simd(0xe0);
export const fneg = simd(0xe1);
export const flt = simd(0x43);
export const fnearest = simd(0x6a);
export const vand = simd(0x4e);
export const vor = simd(0x50);
export const bitselect = simd(0x52);
export const iadd32 = simd(0xae);
export const ishl32 = simd(0xab);
export const itruncSat32 = simd(0xf8);
/** A v128 of four copies of the i32 `v` (i32.const + i32x4.splat). */
export const iconst = (v: number) => [0x41, ...sleb(v | 0), ...simd(0x11)];
export const vzero = simd(0x0c, ...new Array<number>(16).fill(0));

/** A v128 of four copies of the float32 `v`. */
export function fconst(v: number): number[] {
  const b = new Uint8Array(new Float32Array([v]).buffer);
  return [0x43, ...b, ...simd(0x13)];
}

/** `while (cond) body` as block/loop; `exitIf` must push 1 to leave. Branch depth 0 in body = continue. */
export function whileLoop(exitIf: number[], body: number[]): number[] {
  return [...block, ...loop, ...exitIf, ...brIf(1), ...body, ...br(0), ...end, ...end];
}

export interface WasmFunction {
  name: string;
  /** Parameter types (I32, V128). */
  params: number[];
  /** Result types. */
  results: number[];
  /** Exported under `name`; internal helpers are reached with `call`. */
  exported: boolean;
  i32Locals: number;
  v128Locals: number;
  code: number[];
}

/** `call` of function `index` (its position in the module's function list). */
export const call = (index: number) => [0x10, ...uleb(index)];

/** n parameters of type i32. */
export const i32s = (n: number) => new Array<number>(n).fill(I32);

/**
 * A module importing `env.mem`, holding `fns` in order (function i is index i for `call`) and exporting
 * those marked exported under their names.
 */
export function assembleModule(fns: readonly WasmFunction[]): Uint8Array<ArrayBuffer> {
  const sig = (f: WasmFunction) => [0x60, ...uleb(f.params.length), ...f.params, ...uleb(f.results.length), ...f.results];
  const sigs: string[] = [];
  for (const f of fns) if (!sigs.includes(sig(f).join())) sigs.push(sig(f).join());
  const types = section(1, [...uleb(sigs.length), ...sigs.flatMap((t) => t.split(',').map(Number))]);
  const imports = section(2, [1, ...str('env'), ...str('mem'), 0x02, 0x00, 1]);
  const funcs = section(3, [...uleb(fns.length), ...fns.flatMap((f) => uleb(sigs.indexOf(sig(f).join())))]);
  const exported = fns.map((f, i) => [f, i] as const).filter(([f]) => f.exported);
  const exports = section(7, [...uleb(exported.length), ...exported.flatMap(([f, i]) => [...str(f.name), 0x00, ...uleb(i)])]);
  const bodies = fns.map((f) => {
    const body = [2, ...uleb(f.i32Locals), I32, ...uleb(f.v128Locals), V128, ...f.code, ...end];
    return [...uleb(body.length), ...body];
  });
  const code = section(10, [...uleb(fns.length), ...bodies.flat()]);
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...imports, ...funcs, ...exports, ...code]);
}
