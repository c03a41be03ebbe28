/**
 * Pipeline overhead: the RxJS `step` operator against a bare loop over the same builtin session and slot,
 * in two ways, blocks of each alternating so that drift on a shared machine hits both alike:
 * - **back to back** (judged against the 10%): a block of frames through `from(frames).pipe(step(slot))`
 *   against `for (const x of frames) await slot.step(x)`; time per step = block time / block length;
 * - **one at a time** (reported): a frame pushed into a long-lived Subject and awaited to its emission,
 *   against one awaited `slot.step` — a live sensor's pattern, where the operator wakes up per item.
 * Both consumers read one output value (`project`), the least a consumer does.
 */
import { from, Subject } from 'rxjs';
import type { BenchContext } from '../context.js';
import { openSession } from '../engines.js';
import { forceGc, settledRssMB, summarise, type Timing } from '../measure.js';
import { buildStepModel, makeFrames } from '../models.js';
import { toRecord } from '../record.js';
import type { Slot, StepOutputs } from '../../src/session/types.js';
import { step } from '../../src/stream/step.js';

const RING = 64;

/** The measured operator overhead, for the targets. */
export interface OperatorOverhead {
  input: number;
  hidden: number;
  /** Back to back: per-step time of each block (block time / block length). */
  bare: Timing;
  operator: Timing;
  /** One at a time: per-step latency. */
  bareOneByOne: Timing;
  operatorOneByOne: Timing;
}

const project = (o: StepOutputs) => (o.hn!.data as Float32Array)[0]!;

/** Times `fn` per call into `samples[at..]`, `count` times. */
async function timeEach(samples: Float64Array, at: number, count: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < count; i++) {
    const t0 = process.hrtime.bigint();
    await fn(i);
    samples[at + i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
}

function oneByOne(slot: Slot): { push: (x: Float32Array) => Promise<number>; stop: () => void } {
  const subject = new Subject<Float32Array>();
  let emitted: ((v: number) => void) | undefined;
  let failed: ((e: unknown) => void) | undefined;
  const sub = subject.pipe(step(slot, { project })).subscribe({ next: (v) => emitted!(v), error: (e) => failed!(e) });
  return {
    push: (x) =>
      new Promise<number>((resolve, reject) => {
        emitted = resolve;
        failed = reject;
        subject.next(x);
      }),
    stop: () => sub.unsubscribe(),
  };
}

export async function operatorSection(ctx: BenchContext): Promise<OperatorOverhead> {
  const { config, results } = ctx;
  const [input, hidden] = config.streamSize;
  ctx.log(`step operator vs bare loop (builtin lstm ${input}x${hidden})`);
  const model = buildStepModel('lstm', input, hidden);
  const frames = makeFrames(RING, input);
  const { blocks, stepsPerBlock, warmupSteps } = config.operator;
  const block = Array.from({ length: stepsPerBlock }, (_, i) => frames[i & (RING - 1)]!);
  await forceGc();
  const s = await openSession('builtin', model.bytes, model.card);
  const rss = await settledRssMB();
  const slot = s.defaultSlot;

  const bareBlock = async () => {
    for (const x of block) project(await slot.step(x));
  };
  const operatorBlock = () =>
    new Promise<void>((resolve, reject) => {
      from(block).pipe(step(slot, { project })).subscribe({ complete: resolve, error: reject });
    });
  const live = oneByOne(slot);
  const bareOne = async (i: number) => project(await slot.step(frames[i & (RING - 1)]!));
  const operatorOne = (i: number) => live.push(frames[i & (RING - 1)]!);

  const bare = new Float64Array(blocks);
  const operator = new Float64Array(blocks);
  const bareOnes = new Float64Array(blocks * stepsPerBlock);
  const operatorOnes = new Float64Array(blocks * stepsPerBlock);
  try {
    for (let i = 0; i * stepsPerBlock < warmupSteps; i++) {
      await bareBlock();
      await operatorBlock();
      for (let k = 0; k < stepsPerBlock; k++) await bareOne(k), await operatorOne(k);
    }
    await forceGc();
    for (let b = 0; b < blocks; b++) {
      await timeEach(bare, b, 1, bareBlock);
      await timeEach(operator, b, 1, operatorBlock);
      await timeEach(bareOnes, b * stepsPerBlock, stepsPerBlock, bareOne);
      await timeEach(operatorOnes, b * stepsPerBlock, stepsPerBlock, operatorOne);
    }
  } finally {
    live.stop();
    await s.dispose();
  }
  for (let b = 0; b < blocks; b++) {
    bare[b]! /= stepsPerBlock;
    operator[b]! /= stepsPerBlock;
  }
  const result: OperatorOverhead = {
    input,
    hidden,
    bare: summarise(bare, blocks),
    operator: summarise(operator, blocks),
    bareOneByOne: summarise(bareOnes, bareOnes.length),
    operatorOneByOne: summarise(operatorOnes, operatorOnes.length),
  };
  // The record: back to back, median and p99 over blocks of the per-step time.
  results.records.push(toRecord({ engine: 'builtin+operator', model: 'lstm', input, hidden, batch: 1 }, result.operator, rss));
  ctx.log(
    `  back to back: bare ${result.bare.medianUs.toFixed(2)} µs, operator ${result.operator.medianUs.toFixed(2)} µs; ` +
      `one at a time: bare ${result.bareOneByOne.medianUs.toFixed(2)} µs, operator ${result.operatorOneByOne.medianUs.toFixed(2)} µs`,
  );
  return result;
}
