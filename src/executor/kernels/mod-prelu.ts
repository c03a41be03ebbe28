/**
 * Kernels: Mod and PRelu, two binary operators whose rules go beyond the shared broadcasting driver — Mod's
 * `fmod` attribute and integer division by zero, PRelu's one-way broadcasting of the slope — so each wraps
 * {@link binaryKernel} with those checks and brings its own row loops.
 *
 * int64/uint64 rows work on the 32-bit words: a value whose high word is within ±2^21 is below 2^53 in
 * magnitude and exact as a double, so the arithmetic runs on numbers and the result is written back as
 * words, creating no BigInt. Only values beyond ±2^53 take a BigInt (allocating) path.
 */
import { KernelError } from '../../errors.js';
import { attrInt } from '../../ir/attributes.js';
import type { Node } from '../../ir/graph.js';
import type { DType } from '../../tensor.js';
import type { Kernel, KernelDef, KernelInit } from '../kernel.js';
import { binaryKernel, isFloat, type BinaryOp, type RowFn } from './elementwise-impl.js';
import { int64Words } from './int64-words.js';
import { dimsText, kernelError } from './shape-impl.js';

const TWO_32 = 4294967296;
/** High words of int64 values in (-2^53, 2^53). */
const SAFE_HIGH = 2097152;

const zeroDivisor = (dividend: number | bigint) =>
  new KernelError(`integer Mod by zero (dividend ${dividend}): ONNX leaves it undefined, so it is refused`);

// ---- Mod -------------------------------------------------------------------------------------------

/** C fmod: the sign of the dividend. JavaScript's `%` on doubles is exactly that, NaN for x % 0 included. */
const fmodFloat: RowFn = (out, o, a, ao, as, b, bo, bs, len) => {
  for (let i = 0; i < len; i++, ao += as, bo += bs) out[o + i] = a[ao] % b[bo];
};
const truncModInt: RowFn = (out, o, a, ao, as, b, bo, bs, len) => {
  for (let i = 0; i < len; i++, ao += as, bo += bs) {
    const y = b[bo];
    if (y === 0) throw zeroDivisor(a[ao]);
    out[o + i] = a[ao] % y;
  }
};
/** Python's %: the sign of the divisor. */
const floorModInt: RowFn = (out, o, a, ao, as, b, bo, bs, len) => {
  for (let i = 0; i < len; i++, ao += as, bo += bs) {
    const y = b[bo];
    if (y === 0) throw zeroDivisor(a[ao]);
    let r = a[ao] % y;
    if (r !== 0 && (r < 0) !== (y < 0)) r += y;
    out[o + i] = r;
  }
};

function bigMod(floor: boolean): RowFn {
  return (out, o, a, ao, as, b, bo, bs, len) => {
    const aw = int64Words(a);
    const bw = int64Words(b);
    const ow = int64Words(out);
    const unsigned = out instanceof BigUint64Array;
    for (let i = 0; i < len; i++, ao += as, bo += bs) {
      if (aw !== undefined && bw !== undefined && ow !== undefined) {
        const ah = aw[2 * ao + 1]!;
        const bh = bw[2 * bo + 1]!;
        const safe = unsigned ? ah >>> 0 < SAFE_HIGH && bh >>> 0 < SAFE_HIGH : ah >= -SAFE_HIGH && ah < SAFE_HIGH && bh >= -SAFE_HIGH && bh < SAFE_HIGH;
        if (safe) {
          const x = (unsigned ? ah >>> 0 : ah) * TWO_32 + (aw[2 * ao]! >>> 0);
          const y = (unsigned ? bh >>> 0 : bh) * TWO_32 + (bw[2 * bo]! >>> 0);
          if (y === 0) throw zeroDivisor(x);
          let r = x % y;
          if (floor && r !== 0 && (r < 0) !== (y < 0)) r += y;
          // Int32Array stores reduce modulo 2^32: the low word, then the (floored) high word.
          ow[2 * (o + i)] = r % TWO_32;
          ow[2 * (o + i) + 1] = Math.floor(r / TWO_32);
          continue;
        }
      }
      const x: bigint = a[ao];
      const y: bigint = b[bo];
      if (y === 0n) throw zeroDivisor(x);
      let r = x % y;
      if (floor && r !== 0n && (r < 0n) !== (y < 0n)) r += y;
      out[o + i] = r;
    }
  };
}

const MOD_INTEGER: BinaryOp = { name: 'Mod', num: () => floorModInt, big: bigMod(true) };
const MOD_FMOD: BinaryOp = { name: 'Mod', num: (t) => (isFloat(t) ? fmodFloat : truncModInt), big: bigMod(false) };

