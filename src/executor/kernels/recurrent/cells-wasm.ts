/**
 * The gate math of LSTM and GRU with their default activations (Sigmoid / Tanh, no clip, no peepholes) as
 * WebAssembly SIMD functions: four hidden units per instruction instead of a Math.exp / Math.tanh call per
 * value, which is where a small step spends most of its time.
 *
 * tanh is the rational approximation x·P(x²)/Q(x²) on x clamped to [-10, 10] (degree 13 / 6, the float
 * coefficients Eigen and onnxruntime's CPU RNN kernels use; error a few float32 ulps), and
 * sigmoid(x) = ½ + ½·tanh(x/2). kernels-recurrent-simd.test.ts bounds the error against Math.tanh.
 *
 * All functions take 8 i32 parameters, addresses and strides in bytes. A gate row holds the gates' segments
 * `hp` bytes apart (see pack.ts); state rows (h, c, tmp) are `hs` bytes apart, padded to whole vectors, so
 * the vector tail past the hidden size writes only padding.
 */
import {
  add, fadd, fconst, fdiv, fmax, fmin, fmul, fsub, get, i32, ltS, set, vload, vstore, whileLoop, xor,
  type WasmFunction,
} from './wasm-asm.js';

/** Coefficients of tanh(x) ≈ x·(a1 + a3x² + … + a13x¹²) / (b0 + b2x² + b4x⁴ + b6x⁶). */
const TANH_P = [4.89352455891786e-3, 6.37261928875436e-4, 1.48572235717979e-5, 5.12229709037114e-8, -8.60467152213735e-11, 2.00018790482477e-13, -2.76076847742355e-16];
const TANH_Q = [4.89352518554385e-3, 2.26843463243900e-3, 1.18534705686654e-4, 1.19825839466702e-6];

// v128 locals shared by every function: constants first, then temporaries.
const V0 = 16; // first v128 local index (after 8 params + 8 i32 locals)
const CP = TANH_P.map((_, i) => V0 + i); // 7
const CQ = TANH_Q.map((_, i) => V0 + 7 + i); // 4
const HI = V0 + 11, LO = V0 + 12, HALF = V0 + 13, X = V0 + 14, X2 = V0 + 15;
const T0 = V0 + 16, T1 = V0 + 17, T2 = V0 + 18, T3 = V0 + 19;
const V128_LOCALS = 20;

function constants(): number[] {
  const c: number[] = [];
  TANH_P.forEach((v, i) => c.push(...fconst(v), ...set(CP[i]!)));
  TANH_Q.forEach((v, i) => c.push(...fconst(v), ...set(CQ[i]!)));
  c.push(...fconst(10), ...set(HI), ...fconst(-10), ...set(LO), ...fconst(0.5), ...set(HALF));
  return c;
}

/** tanh of the vector `x` pushes; leaves the result on the stack. Uses X, X2. */
function tanhOf(x: number[]): number[] {
  const c: number[] = [...x, ...get(HI), ...fmin, ...get(LO), ...fmax, ...set(X)];
  c.push(...get(X), ...get(X), ...fmul, ...set(X2));
  c.push(...get(CP[6]!));
  for (let i = 5; i >= 0; i--) c.push(...get(X2), ...fmul, ...get(CP[i]!), ...fadd);
  c.push(...get(X), ...fmul);
  c.push(...get(CQ[3]!));
  for (let i = 2; i >= 0; i--) c.push(...get(X2), ...fmul, ...get(CQ[i]!), ...fadd);
  c.push(...fdiv);
  return c;
}

/** sigmoid(x) = ½ + ½·tanh(½x). */
function sigmoidOf(x: number[]): number[] {
  return [...get(HALF), ...get(HALF), ...tanhOf([...x, ...get(HALF), ...fmul]), ...fmul, ...fadd];
}

// Parameters (all functions) and i32 locals.
const G = 0, GW = 1, HP = 2, N4 = 3, P4 = 4, P5 = 5, HS = 6, ROWS = 7;
const R = 8, J = 9, GJ = 10, HP2 = 11, HP3 = 12, A4 = 13, A5 = 14;

