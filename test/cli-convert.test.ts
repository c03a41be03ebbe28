/**
 * `rxrnn convert`: the next-word Layers model.json to ONNX. Reference: the project's exported
 * `sequence.onnx` / `model.onnx` (made from the same Layers files by the model's own script), run on
 * onnxruntime-node; the converted files must give the same outputs within 1e-6.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { validateCard } from '../src/session/card.js';
import { cli, ROOT } from './cli-harness.js';

const LAYERS = join(ROOT, 'models/next-word/layers/model.json');
const tmp = mkdtempSync(join(tmpdir(), 'rxrnn-cli-convert-'));

async function runOnnx(path: string, feeds: Record<string, ort.Tensor>): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(path);
  const r = await s.run(feeds);
  const out = r[s.outputNames[0]!]!.data as Float32Array;
  await s.release();
  return out;
}

describe('rxrnn convert', () => {
  it('writes a sequence-form ONNX file that runs like the exported one', async () => {
    const out = join(tmp, 'next-word.onnx');
    const r = await cli(['convert', LAYERS, '-o', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*next-word\.onnx \(\d+ bytes, sequence form; inputs words; outputs next_word\)/);
    const words = new ort.Tensor('float32', Float32Array.from([37, 36, 21, 17, 31]), [1, 5]);
    const got = await runOnnx(out, { words });
    const want = await runOnnx(join(ROOT, 'models/next-word/sequence.onnx'), { words });
    expect(got.length).toBe(want.length);
    want.forEach((v, i) => expect(Math.abs(got[i]! - v)).toBeLessThanOrEqual(1e-6));
  });

  it('--step writes the streaming form and a starter card that rxrnn run picks up', async () => {
    const out = join(tmp, 'step.onnx');
    const r = await cli(['convert', LAYERS, '-o', out, '--step', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { output: string; card: string; form: string };
    expect(j.form).toBe('step');
    expect(existsSync(j.card)).toBe(true);
    const card = validateCard(JSON.parse(readFileSync(j.card, 'utf8')));
    expect(card.state).toHaveLength(1);
    // One step on ort-node from zero state equals the exported streaming model's first step.
    const h = new ort.Tensor('float32', new Float32Array(16), [1, 1, 16]);
    const words = new ort.Tensor('float32', Float32Array.from([37]), [1, 1]);
    const [stateIn] = card.state!.map((s) => s.input);
    const got = await runOnnx(out, { words, [stateIn!]: h });
    const want = await runOnnx(join(ROOT, 'models/next-word/model.onnx'), { words, 'rnn/h_in': h });
    want.forEach((v, i) => expect(Math.abs(got[i]! - v)).toBeLessThanOrEqual(1e-6));
    // And `rxrnn run` streams it with that card (found beside the model).
    const rows = join(tmp, 'ids.jsonl');
    writeFileSync(rows, '[37]\n[36]\n');
    const run = await cli(['run', out, '--input', rows, '--backend', 'ort-node']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(2);
  });

  it('refuses a non-JSON source and a missing -o', async () => {
    expect((await cli(['convert', join(ROOT, 'models/next-word/model.onnx'), '-o', join(tmp, 'x.onnx')])).status).toBe(2);
    expect((await cli(['convert', LAYERS])).status).toBe(2);
  });
});
