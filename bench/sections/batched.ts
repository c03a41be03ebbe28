/**
 * Batched streams: N streams as N slots of one session, stepped with one `stepMany` (one backend call per
 * step for all of them), against N separate sessions stepped one after another. Before timing, each slot's
 * outputs over a few steps are checked against the same stream stepped alone, and the slots must cost
 * exactly one backend call per `stepMany`.
 */
import { compareTraces, type Trace } from '../agreement.js';
import { attempt, type BenchContext } from '../context.js';
import { openSession, SESSION_ENGINES, type SessionEngine } from '../engines.js';
import { forceGc, measureAsync, settledRssMB } from '../measure.js';
import { buildStepModel, makeFrames, type StepModel } from '../models.js';
import { toRecord } from '../record.js';
import type { StepInput, StepSession, Slot } from '../../src/session/types.js';
import { warmupFor } from './latency.js';

const RING = 64;

/** Each stream's hidden state after each of `steps` steps, stream k fed frames[(k + t) % RING] at step t. */
async function slotTraces(s: StepSession, slots: Slot[], frames: Float32Array[], steps: number): Promise<Trace[]> {
  const traces: Trace[] = slots.map(() => []);
  for (let t = 0; t < steps; t++) {
    const out = await s.stepMany(slots.map((slot, k) => ({ slot, input: frames[(k + t) % RING]! })));
    out.forEach((o, k) => {
      if (o instanceof Error) throw o;
      traces[k]!.push(Float32Array.from(o.hn!.data as Float32Array));
    });
  }
  return traces;
}

/** The same streams run one by one through a lone session, reset between streams: the reference. */
async function loneTraces(lone: StepSession, streams: number, frames: Float32Array[], steps: number): Promise<Trace[]> {
  const traces: Trace[] = [];
  for (let k = 0; k < streams; k++) {
    lone.reset();
    const tr: Trace = [];
    for (let t = 0; t < steps; t++) tr.push(Float32Array.from((await lone.step(frames[(k + t) % RING]!)).hn!.data as Float32Array));
    traces.push(tr);
  }
  return traces;
}

async function measureEngine(ctx: BenchContext, engine: SessionEngine, model: StepModel, streams: number, frames: Float32Array[]): Promise<void> {
  const { config, results } = ctx;
  const base = { engine, model: model.cell, input: model.input, hidden: model.hidden } as const;
  const checkSteps = Math.min(4, config.checkSteps);

  // N slots of one session; checked against a lone session fed each stream's frames in turn.
  await forceGc();
  const s = await openSession(engine, model.bytes, model.card);
  try {
    const slots = [s.defaultSlot, ...Array.from({ length: streams - 1 }, () => s.addSlot())];
    const rssSlots = await settledRssMB();
    const runsBefore = s.stats.runs;
    const slotTr = await slotTraces(s, slots, frames, checkSteps);
    const runs = s.stats.runs - runsBefore;
    const lone = await openSession(engine, model.bytes, model.card);
    const loneTr = await loneTraces(lone, streams, frames, checkSteps).finally(() => lone.dispose());
    let worst = compareTraces(slotTr[0]!, loneTr[0]!, { ...base, reference: engine });
    for (let k = 1; k < streams && worst.ok; k++) {
      const c = compareTraces(slotTr[k]!, loneTr[k]!, { ...base, reference: engine });
      if (!c.ok || c.maxAbsDiff > worst.maxAbsDiff) worst = c;
    }
    const oneCall = runs === checkSteps;
    results.checks.push({
      ...worst,
      ok: worst.ok && oneCall,
      note: `${streams} slots stepped together vs each stream alone on ${engine}; ${runs} backend calls for ${checkSteps} stepMany calls${oneCall ? '' : ' (expected one each)'}`,
    });

    const batch: { slot: Slot; input: StepInput }[] = slots.map((slot, k) => ({ slot, input: frames[k & (RING - 1)]! }));
    await forceGc();
    const tSlots = await measureAsync(() => s.stepMany(batch), warmupFor(ctx, engine, config.batched));
    results.records.push(toRecord({ ...base, batch: streams }, tSlots, rssSlots));
    ctx.log(`  ${streams} streams ${engine} in slots: ${(tSlots.medianUs / streams).toFixed(2)} µs/stream-step`);
  } finally {
    await s.dispose();
  }

  // N separate sessions, stepped one after another per timed round.
  await forceGc();
  const sessions: StepSession[] = [];
  try {
    for (let k = 0; k < streams; k++) sessions.push(await openSession(engine, model.bytes, model.card));
    const rssSeparate = await settledRssMB();
    await forceGc();
    const tSeparate = await measureAsync(async () => {
      for (let k = 0; k < streams; k++) await sessions[k]!.step(frames[k & (RING - 1)]!);
    }, config.batched);
    results.records.push(toRecord({ ...base, batch: 1, streams }, tSeparate, rssSeparate));
    ctx.log(`  ${streams} streams ${engine} as separate sessions: ${(tSeparate.medianUs / streams).toFixed(2)} µs/stream-step`);
  } finally {
    for (const x of sessions) await x.dispose();
  }
}

export async function batchedSection(ctx: BenchContext): Promise<void> {
  const [input, hidden] = ctx.config.streamSize;
  ctx.log(`batched streams (lstm ${input}x${hidden})`);
  const model = buildStepModel('lstm', input, hidden);
  const frames = makeFrames(RING, input);
  for (const streams of ctx.config.streams) {
    for (const engine of SESSION_ENGINES) await attempt(ctx, `batched ${streams} streams ${engine}`, () => measureEngine(ctx, engine, model, streams, frames));
  }
}
