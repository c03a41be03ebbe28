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

/**
 * Finds speech segments.
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
  const perMs = sampleRate / 1000;
  const minSpeech = o.minSpeechMs * perMs;
  const minSilence = o.minSilenceMs * perMs;
  const pad = o.speechPadMs * perMs;
  const maxSpeech = sampleRate * o.maxSpeechS - frameSamples - 2 * pad;
  const minSilenceAtMax = MIN_SILENCE_AT_MAX_SPEECH_MS * perMs;

  const segments: SampleSegment[] = [];
  let inSpeech = false;
  let start = 0;
  let tempEnd = 0; // 0 = no tentative end (as in the reference: a tentative end at sample 0 is impossible)
  let prevEnd = 0;
  let nextStart = 0;
  // Pauses inside the current segment long enough to split at: [end of speech, pause length].
  let possibleEnds: [number, number][] = [];
  let open = false; // whether `start` holds a segment being built

  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i]!;
    const at = frameSamples * i;
    if (p >= o.threshold && tempEnd) {
      const pause = at - tempEnd;
      if (pause > minSilenceAtMax) possibleEnds.push([tempEnd, pause]);
      tempEnd = 0;
      if (nextStart < prevEnd) nextStart = at;
    }
    if (p >= o.threshold && !inSpeech) {
      inSpeech = true;
      start = at;
      open = true;
      continue;
    }
    if (inSpeech && at - start > maxSpeech) {
      if (possibleEnds.length) {
        // Split at the longest pause so far.
        let best = possibleEnds[0]!;
        for (const e of possibleEnds) if (e[1] > best[1]) best = e;
        const [end, pause] = best;
        segments.push({ start, end });
        open = false;
        nextStart = end + pause;
        if (nextStart < end + at) {
          start = nextStart;
          open = true;
        } else {
          inSpeech = false;
        }
        possibleEnds = possibleEnds.filter((e) => e[0] > nextStart);
        prevEnd = nextStart = tempEnd = 0;
      } else {
        segments.push({ start, end: at });
        open = false;
        prevEnd = nextStart = tempEnd = 0;
        inSpeech = false;
        possibleEnds = [];
        continue;
      }
    }
    if (p < o.negThreshold && inSpeech) {
      if (!tempEnd) tempEnd = at;
      if (at - tempEnd < minSilence) continue;
      if (tempEnd - start > minSpeech) segments.push({ start, end: tempEnd });
      open = false;
      prevEnd = nextStart = tempEnd = 0;
      inSpeech = false;
      possibleEnds = [];
    }
  }
  if (open && audioSamples - start > minSpeech) segments.push({ start, end: audioSamples });

  // Padding: a gap narrower than two pads is split evenly between its neighbours.
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    if (i === 0) s.start = Math.max(0, Math.trunc(s.start - pad));
    if (i !== segments.length - 1) {
      const next = segments[i + 1]!;
      const gap = next.start - s.end;
      if (gap < 2 * pad) {
        const half = Math.floor(gap / 2);
        s.end += half;
        next.start = Math.max(0, next.start - half);
      } else {
        s.end = Math.trunc(Math.min(audioSamples, s.end + pad));
        next.start = Math.trunc(Math.max(0, next.start - pad));
      }
    } else {
      s.end = Math.trunc(Math.min(audioSamples, s.end + pad));
    }
  }
  return segments;
}

/** Segments in seconds, rounded to the millisecond. */
export function segmentsInSeconds(segments: readonly SampleSegment[], sampleRate: number): { start: number; end: number }[] {
  const r = (x: number) => Math.round((x / sampleRate) * 1000) / 1000;
  return segments.map((s) => ({ start: r(s.start), end: r(s.end) }));
}
