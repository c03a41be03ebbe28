/**
 * An audio file as the VAD needs it: decoded, downmixed to mono, resampled to the model's rate, with the
 * original format kept for the summary line. Decoding errors name the file.
 */
import { downmix } from '../audio/downmix.js';
import { resample } from '../audio/resample.js';
import { decodeWav, type DecodedAudio } from '../audio/wav.js';
import { AudioFormatError } from '../errors.js';
import type { CliIo } from './io.js';
import { readAll, readInputFile } from './files.js';

export interface PreparedAudio {
  /** Mono samples at `sampleRate`. */
  samples: Float32Array;
  sampleRate: number;
  source: { sampleRate: number; channels: number; encoding: DecodedAudio['encoding']; seconds: number };
}

/** Reads `path` (or stdin for `-`) as WAV and prepares it at `rate` Hz. */
export async function readAudio(path: string, rate: number, io: CliIo): Promise<PreparedAudio> {
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
    samples: resample(mono, decoded.sampleRate, rate),
    sampleRate: rate,
    source: {
      sampleRate: decoded.sampleRate,
      channels: decoded.channels.length,
      encoding: decoded.encoding,
      seconds: frames / decoded.sampleRate,
    },
  };
}
