/**
 * Tagging every frame of a sensor stream: raw chunks of any length → 8-sample frames → one GRU step per
 * frame → a tag per frame. Run: `npx tsx examples/tag-frames.ts`.
 */
import { fileURLToPath } from 'node:url';
import { firstValueFrom, from, map, toArray } from 'rxjs';
import { createStepSession } from '../src/session/step-session.js';
import { frame } from '../src/stream/frame.js';
import { StreamMetrics } from '../src/stream/metrics.js';
import { step } from '../src/stream/step.js';
import { gruStep } from './stream-models.js';

const TAGS = ['still', 'walking', 'running'];

/** A vibration signal in chunks of uneven length, as a socket would deliver it. */
export function sensorChunks(samples = 400): Float32Array[] {
  const signal = Float32Array.from({ length: samples }, (_, i) => Math.sin(i * 0.2) * (i > 200 ? 2 : 0.3) + Math.cos(i * 0.05));
  const chunks: Float32Array[] = [];
  for (let at = 0, k = 0; at < signal.length; k++) {
    const n = 5 + ((k * 7) % 23);
    chunks.push(signal.slice(at, at + n));
    at += n;
  }
  return chunks;
}

export async function main(): Promise<{ tags: string[]; scores: Float32Array[]; steps: number }> {
  const { model, card } = gruStep('tagger', { input: 8, hidden: 16, classes: TAGS.length }, 11);
  const session = await createStepSession(model, { backend: 'builtin', card });
  const metrics = new StreamMetrics();
  const scores = await firstValueFrom(
    from(sensorChunks()).pipe(
      frame({ size: 8, final: 'pad' }),
      step(session, { metrics }),
      map((o) => o.out!.data as Float32Array),
      toArray(),
    ),
  );
  await session.dispose();
  const tags = scores.map((s) => TAGS[s.indexOf(Math.max(...s))]!);
  return { tags, scores, steps: metrics.steps };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { tags, steps } = await main();
  console.log(`${steps} frames tagged:`);
  console.log(tags.join(' '));
}
