/**
 * Silero VAD v5 per 512-sample chunk at 16 kHz (576 samples fed, with the 64-sample context the session
 * carries), on each ONNX engine, with its real-time factor: time per chunk / the 32 ms the chunk holds.
 * Each engine's probabilities are first checked against onnxruntime-node's on the same audio.
 */
import { compareTraces, trace, type Trace } from '../agreement.js';
import { attempt, type BenchContext } from '../context.js';
import { openSession, SESSION_ENGINES, type SessionEngine } from '../engines.js';
import { forceGc, measureAsync, settledRssMB } from '../measure.js';
import { audioChunks, sileroV5 } from '../models.js';
import { toRecord } from '../record.js';
import type { StepSession } from '../../src/session/types.js';
import { warmupFor } from './latency.js';

const RING = 64;
const CHUNK_US = (512 / 16000) * 1e6;
/** input = new samples per call (the 64 of context come on top), hidden = the state's width. */
const SHAPE = { model: 'silero-v5', input: 512, hidden: 128, batch: 1 } as const;

type Silero = ReturnType<typeof sileroV5>;

const probability = async (s: StepSession, chunks: Float32Array[], k: number) => (await s.step(chunks[k]!)).output!.data as Float32Array;

async function measureEngine(ctx: BenchContext, engine: SessionEngine, silero: Silero, chunks: Float32Array[], reference: Trace): Promise<void> {
  const { config, results } = ctx;
  await forceGc();
  const s = await openSession(engine, silero.bytes, silero.card);
  try {
    const rss = await settledRssMB();
    const got = await trace(config.checkSteps, (k) => probability(s, chunks, k));
    results.checks.push(compareTraces(got, reference, { ...SHAPE, engine, reference: 'ort-node-1t' }));
    let k = 0;
    await forceGc();
    const timing = await measureAsync(() => s.step(chunks[k++ & (RING - 1)]!), warmupFor(ctx, engine, config.silero));
    const record = toRecord({ ...SHAPE, engine }, timing, rss);
    record.realTimeFactor = Math.round((timing.medianUs / CHUNK_US) * 1e5) / 1e5;
    results.records.push(record);
    ctx.log(`  silero ${engine}: ${timing.medianUs.toFixed(1)} µs, RTF ${record.realTimeFactor}`);
  } finally {
    await s.dispose();
  }
}

export async function sileroSection(ctx: BenchContext): Promise<void> {
  ctx.log('silero vad v5 (512-sample chunks at 16 kHz)');
  const silero = sileroV5();
  const chunks = audioChunks(RING, silero.chunk);
  const ref = await openSession('ort-node-1t', silero.bytes, silero.card);
  const reference = await trace(ctx.config.checkSteps, (k) => probability(ref, chunks, k)).finally(() => ref.dispose());
  for (const engine of SESSION_ENGINES) await attempt(ctx, `silero ${engine}`, () => measureEngine(ctx, engine, silero, chunks, reference));
}
