/**
 * The benchmark harness works: `npm run bench -- --quick` runs every section and writes results.json in
 * issue 7's format. Times are never judged here (the machine is shared, and --quick measures for
 * milliseconds); what is checked is the shape of the file, that every engine/model combination produced
 * finite positive numbers, and that every engine computed the same outputs as onnxruntime-node (|Δ| ≤ 1e-4
 * + 1e-4·|ref|, the harness's own agreement checks) — a benchmark of a wrong answer would be worthless.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchRecord, Results } from '../bench/types.js';

const ENGINES = ['builtin', 'ort-node-1t', 'ort-node', 'ort-web', 'tfjs', 'builtin+operator'];
const SESSION_ENGINES = ['builtin', 'ort-node-1t', 'ort-node', 'ort-web'];

let dir: string;
let results: Results;
let stdout: string;
let exitError: string | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rxrnn-bench-'));
  const out = join(dir, 'results.json');
  try {
    const run = await promisify(execFile)('npm', ['run', '--silent', 'bench', '--', '--quick', '--out', out], {
      cwd: join(import.meta.dirname, '..'),
      maxBuffer: 16 * 2 ** 20,
    });
    stdout = run.stdout;
  } catch (e) {
    // A run with failed measurements exits 1 but still writes its JSON: let the tests below say what failed.
    const err = e as { stdout?: string; stderr?: string; code?: number };
    stdout = err.stdout ?? '';
    exitError = `exit ${err.code}: ${(err.stderr ?? '').split('\n').filter((l) => l.includes('FAILED') || l.includes('bench failed')).join('\n')}`;
  }
  results = JSON.parse(readFileSync(out, 'utf8')) as Results;
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const positive = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x > 0;

describe('npm run bench -- --quick', () => {
  it('describes the machine', () => {
    expect(typeof results.machine.cpu).toBe('string');
    expect(results.machine.cpu.length).toBeGreaterThan(0);
    expect(Number.isInteger(results.machine.cores) && results.machine.cores > 0).toBe(true);
    expect(results.machine.node).toBe(process.versions.node);
    expect(results.machine.quick).toBe(true);
  });

  it('writes records with exactly the issue-7 fields, all finite', () => {
    const required = ['engine', 'model', 'input', 'hidden', 'batch', 'medianUs', 'p99Us', 'perStreamStepUs', 'stepsPerSecond', 'rssMB'];
    const optional = ['streams', 'realTimeFactor', 'samples'];
    expect(results.records.length).toBeGreaterThan(0);
    for (const r of results.records) {
      const where = JSON.stringify(r);
      for (const k of required) expect(r, where).toHaveProperty(k);
      for (const k of Object.keys(r)) expect([...required, ...optional], `${k} in ${where}`).toContain(k);
      expect(ENGINES, where).toContain(r.engine);
      expect(['lstm', 'gru', 'silero-v5'], where).toContain(r.model);
      for (const k of ['input', 'hidden', 'batch', 'medianUs', 'p99Us', 'perStreamStepUs', 'stepsPerSecond', 'rssMB'] as const) {
        expect(positive(r[k]), `${k} in ${where}`).toBe(true);
      }
      expect(r.p99Us, where).toBeGreaterThanOrEqual(r.medianUs);
      // Both are rounded in the file (median to 0.01 µs, per stream-step to 0.001 µs).
      const n = r.streams ?? r.batch;
      expect(Math.abs(r.perStreamStepUs * n - r.medianUs), where).toBeLessThanOrEqual(0.005 + 0.0005 * n + 1e-9);
      if (r.streams !== undefined) expect(r.batch, where).toBe(1);
    }
  });

  it('covers every engine on every model kind, batched and separate streams, Silero with its RTF', () => {
    const has = (f: (r: BenchRecord) => boolean) => results.records.some(f);
    for (const model of ['lstm', 'gru']) {
      for (const engine of [...SESSION_ENGINES, 'tfjs']) expect(has((r) => r.engine === engine && r.model === model && r.batch === 1 && r.streams === undefined), `${engine} ${model}`).toBe(true);
    }
    for (const engine of SESSION_ENGINES) {
      expect(has((r) => r.engine === engine && r.batch > 1), `${engine} in slots`).toBe(true);
      expect(has((r) => r.engine === engine && r.batch === 1 && (r.streams ?? 0) > 1), `${engine} as separate sessions`).toBe(true);
      const silero = results.records.find((r) => r.engine === engine && r.model === 'silero-v5');
      expect(silero, `${engine} silero`).toBeDefined();
      expect(silero!.realTimeFactor).toBeCloseTo(silero!.medianUs / 32_000, 4);
    }
    expect(has((r) => r.engine === 'builtin+operator')).toBe(true);
  });

  it('every engine agreed with the reference before it was timed', () => {
    expect(results.checks.length).toBeGreaterThanOrEqual(SESSION_ENGINES.length * 3 + 2);
    for (const c of results.checks) {
      expect(c.ok, JSON.stringify(c)).toBe(true);
      expect(c.maxAbsDiff).toBeLessThanOrEqual(c.atol + c.rtol);
      expect(c.atol).toBe(1e-4);
      expect(c.rtol).toBe(1e-4);
    }
    // tf.js runs the same weights: its agreement proves the gate-order mapping, so the comparison is fair.
    expect(results.checks.filter((c) => c.engine === 'tfjs').length).toBe(2);
  });

  it('measures heap growth on builtin and judges every target it measured', () => {
    expect(results.memory).toHaveLength(1);
    const m = results.memory[0]!;
    expect(m.engine).toBe('builtin');
    expect(m.steps).toBeGreaterThan(0);
    expect(Number.isFinite(m.heapGrowthBytes)).toBe(true);
    expect(m.bufferAllocations).toBe(0);
    const ids = results.targets.map((t) => t.id);
    for (const id of ['lstm-h32-vs-ort-node-1t', 'gru-h32-vs-ort-node-1t', 'lstm-h32-vs-tfjs', 'silero-rtf-builtin', 'silero-vs-ort-node-1t', 'operator-overhead', 'heap-growth-builtin']) {
      expect(ids).toContain(id);
    }
    for (const t of results.targets) {
      expect(typeof t.met).toBe('boolean');
      expect(Number.isFinite(t.value)).toBe(true);
      if (t.id === 'heap-growth-builtin') expect(t.met).toBe(m.heapGrowthBytes / m.steps < 1 && m.bufferAllocations === 0);
      else expect(t.met).toBe(t.value! <= t.limit);
    }
  });

  it('ran every measurement (none failed, exit 0) and timed the builtin engine without a session', () => {
    expect(results.failures).toEqual([]);
    expect(exitError).toBeUndefined();
    const lone = results.breakdown.find((b) => b.model === 'lstm' && b.batch === 1);
    const batched = results.breakdown.find((b) => b.model === 'lstm' && b.batch > 1);
    const silero = results.breakdown.find((b) => b.model === 'silero-v5');
    for (const b of [lone, batched, silero]) {
      expect(b).toBeDefined();
      expect(positive(b!.medianUs)).toBe(true);
      expect(b!.perStreamStepUs).toBeCloseTo(b!.medianUs / b!.batch, 6);
    }
  });

  it('prints the table and the targets', () => {
    expect(stdout).toContain('median µs');
    expect(stdout).toContain('targets (issue 7):');
    for (const t of results.targets) expect(stdout).toContain(t.goal);
  });
});
