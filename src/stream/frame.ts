import { Observable, type OperatorFunction } from 'rxjs';
import { InputError } from '../errors.js';

export interface FrameOptions {
  /** Samples per frame. */
  size: number;
  /** Samples between the starts of consecutive frames (default `size`: back to back; less: overlapping). */
  hop?: number;
  /**
   * The last frame when the source completes with samples no frame has covered yet: `'pad'` emits it padded
   * with `padValue`, `'drop'` (default) leaves those samples out.
   */
  final?: 'pad' | 'drop';
  /** Padding for a final partial frame (default 0). */
  padValue?: number;
}

/**
 * Framing: sample chunks of any length, as a microphone or a socket delivers them, become frames of `size`
 * samples every `hop` samples. Lossless: every sample lands in the frames exactly as sent, whatever the
 * chunk boundaries were. Each emitted frame is a new `Float32Array` the caller owns; chunks are copied in,
 * never kept.
 *
 * @param options frame size, hop, and what to do with a final partial frame.
 *
 * @example
 * ```ts
 * import { frame, step } from 'rxrnn';
 * microphone$.pipe(frame({ size: 512, hop: 256, final: 'pad' }), step(session)).subscribe(...);
 * ```
 */
export function frame(options: FrameOptions): OperatorFunction<ArrayLike<number>, Float32Array> {
  const size = options.size;
  const hop = options.hop ?? size;
  const final = options.final ?? 'drop';
  const padValue = options.padValue ?? 0;
  if (!Number.isInteger(size) || size < 1) throw new InputError(`frame: size must be an integer >= 1, got ${String(size)}`);
  if (!Number.isInteger(hop) || hop < 1) throw new InputError(`frame: hop must be an integer >= 1, got ${String(hop)}`);
  if (final !== 'pad' && final !== 'drop') throw new InputError(`frame: final must be 'pad' or 'drop', got ${String(final)}`);
  return (source) =>
    new Observable<Float32Array>((subscriber) => {
      // buffer[start, end) holds samples not yet consumed; `skip` counts samples still to discard when
      // hop > size leaves gaps between frames.
      let buffer = new Float32Array(Math.max(2 * size, 64));
      let start = 0;
      let end = 0;
      let skip = 0;
      // Whether buffer[start, end) holds samples no emitted frame covered (with hop < size, the head of the
      // buffer was already part of the previous frame).
      let coveredUntil = 0;
      let chunkIndex = 0;

      const append = (chunk: ArrayLike<number>): void => {
        let from = 0;
        if (skip > 0) {
          from = Math.min(skip, chunk.length);
          skip -= from;
        }
        const n = chunk.length - from;
        if (end + n > buffer.length) {
          const live = end - start;
          if (live + n > buffer.length) {
            const grown = new Float32Array(Math.max(buffer.length * 2, live + n));
            grown.set(buffer.subarray(start, end));
            buffer = grown;
          } else {
            buffer.copyWithin(0, start, end);
          }
          coveredUntil -= start;
          start = 0;
          end = live;
        }
        for (let i = from; i < chunk.length; i++) buffer[end++] = chunk[i]!;
      };

      return source.subscribe({
        next: (chunk) => {
          if (chunk === null || typeof chunk !== 'object' || typeof chunk.length !== 'number') {
            subscriber.error(new InputError(`frame: chunk ${chunkIndex} is not an array of samples (got ${chunk === null ? 'null' : typeof chunk}); send Float32Array or number[] chunks`));
            return;
          }
          chunkIndex++;
          append(chunk);
          while (end - start >= size) {
            const out = buffer.slice(start, start + size);
            coveredUntil = start + size;
            if (hop <= end - start) {
              start += hop;
            } else {
              skip = hop - (end - start);
              start = end;
            }
            subscriber.next(out);
          }
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          if (final === 'pad' && end > Math.max(start, coveredUntil)) {
            const out = new Float32Array(size).fill(padValue);
            out.set(buffer.subarray(start, end));
            subscriber.next(out);
          }
          subscriber.complete();
        },
      });
    });
}
