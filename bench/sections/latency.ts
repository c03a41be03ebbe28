/**
 * Per-step latency at batch 1, state carried, after warm-up: LSTM and GRU step models of every size on
 * each ONNX engine and on the TensorFlow.js peer. Each engine is first checked against onnxruntime-node
 * (one thread) on the same frames; then one step is timed per sample.
 */
import { compareTraces, trace, type Trace } from '../agreement.js';
import { attempt, type BenchContext } from '../context.js';
import { openSession, SESSION_ENGINES, type SessionEngine } from '../engines.js';
import { forceGc, measureAsync, measureSync, settledRssMB, type MeasureOptions } from '../measure.js';
import { buildStepModel, makeFrames, type Cell, type StepModel } from '../models.js';
import { toRecord } from '../record.js';
import { createTfPeer } from '../tfjs-peer.js';

/** Frames cycled through while timing (a power of two, indexed with a mask). */
const RING = 64;

let ortWebWarmed = false;

/** The warm-up for `engine`: onnxruntime-web's first one is long (see DESIGN.md on wasm re-tiering). */
export function warmupFor(ctx: BenchContext, engine: string, base: MeasureOptions): MeasureOptions {
  if (engine !== 'ort-web' || ortWebWarmed) return base;
  ortWebWarmed = true;
  return { ...base, warmupMs: Math.max(base.warmupMs, ctx.config.ortWebFirstWarmupMs) };
}

async function sessionTrace(engine: SessionEngine, model: StepModel, frames: Float32Array[], steps: number): Promise<Trace> {
  const s = await openSession(engine, model.bytes, model.card);
  try {
    return await trace(steps, async (k) => (await s.step(frames[k]!)).hn!.data as Float32Array);
  } finally {
    await s.dispose();
  }
}

async function measureSessionEngine(ctx: BenchContext, engine: SessionEngine, model: StepModel, frames: Float32Array[], reference: Trace): Promise<void> {
  const { config, results } = ctx;
  const shape = { model: model.cell, input: model.input, hidden: model.hidden, batch: 1 } as const;
  await forceGc();
  const s = await openSession(engine, model.bytes, model.card);
  try {
    const rss = await settledRssMB();
    const got = await trace(config.checkSteps, async (k) => (await s.step(frames[k]!)).hn!.data as Float32Array);
    results.checks.push(compareTraces(got, reference, { ...shape, engine, reference: 'ort-node-1t' }));
    let k = 0;
    await forceGc();
    const timing = await measureAsync(() => s.step(frames[k++ & (RING - 1)]!), warmupFor(ctx, engine, config.latency));
    results.records.push(toRecord({ ...shape, engine }, timing, rss));
    ctx.log(`  ${model.cell} ${model.input}x${model.hidden} ${engine}: ${timing.medianUs.toFixed(1)} µs`);
  } finally {
    await s.dispose();
  }
}

async function measureTfjs(ctx: BenchContext, model: StepModel, frames: Float32Array[], reference: Trace): Promise<void> {
  const { config, results } = ctx;
  const shape = { model: model.cell, input: model.input, hidden: model.hidden, batch: 1 } as const;
  await forceGc();
  const peer = await createTfPeer(model, frames);
  try {
    const rss = await settledRssMB();
    const got = await trace(config.checkSteps, (k) => peer.step(k));
    results.checks.push(compareTraces(got, reference, { ...shape, engine: 'tfjs', reference: 'ort-node-1t' }));
    let k = 0;
    await forceGc();
    const tensorsBefore = peer.numTensors();
    const timing = measureSync(() => void peer.step(k++), config.latency);
    if (peer.numTensors() !== tensorsBefore) throw new Error(`the TensorFlow.js peer leaked ${peer.numTensors() - tensorsBefore} tensors while timed`);
    results.records.push(toRecord({ ...shape, engine: 'tfjs' }, timing, rss));
    ctx.log(`  ${model.cell} ${model.input}x${model.hidden} tfjs: ${timing.medianUs.toFixed(1)} µs`);
  } finally {
    peer.dispose();
  }
}

async function measureModel(ctx: BenchContext, cell: Cell, input: number, hidden: number): Promise<void> {
  const model = buildStepModel(cell, input, hidden);
  const frames = makeFrames(RING, input);
  const reference = await sessionTrace('ort-node-1t', model, frames, ctx.config.checkSteps);
  const what = `latency ${cell} ${input}x${hidden}`;
  for (const engine of SESSION_ENGINES) await attempt(ctx, `${what} ${engine}`, () => measureSessionEngine(ctx, engine, model, frames, reference));
  await attempt(ctx, `${what} tfjs`, () => measureTfjs(ctx, model, frames, reference));
}

export async function latencySection(ctx: BenchContext): Promise<void> {
  ctx.log('per-step latency (batch 1)');
  for (const cell of ['lstm', 'gru'] as const) {
    for (const [input, hidden] of ctx.config.sizes) await attempt(ctx, `latency ${cell} ${input}x${hidden}`, () => measureModel(ctx, cell, input, hidden));
  }
}
