/**
 * Where a builtin step's time goes: the builtin engine run directly (`runSync` on feeds made once, no
 * session) on the batched-streams model at batch 1 and at each stream count, and on Silero VAD v5. Set
 * against the session records of the same models, the difference is the session's own work (copying
 * state in and out, stacking and unstacking slots, copying outputs).
 */
import { loadEngine } from '../../src/backends/index.js';
import { tensor, type Tensor } from '../../src/tensor.js';
import type { BenchContext } from '../context.js';
import { measureSync } from '../measure.js';
import { audioChunks, buildStepModel, makeFrames, sileroV5 } from '../models.js';

export async function breakdownSection(ctx: BenchContext): Promise<void> {
  const { config, results } = ctx;
  const [input, hidden] = config.streamSize;
  ctx.log(`builtin engine without a session (lstm ${input}x${hidden}, silero)`);
  const model = buildStepModel('lstm', input, hidden);
  const lstm = (await loadEngine(model.bytes, { backend: 'builtin' })).engine;
  try {
    for (const batch of [1, ...config.streams]) {
      const frames = makeFrames(batch, input);
      const x = new Float32Array(batch * input);
      frames.forEach((f, k) => x.set(f, k * input));
      const feeds: Record<string, Tensor> = {
        x: tensor('float32', [1, batch, input], x),
        h: tensor('float32', [1, batch, hidden], new Float32Array(batch * hidden)),
        c: tensor('float32', [1, batch, hidden], new Float32Array(batch * hidden)),
      };
      const t = measureSync(() => lstm.runSync!(feeds), config.batched);
      results.breakdown.push({ what: 'engine.runSync, no session', engine: 'builtin', model: 'lstm', input, hidden, batch, medianUs: t.medianUs, perStreamStepUs: t.medianUs / batch });
      ctx.log(`  lstm batch ${batch}: ${t.medianUs.toFixed(2)} µs (${(t.medianUs / batch).toFixed(2)} per stream-step)`);
    }
  } finally {
    await lstm.dispose();
  }
  const { bytes, chunk, context } = sileroV5();
  const silero = (await loadEngine(bytes, { backend: 'builtin' })).engine;
  try {
    const samples = new Float32Array(chunk + context);
    samples.set(audioChunks(1, chunk)[0]!, context);
    const feeds: Record<string, Tensor> = {
      input: tensor('float32', [1, chunk + context], samples),
      state: tensor('float32', [2, 1, 128], new Float32Array(256)),
      sr: tensor('int64', [], new BigInt64Array([16000n])),
    };
    const t = measureSync(() => silero.runSync!(feeds), config.silero);
    results.breakdown.push({ what: 'engine.runSync, no session', engine: 'builtin', model: 'silero-v5', input: chunk, hidden: 128, batch: 1, medianUs: t.medianUs, perStreamStepUs: t.medianUs });
    ctx.log(`  silero: ${t.medianUs.toFixed(1)} µs`);
  } finally {
    await silero.dispose();
  }
}
