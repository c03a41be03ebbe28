/**
 * Classifying each sequence: gesture samples stream in, a sample flagged `last` ends a gesture, and the
 * GRU's output at the end of each gesture is its class; the state resets for the next one.
 * Run: `npx tsx examples/classify-sequences.ts`.
 */
import { fileURLToPath } from 'node:url';
import { firstValueFrom, from, toArray } from 'rxjs';
import { createStepSession } from '../src/session/step-session.js';
import { classify, type SequenceResult } from '../src/stream/classify.js';
import { gruStep } from './stream-models.js';

const CLASSES = ['circle', 'swipe', 'shake', 'tap'];

export interface Sample { values: number[]; last: boolean }

/** Three gestures of different lengths, 6 values per sample (accelerometer + gyroscope). */
export function gestureSamples(): Sample[] {
  const out: Sample[] = [];
  [14, 9, 21].forEach((length, g) => {
    for (let t = 0; t < length; t++) {
      out.push({ values: Array.from({ length: 6 }, (_, k) => Math.sin((g + 1) * 0.4 * t + k)), last: t === length - 1 });
    }
  });
  return out;
}

export async function main(): Promise<SequenceResult[]> {
  const { model, card } = gruStep('gestures', { input: 6, hidden: 12, classes: CLASSES.length }, 21);
  const session = await createStepSession(model, { backend: 'builtin', card });
  const results = await firstValueFrom(
    from(gestureSamples()).pipe(classify(session, { end: { when: (s) => s.last }, toInput: (s) => s.values }), toArray()),
  );
  await session.dispose();
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const r of await main()) {
    const scores = r.outputs.out!.data as Float32Array;
    console.log(`gesture ${r.index} (${r.length} samples): ${CLASSES[scores.indexOf(Math.max(...scores))]}`);
  }
}
