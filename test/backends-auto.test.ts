/**
 * Backends behind one interface: the registry, `auto`'s choice and its reasons (including the 32-bit Pi
 * case, where onnxruntime-node has no binary), BackendErrors at load time naming the backend, options
 * passed through, onnxruntime-node's preallocated outputs, and the browser-safety of the core files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildGruStep } from '../scripts/build-step-models.js';
import { loadAuto } from '../src/backends/auto.js';
import type { Backend, BackendName } from '../src/backends/backend.js';
import { getBackend, loadEngine } from '../src/backends/index.js';
import { BackendError } from '../src/errors.js';
import { GraphBuilder } from '../src/onnx/build.js';
import { writeModel } from '../src/onnx/write.js';
import { tensor, toNumberArray } from '../src/tensor.js';

const gru = writeModel(buildGruStep());
const feeds = (t: number) => ({
  x: tensor('float32', [1, 1, 12], Array.from({ length: 12 }, (_, i) => Math.sin(i + t))),
  h: tensor('float32', [1, 1, 24]),
});

/** A backend that is not there, as onnxruntime-node on a 32-bit Raspberry Pi. */
const missing = (name: BackendName, reason: string): Backend => ({
  name,
  available: async () => ({ ok: false, reason }),
  load: async () => {
    throw new BackendError(name, reason);
  },
});

describe('backend registry', () => {
  it('knows the three backends and refuses others', async () => {
    for (const name of ['builtin', 'ort-node', 'ort-web'] as const) {
      expect(getBackend(name).name).toBe(name);
      expect((await getBackend(name).available()).ok).toBe(true);
    }
    expect(() => getBackend('tensorrt' as BackendName)).toThrow(/unknown backend; expected one of builtin, ort-node, ort-web or 'auto'/);
  });

  it("'auto' picks ort-node in Node and says why", async () => {
    const { engine, backend, reason } = await loadEngine(gru, { backend: 'auto' });
    expect(backend).toBe('ort-node');
    expect(reason).toMatch(/auto picked ort-node: onnxruntime-node native binary loaded/);
    await engine.dispose();
  });

  it("'auto' without onnxruntime-node (a 32-bit Pi) lands on ort-web, then builtin, reporting why", async () => {
    const pi = (name: BackendName) => (name === 'ort-node' ? missing('ort-node', 'no native binary for linux/arm') : getBackend(name));
    const a = await loadAuto(gru, undefined, pi);
    expect(a.backend).toBe('ort-web');
    expect(a.reason).toMatch(/skipped ort-node: no native binary for linux\/arm/);
    await a.engine.dispose();
    const noWasm = (name: BackendName) => (name === 'builtin' ? getBackend(name) : missing(name, `${name} missing`));
    const b = await loadAuto(gru, undefined, noWasm);
    expect(b.backend).toBe('builtin');
    expect(b.reason).toMatch(/skipped ort-node: ort-node missing; ort-web: ort-web missing/);
    await b.engine.dispose();
  });

  it("'auto' passes over a backend that cannot run the model, and fails listing every reason when none can", async () => {
    const b = new GraphBuilder({ name: 'custom', opsetImports: [{ domain: 'com.example', version: 1 }] });
    const x = b.input('x', 'float32', [2]);
    b.node('Frobnicate', [x], {}, ['y'], { domain: 'com.example', name: 'frob' });
    b.output('y', 'float32', [2]);
    const custom = b.build();
    const err = await loadAuto(custom, undefined, getBackend).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/^\[auto\] no backend can run this model here/);
    expect(msg).toMatch(/ort-node: \[ort-node\] cannot load this model/);
    expect(msg).toMatch(/ort-web: \[ort-web\] cannot load this model/);
    expect(msg).toMatch(/builtin: \[builtin\] cannot run this model: .*Frobnicate/);
  });
});

