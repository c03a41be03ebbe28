/**
 * The main job: `rxrnn vad` on the bundled recording finds the spoken parts, and pure noise yields nothing.
 *
 * References, all independent of the code under test:
 * - ground truth: `examples/data/speech.segments.json`, from how the recording was made (lead's script);
 *   every phrase must be matched by one segment whose start and end are within 0.3 s;
 * - probabilities: the authors' wrapper re-done here directly on onnxruntime-node (576 = 64 context + 512
 *   samples per call, zeros before the first chunk, state carried, last chunk zero-padded); rxrnn's
 *   `--json` probabilities must equal it within 1e-5 on ort-node and 1e-4 on the built-in executor;
 * - other formats: the recording re-encoded as 44.1 kHz stereo 24-bit and 48 kHz float must give the
 *   same segments within 0.3 s as well.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { resample } from '../src/audio/resample.js';
import { decodeWav } from '../src/audio/wav.js';
import { encodeWav } from '../src/audio/wav-encode.js';
import { cli, cliChild, ROOT, spawnCli } from './cli-harness.js';

const SPEECH = join(ROOT, 'examples/data/speech.wav');
const NOISE = join(ROOT, 'examples/data/noise.wav');
const truth = JSON.parse(readFileSync(join(ROOT, 'examples/data/speech.segments.json'), 'utf8')) as {
  speech: { start: number; end: number }[];
};
const tmp = mkdtempSync(join(tmpdir(), 'rxrnn-cli-vad-'));

interface VadJson {
  sampleRate: number;
  frameSamples: number;
  probabilities: number[];
  segments: { start: number; end: number }[];
}

function expectCoversTruth(segments: { start: number; end: number }[]): void {
  expect(segments.length).toBe(truth.speech.length);
  truth.speech.forEach((t, i) => {
    expect(Math.abs(segments[i]!.start - t.start), `segment ${i} start`).toBeLessThanOrEqual(0.3);
    expect(Math.abs(segments[i]!.end - t.end), `segment ${i} end`).toBeLessThanOrEqual(0.3);
  });
}

/** The authors' OnnxWrapper loop, directly on onnxruntime-node. */
async function referenceProbabilities(samples: Float32Array): Promise<number[]> {
  const modelPath = join(ROOT, 'node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx');
  const session = await ort.InferenceSession.create(modelPath);
  let state = new ort.Tensor('float32', new Float32Array(2 * 128), [2, 1, 128]);
  const sr = new ort.Tensor('int64', BigInt64Array.from([16000n]), []);
  let context = new Float32Array(64);
  const out: number[] = [];
  for (let i = 0; i < samples.length; i += 512) {
    const chunk = new Float32Array(512);
    chunk.set(samples.subarray(i, i + 512));
    const x = new Float32Array(576);
    x.set(context, 0);
    x.set(chunk, 64);
    const r = await session.run({ input: new ort.Tensor('float32', x, [1, 576]), state, sr });
    out.push((r.output!.data as Float32Array)[0]!);
    state = r.stateN as ort.TypedTensor<'float32'>;
    context = x.slice(512);
  }
  await session.release();
  return out;
}

