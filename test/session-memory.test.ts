/**
 * Memory: a builtin step allocates no tensor buffers in steady state (the session's own buffers and the
 * executor's pool, counted by `stats.bufferAllocations`), including stacked multi-slot steps; and 1,000
 * create/dispose cycles keep RSS bounded. RSS is measured after forced full GCs, once the process has
 * settled (300 cycles first: allocators and onnxruntime's arenas keep what they took, which is not a
 * leak), and the bound (64 MiB) is generous on purpose. Measured on the dev machine: 12-21 MiB growth
 * over 1,000 cycles with dispose() from a 50-cycle warm-up; keeping the 1,000 sessions alive instead (a
 * leak of one session per cycle) grew RSS by 245 MiB on ort-node and 131 MiB on ort-web.
 */
import { describe, expect, it } from 'vitest';
import { buildGruStep, buildLstm2Step, GRU_CARD, LSTM2_CARD } from '../scripts/build-step-models.js';
import { writeModel } from '../src/onnx/write.js';
import { createStepSession } from '../src/session/step-session.js';
import type { BackendName } from '../src/backends/backend.js';

const frame = (n: number, t: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i + t));

describe('steady state', () => {
  it('a builtin step allocates no tensor buffers once warm (one slot and 16 stacked slots)', async () => {
    const s = await createStepSession(writeModel(buildLstm2Step()), { backend: 'builtin', card: LSTM2_CARD });
    const x = frame(16, 0);
    for (let t = 0; t < 3; t++) await s.step(x);
    const warm = s.stats.bufferAllocations;
    for (let t = 0; t < 200; t++) await s.step(frame(16, t));
    expect(s.stats.bufferAllocations).toBe(warm);

    const slots = [s.defaultSlot, ...Array.from({ length: 15 }, () => s.addSlot())];
    const batch = slots.map((slot, k) => ({ slot, input: frame(16, k) }));
    for (let t = 0; t < 3; t++) await s.stepMany(batch);
    const warmMany = s.stats.bufferAllocations;
    const runs = s.stats.runs;
    for (let t = 0; t < 100; t++) await s.stepMany(batch);
    expect(s.stats.runs - runs).toBe(100);
    expect(s.stats.bufferAllocations).toBe(warmMany);
    await s.dispose();
  });
});

describe('create/dispose cycles', () => {
  it.each(['builtin', 'ort-node', 'ort-web'] as BackendName[])('1,000 sessions on %s keep RSS bounded', async (backend) => {
    const bytes = writeModel(buildGruStep());
    const cycle = async () => {
      const s = await createStepSession(bytes, { backend, card: GRU_CARD });
      await s.step(frame(12, 1));
      await s.dispose();
    };
    const settledRss = () => {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (gc === undefined) throw new Error('run under --expose-gc (vitest.config.ts sets it)');
      gc();
      gc();
      return process.memoryUsage().rss;
    };
    for (let i = 0; i < 300; i++) await cycle();
    const before = settledRss();
    for (let i = 0; i < 1000; i++) await cycle();
    const grown = (settledRss() - before) / 2 ** 20;
    console.log(`[${backend}] RSS growth over 1,000 create/step/dispose cycles: ${grown.toFixed(1)} MiB`);
    expect(grown).toBeLessThan(64);
  });
});
