/**
 * Issue 2 §5: both Silero VAD graphs (shipped in @ricky0123/vad-web, nobody here wrote them) run on the
 * built-in executor. Over every 512-sample chunk of the project's own speech recording, with each engine
 * carrying its own recurrent state from chunk to chunk, every speech probability is within 1e-4 of
 * onnxruntime-node's on the same model bytes and the same chunks.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { createExecutor } from '../src/executor/executor.js';
import { readModel } from '../src/onnx/read.js';
import { tensor, type Tensor } from '../src/tensor.js';

const CHUNK = 512;
const RATE = 16000;
const PROBABILITY_ATOL = 1e-4;
const vadDist = dirname(createRequire(import.meta.url).resolve('@ricky0123/vad-web/dist/silero_vad_v5.onnx'));

/** The samples of a 16-bit mono PCM WAV as floats in [-1, 1); only the format this recording uses. */
function readPcm16Mono(path: string): Float32Array {
  const buf = readFileSync(path);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  expect(buf.toString('ascii', 0, 4)).toBe('RIFF');
  let offset = 12;
  let format: { channels: number; rate: number; bits: number } | undefined;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = view.getUint32(offset + 4, true);
    if (id === 'fmt ') {
      format = { channels: view.getUint16(offset + 10, true), rate: view.getUint32(offset + 12, true), bits: view.getUint16(offset + 22, true) };
    } else if (id === 'data') {
      expect(format).toEqual({ channels: 1, rate: RATE, bits: 16 });
      const out = new Float32Array(size / 2);
      for (let i = 0; i < out.length; i++) out[i] = view.getInt16(offset + 8 + 2 * i, true) / 32768;
      return out;
    }
    offset += 8 + size + (size & 1);
  }
  throw new Error(`${path}: no data chunk`);
}

const speech = readPcm16Mono(join(import.meta.dirname, '../examples/data/speech.wav'));
const chunkCount = Math.floor(speech.length / CHUNK);

/** One chunk's model inputs given the state carried so far; returns the next state and the probability. */
interface Variant {
  file: string;
  feeds(chunk: number, state: Record<string, Tensor>): Record<string, Tensor>;
  initialState(): Record<string, Tensor>;
  /** Graph output name → the state input it feeds next time. */
  stateOutputs: Record<string, string>;
}

const sr = () => tensor('int64', [], [BigInt(RATE)]);

const VARIANTS: Variant[] = [
  {
    // v5 wants the previous chunk's last 64 samples in front of each chunk (zeros before the first).
    file: 'silero_vad_v5.onnx',
    feeds: (k, state) => {
      const input = new Float32Array(64 + CHUNK);
      if (k > 0) input.set(speech.subarray(k * CHUNK - 64, k * CHUNK), 0);
      input.set(speech.subarray(k * CHUNK, (k + 1) * CHUNK), 64);
      return { input: tensor('float32', [1, 64 + CHUNK], input), sr: sr(), ...state };
    },
    initialState: () => ({ state: tensor('float32', [2, 1, 128]) }),
    stateOutputs: { stateN: 'state' },
  },
  {
    file: 'silero_vad_legacy.onnx',
    feeds: (k, state) => ({ input: tensor('float32', [1, CHUNK], speech.slice(k * CHUNK, (k + 1) * CHUNK)), sr: sr(), ...state }),
    initialState: () => ({ h: tensor('float32', [2, 1, 64]), c: tensor('float32', [2, 1, 64]) }),
    stateOutputs: { hn: 'h', cn: 'c' },
  },
];

function copyOf(t: { type: string; dims: readonly number[]; data: unknown }): Tensor {
  return tensor(t.type as 'float32', [...t.dims], Float32Array.from(t.data as Float32Array));
}

describe.each(VARIANTS)('Silero VAD $file on the built-in executor', (variant) => {
  it(`matches onnxruntime-node within ${PROBABILITY_ATOL} on every chunk of speech.wav with state carried`, async () => {
    expect(chunkCount).toBeGreaterThanOrEqual(200);
    const bytes = readFileSync(join(vadDist, variant.file));
    const exec = createExecutor(readModel(bytes));
    const session = await ort.InferenceSession.create(bytes);
    let builtinState = variant.initialState();
    let ortState = variant.initialState();
    const builtinProbs: number[] = [];
    const ortProbs: number[] = [];
    let allocationsAfterWarmup = -1;
    for (let k = 0; k < chunkCount; k++) {
      const mine = exec.run(variant.feeds(k, builtinState));
      builtinProbs.push(mine.output!.data[0] as number);
      const nextMine: Record<string, Tensor> = {};
      // Copy the state out: the executor's outputs are its pool buffers, reused by the next run.
      for (const [out, input] of Object.entries(variant.stateOutputs)) nextMine[input] = copyOf({ ...mine[out]!, type: 'float32' });
      builtinState = nextMine;

      const feeds: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(variant.feeds(k, ortState))) feeds[name] = new ort.Tensor(t.dtype, t.data as never, [...t.dims]);
      const ref = await session.run(feeds);
      ortProbs.push((ref.output!.data as Float32Array)[0]!);
      const nextOrt: Record<string, Tensor> = {};
      for (const [out, input] of Object.entries(variant.stateOutputs)) nextOrt[input] = copyOf(ref[out]!);
      ortState = nextOrt;
      if (k === 1) allocationsAfterWarmup = exec.pool.allocations;
    }
    await session.release();

    let worst = 0;
    let worstAt = -1;
    for (let k = 0; k < chunkCount; k++) {
      const diff = Math.abs(builtinProbs[k]! - ortProbs[k]!);
      if (!(diff <= worst)) {
        worst = diff;
        worstAt = k;
      }
    }
    expect(worst, `largest |builtin - ort| probability difference, at chunk ${worstAt}`).toBeLessThanOrEqual(PROBABILITY_ATOL);
    // The comparison means something only if the recording contains both speech and silence for the model.
    expect(Math.max(...ortProbs)).toBeGreaterThan(0.5);
    expect(Math.min(...ortProbs)).toBeLessThan(0.2);
    // Same shapes every chunk: after the first runs the plan's pool serves every buffer.
    expect(exec.pool.allocations).toBe(allocationsAfterWarmup);
    exec.dispose();
  });
});
