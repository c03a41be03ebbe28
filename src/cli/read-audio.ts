/**
 * An audio input as the VAD takes it: mono blocks at the file's own rate, with the format known up front.
 * A file is decoded whole (so a truncated file is reported before any work); standard input is decoded as
 * it arrives, so a recorder piping into `rxrnn vad -` gets its segments while it is still recording.
 */
import { downmix } from '../audio/downmix.js';
import { decodeWav, type DecodedAudio } from '../audio/wav.js';
import { WavStreamDecoder } from '../audio/wav-stream.js';
import { AudioFormatError } from '../errors.js';
import type { CliIo } from './io.js';
import { readInputFile } from './files.js';

export interface AudioInput {
  sampleRate: number;
  channels: number;
  encoding: DecodedAudio['encoding'];
  /** Duration in seconds when known before reading (a file), else undefined. */
  seconds: number | undefined;
  /** Mono blocks at `sampleRate`, in order. */
  blocks: AsyncIterable<Float32Array> | Iterable<Float32Array>;
}

function named(path: string): string {
  return path === '-' ? 'standard input' : `'${path}'`;
}

function withName<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof AudioFormatError) throw new AudioFormatError(`cannot decode ${named(path)}: ${e.message}`, { cause: e });
    throw e;
  }
}

/** A WAV file, decoded whole and cut into one-second blocks. */
async function fromFile(path: string): Promise<AudioInput> {
  const bytes = await readInputFile(path, 'audio file');
  const decoded = withName(path, () => decodeWav(bytes));
  const frames = decoded.channels[0]!.length;
  if (frames === 0) throw new AudioFormatError(`${named(path)} holds no samples (an empty 'data' chunk)`);
  const mono = downmix(decoded.channels);
  const rate = decoded.sampleRate;
  const blocks: Float32Array[] = [];
  for (let i = 0; i < mono.length; i += rate) blocks.push(mono.subarray(i, i + rate));
  return { sampleRate: rate, channels: decoded.channels.length, encoding: decoded.encoding, seconds: frames / rate, blocks };
}

function asBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return new TextEncoder().encode(chunk);
  throw new AudioFormatError(`standard input delivered ${typeof chunk}, expected bytes`);
}

/** Standard input, decoded as it arrives; resolves once the header is in. */
async function fromStdin(io: CliIo): Promise<AudioInput> {
  const it = (io.stdin as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  const dec = new WavStreamDecoder();
  const early: Float32Array[] = [];
  while (!dec.format) {
    const next = await it.next();
    if (next.done) {
      withName('-', () => dec.end());
      break;
    }
    const block = withName('-', () => dec.push(asBytes(next.value)));
    if (block) early.push(downmix(block));
  }
  const format = dec.format!;
  async function* blocks(): AsyncGenerator<Float32Array> {
    let any = false;
    for (const b of early) {
      any ||= b.length > 0;
      yield b;
    }
    for (let next = await it.next(); !next.done; next = await it.next()) {
      const block = withName('-', () => dec.push(asBytes(next.value)));
      if (block) {
        any ||= block[0]!.length > 0;
        yield downmix(block);
      }
    }
    withName('-', () => dec.end());
    if (!any) throw new AudioFormatError("standard input holds no samples (an empty 'data' chunk)");
  }
  return { sampleRate: format.sampleRate, channels: dec.channelCount!, encoding: format.encoding, seconds: undefined, blocks: blocks() };
}

/** Opens `path` as WAV, or standard input for `-`. */
export function openAudio(path: string, io: CliIo): Promise<AudioInput> {
  return path === '-' ? fromStdin(io) : fromFile(path);
}
