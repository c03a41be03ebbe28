/**
 * WAV (RIFF/WAVE) decoding from bytes. Browser-safe: works on a `Uint8Array`, no `fs`, no `Buffer`.
 *
 * Reads PCM integer samples of 8 (unsigned), 16, 24 and 32 bits, IEEE float of 32 and 64 bits, 8-bit
 * G.711 A-law and µ-law (telephone recordings), the plain
 * `fmt ` header and WAVE_FORMAT_EXTENSIBLE. Every malformed file is an {@link AudioFormatError} whose
 * message says what was expected and what was found: an empty file, bytes that are not RIFF/WAVE, a
 * missing `fmt ` or `data` chunk, a chunk that runs past the end of the file (a truncated recording), an
 * encoding we do not decode.
 */
import { AudioFormatError } from '../errors.js';
import { G711_TABLES } from './g711.js';

/** Decoded audio: one Float32Array per channel, samples in [-1, 1]. */
export interface DecodedAudio {
  sampleRate: number;
  /** One array per channel, all the same length. */
  channels: Float32Array[];
  /** How the samples were stored, for messages and `info`. */
  encoding: { format: WavFormat; bitsPerSample: number };
}

/** How samples are stored: linear integers, IEEE floats, or G.711 companded bytes. */
export type WavFormat = 'pcm' | 'float' | 'alaw' | 'mulaw';

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_ALAW = 6;
const WAVE_FORMAT_MULAW = 7;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/**
 * Writers that stream to a pipe cannot seek back to patch the data size and leave a placeholder: ffmpeg
 * 0xFFFFFFFF, sox 0x7FFFF000, arecord 0x7FFFFFFF. A declared size this large that the bytes do not reach is
 * read as "to the end of the stream", not as a truncated file.
 */
const PLACEHOLDER_SIZE = 0x7ffff000;

function fourCC(view: DataView, offset: number): string {
  let s = '';
  for (let i = 0; i < 4; i++) s += String.fromCharCode(view.getUint8(offset + i));
  return s;
}

function printable(s: string): string {
  return JSON.stringify(s.replace(/[^\x20-\x7e]/g, '?'));
}

/** The `fmt ` chunk, checked. */
export interface FmtChunk {
  format: WavFormat;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  blockAlign: number;
}

/** The encoding's name in messages: `PCM`, `float`, `A-law`, `µ-law`. */
export function formatName(format: WavFormat): string {
  return format === 'pcm' ? 'PCM' : format === 'float' ? 'float' : format === 'alaw' ? 'A-law' : 'µ-law';
}

function parseFmt(view: DataView, offset: number, size: number): FmtChunk {
  if (size < 16) throw new AudioFormatError(`WAV 'fmt ' chunk is ${size} bytes, expected at least 16`);
  let tag = view.getUint16(offset, true);
  const channels = view.getUint16(offset + 2, true);
  const sampleRate = view.getUint32(offset + 4, true);
  const blockAlign = view.getUint16(offset + 12, true);
  const bitsPerSample = view.getUint16(offset + 14, true);
  if (tag === WAVE_FORMAT_EXTENSIBLE) {
    if (size < 40) throw new AudioFormatError(`WAV extensible 'fmt ' chunk is ${size} bytes, expected 40`);
    // The first two bytes of the SubFormat GUID carry the ordinary format tag.
    tag = view.getUint16(offset + 24, true);
  }
  let format: WavFormat;
  if (tag === WAVE_FORMAT_PCM) format = 'pcm';
  else if (tag === WAVE_FORMAT_IEEE_FLOAT) format = 'float';
  else if (tag === WAVE_FORMAT_ALAW) format = 'alaw';
  else if (tag === WAVE_FORMAT_MULAW) format = 'mulaw';
  else {
    throw new AudioFormatError(
      `WAV encoding 0x${tag.toString(16)} is not supported; expected PCM integer (1), IEEE float (3), A-law (6) or µ-law (7)`,
    );
  }
  if (channels === 0) throw new AudioFormatError('WAV header declares 0 channels');
  if (sampleRate === 0) throw new AudioFormatError('WAV header declares a sample rate of 0 Hz');
  const okBits = format === 'pcm' ? [8, 16, 24, 32] : format === 'float' ? [32, 64] : [8];
  if (!okBits.includes(bitsPerSample)) {
    throw new AudioFormatError(
      `WAV ${formatName(format)} with ${bitsPerSample} bits per sample is not supported; ` +
        `expected ${okBits.join(', ')}`,
    );
  }
  const expectedAlign = (channels * bitsPerSample) / 8;
  if (blockAlign !== expectedAlign) {
    throw new AudioFormatError(
      `WAV block align is ${blockAlign} bytes, expected ${expectedAlign} for ${channels} channel(s) of ${bitsPerSample} bits`,
    );
  }
  return { format, channels, sampleRate, bitsPerSample, blockAlign };
}