describe('rxrnn vad — the main job', () => {
  it('prints segments covering every spoken phrase of examples/data/speech.wav within 0.3 s', async () => {
    const r = await cli(['vad', SPEECH]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const segs = lines
      .map((l) => /^\s*([\d.]+) – +([\d.]+) s/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ start: Number(m[1]), end: Number(m[2]) }));
    expectCoversTruth(segs);
    expect(lines.at(-1)).toMatch(/^4 speech segments, [\d.]+ s of speech \(\d+%\) in 17\.03 s$/);
    expect(r.stderr).toBe(''); // no progress bar off a terminal
  });

  it('--json gives exactly sampleRate, frameSamples, probabilities (one per 512 samples) and segments', async () => {
    const r = await cli(['vad', SPEECH, '--json', '--backend', 'ort-node']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout) as VadJson;
    expect(Object.keys(j)).toEqual(['sampleRate', 'frameSamples', 'probabilities', 'segments']);
    expect(j.sampleRate).toBe(16000);
    expect(j.frameSamples).toBe(512);
    const samples = decodeWav(new Uint8Array(readFileSync(SPEECH))).channels[0]!;
    expect(j.probabilities.length).toBe(Math.ceil(samples.length / 512));
    for (const s of j.segments) expect(Object.keys(s)).toEqual(['start', 'end']);
    expectCoversTruth(j.segments);
    const ref = await referenceProbabilities(samples);
    let maxErr = 0;
    for (let i = 0; i < ref.length; i++) maxErr = Math.max(maxErr, Math.abs(j.probabilities[i]! - ref[i]!));
    expect(maxErr).toBeLessThanOrEqual(1e-5);
  });

  it('gives the same probabilities on the built-in executor (within 1e-4 of the reference)', async () => {
    const r = await cli(['vad', SPEECH, '--json', '--backend', 'builtin']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout) as VadJson;
    const samples = decodeWav(new Uint8Array(readFileSync(SPEECH))).channels[0]!;
    const ref = await referenceProbabilities(samples);
    expect(j.probabilities.length).toBe(ref.length);
    let maxErr = 0;
    for (let i = 0; i < ref.length; i++) maxErr = Math.max(maxErr, Math.abs(j.probabilities[i]! - ref[i]!));
    expect(maxErr).toBeLessThanOrEqual(1e-4);
    expectCoversTruth(j.segments);
  });

  it('finds no speech in pure noise', async () => {
    const r = await cli(['vad', NOISE, '--json']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout) as VadJson;
    expect(j.segments).toEqual([]);
    expect(j.probabilities.length).toBe(Math.ceil((8 * 16000) / 512));
    const human = await cli(['vad', NOISE]);
    expect(human.stdout).toMatch(/no speech found in 8\.00 s/);
  });

  it('handles 44.1 kHz stereo 24-bit and 48 kHz float versions of the recording', async () => {
    const mono = decodeWav(new Uint8Array(readFileSync(SPEECH))).channels[0]!;
    const at44 = resample(mono, 16000, 44100);
    const quiet = at44.map((v) => v * 0.5); // the other channel: same speech, half as loud
    const stereo = join(tmp, 'speech-44k-stereo-24.wav');
    writeFileSync(stereo, encodeWav([at44, quiet], 44100, { format: 'pcm', bitsPerSample: 24 }));
    const float48 = join(tmp, 'speech-48k-float.wav');
    writeFileSync(float48, encodeWav([resample(mono, 16000, 48000)], 48000, { format: 'float', bitsPerSample: 32, extensible: true }));
    for (const f of [stereo, float48]) {
      const r = await cli(['vad', f, '--json', '--backend', 'ort-node']);
      expect(r.status, r.stderr).toBe(0);
      expectCoversTruth((JSON.parse(r.stdout) as VadJson).segments);
    }
    const human = await cli(['vad', stereo, '--backend', 'ort-node']);
    expect(human.stdout.split('\n')[0]).toMatch(/44100 Hz 2 channels downmixed, 24-bit PCM, resampled 44100 → 16000 Hz/);
  });

  it('honours --threshold, --min-speech-ms and --min-silence-ms', async () => {
    // With a 2 s minimum, the 1.7 s and 1.8 s phrases are dropped.
    const r = await cli(['vad', SPEECH, '--json', '--min-speech-ms', '2000', '--backend', 'ort-node']);
    expect((JSON.parse(r.stdout) as VadJson).segments).toHaveLength(2);
    // Demanding 2.5 s of quiet merges phrases separated by 1.2–2 s pauses.
    const merged = await cli(['vad', SPEECH, '--json', '--min-silence-ms', '2500', '--backend', 'ort-node']);
    expect((JSON.parse(merged.stdout) as VadJson).segments).toHaveLength(1);
    const strict = await cli(['vad', SPEECH, '--json', '--threshold', '0.999999', '--backend', 'ort-node']);
    expect((JSON.parse(strict.stdout) as VadJson).segments.length).toBeLessThan(4);
  });

  it('--plot writes an SVG with the waveform, the probability curve and one band per segment', async () => {
    const out = join(tmp, 'speech.svg');
    const r = await cli(['vad', SPEECH, '--plot', out, '--backend', 'ort-node']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`plot written to ${out}`);
    const svg = readFileSync(out, 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<title>speech /g)).toHaveLength(4);
    expect(svg).toContain('stroke="#ff7f0e"'); // probability curve
    expect(svg).toContain('stroke="#1f77b4"'); // waveform
    expect(svg).toContain('time (s)');
  });

  it('draws a progress bar on a terminal only, and erases it', async () => {
    const r = await cli(['vad', SPEECH, '--backend', 'ort-node'], { stderrIsTTY: true });
    expect(r.stderr).toMatch(/\r\[#+\.*\] +\d+% [\d.]+\/17\.03 s/);
    expect(r.stderr.endsWith('\r\x1b[2K')).toBe(true);
    const q = await cli(['vad', SPEECH, '--quiet', '--backend', 'ort-node'], { stderrIsTTY: true });
    expect(q.stderr).toBe('');
    expect(q.stdout.trim().split('\n')).toHaveLength(4); // segments only
  });

  it('prints each segment while a recorder is still piping audio in (stdin open)', async () => {
    const bytes = readFileSync(SPEECH);
    const child = spawnCli(['vad', '-', '--backend', 'ort-node']);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const nextLine = () =>
      Promise.race([
        lines.next().then((r) => r.value as string),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no line; stderr: ${stderr}`)), 20000)),
      ]);
    try {
      // The header and the first 5 s: the first phrase ends at 4.02 s.
      child.stdin.write(bytes.subarray(0, 44 + 5 * 16000 * 2));
      expect(await nextLine()).toMatch(/^standard input: 16000 Hz mono, 16-bit PCM; Silero VAD v5 on ort-node$/);
      const first = /^\s*([\d.]+) – +([\d.]+) s/.exec(await nextLine())!;
      expect(Math.abs(Number(first[1]) - truth.speech[0]!.start)).toBeLessThanOrEqual(0.3);
      expect(Math.abs(Number(first[2]) - truth.speech[0]!.end)).toBeLessThanOrEqual(0.3);
      expect(child.exitCode).toBe(null); // still listening
      child.stdin.end(bytes.subarray(44 + 5 * 16000 * 2));
      const rest: string[] = [];
      for (let l = await lines.next(); !l.done; l = await lines.next()) rest.push(l.value as string);
      expect(rest.at(-1)).toMatch(/^4 speech segments/);
      expect(await new Promise((r) => (child.exitCode === null ? child.on('close', r) : r(child.exitCode)))).toBe(0);
    } finally {
      child.kill();
    }
  }, 60000);

  it('reads the recording from standard input with -', async () => {
    const r = await cliChild(['vad', '-', '--json', '--backend', 'ort-node'], readFileSync(SPEECH));
    expect(r.status, r.stderr).toBe(0);
    expectCoversTruth((JSON.parse(r.stdout) as VadJson).segments);
  });
});
