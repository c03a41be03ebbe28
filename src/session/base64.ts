/**
 * Tensor data ⇄ base64 (little-endian), without Node's Buffer, so snapshots work in browsers too.
 */
import { allocData, BYTES_PER_ELEMENT, type DType, type TypedArray } from '../tensor.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The little-endian bytes of a typed array (a view where the host is little-endian, else a swapped copy). */
function leBytes(data: TypedArray): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (LITTLE_ENDIAN_HOST || data.BYTES_PER_ELEMENT === 1) return bytes;
  const out = new Uint8Array(bytes.length);
  const w = data.BYTES_PER_ELEMENT;
  for (let i = 0; i < bytes.length; i += w) for (let j = 0; j < w; j++) out[i + j] = bytes[i + w - 1 - j]!;
  return out;
}

export function encodeBase64(data: TypedArray): string {
  const b = leBytes(data);
  let s = '';
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    s += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  if (i < b.length) {
    const n = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8);
    s += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
    s += i + 1 < b.length ? ALPHABET[(n >> 6) & 63]! + '=' : '==';
  }
  return s;
}

/**
 * Decodes base64 into a new typed array of `dtype` with `length` elements. Returns undefined when the text
 * is not base64 or does not hold exactly that many bytes.
 */
export function decodeBase64(text: string, dtype: DType, length: number): TypedArray | undefined {
  const width = BYTES_PER_ELEMENT[dtype];
  if (typeof text !== 'string' || text.length % 4 !== 0) return undefined;
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const nBytes = (text.length / 4) * 3 - pad;
  if (nBytes !== length * width) return undefined;
  const bytes = new Uint8Array(nBytes);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const c = text.charCodeAt(i + j);
      const isPad = c === 61 && i + 4 === text.length && j >= 4 - pad;
      const v = isPad ? 0 : c < 128 ? LOOKUP[c]! : -1;
      if (v < 0) return undefined;
      n = (n << 6) | v;
    }
    if (o < nBytes) bytes[o++] = (n >> 16) & 255;
    if (o < nBytes) bytes[o++] = (n >> 8) & 255;
    if (o < nBytes) bytes[o++] = n & 255;
  }
  if (!LITTLE_ENDIAN_HOST && width > 1) {
    for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
  }
  const out = allocData(dtype, length);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
