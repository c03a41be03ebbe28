/**
 * Speech segments from per-chunk speech probabilities, with the rules and defaults of Silero's own
 * `get_speech_timestamps` (snakers4/silero-vad, `utils_vad.py`), so a user comparing rxrnn with the authors'
 * Python wrapper gets the same segments from the same probabilities:
 *
 * - speech starts at the first chunk with probability ≥ `threshold`;
 * - once in speech, a chunk below `negThreshold` (default `threshold − 0.15`, at least 0.01) opens a
 *   tentative end; a chunk ≥ `threshold` cancels it; the segment ends there once the quiet has lasted
 *   `minSilenceMs`;
 * - segments not longer than `minSpeechMs` are dropped;
 * - a segment longer than `maxSpeechS` is split at its longest internal pause of more than 98 ms, or cut
 *   where it reaches the limit when it has none;
 * - each segment is padded by `speechPadMs` on each side, and where two segments are closer than twice the
 *   pad, the gap between them is shared equally.
 *
 * Positions are in samples at the probability's sample rate: chunk i covers samples [i·frame, (i+1)·frame).
 */
import { InputError } from '../errors.js';

export interface SegmenterOptions {
  /** Speech starts at a probability ≥ this. Default 0.5. */
  threshold?: number;
  /** Speech may end below this. Default `max(threshold − 0.15, 0.01)`. */
  negThreshold?: number;
  /** Segments not longer than this are dropped. Default 250 ms. */
  minSpeechMs?: number;
  /** Quiet needed to end a segment. Default 100 ms. */
  minSilenceMs?: number;
  /** Padding added on each side. Default 30 ms. */
  speechPadMs?: number;
  /** Longest segment before it is split. Default Infinity. */
  maxSpeechS?: number;
}

/** A segment in samples, end exclusive. */
export interface SampleSegment {
  start: number;
  end: number;
}

/** The authors' defaults, spelled out. */
export const SILERO_SEGMENTER_DEFAULTS = {
  threshold: 0.5,
  minSpeechMs: 250,
  minSilenceMs: 100,
  speechPadMs: 30,
  maxSpeechS: Infinity,
} as const;

/** Pauses longer than this are where an over-long segment may be split (the authors' 98 ms). */
const MIN_SILENCE_AT_MAX_SPEECH_MS = 98;

function checkOptions(o: Required<SegmenterOptions>): void {
  const bad = (what: string, v: number) => {
    throw new InputError(`segmenter: ${what} got ${v}`);
  };
  if (!(o.threshold > 0 && o.threshold <= 1)) bad('threshold must be in (0, 1];', o.threshold);
  if (!(o.negThreshold >= 0 && o.negThreshold <= o.threshold)) bad('negThreshold must be in [0, threshold];', o.negThreshold);
  if (!(o.minSpeechMs >= 0)) bad('minSpeechMs must be ≥ 0;', o.minSpeechMs);
  if (!(o.minSilenceMs >= 0)) bad('minSilenceMs must be ≥ 0;', o.minSilenceMs);
  if (!(o.speechPadMs >= 0)) bad('speechPadMs must be ≥ 0;', o.speechPadMs);
  if (!(o.maxSpeechS > 0)) bad('maxSpeechS must be > 0;', o.maxSpeechS);
}

interface Resolved {
  threshold: number;
  negThreshold: number;
  minSpeech: number;
  minSilence: number;
  pad: number;
  maxSpeech: number;
  minSilenceAtMax: number;
}

function resolve(frameSamples: number, sampleRate: number, options: SegmenterOptions): Resolved {
  const threshold = options.threshold ?? SILERO_SEGMENTER_DEFAULTS.threshold;
  const o: Required<SegmenterOptions> = {
    threshold,
    negThreshold: options.negThreshold ?? Math.max(threshold - 0.15, 0.01),
    minSpeechMs: options.minSpeechMs ?? SILERO_SEGMENTER_DEFAULTS.minSpeechMs,
    minSilenceMs: options.minSilenceMs ?? SILERO_SEGMENTER_DEFAULTS.minSilenceMs,
    speechPadMs: options.speechPadMs ?? SILERO_SEGMENTER_DEFAULTS.speechPadMs,
    maxSpeechS: options.maxSpeechS ?? SILERO_SEGMENTER_DEFAULTS.maxSpeechS,
  };
  checkOptions(o);
  if (!Number.isInteger(frameSamples) || frameSamples < 1) throw new InputError(`segmenter: frameSamples must be a positive integer, got ${frameSamples}`);
  if (!(sampleRate > 0)) throw new InputError(`segmenter: sampleRate must be > 0, got ${sampleRate}`);
  const perMs = sampleRate / 1000;
  const pad = o.speechPadMs * perMs;
  return {
    threshold: o.threshold,
    negThreshold: o.negThreshold,
    minSpeech: o.minSpeechMs * perMs,
    minSilence: o.minSilenceMs * perMs,
    pad,
    maxSpeech: sampleRate * o.maxSpeechS - frameSamples - 2 * pad,
    minSilenceAtMax: MIN_SILENCE_AT_MAX_SPEECH_MS * perMs,
  };
}