function decodeSamples(view: DataView, offset: number, frames: number, fmt: FmtChunk): Float32Array[] {
  const { channels, bitsPerSample, blockAlign } = fmt;
  const out: Float32Array[] = [];
  for (let c = 0; c < channels; c++) out.push(new Float32Array(frames));
  const bytes = bitsPerSample / 8;
  for (let c = 0; c < channels; c++) {
    const dst = out[c]!;
    let p = offset + c * bytes;
    if (fmt.format === 'alaw' || fmt.format === 'mulaw') {
      const expand = G711_TABLES[fmt.format];
      for (let i = 0; i < frames; i++, p += blockAlign) dst[i] = expand[view.getUint8(p)]!;
    } else if (fmt.format === 'float') {
      if (bitsPerSample === 32) for (let i = 0; i < frames; i++, p += blockAlign) dst[i] = view.getFloat32(p, true);
      else for (let i = 0; i < frames; i++, p += blockAlign) dst[i] = view.getFloat64(p, true);
    } else if (bitsPerSample === 8) {
      // 8-bit WAV is the one unsigned width: 128 is silence.
      for (let i = 0; i < frames; i++, p += blockAlign) dst[i] = (view.getUint8(p) - 128) / 128;
    } else if (bitsPerSample === 16) {
      for (let i = 0; i < frames; i++, p += blockAlign) dst[i] = view.getInt16(p, true) / 32768;
    } else if (bitsPerSample === 24) {
      for (let i = 0; i < frames; i++, p += blockAlign) {
        const v = view.getUint8(p) | (view.getUint8(p + 1) << 8) | (view.getInt8(p + 2) << 16);
        dst[i] = v / 8388608;
      }
    } else {
      for (let i = 0; i < frames; i++, p += blockAlign) dst[i] = view.getInt32(p, true) / 2147483648;
    }
  }
  return out;
}

/** Where the samples are: the format, the byte offset of the data and its declared length. */
export interface WavLayout {
  fmt: FmtChunk;
  dataOffset: number;
  dataBytes: number;
  /** Whether `dataBytes` may be a pipe writer's placeholder: if the bytes end first, the data runs to the end. */
  placeholder: boolean;
}

/**
 * Finds the format and the data chunk. With `complete` false (a stream still arriving) it returns
 * undefined when more bytes are needed; with `complete` true a missing piece is an error.
 */
export function readWavLayout(bytes: Uint8Array, complete: boolean): WavLayout | undefined {
  if (bytes.length === 0 && complete) throw new AudioFormatError('the file is empty (0 bytes); expected a WAV recording');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12) {
    if (!complete) return undefined;
    throw new AudioFormatError(`the file is ${bytes.length} bytes, too short for a WAV header (12 bytes or more)`);
  }
  const riff = fourCC(view, 0);
  const wave = fourCC(view, 8);
  if (riff !== 'RIFF' || wave !== 'WAVE') {
    if (riff === 'RIFX' || riff === 'RF64') {
      throw new AudioFormatError(`${riff} files are not supported; expected a little-endian RIFF/WAVE file`);
    }
    throw new AudioFormatError(
      `not a WAV file: expected 'RIFF' and 'WAVE' at bytes 0 and 8, found ${printable(riff)} and ${printable(wave)}`,
    );
  }
  let fmt: FmtChunk | undefined;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = fourCC(view, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    const available = bytes.length - body;
    if (id === 'fmt ') {
      if (size > available) {
        if (!complete) return undefined;
        throw new AudioFormatError(`truncated WAV: 'fmt ' chunk declares ${size} bytes, only ${available} present`);
      }
      fmt = parseFmt(view, body, size);
    } else if (id === 'data') {
      if (!fmt) throw new AudioFormatError("malformed WAV: 'data' chunk comes before any 'fmt ' chunk");
      return { fmt, dataOffset: body, dataBytes: size, placeholder: size >= PLACEHOLDER_SIZE };
    } else if (!complete && body + size > bytes.length) {
      return undefined; // a chunk we skip, not all here yet
    }
    // Chunks are word-aligned: an odd-sized chunk is followed by one pad byte.
    offset = body + size + (size & 1);
  }
  if (!complete) return undefined;
  if (!fmt) throw new AudioFormatError("malformed or truncated WAV: no 'fmt ' chunk found");
  throw new AudioFormatError("truncated WAV: no 'data' chunk found after the header");
}

/** Decodes `frames` frames at `offset` into one array per channel. */
export function decodeFrames(bytes: Uint8Array, offset: number, frames: number, fmt: FmtChunk): Float32Array[] {
  return decodeSamples(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset, frames, fmt);
}

/**
 * Decodes a WAV file held in memory.
 *
 * @param bytes the whole file
 * @throws AudioFormatError when the bytes are empty, not RIFF/WAVE, truncated or in an encoding not listed above
 * @example
 * ```ts
 * import { decodeWav, downmix } from 'rxrnn';
 * const audio = decodeWav(new Uint8Array(await (await fetch('speech.wav')).arrayBuffer()));
 * const mono = downmix(audio.channels);
 * console.log(audio.sampleRate, mono.length);
 * ```
 */
export function decodeWav(bytes: Uint8Array): DecodedAudio {
  const { fmt, dataOffset, dataBytes, placeholder } = readWavLayout(bytes, true)!;
  const available = bytes.length - dataOffset;
  let length: number;
  if (dataBytes > available && placeholder) {
    // A pipe writer's placeholder: the data runs to the end (whole frames only).
    length = available - (available % fmt.blockAlign);
  } else if (dataBytes > available) {
    throw new AudioFormatError(`truncated WAV: the 'data' chunk declares ${dataBytes} bytes, only ${available} are in the file`);
  } else if (dataBytes % fmt.blockAlign !== 0) {
    throw new AudioFormatError(
      `malformed WAV: 'data' holds ${dataBytes} bytes, not a whole number of ${fmt.blockAlign}-byte frames`,
    );
  } else {
    length = dataBytes;
  }
  return {
    sampleRate: fmt.sampleRate,
    channels: decodeFrames(bytes, dataOffset, length / fmt.blockAlign, fmt),
    encoding: { format: fmt.format, bitsPerSample: fmt.bitsPerSample },
  };
}
