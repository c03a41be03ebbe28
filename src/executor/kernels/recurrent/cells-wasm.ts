/**
 * The gate math of LSTM and GRU with their default activations (Sigmoid / Tanh, no clip, no peepholes) as
 * WebAssembly SIMD functions: four hidden units per instruction instead of a Math.exp / Math.tanh call per
 * value, which is where a small step spends most of its time.
 *
 * Accuracy matters more than a few cycles here: the ONNX runner compares at atol 1e-7, and values near
 * zero (a GRU state where (1 - z)·ĥ cancels) leave no room for a loose approximation. So:
 *   exp(x):     Cody–Waite range reduction x = n·ln2 + r, |r| ≤ ½ln2, a degree-7 polynomial for eʳ (the
 *               Cephes expf coefficients), 2ⁿ built in the exponent bits; x clamped to [-87.3, 88.3];
 *   sigmoid(x): 1 / (1 + exp(-x)), accurate in relative terms even where it is tiny;
 *   tanh(x):    |x| < 0.625: x + x³·P(x²) (Cephes tanhf); else sign(x)·(1 − 2 / (exp(2|x|) + 1)).
 * Each is within a few float32 ulps (kernels-recurrent-simd.test.ts bounds them against Math).
 *
 * Exported functions take 8 i32 parameters, addresses and strides in bytes. A gate row holds the gates'
 * segments `hp` bytes apart (see pack.ts); state rows (h, c, tmp) are `hs` bytes apart, padded to whole
 * vectors, so the vector tail past the hidden size writes only padding.
 */
import {
  add, bitselect, fabs, fadd, fconst, fdiv, fmax, fmin, fmul, fnearest, fneg, flt, fsub, get, i32, i32s,
  iadd32, iconst, ishl32, itruncSat32, ltS, set, vand, vload, vor, vstore, whileLoop, xor,
  type WasmFunction,
} from './wasm-asm.js';

const horner = (v: number, coeffs: readonly number[]) => {
  const c: number[] = [...fconst(coeffs[0]!)];
  for (let i = 1; i < coeffs.length; i++) c.push(...get(v), ...fmul, ...fconst(coeffs[i]!), ...fadd);
  return c;
};

/**
 * exp of the vector in local `X` (clamped in place), left on the stack; `N`, `R`, `R2` are scratch
 * locals. Inlined into sigmoid and tanh, and the polynomial evaluated in Estrin's form: both cut the
 * dependency chain a lone vector waits on, which is what bounds a step of a small model.
 */
function expOf(X: number, N: number, R: number, R2: number): number[] {
  const [p0, p1, p2, p3, p4, p5] = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
  const lin = (hi: number, lo: number) => [...get(R), ...fconst(hi), ...fmul, ...fconst(lo), ...fadd]; // lo + hi·r
  return [
    ...get(X), ...fconst(88.3), ...fmin, ...fconst(-87.3), ...fmax, ...set(X),
    ...get(X), ...fconst(Math.LOG2E), ...fmul, ...fnearest, ...set(N),
    // r = x − n·ln2, with ln2 split so n·C1 is exact.
    ...get(X), ...get(N), ...fconst(0.693359375), ...fmul, ...fsub,
    ...get(N), ...fconst(-2.12194440e-4), ...fmul, ...fsub, ...set(R),
    ...get(R), ...get(R), ...fmul, ...set(R2),
    // eʳ ≈ 1 + r + r²·P(r), P(r) = (p5 + p4 r) + r²·((p3 + p2 r) + r²·(p1 + p0 r))
    ...lin(p0, p1), ...get(R2), ...fmul, ...lin(p2, p3), ...fadd, ...get(R2), ...fmul, ...lin(p4, p5), ...fadd,
    ...get(R2), ...fmul, ...get(R), ...fadd, ...fconst(1), ...fadd,
    // 2ⁿ: n + 127 in the exponent field (n is within [-126, 127] after the clamp).
    ...get(N), ...itruncSat32, ...iconst(127), ...iadd32, ...i32(23), ...ishl32,
    ...fmul,
  ];
}

