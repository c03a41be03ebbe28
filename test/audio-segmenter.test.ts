/**
 * The segmenter against the authors' rules. Expected segments in the fixture come from a transcription of
 * `get_speech_timestamps` (snakers4/silero-vad) run on random probability sequences, covering the default
 * options, custom thresholds/durations/padding, and max-speech splitting. Exact integer equality.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { from, lastValueFrom, toArray } from 'rxjs';
import { segmentSpeech } from '../src/audio/segment-speech.js';
import { SpeechSegmenter, speechSegments, segmentsInSeconds } from '../src/audio/segmenter.js';
import { InputError } from '../src/errors.js';

interface Case {
  probabilities: number[];
  audioSamples: number;
  options: Record<string, number>;
  expected: { start: number; end: number }[];
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/audio/segmenter-cases.json', import.meta.url), 'utf8'),
) as { cases: Case[] };

function toOptions(o: Record<string, number>) {
  return {
    threshold: o.threshold,
    minSpeechMs: o.min_speech_duration_ms,
    minSilenceMs: o.min_silence_duration_ms,
    speechPadMs: o.speech_pad_ms,
    maxSpeechS: o.max_speech_duration_s,
  };
}

describe('speechSegments', () => {
  it('matches the reference get_speech_timestamps on 60 random sequences', () => {
    expect(fixture.cases.length).toBe(60);
    for (const [i, c] of fixture.cases.entries()) {
      const got = speechSegments(c.probabilities, 512, 16000, c.audioSamples, toOptions(c.options));
      expect(got, `case ${i} ${JSON.stringify(c.options)}`).toEqual(c.expected);
    }
  });

  it('applies the defaults: 0.5 threshold, release below 0.35, 250 ms minimum, 100 ms silence, 30 ms pad', () => {
    // 20 chunks quiet, 20 speech (0.64 s), 10 quiet, then 5 speech chunks (160 ms: too short), then quiet.
    const p = [...Array(20).fill(0.1), ...Array(20).fill(0.9), ...Array(10).fill(0.1), ...Array(5).fill(0.9), ...Array(10).fill(0.1)];
    const segs = speechSegments(p, 512, 16000, p.length * 512);
    expect(segs).toEqual([{ start: 20 * 512 - 480, end: 40 * 512 + 480 }]);
    // A dip to 0.4 (above the release threshold 0.35) does not end speech.
    const dip = [...Array(5).fill(0.1), ...Array(10).fill(0.9), ...Array(8).fill(0.4), ...Array(10).fill(0.9), ...Array(10).fill(0.0)];
    expect(speechSegments(dip, 512, 16000, dip.length * 512)).toHaveLength(1);
  });

  it('keeps speech running to the end of the audio', () => {
    const p = [0, 0, ...Array(30).fill(1)];
    expect(speechSegments(p, 512, 16000, 32 * 512 - 100)).toEqual([{ start: 2 * 512 - 480, end: 32 * 512 - 100 }]);
  });

  it('yields nothing for silence and rejects bad options', () => {
    expect(speechSegments(new Float32Array(100), 512, 16000, 51200)).toEqual([]);
    expect(() => speechSegments([0.5], 512, 16000, 512, { threshold: 1.5 })).toThrow(InputError);
    expect(() => speechSegments([0.5], 512, 16000, 512, { minSpeechMs: -1 })).toThrow(/minSpeechMs/);
  });

  it('converts to seconds rounded to the millisecond', () => {
    expect(segmentsInSeconds([{ start: 16000, end: 24008 }], 16000)).toEqual([{ start: 1, end: 1.501 }]);
  });

  it('streams: each segment comes out once final, long before the end, and all of them equal the offline result', () => {
    for (const [i, c] of fixture.cases.entries()) {
      const seg = new SpeechSegmenter(512, 16000, toOptions(c.options));
      const got: { start: number; end: number }[] = [];
      const emittedAt: number[] = [];
      c.probabilities.forEach((p, k) => {
        for (const s of seg.push(p)) {
          got.push(s);
          emittedAt.push(k);
        }
      });
      got.push(...seg.end(c.audioSamples));
      expect(got, `case ${i}`).toEqual(c.expected);
      // Emitted segments were already final: none is emitted before its own (padded) end was reached.
      emittedAt.forEach((k, j) => expect((k + 1) * 512).toBeGreaterThanOrEqual(got[j]!.end));
    }
  });

  it('with the defaults, a segment is out within 160 ms (+1 chunk) of its last speech chunk', () => {
    const p = [...Array(10).fill(0.1), ...Array(20).fill(0.9), ...Array(40).fill(0.05)];
    const seg = new SpeechSegmenter(512, 16000);
    let at = -1;
    p.forEach((x, k) => {
      if (seg.push(x).length && at < 0) at = k;
    });
    // Speech ends at chunk 30; 100 ms of quiet ends it, 60 ms more fixes its padding.
    expect(at).toBeGreaterThanOrEqual(30);
    expect((at - 30) * 32).toBeLessThanOrEqual(160 + 32);
    expect(seg.end()).toEqual([]);
  });

  it('segmentSpeech operator emits the same segments as the offline function', async () => {
    const c = fixture.cases[0]!;
    const got = await lastValueFrom(from(c.probabilities).pipe(segmentSpeech(512, 16000, toOptions(c.options)), toArray()));
    expect(got).toEqual(speechSegments(c.probabilities, 512, 16000, c.probabilities.length * 512, toOptions(c.options)));
  });
});
