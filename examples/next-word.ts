/**
 * Streams a sentence word by word through the trained next-word predictor (models/next-word, a Keras
 * model imported with rxrnn) and prints the three most likely next words after each word.
 *
 *   npx tsx examples/next-word.ts [--backend builtin|ort-node|ort-web] [sentence...]
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { from, lastValueFrom, tap } from 'rxjs';
import type { BackendName } from '../src/backends/backend.js';
import { validateCard } from '../src/session/card.js';
import { createStepSession } from '../src/session/step-session.js';
import { step } from '../src/stream/step.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../models/next-word');
const card = validateCard(JSON.parse(readFileSync(join(dir, 'card.json'), 'utf8')));
const vocabulary = card.vocabulary!;
const idOf = new Map(vocabulary.map((w, i) => [w, i]));

const args = process.argv.slice(2);
const b = args.indexOf('--backend');
const backend = (b >= 0 ? args.splice(b, 2)[1] : 'builtin') as BackendName;
const sentence = (args.length ? args.join(' ') : 'my mother drinks coffee in the morning .').toLowerCase().split(/\s+/).filter(Boolean);

const session = await createStepSession(new Uint8Array(readFileSync(join(dir, 'model.onnx'))), { backend, card });

/** Indices of the k largest probabilities. */
function topK(p: Float32Array, k: number): number[] {
  return [...p.keys()].sort((x, y) => p[y]! - p[x]!).slice(0, k);
}

console.log(`next-word on ${session.info.backend}: ${sentence.join(' ')}`);
await lastValueFrom(
  from(sentence).pipe(
    // One word id per step; the session carries the SimpleRNN state from word to word.
    step(session, {
      toInput: (word) => [idOf.get(word) ?? idOf.get('<unk>')!],
      project: (out, word) => ({ word, top: topK(out['next_word']!.data as Float32Array, 3).map((i) => [vocabulary[i]!, (out['next_word']!.data as Float32Array)[i]!] as const) }),
    }),
    tap(({ word, top }) => console.log(`${word.padEnd(10)} → ${top.map(([w, p]) => `${w} ${(p * 100).toFixed(1)}%`).join(', ')}`)),
  ),
);
await session.dispose();
