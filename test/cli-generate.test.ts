/**
 * `rxrnn generate` on the project's next-word model (models/next-word). Reference: the streaming ONNX
 * model stepped by hand on onnxruntime-node — prompt words fed one by one with the hidden state carried,
 * then the argmax word fed back — must give exactly the CLI's greedy tokens. Sampling with a seed repeats.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { cli, ROOT } from './cli-harness.js';

const MODEL = join(ROOT, 'models/next-word/model.onnx');
const vocab = (JSON.parse(readFileSync(join(ROOT, 'models/next-word/card.json'), 'utf8')) as { vocabulary: string[] }).vocabulary;

async function greedyReference(prompt: string[], n: number): Promise<string[]> {
  const s = await ort.InferenceSession.create(MODEL);
  let h = new ort.Tensor('float32', new Float32Array(16), [1, 1, 16]);
  let probs: Float32Array = new Float32Array(0);
  const feed = async (id: number) => {
    const r = await s.run({ words: new ort.Tensor('float32', Float32Array.from([id]), [1, 1]), 'rnn/h_in': h });
    h = r['rnn/h_out'] as ort.TypedTensor<'float32'>;
    probs = r.next_word!.data as Float32Array;
  };
  for (const w of prompt) await feed(vocab.indexOf(w));
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < probs.length; k++) if (probs[k]! > probs[best]!) best = k;
    out.push(vocab[best]!);
    await feed(best);
  }
  await s.release();
  return out;
}

describe('rxrnn generate', () => {
  const prompt = 'my mother drinks coffee in';

  it.each(['builtin', 'ort-node'])('greedy tokens on %s equal onnxruntime stepped by hand', async (backend) => {
    const r = await cli(['generate', MODEL, '--prompt', prompt, '--max-tokens', '6', '--json', '--backend', backend]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const tokens = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { position: number; token: number; text: string });
    expect(tokens.map((t) => t.position)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(tokens.map((t) => t.text)).toEqual(await greedyReference(prompt.split(' '), 6));
    tokens.forEach((t) => expect(vocab[t.token]).toBe(t.text));
  });

  it('prints the prompt and its continuation as text', async () => {
    const r = await cli(['generate', MODEL, '--prompt', prompt, '--max-tokens', '3']);
    expect(r.status).toBe(0);
    const words = await greedyReference(prompt.split(' '), 3);
    expect(r.stdout).toBe(`${prompt} ${words.join(' ')}\n`);
  });

  it('samples reproducibly with --temperature and --seed', async () => {
    const args = ['generate', MODEL, '--prompt', 'the dog', '--max-tokens', '10', '--temperature', '1.5', '--top-k', '10', '--quiet'];
    const a = await cli([...args, '--seed', '7']);
    const b = await cli([...args, '--seed', '7']);
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout.trim().split(' ')).toHaveLength(10);
  });

  it('rejects a word outside the vocabulary only when there is no unknown token, and a missing --prompt', async () => {
    const r = await cli(['generate', MODEL, '--prompt', 'zebra quantum', '--max-tokens', '2', '--json']);
    expect(r.status).toBe(0); // <unk> stands in
    const none = await cli(['generate', MODEL]);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/--prompt TEXT is required/);
  });
});
