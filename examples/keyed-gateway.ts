/**
 * A keyed gateway: 500 simulated sensors send interleaved readings; each sensor's state lives in a slot of
 * one session, and sensors with readings ready share one backend run. The outputs are checked against 500
 * separate sessions, one per sensor. Run: `npx tsx examples/keyed-gateway.ts`.
 */
import { fileURLToPath } from 'node:url';
import { firstValueFrom, from, toArray } from 'rxjs';
import { createStepSession } from '../src/session/step-session.js';
import { keyed } from '../src/stream/keyed.js';
import { StreamMetrics, type MetricsSnapshot } from '../src/stream/metrics.js';
import { gruStep } from './stream-models.js';

export interface Reading { sensor: number; t: number; values: Float32Array }

export function readings(sensors: number, steps: number): Reading[] {
  const out: Reading[] = [];
  for (let t = 0; t < steps; t++) {
    // A different sensor order each round, as a real network delivers them.
    for (let k = 0; k < sensors; k++) {
      const sensor = (k * 211 + t * 17) % sensors;
      out.push({ sensor, t, values: Float32Array.from({ length: 8 }, (_, i) => Math.sin(sensor * 0.13 + t * 0.7 + i)) });
    }
  }
  return out;
}

export async function main(sensors = 500, steps = 4): Promise<{ maxAbsDiff: number; metrics: MetricsSnapshot; results: number }> {
  const { model, card } = gruStep('sensor_scorer', { input: 8, hidden: 16, classes: 2 }, 51);
  const gateway = await createStepSession(model, { backend: 'builtin', card });
  const metrics = new StreamMetrics();
  const data = readings(sensors, steps);
  const results = await firstValueFrom(
    from(data).pipe(
      keyed(gateway, { key: (r) => r.sensor, toInput: (r) => r.values, maxBatch: 128, highWaterMark: steps, metrics }),
      toArray(),
    ),
  );

  // Reference: one separate session per sensor, stepped through that sensor's readings in order.
  const got = new Map<string, Float32Array>();
  for (const r of results) {
    if (!r.ok) throw r.error;
    got.set(`${r.key}:${r.index}`, r.outputs.out!.data as Float32Array);
  }
  let maxAbsDiff = 0;
  for (let s = 0; s < sensors; s++) {
    const single = await createStepSession(model, { backend: 'builtin', card });
    const mine = data.filter((r) => r.sensor === s);
    for (let i = 0; i < mine.length; i++) {
      const want = (await single.step(mine[i]!.values)).out!.data as Float32Array;
      const have = got.get(`${s}:${i}`)!;
      for (let k = 0; k < want.length; k++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(want[k]! - have[k]!));
    }
    await single.dispose();
  }
  await gateway.dispose();
  return { maxAbsDiff, metrics: metrics.snapshot(), results: results.length };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { maxAbsDiff, metrics, results } = await main();
  console.log(`${results} outputs from 500 sensors in ${metrics.backendRuns} backend runs (mean batch ${metrics.meanBatchSize.toFixed(1)}, mean run ${metrics.latency.meanMs.toFixed(2)} ms)`);
  console.log(`max |keyed − 500 separate sessions| = ${maxAbsDiff.toExponential(2)}`);
}
