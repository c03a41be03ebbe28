/**
 * An audio file as the VAD needs it: decoded and downmixed to mono, with the original format kept for the
 * summary line. Decoding errors name the file.
 */
import { downmix } from '../audio/downmix.js';
import { decodeWav, type DecodedAudio } from '../audio/wav.js';
import { AudioFormatError } from '../errors.js';
import type { CliIo } from './io.js';
import { readAll, readInputFile } from './files.js';

export interface PreparedAudio {
  /** Mono samples at their own rate (`source.sampleRate`); resample with `resampleTo` as they stream. */
  samples: Float32Array;
  source: { sampleRate: number; channels: number; encoding: DecodedAudio['encoding']; seconds: number };
}

/** Reads `path` (or stdin for `-`) as WAV, downmixed to mono. */
export async function readAudio(path: string, io: CliIo): Promise<PreparedAudio> {
  const bytes = path === '-' ? await readAll(io.stdin) : await readInputFile(path, 'audio file');
  const name = path === '-' ? 'standard input' : `'${path}'`;
  let decoded: DecodedAudio;
  try {
    decoded = decodeWav(bytes);
  } catch (e) {
    if (e instanceof AudioFormatError) throw new AudioFormatError(`cannot decode ${name}: ${e.message}`, { cause: e });
    throw e;
  }
  const frames = decoded.channels[0]!.length;
  if (frames === 0) throw new AudioFormatError(`${name} holds no samples (an empty 'data' chunk)`);
  const mono = downmix(decoded.channels);
  return {
    samples: mono,
    source: {
      sampleRate: decoded.sampleRate,
      channels: decoded.channels.length,
      encoding: decoded.encoding,
      seconds: frames / decoded.sampleRate,
    },
  };
}
