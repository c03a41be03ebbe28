/**
 * WAV decoding. Two references: files written by sox (tone fixtures, every width, extensible headers, a
 * `fact` chunk, stereo at 44.1 kHz, every G.711 A-law and µ-law byte with sox's expansion), and the project's own encoder round-tripping a synthetic signal in
 * every format/rate/channel count. Integer formats must agree with the float original within one
 * quantisation step (2^-(bits-1)); float32 exactly.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeWav } from '../src/audio/wav.js';
import { encodeWav, type WavEncoding } from '../src/audio/wav-encode.js';
import { downmix } from '../src/audio/downmix.js';
import { AudioFormatError } from '../src/errors.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/audio/${name}`, import.meta.url)));

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Zero crossings from negative to non-negative, to read a tone's frequency. */
function upCrossings(x: Float32Array): number {
  let n = 0;
  for (let i = 1; i < x.length; i++) if (x[i - 1]! < 0 && x[i]! >= 0) n++;
  return n;
}

describe('decodeWav on files written by sox', () => {
  const f32 = decodeWav(fixture('tone-f32.wav'));

  it('reads 32-bit float (fmt with cbSize and a fact chunk) as a 440 Hz tone of amplitude 0.5', () => {
    expect(f32.sampleRate).toBe(16000);
    expect(f32.channels).toHaveLength(1);
    expect(f32.encoding).toEqual({ format: 'float', bitsPerSample: 32 });
    const x = f32.channels[0]!;
    expect(x.length).toBe(800); // 0.05 s
    const peak = x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(peak).toBeGreaterThan(0.49);
    expect(peak).toBeLessThanOrEqual(0.5 + 1e-6);
    expect(upCrossings(x)).toBeGreaterThanOrEqual(21); // 22 periods in 0.05 s
    expect(upCrossings(x)).toBeLessThanOrEqual(22);
  });

  it.each([
    ['tone-u8.wav', 8],
    ['tone-s16.wav', 16],
    ['tone-s24.wav', 24], // WAVE_FORMAT_EXTENSIBLE
    ['tone-s32.wav', 24], // extensible; sox synthesises at 24-bit precision, so compare at that step
  ] as const)('reads %s within one %i-bit step of the float file', (name, bits) => {
    const a = decodeWav(fixture(name));
    expect(a.sampleRate).toBe(16000);
    expect(maxDiff(a.channels[0]!, f32.channels[0]!)).toBeLessThanOrEqual(2 ** -(bits - 1));
  });

  it('reads what sox writes into a pipe (data size left as the 0x7FFFF000 placeholder) to the end', () => {
    const bytes = fixture('tone-s16-sox-pipe.wav');
    expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(40, true)).toBe(0x7ffff000);
    const a = decodeWav(bytes);
    expect(maxDiff(a.channels[0]!, f32.channels[0]!)).toBeLessThanOrEqual(2 ** -15);
  });

  // sox -t raw -r 8000 -e {a-law,u-law} -b 8 (every byte 0..255) all-bytes-{law}.wav, then
  // sox all-bytes-{law}.wav -e signed-integer -b 16 all-bytes-{law}.sox-decoded.wav: sox's own G.711 tables.
  for (const law of ['a-law', 'u-law'] as const) {
    it(`expands all 256 ${law} bytes exactly as sox does (telephone recordings)`, () => {
      const coded = decodeWav(fixture(`all-bytes-${law}.wav`));
      const linear = decodeWav(fixture(`all-bytes-${law}.sox-decoded.wav`));
      expect(coded.encoding).toEqual({ format: law === 'a-law' ? 'alaw' : 'mulaw', bitsPerSample: 8 });
      expect(coded.sampleRate).toBe(8000);
      expect(coded.channels[0]!.length).toBe(256);
      expect([...coded.channels[0]!]).toEqual([...linear.channels[0]!]);
    });
  }

  it('reads stereo 44.1 kHz and downmixes by averaging', () => {
    const a = decodeWav(fixture('tone-stereo-44k.wav'));
    expect(a.sampleRate).toBe(44100);
    expect(a.channels).toHaveLength(2);
    const [l, r] = a.channels as [Float32Array, Float32Array];
    expect(upCrossings(l)).toBeGreaterThanOrEqual(21);
    expect(upCrossings(r)).toBeGreaterThanOrEqual(43); // 880 Hz
    const m = downmix(a.channels);
    for (let i = 0; i < m.length; i += 97) expect(m[i]).toBeCloseTo((l[i]! + r[i]!) / 2, 6);
  });
});

