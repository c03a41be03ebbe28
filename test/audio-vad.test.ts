/**
 * The `vadProbabilities` operator (frame + step over a session made with `sileroV5Card`): however the audio
 * arrives — one block, or odd-sized pieces as a microphone delivers them — the probabilities are the same
 * (exactly, on the same backend), one per 512-sample chunk, the last chunk zero-padded; two subscriptions
 * to one session get independent state. At 8 kHz the model takes 256-sample chunks with 32 of context; the
 * reference there is the authors' wrapper re-done on onnxruntime-node (1e-5).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { from, lastValueFrom, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { resample } from '../src/audio/resample.js';
import { sileroV5Card, vadProbabilities } from '../src/audio/silero-vad.js';
import { decodeWav } from '../src/audio/wav.js';
import { createStepSession } from '../src/session/step-session.js';
import type { StepSession } from '../src/session/types.js';
import { ROOT } from './cli-harness.js';

const MODEL = join(ROOT, 'node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx');
// The first 4 s of the recording: silence, then the first phrase.
const speech = decodeWav(new Uint8Array(readFileSync(join(ROOT, 'examples/data/speech.wav')))).channels[0]!.subarray(0, 4 * 16000 + 100);

const sessions: StepSession[] = [];
afterAll(async () => {
  for (const s of sessions) await s.dispose();
});

async function probs(session: StepSession, pieces: Float32Array[], sampleRate: 16000 | 8000 = 16000): Promise<number[]> {
  return lastValueFrom(from(pieces).pipe(vadProbabilities(session, { sampleRate }), toArray()));
}

function split(x: Float32Array, seed: number): Float32Array[] {
  const out: Float32Array[] = [];
  let s = seed;
  for (let i = 0; i < x.length; ) {
    s = (s * 48271) % 2147483647;
    const n = 1 + (s % 1500);
    out.push(x.subarray(i, i + n));
    i += n;
  }
  return out;
}

describe('vadProbabilities', () => {
  it('gives one probability per 512 samples, the same however the audio is cut', async () => {
    const session = await createStepSession(MODEL, { backend: 'ort-node', card: sileroV5Card(16000) });
    sessions.push(session);
    const whole = await probs(session, [speech]);
    expect(whole).toHaveLength(Math.ceil(speech.length / 512));
    expect(await probs(session, split(speech, 11))).toEqual(whole);
    // Speech starts at 1.0 s in this recording.
    expect(Math.max(...whole.slice(0, 25))).toBeLessThan(0.5);
    expect(Math.max(...whole.slice(40, 100))).toBeGreaterThan(0.9);
  });

  it('keeps the state of two concurrent subscriptions apart', async () => {
    const session = await createStepSession(MODEL, { backend: 'ort-node', card: sileroV5Card(16000) });
    sessions.push(session);
    const alone = await probs(session, [speech]);
    const [a, b] = await Promise.all([probs(session, split(speech, 3)), probs(session, split(speech, 5))]);
    expect(a).toEqual(alone);
    expect(b).toEqual(alone);
  });

  it('runs at 8 kHz with 256-sample chunks and 32 of context, like the reference wrapper (1e-5)', async () => {
    const at8k = resample(speech, 16000, 8000);
    const session = await createStepSession(MODEL, { backend: 'ort-node', card: sileroV5Card(8000) });
    sessions.push(session);
    const got = await probs(session, [at8k], 8000);
    expect(got).toHaveLength(Math.ceil(at8k.length / 256));
    const s = await ort.InferenceSession.create(MODEL);
    let state = new ort.Tensor('float32', new Float32Array(256), [2, 1, 128]);
    const sr = new ort.Tensor('int64', BigInt64Array.from([8000n]), []);
    let ctx = new Float32Array(32);
    for (let i = 0, k = 0; i < at8k.length; i += 256, k++) {
      const x = new Float32Array(288);
      x.set(ctx);
      x.set(at8k.subarray(i, i + 256), 32);
      const r = await s.run({ input: new ort.Tensor('float32', x, [1, 288]), state, sr });
      state = r.stateN as ort.TypedTensor<'float32'>;
      ctx = x.slice(256);
      expect(Math.abs(got[k]! - (r.output!.data as Float32Array)[0]!)).toBeLessThanOrEqual(1e-5);
    }
    await s.release();
  });

  it('rejects a rate the model was not trained for', () => {
    expect(() => sileroV5Card(44100 as 16000)).toThrow(/16000 or 8000 Hz, got 44100/);
  });
});
