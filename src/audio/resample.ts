/**
 * Sample-rate conversion by a Kaiser-windowed sinc, polyphase, streaming.
 *
 * Why this filter: a recording at 44.1 or 48 kHz has energy above 8 kHz that, decimated naively to 16 kHz,
 * folds back into the speech band and changes what the VAD hears. The low-pass here is placed so that its
 * stop band (about 90 dB down) begins below the lower of the two Nyquist frequencies: with the defaults the
 * pass band is flat to ~0.81 × Nyquist and everything above Nyquist is attenuated by 85 dB or more.
 *
 * The rational ratio `to/from = L/M` (reduced) gives L filter phases, precomputed once. Output sample n sits
 * at input time `n·M/L`; it is the dot product of the 2K input samples around that time with the phase's
 * taps. The stream keeps only the last 2K input samples between pushes, so chunk boundaries change nothing:
 * pushing a signal in any pieces gives bit-identical output to resampling it whole.
 */
import { InputError } from '../errors.js';

export interface ResampleOptions {
  /** Zero crossings of the sinc on each side, at the narrower of the two rates (filter length). Default 32. */
  zeroCrossings?: number;
  /** Cutoff as a fraction of the lower Nyquist frequency. Default 0.9. */
  rolloff?: number;
  /** Kaiser window β (stop-band attenuation ≈ β/0.1102 + 8.7 dB). Default 9. */
  kaiserBeta?: number;
}

/** Above this many table entries, taps are computed per output sample instead of stored (odd ratios). */
const MAX_TABLE_ENTRIES = 1 << 20;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for β ≤ 20). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 64; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

function checkRate(name: string, rate: number): void {
  if (!Number.isInteger(rate) || rate <= 0) {
    throw new InputError(`resample: ${name} must be a positive integer number of Hz, got ${rate}`);
  }
}

/**
 * A streaming resampler: `push` blocks of samples at `fromRate`, get blocks at `toRate`; `flush` at the end.
 *
 * @example
 * ```ts
 * const r = new Resampler(48000, 16000);
 * const a = r.push(block1), b = r.push(block2), tail = r.flush();
 * ```
 */
export class Resampler {
  readonly fromRate: number;
  readonly toRate: number;
  /** Output samples per `up` … */
  private readonly up: number;
  /** … input samples per `down`. */
  private readonly down: number;
  /** Taps on each side of the output time; 2K taps per output sample. */
  private readonly halfTaps: number;
  private readonly cutoff: number;
  private readonly halfLength: number;
  private readonly beta: number;
  private readonly i0Beta: number;
  /** `up` phases × 2K taps, or null when computed on the fly. */
  private readonly table: Float32Array | null;
  private readonly scratch: Float32Array;

  /** Input samples kept: absolute indices [bufferStart, bufferStart + bufferLength). */
  private buffer: Float32Array;
  private bufferStart = 0;
  private bufferLength = 0;
  /** Input samples received so far. */
  private totalIn = 0;
  /** Index of the next output sample. */
  private nextOut = 0;
  private flushed = false;

  constructor(fromRate: number, toRate: number, options: ResampleOptions = {}) {
    checkRate('fromRate', fromRate);
    checkRate('toRate', toRate);
    const zeroCrossings = options.zeroCrossings ?? 32;
    const rolloff = options.rolloff ?? 0.9;
    if (!(rolloff > 0 && rolloff <= 1)) throw new InputError(`resample: rolloff must be in (0, 1], got ${rolloff}`);
    if (!(zeroCrossings >= 1)) throw new InputError(`resample: zeroCrossings must be ≥ 1, got ${zeroCrossings}`);
    this.fromRate = fromRate;
    this.toRate = toRate;
    const g = gcd(fromRate, toRate);
    this.up = toRate / g;
    this.down = fromRate / g;
    // Cutoff in cycles per input sample: the lower Nyquist, scaled by rolloff.
    this.cutoff = 0.5 * Math.min(1, toRate / fromRate) * rolloff;
    this.halfLength = zeroCrossings / (2 * this.cutoff);
    this.halfTaps = Math.ceil(this.halfLength);
    this.beta = options.kaiserBeta ?? 9;
    this.i0Beta = besselI0(this.beta);
    const taps = 2 * this.halfTaps;
    this.scratch = new Float32Array(taps);
    if (this.up * taps <= MAX_TABLE_ENTRIES) {
      this.table = new Float32Array(this.up * taps);
      for (let p = 0; p < this.up; p++) this.fillTaps(p, this.table.subarray(p * taps, (p + 1) * taps));
    } else {
      this.table = null;
    }
    this.buffer = new Float32Array(Math.max(4096, 2 * taps));
  }

