/**
 * Heap growth over many steps on builtin: after a warm-up, the V8 heap is read after a forced full GC
 * before and after the steps. Anything a step leaves reachable shows up as growth; garbage a step makes
 * and drops does not (the allocation-free hot path is checked by the session's own buffer counter, which
 * must not move, and by test/session-memory.test.ts).
 */
import type { BenchContext } from '../context.js';
import { openSession } from '../engines.js';
import { forceGc } from '../measure.js';
import { buildStepModel, makeFrames } from '../models.js';

const RING = 64;

export async function memorySection(ctx: BenchContext): Promise<void> {
  const { config, results } = ctx;
  const [input, hidden] = config.streamSize;
  const steps = config.memorySteps;
  ctx.log(`heap growth over ${steps} steps (builtin lstm ${input}x${hidden})`);
  const model = buildStepModel('lstm', input, hidden);
  const frames = makeFrames(RING, input);
  const s = await openSession('builtin', model.bytes, model.card);
  try {
    for (let k = 0; k < config.memoryWarmupSteps; k++) await s.step(frames[k & (RING - 1)]!);
    await forceGc();
    const before = process.memoryUsage().heapUsed;
    const buffers = s.stats.bufferAllocations;
    for (let k = 0; k < steps; k++) await s.step(frames[k & (RING - 1)]!);
    await forceGc();
    const after = process.memoryUsage().heapUsed;
    results.memory.push({
      engine: 'builtin',
      model: 'lstm',
      input,
      hidden,
      steps,
      heapBeforeBytes: before,
      heapAfterBytes: after,
      heapGrowthBytes: after - before,
      bufferAllocations: s.stats.bufferAllocations - buffers,
      method: `process.memoryUsage().heapUsed after two forced full GCs (gc exposed at run time), after ${config.memoryWarmupSteps} warm-up steps`,
    });
    ctx.log(`  heap ${((after - before) / 1024).toFixed(1)} KiB over ${steps} steps, ${s.stats.bufferAllocations - buffers} buffer allocations`);
  } finally {
    await s.dispose();
  }
}
