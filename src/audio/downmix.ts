/**
 * Multichannel → mono by averaging the channels, as Silero's own `read_audio` does (`wav.mean(dim=0)`).
 * Averaging (not summing) keeps the result within [-1, 1] whatever the channel count.
 */
import { AudioFormatError } from '../errors.js';

/**
 * Averages channels into one. A single channel is returned as is (no copy).
 *
 * @example
 * ```ts
 * const mono = downmix([left, right]);
 * ```
 */
export function downmix(channels: readonly Float32Array[]): Float32Array {
  if (channels.length === 0) throw new AudioFormatError('cannot downmix audio with no channels');
  if (channels.length === 1) return channels[0]!;
  const n = channels[0]!.length;
  for (const c of channels) {
    if (c.length !== n) {
      throw new AudioFormatError(`channels differ in length (${n} and ${c.length} samples); expected equal lengths`);
    }
  }
  const out = new Float32Array(n);
  const scale = 1 / channels.length;
  for (const c of channels) for (let i = 0; i < n; i++) out[i]! += c[i]!;
  for (let i = 0; i < n; i++) out[i]! *= scale;
  return out;
}