/** sigmoid of the vector in local `X` (overwritten) = 1 / (1 + exp(−x)), left on the stack. */
function sigmoidCode(X: number, n: number, r: number, r2: number): number[] {
  return [...fconst(1), ...fconst(1), ...get(X), ...fneg, ...set(X), ...expOf(X, n, r, r2), ...fadd, ...fdiv];
}

/** tanh of the vector in local `X`, left on the stack; A, S, E, n, r, r2 are scratch locals. */
function tanhCode(X: number, A: number, S: number, E: number, n: number, r: number, r2: number): number[] {
  return [
    ...get(X), ...fabs, ...set(A),
    ...get(X), ...get(X), ...fmul, ...set(S),
    // small: x + x·x²·Q(x²)
    ...horner(S, [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1]),
    ...get(S), ...fmul, ...get(X), ...fmul, ...get(X), ...fadd,
    // large: (1 − 2 / (exp(2|x|) + 1)) with x's sign bit
    ...fconst(1), ...fconst(2), ...get(A), ...get(A), ...fadd, ...set(E), ...expOf(E, n, r, r2), ...fconst(1), ...fadd, ...fdiv, ...fsub,
    ...get(X), ...iconst(0x80000000), ...vand, ...vor,
    // pick small where |x| < 0.625
    ...get(A), ...fconst(0.625), ...flt, ...bitselect,
  ];
}

// v128 locals of every kernel: T0..T3 for its own values, the rest scratch for the inlined activations.
const T0 = 15, T1 = 16, T2 = 17, T3 = 18;
const X1 = 19, A1 = 20, S1 = 21, E1 = 22, N1 = 23, N2 = 24, N3 = 25;
const V128_LOCALS = 11;

// Activations are inlined rather than called: a call per vector costs about as much as the math, and
// inline the CPU overlaps independent ones (an LSTM's i, f and c̃).
const sigmoidOf = (x: number[]) => [...x, ...set(X1), ...sigmoidCode(X1, N1, N2, N3)];
const tanhOf = (x: number[]) => [...x, ...set(X1), ...tanhCode(X1, A1, S1, E1, N1, N2, N3)];

// Parameters (all exported functions) and i32 locals.
const G = 0, GW = 1, HP = 2, N4 = 3, P4 = 4, P5 = 5, HS = 6, ROWS = 7;
const R = 8, J = 9, GJ = 10, HP2 = 11, HP3 = 12, A4 = 13, A5 = 14;

/** Row loop × vector loop around `body`, which sees GJ = g + j and A4 = p4 + j, A5 = p5 + j. */
function rowsAndLanes(body: number[]): number[] {
  const c: number[] = [];
  c.push(...get(HP), ...get(HP), ...add, ...set(HP2), ...get(HP2), ...get(HP), ...add, ...set(HP3));
  c.push(...i32(0), ...set(R));
  const lanes = [
    ...get(G), ...get(J), ...add, ...set(GJ),
    ...get(P4), ...get(J), ...add, ...set(A4),
    ...get(P5), ...get(J), ...add, ...set(A5),
    ...body,
    ...get(J), ...i32(16), ...add, ...set(J),
  ];
  const row = [
    ...i32(0), ...set(J),
    // exit when !(j < n4)
    ...whileLoop([...get(J), ...get(N4), ...ltS, ...i32(1), ...xor], lanes),
    ...get(G), ...get(GW), ...add, ...set(G),
    ...get(P4), ...get(HS), ...add, ...set(P4),
    ...get(P5), ...get(HS), ...add, ...set(P5),
    ...get(R), ...i32(1), ...add, ...set(R),
  ];
  c.push(...whileLoop([...get(R), ...get(ROWS), ...ltS, ...i32(1), ...xor], row));
  return c;
}

const at = (base: number, off?: number) => (off === undefined ? [...get(base), ...vload()] : [...get(base), ...get(off), ...add, ...vload()]);

