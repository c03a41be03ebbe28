/**
 * `rxrnn run`: rows and audio frames through a step session, one JSON line per step or window.
 *
 * The model is a one-unit-per-feature RNN with identity weights and Relu, so with non-negative inputs its
 * state is the running sum of the rows: the expected output of every step is computed here by hand, and
 * the same bytes are also checked against onnxruntime-node (one `run` per step, state fed back by hand).
 * Streaming stdin: a child process gets rows one at a time and must answer each before the next is
 * written, with stdin still open (a never-ending producer).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../src/audio/wav-encode.js';
import { GraphBuilder } from '../src/onnx/build.js';
import { writeModel } from '../src/onnx/write.js';
import { tensor } from '../src/tensor.js';
import { cli, ROOT, spawnCli } from './cli-harness.js';

const tmp = mkdtempSync(join(tmpdir(), 'rxrnn-cli-run-'));

function cumsumModel(features: number): Uint8Array {
  const b = new GraphBuilder({ opset: 17, name: 'running_sum' });
  const x = b.input('x', 'float32', [1, 1, features]);
  const h = b.input('h', 'float32', [1, 1, features]);
  const eye = new Float32Array(features * features);
  for (let i = 0; i < features; i++) eye[i * features + i] = 1;
  const W = b.initializer('W', tensor('float32', [1, features, features], eye));
  const R = b.initializer('R', tensor('float32', [1, features, features], eye.slice()));
  const { Y, Y_h } = b.rnn({ X: x, W, R, initialH: h, hiddenSize: features, activations: ['Relu'], outputs: ['y', 'hn'] });
  const doubled = b.add(Y, Y);
  b.output(doubled);
  b.output(Y_h);
  return writeModel(b.build());
}

const MODEL = join(tmp, 'running-sum.onnx');
writeFileSync(MODEL, cumsumModel(2));

interface StepLine {
  step: number;
  outputs: Record<string, number[]>;
}
const parse = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l) as StepLine);

const rows = [
  [1, 2],
  [3, 4],
  [0.5, 0],
  [2, 1],
];
const sums = rows.reduce<number[][]>((acc, r) => [...acc, r.map((v, i) => v + (acc.at(-1)?.[i] ?? 0))], []);

async function ortReference(): Promise<number[][]> {
  const s = await ort.InferenceSession.create(MODEL);
  let h = new ort.Tensor('float32', new Float32Array(2), [1, 1, 2]);
  const out: number[][] = [];
  for (const r of rows) {
    const o = await s.run({ x: new ort.Tensor('float32', Float32Array.from(r), [1, 1, 2]), h });
    h = o.hn as ort.TypedTensor<'float32'>;
    out.push([...(h.data as Float32Array)]);
  }
  await s.release();
  return out;
}

describe('rxrnn run', () => {
  it.each(['builtin', 'ort-node'])('streams CSV rows (with a header) on %s: one line per step, state carried', async (backend) => {
    const csv = join(tmp, 'rows.csv');
    writeFileSync(csv, `a,b\n${rows.map((r) => r.join(',')).join('\n')}\n`);
    const r = await cli(['run', MODEL, '--input', csv, '--backend', backend]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = parse(r.stdout);
    expect(lines.map((l) => l.step)).toEqual([0, 1, 2, 3]);
    const name = Object.keys(lines[0]!.outputs);
    expect(name).toHaveLength(1); // the non-state output only
    const ref = await ortReference();
    lines.forEach((l, i) => {
      const y = l.outputs[name[0]!]!;
      expect(y).toEqual(sums[i]!.map((v) => 2 * v));
      expect(y.map((v) => v / 2)).toEqual(ref[i]);
    });
  });

  it('reads JSON lines (arrays and feeds by name) and selects outputs', async () => {
    const jsonl = join(tmp, 'rows.jsonl');
    writeFileSync(jsonl, '[1, 2]\n{"x": [3, 4]}\n\n[[0.5, 0]]\n');
    const r = await cli(['run', MODEL, '--input', jsonl, '--outputs', 'hn']);
    expect(r.status, r.stderr).toBe(0);
    expect(parse(r.stdout).map((l) => l.outputs)).toEqual([{ hn: [1, 2] }, { hn: [4, 6] }, { hn: [4.5, 6] }]);
  });

  it('emits one line per window with --window N --hop M --reduce mean', async () => {
    const csv = join(tmp, 'w.csv');
    writeFileSync(csv, rows.map((r) => r.join(',')).join('\n'));
    const r = await cli(['run', MODEL, '--input', csv, '--window', '2', '--hop', '1', '--reduce', 'mean', '--outputs', 'hn']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { window: number; start: number; length: number; outputs: { hn: number[] } });
    expect(lines.map((l) => [l.window, l.start, l.length])).toEqual([[0, 0, 2], [1, 1, 2], [2, 2, 2]]);
    lines.forEach((l, i) => expect(l.outputs.hn).toEqual([0, 1].map((k) => (sums[i]![k]! + sums[i + 1]![k]!) / 2)));
  });

  it('frames audio from a WAV file (--frame) and steps each frame', async () => {
    const samples = Float32Array.from({ length: 7 }, (_, i) => (i + 1) / 16);
    const wav = join(tmp, 'tiny.wav');
    writeFileSync(wav, encodeWav([samples], 16000, { format: 'float', bitsPerSample: 32 }));
    const r = await cli(['run', MODEL, '--input', wav, '--frame', '2', '--outputs', 'hn']);
    expect(r.status, r.stderr).toBe(0);
    // Frames [1,2] [3,4] [5,6] [7,0] (/16; the last zero-padded), summed.
    expect(parse(r.stdout).map((l) => l.outputs.hn)).toEqual([[1, 2], [4, 6], [9, 12], [16, 12]].map((p) => p.map((v) => v / 16)));
  });

  it('streams a real audio model: Silero VAD v5 with its card gives the same probabilities as rxrnn vad', async () => {
    const model = join(ROOT, 'node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx');
    const wav = join(ROOT, 'examples/data/speech.wav');
    const card = join(ROOT, 'models/silero-vad/v5.card.json');
    const r = await cli(['run', model, '--card', card, '--input', wav, '--backend', 'ort-node']);
    expect(r.status, r.stderr).toBe(0);
    const steps = parse(r.stdout).map((l) => l.outputs.output![0]!);
    const vad = JSON.parse((await cli(['vad', wav, '--json', '--backend', 'ort-node'])).stdout) as { probabilities: number[] };
    expect(steps).toEqual(vad.probabilities);
  });

  it('steps a Layers model.json in its streaming form, like the ONNX exported from it', async () => {
    const ids = join(tmp, 'ids.jsonl');
    writeFileSync(ids, '[37]\n[36]\n[21]\n');
    const fromLayers = await cli(['run', join(ROOT, 'models/next-word/layers/model.json'), '--input', ids, '--card', join(ROOT, 'models/next-word/card.json')]);
    const fromOnnx = await cli(['run', join(ROOT, 'models/next-word/model.onnx'), '--input', ids, '--card', join(ROOT, 'models/next-word/card.json')]);
    expect(fromLayers.status, fromLayers.stderr).toBe(0);
    const a = parse(fromLayers.stdout);
    const b = parse(fromOnnx.stdout);
    expect(a).toHaveLength(3);
    a.forEach((l, i) => l.outputs.next_word!.forEach((v, k) => expect(Math.abs(v - b[i]!.outputs.next_word![k]!)).toBeLessThanOrEqual(1e-6)));
  });

  it('stops with a one-line error naming a bad row', async () => {
    const csv = join(tmp, 'bad.csv');
    writeFileSync(csv, '1,2\n3,oops\n');
    const r = await cli(['run', MODEL, '--input', csv]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("rxrnn run: line 2: column 2 is \"oops\", not a number\n");
    const wrong = join(tmp, 'wrong.csv');
    writeFileSync(wrong, '1,2,3\n');
    const w = await cli(['run', MODEL, '--input', wrong]);
    expect(w.status).toBe(1);
    expect(w.stderr).toMatch(/^rxrnn run: .*x.*3/);
  });

  describe('from a never-ending stdin producer', () => {
    const children: ReturnType<typeof spawnCli>[] = [];
    afterAll(() => children.forEach((c) => c.kill()));

    it('answers each row before the next is written, stdin still open', async () => {
      const child = spawnCli(['run', MODEL, '--input', '-', '--outputs', 'hn']);
      children.push(child);
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      for (let i = 0; i < rows.length; i++) {
        child.stdin.write(`${rows[i]!.join(',')}\n`);
        const next = await Promise.race([
          lines.next(),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer to row ${i}; stderr: ${stderr}`)), 15000)),
        ]);
        expect(JSON.parse(next.value as string)).toEqual({ step: i, outputs: { hn: sums[i] } });
      }
      expect(child.exitCode).toBe(null); // still running, waiting for more rows
      child.stdin.end();
      const code = await new Promise((r) => child.on('close', r));
      expect(code).toBe(0);
    }, 40000);

    it('ends with status 1 on a bad row even while the producer keeps stdin open', async () => {
      const child = spawnCli(['run', MODEL, '--input', '-']);
      children.push(child);
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdin.write('1,2\n1,2,3\n'); // the second row has one value too many; stdin is not closed
      const code = await Promise.race([
        new Promise((r) => child.on('close', r)),
        new Promise((r) => setTimeout(() => r('still running'), 15000)),
      ]);
      expect(code).toBe(1);
      expect(stderr).toMatch(/^rxrnn run: .*'x'.*2.*3/);
    }, 40000);
  });
});