/**
 * The segmenter fed one probability at a time, for live audio: `push` returns the segments that became
 * final with that chunk, `end` the rest. A segment is final once nothing later can change it — its end
 * padding depends on where the next segment starts — which with the defaults is 60 ms of quiet after the
 * 100 ms that end it. Pushing a whole sequence and calling `end` gives exactly {@link speechSegments}.
 *
 * @example
 * ```ts
 * const seg = new SpeechSegmenter(512, 16000);
 * for (const p of probabilities) for (const s of seg.push(p)) console.log('speech', s.start / 16000, s.end / 16000);
 * for (const s of seg.end(totalSamples)) console.log('speech', s.start / 16000, s.end / 16000);
 * ```
 */
export class SpeechSegmenter {
  private readonly o: Resolved;
  private readonly frameSamples: number;
  /** Chunks pushed so far. */
  private index = 0;
  private inSpeech = false;
  /** Whether `start` holds a segment being built. */
  private open = false;
  private start = 0;
  /** A tentative end; 0 means none (as in the reference: a tentative end at sample 0 is impossible). */
  private tempEnd = 0;
  private prevEnd = 0;
  private nextStart = 0;
  /** Pauses inside the current segment long enough to split at: [end of speech, pause length]. */
  private possibleEnds: [number, number][] = [];
  /** The last segment found, start already padded, end not yet (it waits for its successor). */
  private pending: { start: number; rawEnd: number } | undefined;
  /** Whether a segment was already emitted (so the next one's start shares or takes the gap padding). */
  private emittedAny = false;
  private ended = false;

  constructor(frameSamples: number, sampleRate: number, options: SegmenterOptions = {}) {
    this.frameSamples = frameSamples;
    this.o = resolve(frameSamples, sampleRate, options);
  }

  /** Feeds the next chunk's probability; returns the segments that are now final (usually none). */
  push(p: number): SampleSegment[] {
    if (this.ended) throw new InputError('SpeechSegmenter: push after end');
    if (typeof p !== 'number' || Number.isNaN(p)) throw new InputError(`SpeechSegmenter: probability must be a number, got ${String(p)}`);
    const out: SampleSegment[] = [];
    this.step(p, out);
    this.index++;
    this.finalizeEarly(out);
    return out;
  }

  /**
   * Ends the stream: closes a segment still open and returns the last segments.
   *
   * @param audioSamples the audio's length (default: chunks × frameSamples)
   */
  end(audioSamples = this.index * this.frameSamples): SampleSegment[] {
    if (this.ended) return [];
    this.ended = true;
    const out: SampleSegment[] = [];
    if (this.open && audioSamples - this.start > this.o.minSpeech) this.found(this.start, audioSamples, out);
    if (this.pending) {
      out.push({ start: this.pending.start, end: Math.trunc(Math.min(audioSamples, this.pending.rawEnd + this.o.pad)) });
      this.pending = undefined;
    }
    return out;
  }

