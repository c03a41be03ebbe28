/**
 * WAV decoding as the bytes arrive (a pipe from a recorder, a socket): the header is read once it is all
 * there, then every push returns the whole frames it completed, one array per channel. The same checks
 * and messages as {@link decodeWav}; a stream that ends before the data its header declares is a
 * truncated WAV — unless the size is a pipe writer's placeholder, which just means "until the end".
 */
import { AudioFormatError } from '../errors.js';
import { decodeFrames, readWavLayout, type WavLayout } from './wav.js';
import type { DecodedAudio } from './wav.js';

/**
 * @example
 * ```ts
 * const dec = new WavStreamDecoder();
 * for await (const bytes of stream) for (const block of [dec.push(bytes)]) if (block) use(block.channels);
 * dec.end();
 * ```
 */
export class WavStreamDecoder {
  private layout: WavLayout | undefined;
  /** Bytes not yet decoded: the header while it is incomplete, then a partial frame. */
  private pending = new Uint8Array(0);
  /** Data bytes consumed so far. */
  private consumed = 0;
  private ended = false;

  /** The format, once the header has arrived. */
  get format(): Omit<DecodedAudio, 'channels'> | undefined {
    const f = this.layout?.fmt;
    return f && { sampleRate: f.sampleRate, encoding: { format: f.format, bitsPerSample: f.bitsPerSample } };
  }

  /** Channel count, once the header has arrived. */
  get channelCount(): number | undefined {
    return this.layout?.fmt.channels;
  }

  /** Feeds bytes; returns the frames they complete (one array per channel), or undefined if none. */
  push(bytes: Uint8Array): Float32Array[] | undefined {
    if (this.ended) throw new AudioFormatError('WavStreamDecoder: push after end');
    const buf = this.pending.length ? concat(this.pending, bytes) : bytes;
    let start = 0;
    if (!this.layout) {
      this.layout = readWavLayout(buf, false);
      if (!this.layout) {
        this.pending = buf.slice();
        return undefined;
      }
      start = this.layout.dataOffset;
    }
    const { fmt, dataBytes, placeholder } = this.layout;
    let usable = buf.length - start;
    // Bytes past the declared data (a chunk after it) are not samples.
    const left = placeholder ? Infinity : dataBytes - this.consumed;
    if (usable > left) usable = left;
    const frames = Math.floor(usable / fmt.blockAlign);
    const used = frames * fmt.blockAlign;
    this.consumed += used;
    const rest = buf.subarray(start + used);
    this.pending = this.consumed >= dataBytes && !placeholder ? new Uint8Array(0) : rest.slice(0, Math.min(rest.length, fmt.blockAlign));
    return frames > 0 ? decodeFrames(buf, start, frames, fmt) : undefined;
  }

  /** Ends the stream; throws if it ended inside the header or before the declared data. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.layout) {
      readWavLayout(this.pending, true); // throws the precise reason (empty, not WAV, truncated header)
      throw new AudioFormatError("truncated WAV: no 'data' chunk found after the header");
    }
    if (!this.layout.placeholder && this.consumed < this.layout.dataBytes) {
      throw new AudioFormatError(
        `truncated WAV: the 'data' chunk declares ${this.layout.dataBytes} bytes, only ${this.consumed + this.pending.length} arrived`,
      );
    }
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