/** Row loop × vector loop around `body`, which sees GJ = g + j and A4 = p4 + j, A5 = p5 + j. */
function rowsAndLanes(body: number[]): number[] {
  const c: number[] = [...constants()];
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
    ...whileLoop([...get(J), ...get(N4), ...ltS, ...i32(1), ...xor] /* exit when !(j < n4) */, lanes),
    ...get(G), ...get(GW), ...add, ...set(G),
    ...get(P4), ...get(HS), ...add, ...set(P4),
    ...get(P5), ...get(HS), ...add, ...set(P5),
    ...get(R), ...i32(1), ...add, ...set(R),
  ];
  c.push(...whileLoop([...get(R), ...get(ROWS), ...ltS, ...i32(1), ...xor], row));
  return c;
}

const at = (base: number, off?: number) => (off === undefined ? [...get(base), ...vload()] : [...get(base), ...get(off), ...add, ...vload()]);

/**
 * lstm(g, gw, hp, n4, c, h, hs, rows): gates i, o, f, c at g, g+hp, g+2hp, g+3hp;
 * C = σ(f)·C + σ(i)·tanh(c), H = σ(o)·tanh(C), for `rows` rows.
 */
function lstmFunction(): WasmFunction {
  const body = [
    ...sigmoidOf(at(GJ)), ...set(T0), // i
    ...sigmoidOf(at(GJ, HP2)), ...set(T1), // f
    ...tanhOf(at(GJ, HP3)), ...set(T2), // c̃
    ...get(T1), ...at(A4), ...fmul, ...get(T0), ...get(T2), ...fmul, ...fadd, ...set(T3),
    ...get(A4), ...get(T3), ...vstore(), // C
    ...get(A5), ...sigmoidOf(at(GJ, HP)), ...tanhOf(get(T3)), ...fmul, ...vstore(), // H = σ(o)·tanh(C)
  ];
  return { name: 'lstm', params: 8, i32Locals: 8, v128Locals: V128_LOCALS, code: rowsAndLanes(body) };
}

/**
 * gruGates(g, gw, hp, n4, h, tmp, hs, rows): z, r at g, g+hp become σ(z), σ(r); tmp = σ(r)·h.
 */
function gruGatesFunction(): WasmFunction {
  const body = [
    ...get(GJ), ...sigmoidOf(at(GJ)), ...vstore(),
    ...sigmoidOf(at(GJ, HP)), ...set(T0),
    ...get(GJ), ...get(HP), ...add, ...get(T0), ...vstore(),
    ...get(A5), ...get(T0), ...at(A4), ...fmul, ...vstore(),
  ];
  return { name: 'gruGates', params: 8, i32Locals: 8, v128Locals: V128_LOCALS, code: rowsAndLanes(body) };
}

/**
 * gruOut(g, gw, hp, n4, h, lbr, hs, rows): the candidate pre-activation is g+2hp (linear_before_reset 0),
 * or g+3hp + r·(g+2hp) (linear_before_reset ≠ 0; the driver puts the projection there); then
 * ĥ = tanh(·), H = ĥ + z·(H − ĥ).
 */
function gruOutFunction(lbr: boolean): WasmFunction {
  const pre = lbr ? [...at(GJ, HP3), ...at(GJ, HP), ...at(GJ, HP2), ...fmul, ...fadd] : at(GJ, HP2);
  const body = [
    ...tanhOf(pre), ...set(T0),
    ...get(A4), ...get(T0), ...at(GJ), ...at(A4), ...get(T0), ...fsub, ...fmul, ...fadd, ...vstore(),
  ];
  return { name: lbr ? 'gruOutLbr' : 'gruOut', params: 8, i32Locals: 8, v128Locals: V128_LOCALS, code: rowsAndLanes(body) };
}

/** All cell functions, for the module. */
export function cellFunctions(): WasmFunction[] {
  return [lstmFunction(), gruGatesFunction(), gruOutFunction(false), gruOutFunction(true)];
}

/** tanh over `n` floats (a test hook for the approximation): tanh(g, 0, 0, n4, 0, 0, 0, 1) writes in place. */
export function tanhFunction(): WasmFunction {
  const body = [...get(GJ), ...tanhOf(at(GJ)), ...vstore()];
  return { name: 'tanh', params: 8, i32Locals: 8, v128Locals: V128_LOCALS, code: rowsAndLanes(body) };
}