  /** One chunk of the reference state machine. */
  private step(p: number, out: SampleSegment[]): void {
    const o = this.o;
    const at = this.frameSamples * this.index;
    if (p >= o.threshold && this.tempEnd) {
      const pause = at - this.tempEnd;
      if (pause > o.minSilenceAtMax) this.possibleEnds.push([this.tempEnd, pause]);
      this.tempEnd = 0;
      if (this.nextStart < this.prevEnd) this.nextStart = at;
    }
    if (p >= o.threshold && !this.inSpeech) {
      this.inSpeech = true;
      this.start = at;
      this.open = true;
      return;
    }
    if (this.inSpeech && at - this.start > o.maxSpeech) {
      if (this.possibleEnds.length) {
        // Split at the longest pause so far.
        let best = this.possibleEnds[0]!;
        for (const e of this.possibleEnds) if (e[1] > best[1]) best = e;
        const [end, pause] = best;
        this.open = false;
        this.found(this.start, end, out);
        const nextStart = end + pause;
        if (nextStart < end + at) {
          this.start = nextStart;
          this.open = true;
        } else {
          this.inSpeech = false;
        }
        this.possibleEnds = this.possibleEnds.filter((e) => e[0] > nextStart);
        this.prevEnd = this.nextStart = this.tempEnd = 0;
      } else {
        this.open = false;
        this.found(this.start, at, out);
        this.prevEnd = this.nextStart = this.tempEnd = 0;
        this.inSpeech = false;
        this.possibleEnds = [];
        return;
      }
    }
    if (p < o.negThreshold && this.inSpeech) {
      if (!this.tempEnd) this.tempEnd = at;
      if (at - this.tempEnd < o.minSilence) return;
      if (this.tempEnd - this.start > o.minSpeech) this.found(this.start, this.tempEnd, out);
      this.open = false;
      this.prevEnd = this.nextStart = this.tempEnd = 0;
      this.inSpeech = false;
      this.possibleEnds = [];
    }
  }

  /**
   * A raw segment [start, end): settles the padding between it and the one before (a gap narrower than
   * two pads is split evenly, otherwise each side gets a full pad), emits the one before, keeps this one.
   */
  private found(start: number, end: number, out: SampleSegment[]): void {
    const pad = this.o.pad;
    let padded: number;
    if (this.pending) {
      const gap = start - this.pending.rawEnd;
      if (gap < 2 * pad) {
        const half = Math.floor(gap / 2);
        out.push({ start: this.pending.start, end: this.pending.rawEnd + half });
        padded = Math.max(0, start - half);
      } else {
        out.push({ start: this.pending.start, end: Math.trunc(this.pending.rawEnd + pad) });
        padded = Math.trunc(Math.max(0, start - pad));
      }
      this.emittedAny = true;
    } else if (this.emittedAny) {
      // The one before was emitted early, which it only is when the gap is at least two pads.
      padded = Math.trunc(Math.max(0, start - pad));
    } else {
      padded = Math.max(0, Math.trunc(start - pad));
    }
    this.pending = { start: padded, rawEnd: end };
  }

  /**
   * Emits the pending segment once no successor can come within two pads of its end and its padded end
   * lies inside audio already seen (so clipping to the audio's length cannot change it).
   */
  private finalizeEarly(out: SampleSegment[]): void {
    const p = this.pending;
    if (!p) return;
    // A successor starts no earlier than the segment being built, or than the next chunk.
    const earliest = this.open ? this.start : this.frameSamples * this.index;
    const seen = this.frameSamples * (this.index - 1); // chunk index-1 holds at least one real sample
    if (earliest - p.rawEnd >= 2 * this.o.pad && p.rawEnd + this.o.pad <= seen) {
      out.push({ start: p.start, end: Math.trunc(p.rawEnd + this.o.pad) });
      this.pending = undefined;
      this.emittedAny = true;
    }
  }
}

/**
 * Finds speech segments in a whole sequence of probabilities (the offline form of {@link SpeechSegmenter}).
 *
 * @param probabilities one speech probability per chunk, from the start of the audio
 * @param frameSamples samples per chunk (512 at 16 kHz for Silero v5)
 * @param sampleRate the rate the chunks were taken at
 * @param audioSamples the length of the audio (the last chunk may have been zero-padded past it)
 * @example
 * ```ts
 * const segs = speechSegments(probs, 512, 16000, audio.length);
 * for (const s of segs) console.log(s.start / 16000, s.end / 16000);
 * ```
 */
export function speechSegments(
  probabilities: ArrayLike<number>,
  frameSamples: number,
  sampleRate: number,
  audioSamples: number,
  options: SegmenterOptions = {},
): SampleSegment[] {
  const seg = new SpeechSegmenter(frameSamples, sampleRate, options);
  const out: SampleSegment[] = [];
  for (let i = 0; i < probabilities.length; i++) out.push(...seg.push(probabilities[i]!));
  out.push(...seg.end(audioSamples));
  return out;
}

/**
 * Segments in seconds, rounded to the millisecond.
 *
 * @example
 * ```ts
 * segmentsInSeconds([{ start: 16000, end: 24008 }], 16000); // [{ start: 1, end: 1.501 }]
 * ```
 */
export function segmentsInSeconds(segments: readonly SampleSegment[], sampleRate: number): { start: number; end: number }[] {
  const r = (x: number) => Math.round((x / sampleRate) * 1000) / 1000;
  return segments.map((s) => ({ start: r(s.start), end: r(s.end) }));
}