describe('decodeWav round trip through encodeWav', () => {
  const rates = [8000, 16000, 44100, 48000];
  const encodings: WavEncoding[] = [
    { format: 'pcm', bitsPerSample: 8 },
    { format: 'pcm', bitsPerSample: 16 },
    { format: 'pcm', bitsPerSample: 24 },
    { format: 'pcm', bitsPerSample: 32 },
    { format: 'float', bitsPerSample: 32 },
    { format: 'pcm', bitsPerSample: 16, extensible: true },
    { format: 'float', bitsPerSample: 32, extensible: true },
  ];
  function synth(rate: number, channels: number, frames: number): Float32Array[] {
    // A chirp plus a channel-dependent tone, kept inside (-1, 1).
    return Array.from({ length: channels }, (_, c) => {
      const x = new Float32Array(frames);
      for (let i = 0; i < frames; i++) {
        const t = i / rate;
        x[i] = 0.6 * Math.sin(2 * Math.PI * (200 + 900 * t) * t) + 0.3 * Math.sin(2 * Math.PI * 330 * (c + 1) * t);
      }
      return x;
    });
  }
  for (const rate of rates) {
    for (const enc of encodings) {
      for (const channels of [1, 2, 3]) {
        it(`${enc.format}${enc.bitsPerSample}${enc.extensible ? ' extensible' : ''} ${rate} Hz ${channels} ch`, () => {
          const frames = Math.round(rate * 0.02) + 1; // odd byte counts for 8-bit mono exercise the pad byte
          const src = synth(rate, channels, frames);
          const bytes = encodeWav(src, rate, enc);
          const back = decodeWav(bytes);
          expect(back.sampleRate).toBe(rate);
          expect(back.channels).toHaveLength(channels);
          const step = enc.format === 'float' ? 0 : 2 ** -(enc.bitsPerSample - 1);
          for (let c = 0; c < channels; c++) expect(maxDiff(back.channels[c]!, src[c]!)).toBeLessThanOrEqual(step);
        });
      }
    }
  }
});

describe('decodeWav on bad input', () => {
  const good = encodeWav([new Float32Array(100).fill(0.25)], 16000, { format: 'pcm', bitsPerSample: 16 });

  it('names an empty file', () => {
    expect(() => decodeWav(new Uint8Array(0))).toThrow(new AudioFormatError('the file is empty (0 bytes); expected a WAV recording'));
  });
  it('names bytes that are not WAV', () => {
    const text = new TextEncoder().encode('this is a text file, not a recording at all');
    expect(() => decodeWav(text)).toThrow(/not a WAV file: expected 'RIFF' and 'WAVE'.*found "this" and "a te"/);
    expect(() => decodeWav(new Uint8Array([1, 2, 3]))).toThrow(/3 bytes, too short/);
  });
  it('names a truncated data chunk with the sizes', () => {
    expect(() => decodeWav(good.subarray(0, good.length - 10))).toThrow(
      /truncated WAV: the 'data' chunk declares 200 bytes, only 190 are in the file/,
    );
    expect(() => decodeWav(good.subarray(0, 30))).toThrow(AudioFormatError);
    expect(() => decodeWav(good.subarray(0, 40))).toThrow(/truncated WAV: no 'data' chunk/);
  });
  it('reads a streamed file whose data size is a placeholder (ffmpeg, arecord) to the end', () => {
    for (const placeholder of [0xffffffff, 0x7fffffff]) {
      const streamed = good.slice();
      new DataView(streamed.buffer).setUint32(40, placeholder, true);
      expect(decodeWav(streamed).channels[0]!.length).toBe(100);
    }
  });
  it('declines encodings it does not read', () => {
    const adpcm = good.slice();
    new DataView(adpcm.buffer).setUint16(20, 2, true); // Microsoft ADPCM
    expect(() => decodeWav(adpcm)).toThrow(/encoding 0x2 is not supported; expected PCM integer \(1\), IEEE float \(3\), A-law \(6\) or µ-law \(7\)/);
    const wideAlaw = good.slice();
    new DataView(wideAlaw.buffer).setUint16(20, 6, true);
    expect(() => decodeWav(wideAlaw)).toThrow(/WAV A-law with 16 bits per sample is not supported; expected 8/);
    const bits12 = good.slice();
    new DataView(bits12.buffer).setUint16(34, 12, true);
    expect(() => decodeWav(bits12)).toThrow(/12 bits per sample is not supported/);
  });
  it('rejects a data chunk before fmt and a bad block align', () => {
    const noFmt = good.slice();
    noFmt.set([0x64, 0x61, 0x74, 0x61], 12); // 'data' where 'fmt ' was
    expect(() => decodeWav(noFmt)).toThrow(/'data' chunk comes before any 'fmt '/);
    const align = good.slice();
    new DataView(align.buffer).setUint16(32, 3, true);
    expect(() => decodeWav(align)).toThrow(/block align is 3 bytes, expected 2/);
  });
});