  /** The filter's impulse response at `tau` input samples from its centre. */
  private kernel(tau: number): number {
    const x = tau / this.halfLength;
    if (x <= -1 || x >= 1) return 0;
    const arg = 2 * this.cutoff * tau;
    const sinc = arg === 0 ? 1 : Math.sin(Math.PI * arg) / (Math.PI * arg);
    return 2 * this.cutoff * sinc * (besselI0(this.beta * Math.sqrt(1 - x * x)) / this.i0Beta);
  }

  /** Taps for phase p (output time = i + p/up), for input samples i-K+1 … i+K. */
  private fillTaps(p: number, out: Float32Array): void {
    const frac = p / this.up;
    for (let j = -this.halfTaps + 1; j <= this.halfTaps; j++) out[j + this.halfTaps - 1] = this.kernel(frac - j);
  }

  /** Output samples a signal of `inputLength` samples becomes: ceil(inputLength · to / from). */
  outputLength(inputLength: number): number {
    return Math.ceil((inputLength * this.up) / this.down);
  }

  private append(chunk: Float32Array): void {
    const need = this.bufferLength + chunk.length;
    if (need > this.buffer.length) {
      const grown = new Float32Array(Math.max(need, this.buffer.length * 2));
      grown.set(this.buffer.subarray(0, this.bufferLength));
      this.buffer = grown;
    }
    this.buffer.set(chunk, this.bufferLength);
    this.bufferLength += chunk.length;
    this.totalIn += chunk.length;
  }

  /** Computes outputs while their whole window is available (or, when flushing, up to the final length). */
  private produce(limit: number): Float32Array {
    const K = this.halfTaps;
    const taps = 2 * K;
    const count = Math.max(0, limit - this.nextOut);
    const out = new Float32Array(count);
    for (let o = 0; o < count; o++) {
      const n = this.nextOut + o;
      const pos = n * this.down;
      const i = Math.floor(pos / this.up);
      const p = pos - i * this.up;
      let w: Float32Array;
      if (this.table) w = this.table.subarray(p * taps, (p + 1) * taps);
      else {
        this.fillTaps(p, this.scratch);
        w = this.scratch;
      }
      const first = i - K + 1 - this.bufferStart;
      let acc = 0;
      // Samples before the start of the signal, or past its end on the final flush, are zero.
      const lo = Math.max(0, -first);
      const hi = Math.min(taps, this.bufferLength - first);
      for (let t = lo; t < hi; t++) acc += w[t]! * this.buffer[first + t]!;
      out[o] = acc;
    }
    this.nextOut += count;
    // Drop input no future output needs.
    const nextFirst = Math.floor((this.nextOut * this.down) / this.up) - K + 1;
    const drop = Math.min(this.bufferLength, Math.max(0, nextFirst - this.bufferStart));
    if (drop > 0) {
      this.buffer.copyWithin(0, drop, this.bufferLength);
      this.bufferLength -= drop;
      this.bufferStart += drop;
    }
    return out;
  }

  /** Feeds input samples; returns the output samples now computable (possibly none). */
  push(chunk: Float32Array): Float32Array {
    if (this.flushed) throw new InputError('resample: push after flush; create a new Resampler for a new stream');
    this.append(chunk);
    // Output n needs input up to floor(n·down/up) + K, exclusive bound totalIn.
    const K = this.halfTaps;
    const maxI = this.totalIn - 1 - K;
    const limit = maxI < 0 ? 0 : Math.min(Math.floor(((maxI + 1) * this.up - 1) / this.down) + 1, this.outputLength(this.totalIn));
    return this.produce(limit);
  }

  /** Ends the stream: returns the remaining outputs, treating input past the end as zero. */
  flush(): Float32Array {
    if (this.flushed) return new Float32Array(0);
    this.flushed = true;
    return this.produce(this.outputLength(this.totalIn));
  }
}

/**
 * Resamples a whole signal. Returns the input itself when the rates are equal.
 *
 * @example
 * ```ts
 * const at16k = resample(samples, 44100, 16000);
 * ```
 */
export function resample(
  input: Float32Array,
  fromRate: number,
  toRate: number,
  options?: ResampleOptions,
): Float32Array {
  checkRate('fromRate', fromRate);
  checkRate('toRate', toRate);
  if (fromRate === toRate) return input;
  const r = new Resampler(fromRate, toRate, options);
  const a = r.push(input);
  const b = r.flush();
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
