/**
 * Resampling as an RxJS operator, for audio that arrives in blocks (a microphone, a socket, a file read
 * piece by piece): each block goes through one streaming {@link Resampler}, and the filter's tail is
 * emitted when the source completes. Output is identical to resampling the whole signal at once.
 */
import { Observable, type OperatorFunction } from 'rxjs';
import { Resampler, type ResampleOptions } from './resample.js';

/**
 * @param fromRate the rate of the incoming blocks
 * @param toRate the rate wanted (equal rates pass blocks through untouched)
 * @example
 * ```ts
 * import { resampleTo, vadProbabilities } from 'rxrnn';
 * mic48k$.pipe(resampleTo(48000, 16000), vadProbabilities(session)).subscribe(console.log);
 * ```
 */
export function resampleTo(fromRate: number, toRate: number, options?: ResampleOptions): OperatorFunction<Float32Array, Float32Array> {
  return (source) =>
    new Observable<Float32Array>((subscriber) => {
      // Created per subscription: each stream has its own filter history.
      const r = fromRate === toRate ? undefined : new Resampler(fromRate, toRate, options);
      const subscription = source.subscribe({
        next(block) {
          if (!r) return subscriber.next(block);
          let out: Float32Array;
          try {
            out = r.push(block);
          } catch (e) {
            subscriber.error(e);
            return;
          }
          if (out.length) subscriber.next(out);
        },
        error: (e: unknown) => subscriber.error(e),
        complete() {
          if (r) {
            const tail = r.flush();
            if (tail.length) subscriber.next(tail);
          }
          subscriber.complete();
        },
      });
      return () => subscription.unsubscribe();
    });
}