const kernel = (name: string, body: number[]): WasmFunction => ({
  name,
  params: i32s(8),
  results: [],
  exported: true,
  i32Locals: 7,
  v128Locals: V128_LOCALS,
  code: rowsAndLanes(body),
});

/**
 * lstm(g, gw, hp, n4, c, h, hs, rows): gates i, o, f, c at g, g+hp, g+2hp, g+3hp;
 * C = σ(f)·C + σ(i)·tanh(c), H = σ(o)·tanh(C), for `rows` rows.
 */
function lstmFunction(): WasmFunction {
  return kernel('lstm', [
    ...sigmoidOf(at(GJ)), ...set(T0), // i
    ...sigmoidOf(at(GJ, HP2)), ...set(T1), // f
    ...tanhOf(at(GJ, HP3)), ...set(T2), // c̃
    ...get(T1), ...at(A4), ...fmul, ...get(T0), ...get(T2), ...fmul, ...fadd, ...set(T3),
    ...get(A4), ...get(T3), ...vstore(), // C
    ...sigmoidOf(at(GJ, HP)), ...set(T0), // o
    ...get(A5), ...get(T0), ...tanhOf(get(T3)), ...fmul, ...vstore(), // H = σ(o)·tanh(C)
  ]);
}

/** gruGates(g, gw, hp, n4, h, tmp, hs, rows): z, r at g, g+hp become σ(z), σ(r); tmp = σ(r)·h. */
function gruGatesFunction(): WasmFunction {
  return kernel('gruGates', [
    ...get(GJ), ...sigmoidOf(at(GJ)), ...vstore(),
    ...sigmoidOf(at(GJ, HP)), ...set(T0),
    ...get(GJ), ...get(HP), ...add, ...get(T0), ...vstore(),
    ...get(A5), ...get(T0), ...at(A4), ...fmul, ...vstore(),
  ]);
}

/**
 * gruOut(g, gw, hp, n4, h, _, hs, rows): the candidate pre-activation is g+2hp (linear_before_reset 0),
 * or g+3hp + r·(g+2hp) (linear_before_reset ≠ 0; the driver puts the projection there); then
 * ĥ = tanh(·), H = ĥ + z·(H − ĥ).
 */
function gruOutFunction(lbr: boolean): WasmFunction {
  const pre = lbr ? [...at(GJ, HP3), ...at(GJ, HP), ...at(GJ, HP2), ...fmul, ...fadd] : at(GJ, HP2);
  return kernel(lbr ? 'gruOutLbr' : 'gruOut', [
    ...tanhOf(pre), ...set(T0),
    ...get(A4), ...get(T0), ...at(GJ), ...at(A4), ...get(T0), ...fsub, ...fmul, ...fadd, ...vstore(),
  ]);
}

/** rnnTanh(g, gw, _, n4, h, _, hs, rows): H = tanh(g), the RNN step with its default activation. */
function rnnTanhFunction(): WasmFunction {
  return kernel('rnnTanh', [...get(A4), ...tanhOf(at(GJ)), ...vstore()]);
}

/**
 * The exported cell functions, grouped into modules: browsers compile a module synchronously on the main
 * thread only up to 4 KiB (kernels are created synchronously), so each group stays under that
 * (kernels-recurrent-simd.test.ts checks).
 */
export function cellModules(): WasmFunction[][] {
  return [[lstmFunction()], [gruGatesFunction(), gruOutFunction(false), gruOutFunction(true)], [rnnTanhFunction()]];
}

/**
 * Test probes: `probeSigmoid` / `probeTanh`(x, 0, 0, n4, 0, 0, 0, 1) apply the activation in place over
 * n4 bytes at x.
 */
export function probeFunctions(): WasmFunction[] {
  return [kernel('probeSigmoid', [...get(GJ), ...sigmoidOf(at(GJ)), ...vstore()]), kernel('probeTanh', [...get(GJ), ...tanhOf(at(GJ)), ...vstore()])];
}
