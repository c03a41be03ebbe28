/**
 * The installed command: `bin/rxrnn.mjs` runs the tsup build in dist/ (made by `npm ci` through the
 * `prepare` script), not the TypeScript sources the other CLI tests use. This is what `npx rxrnn` runs.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from './cli-harness.js';

const run = promisify(execFile);
const BIN = join(ROOT, 'bin', 'rxrnn.mjs');

describe('bin/rxrnn.mjs (the built command)', () => {
  it('has a build to run (npm ci builds it; otherwise npm run build)', () => {
    expect(existsSync(join(ROOT, 'dist', 'cli.js'))).toBe(true);
  });

  it('describes a model', async () => {
    const { stdout } = await run(process.execPath, [BIN, 'info', 'models/gru-step/model.onnx'], { cwd: ROOT });
    expect(stdout).toMatch(/GRU/);
    expect(stdout).toMatch(/\bh\b/);
  });

  it('runs voice activity detection and finds no speech in noise', async () => {
    const { stdout } = await run(process.execPath, [BIN, 'vad', 'examples/data/noise.wav', '--json', '--backend', 'builtin'], {
      cwd: ROOT,
    });
    const out = JSON.parse(stdout) as { sampleRate: number; frameSamples: number; probabilities: number[]; segments: unknown[] };
    expect(out.sampleRate).toBe(16000);
    expect(out.frameSamples).toBe(512);
    expect(out.probabilities.length).toBe(Math.ceil((8 * 16000) / 512));
    expect(out.segments).toEqual([]);
  });

  it('exits 2 on an unknown flag: the problem on one line, a hint, no stack trace', async () => {
    const err = await run(process.execPath, [BIN, 'vad', '--no-such-flag', 'x.wav'], { cwd: ROOT }).catch((e: unknown) => e);
    const e = err as { code: number; stderr: string };
    expect(e.code).toBe(2);
    const lines = e.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^rxrnn vad: .*--no-such-flag/);
    expect(lines.slice(1).join('\n')).toMatch(/^Try 'rxrnn vad --help'\.$/);
    expect(e.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('the built package (dist/, as npm consumers load it)', () => {
  it('loads as CommonJS and as ESM with the same public API, and runs a step', async () => {
    const { createRequire } = await import('node:module');
    const require = createRequire(import.meta.url);
    const cjs = require(join(ROOT, 'dist', 'index.cjs')) as Record<string, unknown>;
    const esm = (await import(join(ROOT, 'dist', 'index.js'))) as Record<string, unknown>;
    expect(Object.keys(cjs).sort()).toEqual(Object.keys(esm).sort());
    for (const name of ['createStepSession', 'readModel', 'writeModel', 'GraphBuilder', 'step', 'keyed', 'importLayersModel']) {
      expect(typeof esm[name], name).toBe('function');
    }
    const node = require(join(ROOT, 'dist', 'node.cjs')) as Record<string, unknown>;
    expect(typeof node.readModelFile).toBe('function');
    const { readFileSync } = await import('node:fs');
    const create = esm.createStepSession as (m: Uint8Array, o: object) => Promise<{ step(x: Float32Array): Promise<Record<string, { data: Float32Array }>>; dispose(): Promise<void> }>;
    const card = JSON.parse(readFileSync(join(ROOT, 'models', 'gru-step', 'model.card.json'), 'utf8')) as object;
    const session = await create(readFileSync(join(ROOT, 'models', 'gru-step', 'model.onnx')), { backend: 'builtin', card });
    const out = await session.step(new Float32Array(12).fill(0.5));
    expect(Object.keys(out)).toContain('logits');
    expect(out.logits!.data.every(Number.isFinite)).toBe(true);
    await session.dispose();
  });
});