describe.each(['builtin', 'ort-node', 'ort-web'] as const)('%s engine', (name) => {
  it('runs stateless: the same feeds give the same outputs, and it matches ort-node', async () => {
    const engine = await getBackend(name).load(gru);
    const ref = await getBackend('ort-node').load(gru);
    expect(engine.inputs.map((v) => v.name)).toEqual(['x', 'h']);
    expect(engine.outputs.map((v) => v.name)).toEqual(['logits', 'hn']);
    for (let t = 0; t < 3; t++) {
      const a = toNumberArray((await engine.run(feeds(t))).logits!);
      const b = toNumberArray((await ref.run(feeds(t))).logits!);
      a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThanOrEqual(1e-5));
    }
    await Promise.all([engine.dispose(), ref.dispose()]);
  });

  it('refuses a model it cannot load with a BackendError naming it, at load time', async () => {
    const b = new GraphBuilder({ name: 'bad' });
    const x = b.input('x', 'float32', [2]);
    b.node('NoSuchOp', [x], {}, ['y']);
    b.output('y', 'float32', [2]);
    const err = await getBackend(name).load(b.build()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as BackendError).backend).toBe(name);
    expect((err as Error).message).toMatch(new RegExp(`^\\[${name}\\] cannot (load|run) this model: .*NoSuchOp`));
  });

  it('run() after dispose() is a BackendError', async () => {
    const engine = await getBackend(name).load(gru);
    await engine.dispose();
    await expect(engine.run(feeds(0))).rejects.toThrow(BackendError);
  });
});

describe('options and preallocation', () => {
  it('ort-node takes threads, optimisation level and providers; an unknown provider is a BackendError', async () => {
    const e = await getBackend('ort-node').load(gru, { threads: 1, graphOptimizationLevel: 'disabled', executionProviders: ['cpu'] });
    expect(toNumberArray((await e.run(feeds(0))).hn!).length).toBe(24);
    await e.dispose();
    await expect(getBackend('ort-node').load(gru, { executionProviders: ['no-such-provider'] })).rejects.toThrow(/\[ort-node\] cannot load this model/);
  });

  it('ort-web takes the wasm provider and a thread count', async () => {
    const e = await getBackend('ort-web').load(gru, { threads: 1, executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    expect(toNumberArray((await e.run(feeds(0))).hn!).length).toBe(24);
    await e.dispose();
  });

  it('ort-node writes later runs into preallocated output buffers, with correct values', async () => {
    const e = await getBackend('ort-node').load(gru);
    const fresh = await getBackend('ort-node').load(gru);
    const first = await e.run(feeds(0));
    const second = await e.run(feeds(1));
    const third = await e.run(feeds(2));
    expect(third.hn!.data).toBe(second.hn!.data);
    expect(first.hn!.data).not.toBe(second.hn!.data);
    expect(toNumberArray(third.hn!)).toEqual(toNumberArray((await fresh.run(feeds(2))).hn!));
    await Promise.all([e.dispose(), fresh.dispose()]);
  });
});

describe('browser safety', () => {
  it('sessions and backends bundle for the browser (esbuild, platform browser) without onnxruntime-node or Node modules', async () => {
    const { build } = await import('esbuild');
    const r = await build({
      entryPoints: ['src/session/step-session.ts', 'src/backends/index.ts'],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      outdir: 'out',
      external: ['onnxruntime-web'],
      logLevel: 'silent',
      metafile: true,
    });
    const inputs = Object.keys(r.metafile!.inputs);
    expect(inputs.some((f) => f.includes('onnxruntime-node'))).toBe(false);
    for (const out of r.outputFiles!) expect(out.text).not.toMatch(/from\s*["'](node:|fs["'])/);
  });

  const files = [...readdirSync('src/backends').map((f) => `src/backends/${f}`), ...readdirSync('src/session').map((f) => `src/session/${f}`)];
  it.each(files)('%s imports no Node module statically and reads no process/Buffer', (file) => {
    const src = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    expect(src).not.toMatch(/from\s+['"](node:|fs|path|os|onnxruntime-node)/);
    expect(src).not.toMatch(/\bprocess\.|\bBuffer\b|require\(/);
  });
});
