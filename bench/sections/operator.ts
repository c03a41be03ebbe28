/**
 * Pipeline overhead: the RxJS `step` operator against a bare loop over the same builtin session and slot.
 * Both are timed per step the same way: the bare loop from the call to the resolved step; the operator from
 * pushing a frame into a long-lived Subject to its emission (the subscription is made once, as in a real
 * stream). Blocks of each alternate, so drift on a shared machine hits both alike.
 */
import { Subject } from 'rxjs';
import type { BenchContext } from '../context.js';
import { openSession } from '../engines.js';
import { forceGc, settledRssMB, summarise, type Timing } from '../measure.js';
import { buildStepModel, makeFrames } from '../models.js';
import { toRecord } from '../record.js';
import { step } from '../../src/stream/step.js';

const RING = 64;

/** The measured operator overhead, for the targets. */
export interface OperatorOverhead {
  input: number;
  hidden: number;
  bare: Timing;
  operator: Timing;
}

export async function operatorSection(ctx: BenchContext): Promise<OperatorOverhead> {
  const { config, results } = ctx;
  const [input, hidden] = config.streamSize;
  ctx.log(`step operator vs bare loop (builtin lstm ${input}x${hidden})`);
  const model = buildStepModel('lstm', input, hidden);
  const frames = makeFrames(RING, input);
  await forceGc();
  const s = await openSession('builtin', model.bytes, model.card);
  const rss = await settledRssMB();
  const slot = s.defaultSlot;

  const subject = new Subject<Float32Array>();
  let emitted: ((v: number) => void) | undefined;
  let failed: ((e: unknown) => void) | undefined;
  // `project` reads one value, the least a consumer does; the bare loop reads the same value.
  const sub = subject.pipe(step(slot, { project: (o) => (o.hn!.data as Float32Array)[0]! })).subscribe({
    next: (v) => emitted!(v),
    error: (e) => failed!(e),
  });
  const throughOperator = (x: Float32Array) =>
    new Promise<number>((resolve, reject) => {
      emitted = resolve;
      failed = reject;
      subject.next(x);
    });
  const bareStep = async (x: Float32Array) => (await slot.step(x)).hn!.data[0] as number;

  const { blocks, stepsPerBlock, warmupSteps } = config.operator;
  const bare = new Float64Array(blocks * stepsPerBlock);
  const operator = new Float64Array(blocks * stepsPerBlock);
  let k = 0;
  try {
    for (let i = 0; i < warmupSteps; i++) {
      await bareStep(frames[k++ & (RING - 1)]!);
      await throughOperator(frames[k++ & (RING - 1)]!);
    }
    await forceGc();
    let n = 0;
    for (let b = 0; b < blocks; b++) {
      for (const [samples, fn] of [
        [bare, bareStep],
        [operator, throughOperator],
      ] as const) {
        for (let i = 0; i < stepsPerBlock; i++) {
          const x = frames[k++ & (RING - 1)]!;
          const t0 = process.hrtime.bigint();
          await fn(x);
          samples[n + i] = Number(process.hrtime.bigint() - t0) / 1000;
        }
      }
      n += stepsPerBlock;
    }
  } finally {
    sub.unsubscribe();
    await s.dispose();
  }
  const result = { input, hidden, bare: summarise(bare, bare.length), operator: summarise(operator, operator.length) };
  results.records.push(toRecord({ engine: 'builtin+operator', model: 'lstm', input, hidden, batch: 1 }, result.operator, rss));
  ctx.log(`  bare ${result.bare.medianUs.toFixed(2)} µs, operator ${result.operator.medianUs.toFixed(2)} µs`);
  return result;
}
