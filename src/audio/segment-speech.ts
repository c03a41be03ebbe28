/**
 * The segmenter as an RxJS operator: speech probabilities in (one per chunk, e.g. from
 * `vadProbabilities`), speech segments out as soon as each is final — for live audio, where waiting for the
 * end of the recording is not an option. Same rules and results as `speechSegments`.
 */
import { Observable, type OperatorFunction } from 'rxjs';
import { SpeechSegmenter, type SampleSegment, type SegmenterOptions } from './segmenter.js';

/**
 * @param frameSamples samples per chunk (512 for Silero v5 at 16 kHz)
 * @param sampleRate the rate the chunks were taken at
 * @param options threshold, minimum speech/silence, padding (Silero's defaults)
 * @example
 * ```ts
 * import { resampleTo, segmentSpeech, vadProbabilities } from 'rxrnn';
 * mic48k$.pipe(resampleTo(48000, 16000), vadProbabilities(session), segmentSpeech(512, 16000))
 *   .subscribe((s) => console.log(`speech ${s.start / 16000}–${s.end / 16000} s`));
 * ```
 */
export function segmentSpeech(
  frameSamples: number,
  sampleRate: number,
  options: SegmenterOptions = {},
): OperatorFunction<number, SampleSegment> {
  return (source) =>
    new Observable<SampleSegment>((subscriber) => {
      // Per subscription: each stream is segmented on its own.
      const seg = new SpeechSegmenter(frameSamples, sampleRate, options);
      const emit = (list: SampleSegment[]) => {
        for (const s of list) subscriber.next(s);
      };
      const subscription = source.subscribe({
        next(p) {
          let done: SampleSegment[];
          try {
            done = seg.push(p);
          } catch (e) {
            subscriber.error(e);
            return;
          }
          emit(done);
        },
        error: (e: unknown) => subscriber.error(e),
        complete() {
          emit(seg.end());
          subscriber.complete();
        },
      });
      return () => subscription.unsubscribe();
    });
}