const mod: KernelDef = {
  opType: 'Mod',
  sinceVersion: 10,
  freshOutputs: true,
  create(init: KernelInit): Kernel {
    const { node } = init;
    const fmod = attrInt(node, 'fmod', 0);
    if (fmod !== 0 && fmod !== 1) throw kernelError(node, `fmod must be 0 or 1, got ${fmod}`);
    const check = (dtype: DType) => {
      if (dtype === 'bool') throw kernelError(node, `Mod does not accept bool`);
      if (fmod === 0 && isFloat(dtype)) {
        throw kernelError(node, `fmod=0 (integer mod) cannot take ${dtype}: floating-point inputs need fmod=1, as the operator requires`);
      }
    };
    const declared = init.inputInfo[0]?.dtype;
    if (declared !== undefined) check(declared);
    const inner = binaryKernel('Mod', 10, fmod === 1 ? MOD_FMOD : MOD_INTEGER).create(init);
    return {
      run(inputs, ctx) {
        check(inputs[0]!.dtype);
        return inner.run(inputs, ctx);
      },
    };
  },
};

// ---- PRelu -----------------------------------------------------------------------------------------

const preluFloat: RowFn = (out, o, a, ao, as, b, bo, bs, len) => {
  for (let i = 0; i < len; i++, ao += as, bo += bs) {
    const v = a[ao];
    out[o + i] = v < 0 ? v * b[bo] : v;
  }
};
/** 32-bit integers wrap like C multiplication (Math.imul); unsigned inputs are never negative. */
const preluInt: RowFn = (out, o, a, ao, as, b, bo, bs, len) => {
  for (let i = 0; i < len; i++, ao += as, bo += bs) {
    const v = a[ao];
    out[o + i] = v < 0 ? Math.imul(v, b[bo]) : v;
  }
};
const preluBig: RowFn = (out, o, a, ao, as, b, bo, bs, len) => {
  const aw = int64Words(a);
  const bw = int64Words(b);
  const ow = int64Words(out);
  const unsigned = out instanceof BigUint64Array;
  for (let i = 0; i < len; i++, ao += as, bo += bs) {
    const k = o + i;
    if (aw !== undefined && bw !== undefined && ow !== undefined) {
      const ah = aw[2 * ao + 1]!;
      if (unsigned || ah >= 0) {
        ow[2 * k] = aw[2 * ao]!;
        ow[2 * k + 1] = ah;
        continue;
      }
      const bh = bw[2 * bo + 1]!;
      if (ah >= -SAFE_HIGH && bh >= -SAFE_HIGH && bh < SAFE_HIGH) {
        // A double product of exact integers is exact whenever its magnitude stays below 2^53.
        const p = (ah * TWO_32 + (aw[2 * ao]! >>> 0)) * (bh * TWO_32 + (bw[2 * bo]! >>> 0));
        if (p > -9007199254740992 && p < 9007199254740992) {
          ow[2 * k] = p % TWO_32;
          ow[2 * k + 1] = Math.floor(p / TWO_32);
          continue;
        }
      }
    }
    const v: bigint = a[ao];
    out[k] = v < 0n ? BigInt.asIntN(64, v * (b[bo] as bigint)) : v;
  }
};

const PRELU: BinaryOp = { name: 'PRelu', num: (t) => (isFloat(t) ? preluFloat : preluInt), big: preluBig };

/** PRelu-7 takes floats; 9 adds 32- and 64-bit integers (16 only adds bfloat16). */
const PRELU_TYPES_7: readonly DType[] = ['float32', 'float64'];
const PRELU_TYPES_9: readonly DType[] = ['float32', 'float64', 'int32', 'int64', 'uint32', 'uint64'];

/** Whether `slope` broadcasts to `x` one way: right-aligned, each slope dimension 1 or x's. */
function broadcastsTo(slope: readonly number[], x: readonly number[]): boolean {
  if (slope.length > x.length) return false;
  const off = x.length - slope.length;
  for (let i = 0; i < slope.length; i++) if (slope[i] !== 1 && slope[i] !== x[off + i]) return false;
  return true;
}

function checkPreluType(node: Node, dtypes: readonly DType[], dtype: DType, opset: number): void {
  if (!dtypes.includes(dtype)) throw kernelError(node, `PRelu-${opset < 9 ? 7 : 9} takes ${dtypes.join('/')}, got ${dtype}`);
}

const prelu: KernelDef = {
  opType: 'PRelu',
  sinceVersion: 7,
  freshOutputs: true,
  create(init: KernelInit): Kernel {
    const { node, opset } = init;
    const dtypes = opset < 9 ? PRELU_TYPES_7 : PRELU_TYPES_9;
    const declared = init.inputInfo[0]?.dtype;
    if (declared !== undefined) checkPreluType(node, dtypes, declared, opset);
    const inner = binaryKernel('PRelu', 7, PRELU).create(init);
    return {
      run(inputs, ctx) {
        const x = inputs[0]!;
        const slope = inputs[1]!;
        checkPreluType(node, dtypes, x.dtype, opset);
        // onnxruntime also broadcasts the other way (x up to slope's shape); the operator does not.
        if (!broadcastsTo(slope.dims, x.dims)) {
          throw kernelError(node, `slope ${dimsText(slope.dims)} must broadcast to X ${dimsText(x.dims)} (one-way: each slope dimension, right-aligned, 1 or X's)`);
        }
        return inner.run(inputs, ctx);
      },
    };
  },
};

export const modPReluKernels: KernelDef[] = [mod, prelu];
