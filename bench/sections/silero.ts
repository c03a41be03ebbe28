/**
 * Silero VAD v5 per 512-sample chunk at 16 kHz (576 samples fed, with the 64-sample context the session
 * carries), on each ONNX engine, with its real-time factor: time per chunk / the 32 ms the chunk holds.
 * Each engine's probabilities are first checked against onnxruntime-node's on the same audio.
 */
import { compareTraces, trace } from '../agreement.js';
import type { BenchContext } from '../context.js';
import { openSession, SESSION_ENGINES } from '../engines.js';
import { forceGc, measureAsync, settledRssMB } from '../measure.js';
import { audioChunks, sileroV5 } from '../models.js';
import { toRecord } from '../record.js';
import { warmupFor } from './latency.js';

const RING = 64;
const CHUNK_US = (512 / 16000) * 1e6;

export async function sileroSection(ctx: BenchContext): Promise<void> {
  const { config, results } = ctx;
  ctx.log('silero vad v5 (512-sample chunks at 16 kHz)');
  const { bytes, card, chunk } = sileroV5();
  const chunks = audioChunks(RING, chunk);
  // input = samples fed per call (chunk + context), hidden = the state's width.
  const shape = { model: 'silero-v5', input: chunk, hidden: 128, batch: 1 } as const;
  const probability = async (s: Awaited<ReturnType<typeof openSession>>, k: number) => (await s.step(chunks[k]!)).output!.data as Float32Array;

  const ref = await openSession('ort-node-1t', bytes, card);
  const reference = await trace(config.checkSteps, (k) => probability(ref, k));
  await ref.dispose();

  for (const engine of SESSION_ENGINES) {
    await forceGc();
    const s = await openSession(engine, bytes, card);
    try {
      const rss = await settledRssMB();
      const got = await trace(config.checkSteps, (k) => probability(s, k));
      results.checks.push(compareTraces(got, reference, { ...shape, engine, reference: 'ort-node-1t' }));
      let k = 0;
      await forceGc();
      const timing = await measureAsync(() => s.step(chunks[k++ & (RING - 1)]!), warmupFor(ctx, engine, config.silero));
      const record = toRecord({ ...shape, engine }, timing, rss);
      record.realTimeFactor = Math.round((timing.medianUs / CHUNK_US) * 1e5) / 1e5;
      results.records.push(record);
      ctx.log(`  silero ${engine}: ${timing.medianUs.toFixed(1)} µs, RTF ${record.realTimeFactor}`);
    } finally {
      await s.dispose();
    }
  }
}
