/**
 * The streaming WAV decoder against the whole-file decoder: every fixture (sox-written, all widths,
 * extensible headers, a fact chunk, a pipe placeholder size) pushed in pieces of 1 to 97 bytes decodes to
 * exactly the same samples; a stream that stops early is a truncated WAV at `end()`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeWav } from '../src/audio/wav.js';
import { encodeWav } from '../src/audio/wav-encode.js';
import { WavStreamDecoder } from '../src/audio/wav-stream.js';
import { AudioFormatError } from '../src/errors.js';

const dir = new URL('./fixtures/audio/', import.meta.url);
const wavs = readdirSync(dir).filter((f) => f.endsWith('.wav'));

function streamDecode(bytes: Uint8Array, seed: number): Float32Array[] {
  const dec = new WavStreamDecoder();
  const parts: Float32Array[][] = [];
  let s = seed;
  for (let i = 0; i < bytes.length; ) {
    s = (s * 48271) % 2147483647;
    const n = 1 + (s % 97);
    const block = dec.push(bytes.subarray(i, i + n));
    if (block) parts.push(block);
    i += n;
  }
  dec.end();
  const channels = dec.channelCount!;
  return Array.from({ length: channels }, (_, c) => {
    const out = new Float32Array(parts.reduce((t, p) => t + p[c]!.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p[c]!, o);
      o += p[c]!.length;
    }
    return out;
  });
}

describe('WavStreamDecoder', () => {
  it.each(wavs)('decodes %s in small pieces exactly like decodeWav', (name) => {
    const bytes = new Uint8Array(readFileSync(new URL(name, dir)));
    const whole = decodeWav(bytes);
    for (const seed of [1, 2, 3]) expect(streamDecode(bytes, seed)).toEqual(whole.channels);
  });

  it('stops at the declared data and ignores a chunk after it', () => {
    const bytes = encodeWav([Float32Array.from([0.5, -0.5, 0.25])], 8000, { format: 'pcm', bitsPerSample: 16 });
    const withList = new Uint8Array(bytes.length + 12);
    withList.set(bytes);
    withList.set([0x4c, 0x49, 0x53, 0x54, 4, 0, 0, 0, 1, 2, 3, 4], bytes.length); // 'LIST' chunk
    expect(streamDecode(withList, 5)).toEqual(decodeWav(bytes).channels);
  });

  it('reports the format once the header is in', () => {
    const bytes = encodeWav([new Float32Array(10), new Float32Array(10)], 22050, { format: 'pcm', bitsPerSample: 24 });
    const dec = new WavStreamDecoder();
    expect(dec.push(bytes.subarray(0, 20))).toBeUndefined();
    expect(dec.format).toBeUndefined();
    dec.push(bytes.subarray(20, 50));
    expect(dec.format).toEqual({ sampleRate: 22050, encoding: { format: 'pcm', bitsPerSample: 24 } });
    expect(dec.channelCount).toBe(2);
  });

  it('throws the same errors as decodeWav for empty, non-WAV and truncated streams', () => {
    const empty = new WavStreamDecoder();
    expect(() => empty.end()).toThrow(/the file is empty/);
    expect(() => new WavStreamDecoder().push(new TextEncoder().encode('hello, this is text'))).toThrow(/not a WAV file/);
    const bytes = encodeWav([new Float32Array(100)], 16000, { format: 'pcm', bitsPerSample: 16 });
    const cut = new WavStreamDecoder();
    cut.push(bytes.subarray(0, 150));
    expect(() => cut.end()).toThrow(new AudioFormatError("truncated WAV: the 'data' chunk declares 200 bytes, only 106 arrived"));
    const header = new WavStreamDecoder();
    header.push(bytes.subarray(0, 30));
    expect(() => header.end()).toThrow(/truncated/);
  });
});
