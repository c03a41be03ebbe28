/**
 * Proof on real models: Silero VAD v5 and legacy stepped through sessions on builtin, ort-node and
 * ort-web over the bundled speech recording. References: (1) a hand-written loop over onnxruntime-node
 * that carries state and context the way the Silero authors' wrapper does — the session must match it
 * per chunk within 1e-5; (2) the three backends must agree per chunk within 1e-4 (the issue's bound).
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { decodeWav } from '../src/audio/wav.js';
import { createStepSession } from '../src/session/step-session.js';
import type { BackendName } from '../src/backends/backend.js';

const DIST = 'node_modules/@ricky0123/vad-web/dist';
const BACKENDS: BackendName[] = ['ort-node', 'ort-web', 'builtin'];
const CHUNK = 512;

let speech: Float32Array;
beforeAll(() => {
  const audio = decodeWav(new Uint8Array(readFileSync('examples/data/speech.wav')));
  expect(audio.sampleRate).toBe(16000);
  speech = audio.channels[0]!;
});

function chunks(): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i + CHUNK <= speech.length; i += CHUNK) out.push(speech.subarray(i, i + CHUNK));
  return out;
}

async function viaSession(model: string, cardFile: string, backend: BackendName): Promise<number[]> {
  const card = JSON.parse(readFileSync(cardFile, 'utf8'));
  const s = await createStepSession(`${DIST}/${model}`, { backend, card });
  expect(s.info.backend).toBe(backend);
  const probs: number[] = [];
  for (const c of chunks()) probs.push((await s.step(c)).output!.data[0] as number);
  await s.dispose();
  return probs;
}

/** The Silero authors' wrapper, written out by hand on onnxruntime-node. */
async function reference(model: 'v5' | 'legacy'): Promise<number[]> {
  const sess = await ort.InferenceSession.create(`${DIST}/silero_vad_${model}.onnx`);
  const sr = new ort.Tensor('int64', BigInt64Array.from([16000n]), []);
  const probs: number[] = [];
  if (model === 'v5') {
    let state: ort.Tensor = new ort.Tensor('float32', new Float32Array(256), [2, 1, 128]);
    let context = new Float32Array(64);
    for (const c of chunks()) {
      const x = new Float32Array(576);
      x.set(context);
      x.set(c, 64);
      const r = await sess.run({ input: new ort.Tensor('float32', x, [1, 576]), state, sr });
      state = r.stateN as ort.Tensor;
      context = x.slice(576 - 64);
      probs.push((r.output as ort.Tensor).data[0] as number);
    }
  } else {
    let h: ort.Tensor = new ort.Tensor('float32', new Float32Array(128), [2, 1, 64]);
    let c0: ort.Tensor = new ort.Tensor('float32', new Float32Array(128), [2, 1, 64]);
    for (const c of chunks()) {
      const r = await sess.run({ input: new ort.Tensor('float32', c.slice(), [1, CHUNK]), sr, h, c: c0 });
      h = r.hn as ort.Tensor;
      c0 = r.cn as ort.Tensor;
      probs.push((r.output as ort.Tensor).data[0] as number);
    }
  }
  await sess.release();
  return probs;
}

function maxAbsDiff(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe.each([
  ['v5', 'silero_vad_v5.onnx', 'models/silero-vad/v5.card.json'],
  ['legacy', 'silero_vad_legacy.onnx', 'models/silero-vad/legacy.card.json'],
] as const)('Silero VAD %s through step sessions', (name, file, card) => {
  const results = new Map<BackendName, number[]>();
  let ref: number[];

  beforeAll(async () => {
    ref = await reference(name);
    // builtin runs in its own test below, so a missing kernel there fails that test alone.
    for (const b of BACKENDS) if (b !== 'builtin') results.set(b, await viaSession(file, card, b));
  });

  it('matches the hand-written onnxruntime-node wrapper chunk by chunk (atol 1e-5)', () => {
    expect(maxAbsDiff(results.get('ort-node')!, ref)).toBeLessThanOrEqual(1e-5);
  });

  it('finds the speech: high probability inside the spoken phrases, low in the pauses', () => {
    const probs = results.get('ort-node')!;
    const at = (sec: number) => probs[Math.floor((sec * 16000) / CHUNK)]!;
    // Middles of the first two phrases and of the two longest pauses (examples/data/README.md).
    expect(Math.max(at(2.4), at(2.5), at(2.6))).toBeGreaterThan(0.5);
    expect(Math.max(at(7.3), at(7.4), at(7.5))).toBeGreaterThan(0.5);
    expect(at(0.5)).toBeLessThan(0.5);
    expect(at(13.4)).toBeLessThan(0.5);
  });

  it.each(['ort-web', 'builtin'] as const)('%s agrees with ort-node per chunk within 1e-4', async (b) => {
    const probs = results.get(b) ?? (await viaSession(file, card, b));
    expect(maxAbsDiff(probs, results.get('ort-node')!)).toBeLessThanOrEqual(1e-4);
  });
});

// Both Silero models declare a symbolic batch dimension and do run batched: stacking is checked against
// separate sessions (for v5 this also checks that each stream keeps its own 64-sample context).
describe.each([
  ['v5', 'silero_vad_v5.onnx', 'models/silero-vad/v5.card.json'],
  ['legacy', 'silero_vad_legacy.onnx', 'models/silero-vad/legacy.card.json'],
] as const)('Silero %s in slots', (_name, file, cardFile) => {
  it.each(BACKENDS)('8 streams through slots equal 8 separate sessions on %s (atol 1e-5)', async (backend) => {
    const card = JSON.parse(readFileSync(cardFile, 'utf8'));
    const path = `${DIST}/${file}`;
    const all = chunks();
    const STREAMS = 8;
    const STEPS = 12;
    // Stream s reads the recording from chunk 40 * s on, so the streams differ.
    const input = (s: number, t: number) => all[(40 * s + t) % all.length]!;
    const batched = await createStepSession(path, { backend, card });
    expect(batched.info.batchable).toBe(true);
    const slots = [batched.defaultSlot, ...Array.from({ length: STREAMS - 1 }, () => batched.addSlot())];
    const singles = await Promise.all(slots.map(() => createStepSession(path, { backend, card })));
    for (let t = 0; t < STEPS; t++) {
      const runs = batched.stats.runs;
      const outs = await batched.stepMany(slots.map((slot, s) => ({ slot, input: input(s, t) })));
      expect(batched.stats.runs - runs).toBe(1);
      for (let s = 0; s < STREAMS; s++) {
        const want = (await singles[s]!.step(input(s, t))).output!.data[0] as number;
        const got = ((outs[s] as Record<string, { data: Float32Array }>).output!.data[0])!;
        expect(Math.abs(got - want), `step ${t} stream ${s}`).toBeLessThanOrEqual(1e-5);
      }
    }
    await Promise.all([batched.dispose(), ...singles.map((x) => x.dispose())]);
  });
});
