/**
 * Writing and reading int64/uint64 elements without creating a BigInt per element. Every BigInt is a heap
 * object, so a steady-state step that converted through BigInt would allocate; instead we address the
 * buffer as pairs of 32-bit words (low word first on little-endian hosts, which is every host JavaScript
 * runs on in practice; big-endian hosts take the BigInt path).
 */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const TWO_32 = 4294967296;

const views = new WeakMap<BigInt64Array | BigUint64Array, Int32Array>();

/**
 * The array's elements as pairs of 32-bit words, cached per array. Byte order does not matter to kernels
 * that only move elements (two words moved keep all eight bytes), so this works on every host.
 */
export function wordView(a: BigInt64Array | BigUint64Array): Int32Array {
  let v = views.get(a);
  if (v === undefined) {
    v = new Int32Array(a.buffer, a.byteOffset, a.length * 2);
    views.set(a, v);
  }
  return v;
}

/** Like {@link wordView}, for reading or writing values: [low, high] pairs, or undefined on a big-endian host. */
export function int64Words(a: BigInt64Array | BigUint64Array): Int32Array | undefined {
  return LITTLE_ENDIAN ? wordView(a) : undefined;
}

/**
 * Element `i` as a number when it lies in the int32 range (high word = sign of low word), else undefined.
 * For indices and small parameters, where anything outside int32 is out of range anyway.
 */
export function int32At(a: BigInt64Array | BigUint64Array, words: Int32Array | undefined, i: number): number | undefined {
  if (words === undefined) {
    const v = a[i]!;
    return v >= -2147483648n && v <= 2147483647n ? Number(v) : undefined;
  }
  const low = words[2 * i]!;
  const high = words[2 * i + 1]!;
  // A uint64 with the top bit set reads as a negative int64 here; as an index it is out of range either way.
  return high === (low < 0 ? -1 : 0) && !(a instanceof BigUint64Array && low < 0) ? low : undefined;
}

/**
 * Stores integer-valued `value` (after truncation) modulo 2^64 into element `i`: the bit pattern of
 * `BigInt.asIntN(64, BigInt(Math.trunc(value)))`, which also reads correctly as uint64. Exact for every
 * finite double (halving by 2^32 is exact); NaN and ±Infinity store 0.
 */
export function setInt64(a: BigInt64Array | BigUint64Array, words: Int32Array | undefined, i: number, value: number): void {
  const t = Math.trunc(value);
  if (words === undefined) {
    const b = Number.isFinite(t) ? BigInt(t) : 0n;
    a[i] = a instanceof BigInt64Array ? BigInt.asIntN(64, b) : BigInt.asUintN(64, b);
    return;
  }
  // Int32Array stores apply ToInt32, i.e. reduce modulo 2^32: exactly the two's-complement words.
  words[2 * i] = t % TWO_32;
  words[2 * i + 1] = Math.floor(t / TWO_32);
}
