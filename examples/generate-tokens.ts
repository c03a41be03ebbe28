/**
 * Generating a token stream from a seed: a GRU language model over a small word vocabulary (one-hot in,
 * logits out), sampled with temperature and top-k from a seeded random source — same seed, same text.
 * Run: `npx tsx examples/generate-tokens.ts`.
 */
import { fileURLToPath } from 'node:url';
import { firstValueFrom, of, toArray } from 'rxjs';
import { createStepSession } from '../src/session/step-session.js';
import { generate, type GeneratedToken } from '../src/stream/generate.js';
import { gruStep } from './stream-models.js';

export const VOCAB = ['<s>', '</s>', 'the', 'sensor', 'reads', 'a', 'quiet', 'signal', 'and', 'then', 'wakes', 'up'];

export async function main(seed = 7): Promise<{ tokens: GeneratedToken[]; text: string }> {
  const { model, card } = gruStep('word_lm', { input: VOCAB.length, hidden: 24, classes: VOCAB.length }, 31);
  const session = await createStepSession(model, { backend: 'builtin', card });
  const tokens = await firstValueFrom(
    of([0, 2, 3]).pipe(generate(session, { temperature: 0.9, topK: 6, seed, stopTokens: [1], maxLength: 24, logits: 'out' }), toArray()),
  );
  await session.dispose();
  return { tokens, text: ['the', 'sensor', ...tokens.map((t) => VOCAB[t.token]!)].join(' ') };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log((await main()).text);
}
