/**
 * The resampler against analytic signals: a tone in the pass band comes out as the same tone at the new
 * rate (max abs error 1e-4 away from the edges), a tone above the lower Nyquist frequency is suppressed by
 * at least 80 dB instead of aliasing, upsampling leaves no image above the old Nyquist (−80 dB), and
 * streaming in arbitrary pieces equals resampling whole, bit for bit.
 */
import { describe, expect, it } from 'vitest';
import { from, lastValueFrom, toArray } from 'rxjs';
import { resample, Resampler } from '../src/audio/resample.js';
import { resampleTo } from '../src/audio/resample-operator.js';
import { InputError } from '../src/errors.js';

function tone(rate: number, hz: number, seconds: number, amp = 0.5): Float32Array {
  const n = Math.round(rate * seconds);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amp * Math.sin((2 * Math.PI * hz * i) / rate);
  return x;
}

/** Amplitude of the `hz` component over x[a, b) (a single-bin DFT). */
function amplitudeAt(x: Float32Array, rate: number, hz: number, a: number, b: number): number {
  let re = 0;
  let im = 0;
  for (let i = a; i < b; i++) {
    const w = (2 * Math.PI * hz * i) / rate;
    re += x[i]! * Math.cos(w);
    im += x[i]! * Math.sin(w);
  }
  return (2 * Math.hypot(re, im)) / (b - a);
}

const dB = (r: number) => 20 * Math.log10(r);

describe('resample', () => {
  it.each([
    [48000, 16000],
    [44100, 16000],
    [22050, 16000],
    [8000, 16000],
    [32000, 16000],
    [16000, 44100],
  ])('%i → %i keeps a 1 kHz tone (max abs error ≤ 1e-4)', (from, to) => {
    const y = resample(tone(from, 1000, 1), from, to);
    expect(y.length).toBe(Math.ceil((Math.round(from) * to) / from));
    const edge = 300; // the filter's reach at the ends, where the signal starts from zero
    let err = 0;
    for (let n = edge; n < y.length - edge; n++) err = Math.max(err, Math.abs(y[n]! - 0.5 * Math.sin((2 * Math.PI * 1000 * n) / to)));
    expect(err).toBeLessThanOrEqual(1e-4);
  });

  it.each([
    [48000, 9000, 7000], // 9 kHz would fold to 7 kHz
    [44100, 12000, 4000],
    [48000, 8200, 7800], // just past Nyquist
  ])('%i → 16000 suppresses a %i Hz tone (no alias at %i Hz) by ≥ 80 dB', (from, hz, alias) => {
    const y = resample(tone(from, hz, 1), from, 16000);
    const a = amplitudeAt(y, 16000, alias, 400, y.length - 400);
    expect(dB(a / 0.5)).toBeLessThan(-80);
  });

  it('upsampling 8000 → 16000 leaves no image of a 1 kHz tone at 7 kHz (≤ −80 dB)', () => {
    const y = resample(tone(8000, 1000, 1), 8000, 16000);
    expect(dB(amplitudeAt(y, 16000, 7000, 400, y.length - 400) / 0.5)).toBeLessThan(-80);
  });

  it('streams in arbitrary pieces with output identical to the whole-signal result', () => {
    const x = tone(44100, 440, 0.7);
    const whole = resample(x, 44100, 16000);
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const r = new Resampler(44100, 16000);
    const parts: Float32Array[] = [];
    for (let i = 0; i < x.length; ) {
      const n = 1 + Math.floor(rnd() * 2000);
      parts.push(r.push(x.subarray(i, i + n)));
      i += n;
    }
    parts.push(r.flush());
    const joined = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) joined.set(p, (o += p.length) - p.length);
    expect(joined).toEqual(whole);
  });

  it('returns the input for equal rates and rejects bad rates', () => {
    const x = tone(16000, 100, 0.01);
    expect(resample(x, 16000, 16000)).toBe(x);
    expect(() => resample(x, 0, 16000)).toThrow(InputError);
    expect(() => resample(x, 44100.5, 16000)).toThrow(/positive integer/);
  });

  it('handles a ratio too fine for a phase table (16001 → 16000)', () => {
    const y = resample(tone(16001, 1000, 0.2), 16001, 16000);
    let err = 0;
    for (let n = 300; n < y.length - 300; n++) err = Math.max(err, Math.abs(y[n]! - 0.5 * Math.sin((2 * Math.PI * 1000 * n) / 16000)));
    expect(err).toBeLessThanOrEqual(1e-4);
  });

  it('resampleTo (operator) over blocks equals resampling the whole signal', async () => {
    const x = tone(48000, 700, 0.5);
    const blocks = [x.subarray(0, 1000), x.subarray(1000, 1001), x.subarray(1001, 15000), x.subarray(15000)];
    const parts = await lastValueFrom(from(blocks).pipe(resampleTo(48000, 16000), toArray()));
    const joined = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      joined.set(p, o);
      o += p.length;
    }
    expect(joined).toEqual(resample(x, 48000, 16000));
    const same = await lastValueFrom(from(blocks).pipe(resampleTo(16000, 16000), toArray()));
    expect(same).toEqual(blocks);
  });
});
