/**
 * WAV encoding to bytes (browser-safe): PCM 8/16/24/32-bit or IEEE float 32-bit, any channel count.
 * Used to save processed audio and to make test recordings of every format the decoder reads.
 */
import { InputError } from '../errors.js';

export interface WavEncoding {
  format: 'pcm' | 'float';
  /** 8, 16, 24 or 32 for PCM; 32 for float. */
  bitsPerSample: 8 | 16 | 24 | 32;
  /** Write WAVE_FORMAT_EXTENSIBLE instead of the plain header (what many tools write for >2 channels). */
  extensible?: boolean;
}

/** Rounds and clips a [-1, 1] sample to a signed integer of `bits` bits. */
function quantize(v: number, bits: number): number {
  const scale = 2 ** (bits - 1);
  const q = Math.round(v * scale);
  return Math.max(-scale, Math.min(scale - 1, q));
}

/**
 * Encodes channels of equal length as a WAV file.
 *
 * @example
 * ```ts
 * const bytes = encodeWav([mono], 16000, { format: 'pcm', bitsPerSample: 16 });
 * ```
 */
export function encodeWav(channels: readonly Float32Array[], sampleRate: number, encoding: WavEncoding): Uint8Array {
  const { format, bitsPerSample } = encoding;
  if (channels.length === 0) throw new InputError('encodeWav: expected at least one channel');
  if (format === 'float' && bitsPerSample !== 32) throw new InputError(`encodeWav: float must be 32-bit, got ${bitsPerSample}`);
  if (![8, 16, 24, 32].includes(bitsPerSample)) throw new InputError(`encodeWav: unsupported bits ${bitsPerSample}`);
  const frames = channels[0]!.length;
  if (channels.some((c) => c.length !== frames)) throw new InputError('encodeWav: channels differ in length');
  const nch = channels.length;
  const bytesPer = bitsPerSample / 8;
  const blockAlign = nch * bytesPer;
  const dataBytes = frames * blockAlign;
  const fmtBytes = encoding.extensible ? 40 : 16;
  const pad = dataBytes & 1;
  const total = 12 + 8 + fmtBytes + 8 + dataBytes + pad;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  const ascii = (off: number, s: string) => {
    for (let i = 0; i < 4; i++) out[off + i] = s.charCodeAt(i);
  };
  const tag = format === 'pcm' ? 1 : 3;
  ascii(0, 'RIFF');
  view.setUint32(4, total - 8, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, fmtBytes, true);
  view.setUint16(20, encoding.extensible ? 0xfffe : tag, true);
  view.setUint16(22, nch, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, bitsPerSample, true);
  if (encoding.extensible) {
    view.setUint16(36, 22, true); // cbSize
    view.setUint16(38, bitsPerSample, true); // valid bits
    view.setUint32(40, nch <= 2 ? (nch === 1 ? 0x4 : 0x3) : 0, true); // channel mask
    // SubFormat GUID: {tag}-0000-0010-8000-00aa00389b71
    view.setUint16(44, tag, true);
    const rest = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
    out.set(rest, 46);
  }
  const dataAt = 20 + fmtBytes;
  ascii(dataAt, 'data');
  view.setUint32(dataAt + 4, dataBytes, true);
  let p = dataAt + 8;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < nch; c++, p += bytesPer) {
      const v = channels[c]![i]!;
      if (format === 'float') view.setFloat32(p, v, true);
      else if (bitsPerSample === 8) view.setUint8(p, quantize(v, 8) + 128);
      else if (bitsPerSample === 16) view.setInt16(p, quantize(v, 16), true);
      else if (bitsPerSample === 24) {
        const q = quantize(v, 24);
        view.setUint8(p, q & 0xff);
        view.setUint8(p + 1, (q >> 8) & 0xff);
        view.setUint8(p + 2, (q >> 16) & 0xff);
      } else view.setInt32(p, quantize(v, 32), true);
    }
  }
  return out;
}
