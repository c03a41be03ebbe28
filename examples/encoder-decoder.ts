/**
 * Encoder–decoder: a GRU encoder reads a sequence of feature frames; its final hidden state, through a
 * bridge, becomes the decoder's initial state; the decoder (a GRU over one-hot tokens) generates greedily
 * from `<s>` until `</s>` or 12 tokens. Run: `npx tsx examples/encoder-decoder.ts`.
 */
import { fileURLToPath } from 'node:url';
import { firstValueFrom, from, toArray } from 'rxjs';
import { createStepSession } from '../src/session/step-session.js';
import { seq2seq } from '../src/stream/seq2seq.js';
import type { GeneratedToken } from '../src/stream/generate.js';
import { gruStep } from './stream-models.js';

export const VOCAB = ['<s>', '</s>', 'low', 'high', 'rising', 'falling', 'flat', 'noisy'];

/** Two input sequences of 5-value frames. */
export function inputSequences(): number[][][] {
  return [0.3, 1.7].map((f) => Array.from({ length: 10 }, (_, t) => Array.from({ length: 5 }, (_, k) => Math.sin(f * t + k) * f)));
}

export async function main(): Promise<GeneratedToken[]> {
  const enc = gruStep('encoder', { input: 5, hidden: 16, classes: 2 }, 41);
  const dec = gruStep('decoder', { input: VOCAB.length, hidden: 16, classes: VOCAB.length }, 44);
  const encoder = await createStepSession(enc.model, { backend: 'builtin', card: enc.card });
  const decoder = await createStepSession(dec.model, { backend: 'builtin', card: dec.card });
  const tokens = await firstValueFrom(
    from(inputSequences()).pipe(
      seq2seq<number[]>(encoder, decoder, {
        // Both sides call their state 'h' with the same shape; the bridge scales it to show where one goes.
        bridge: (state) => ({ h: (state.h!.data as Float32Array).map((v) => v * 1.5) }),
        startToken: 0,
        stopTokens: [1],
        strategy: 'greedy',
        maxLength: 12,
        logits: 'out',
      }),
      toArray(),
    ),
  );
  await Promise.all([encoder.dispose(), decoder.dispose()]);
  return tokens;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const tokens = await main();
  for (const s of [0, 1]) console.log(`sequence ${s}: ${tokens.filter((t) => t.sequence === s).map((t) => VOCAB[t.token]).join(' ')}`);
}
