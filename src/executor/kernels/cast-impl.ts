/**
 * Element conversion between every numeric {@link DType}, following the ONNX Cast text (opset 13+):
 * - float → float rounds to nearest; out of range becomes ±Infinity.
 * - float → integer truncates toward zero. The spec leaves out-of-range values undefined; here they wrap
 *   modulo 2^bits (what JavaScript's typed arrays do), and NaN/±Infinity become 0.
 * - integer → integer keeps the low bits and reinterprets them (200 int16 → -56 int8).
 * - integer → float rounds to nearest even, once (int64 → float32 does not round twice through float64).
 * - anything → bool is "not zero" (NaN is true); bool → anything is 0 or 1.
 */
import { type DataTypeMap, type DType, type Tensor, type TypedArray } from '../../tensor.js';
import { int64Words, setInt64, wordView } from './int64-words.js';

const TWO_53 = 2n ** 53n;

/** Rounds an int64/uint64 value to float32 with a single round-to-nearest-even step. */
export function bigintToFloat32(v: bigint): number {
  const negative = v < 0n;
  const mag = negative ? -v : v;
  if (mag <= TWO_53) return Math.fround(Number(v));
  // Keep the top 24 significant bits and round the rest by hand, ties to even.
  const bits = mag.toString(2).length;
  const shift = BigInt(bits - 24);
  let q = mag >> shift;
  const rest = mag - (q << shift);
  const half = 1n << (shift - 1n);
  if (rest > half || (rest === half && (q & 1n) === 1n)) q += 1n;
  const r = Number(q) * 2 ** Number(shift);
  return Math.fround(negative ? -r : r);
}

type NumArray = Exclude<TypedArray, BigInt64Array | BigUint64Array>;

const TWO_32 = 4294967296;

/**
 * Writes `src`'s elements converted to `to` into `dst` (same length, `to`'s typed array). int64/uint64 are
 * read and written as 32-bit word pairs wherever the value allows, so a steady-state Cast creates no
 * BigInt; the BigInt path remains for values past 2^53 and for big-endian hosts.
 */
export function castInto<D extends DType>(src: Tensor, to: D, dst: DataTypeMap[D]): void {
  const n = src.data.length;
  const from = src.dtype;
  if (from === 'int64' || from === 'uint64') {
    const s = src.data as BigInt64Array | BigUint64Array;
    if (to === 'int64' || to === 'uint64') {
      // Same 64 bits, reinterpreted: two's complement wrap in both directions.
      wordView(dst as BigInt64Array).set(wordView(s));
      return;
    }
    const words = int64Words(s);
    const unsigned = from === 'uint64';
    if (to === 'bool') {
      for (let i = 0; i < n; i++) (dst as Uint8Array)[i] = (words ? words[2 * i]! | words[2 * i + 1]! : Number(s[i] !== 0n)) !== 0 ? 1 : 0;
    } else if (to === 'float64' || to === 'float32') {
      const d = dst as Float32Array | Float64Array;
      const single = to === 'float32';
      for (let i = 0; i < n; i++) {
        if (words) {
          const high = words[2 * i + 1]!;
          const hi = unsigned ? high >>> 0 : high;
          // |value| < 2^53: high·2^32 + low is exact in a double, and rounding it once to float32 is correct.
          if (hi > -2097152 && hi < 2097152) {
            d[i] = hi * TWO_32 + (words[2 * i]! >>> 0);
            continue;
          }
        }
        d[i] = single ? bigintToFloat32(s[i]!) : Number(s[i]!);
      }
    } else if (words) {
      // The low word is the value modulo 2^32; the typed array then wraps it to its own width.
      for (let i = 0; i < n; i++) (dst as NumArray)[i] = words[2 * i]!;
    } else {
      for (let i = 0; i < n; i++) (dst as NumArray)[i] = Number(BigInt.asIntN(32, s[i]!));
    }
    return;
  }
  const s = src.data as NumArray;
  if (to === 'int64' || to === 'uint64') {
    const d = dst as BigInt64Array | BigUint64Array;
    const words = int64Words(d);
    for (let i = 0; i < n; i++) setInt64(d, words, i, s[i]!);
    return;
  }
  if (to === 'bool') {
    const d = dst as Uint8Array;
    for (let i = 0; i < n; i++) d[i] = s[i] !== 0 ? 1 : 0;
    return;
  }
  // Number → number: typed-array assignment is exactly the rule above (rounding to float32, truncation
  // toward zero and modular wrap for ToInt8/ToUint16/..., NaN → 0).
  const d = dst as NumArray;
  for (let i = 0; i < n; i++) d[i] = s[i]!;
}
