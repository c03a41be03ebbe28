/**
 * `rxrnn info` and `rxrnn conformance`. Info is checked against what onnxruntime-node reports for the same
 * file (input/output names) and against the ONNX bytes' own node list; the starter card must pass the
 * card schema. Conformance runs case folders made here (expected outputs from onnxruntime-node), a copy of
 * one whose expected output was replaced (must fail, exit status 1). (The official ONNX cases are run
 * by test/conformance.test.ts.)
 */
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../src/onnx/build.js';
import { writeModel, writeTensor } from '../src/onnx/write.js';
import { tensor, type Tensor } from '../src/tensor.js';
import { validateCard } from '../src/session/card.js';
import { cli, ROOT } from './cli-harness.js';

const SILERO = join(ROOT, 'node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx');
const tmp = mkdtempSync(join(tmpdir(), 'rxrnn-cli-info-'));

describe('rxrnn info', () => {
  it('lists inputs, outputs, opsets and operators of Silero VAD v5 as onnxruntime sees them', async () => {
    const r = await cli(['info', SILERO, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as {
      inputs: { name: string; dtype: string; dims: unknown[] }[];
      outputs: { name: string }[];
      opsets: { domain: string; version: number }[];
      operators: Record<string, number>;
      builtinMissing: string[];
    };
    const s = await ort.InferenceSession.create(SILERO);
    expect(j.inputs.map((i) => i.name)).toEqual(s.inputNames);
    expect(j.outputs.map((o) => o.name)).toEqual(s.outputNames);
    await s.release();
    expect(j.inputs.find((i) => i.name === 'sr')).toEqual({ name: 'sr', dtype: 'int64', dims: [] });
    expect(j.opsets).toEqual([{ domain: 'ai.onnx', version: 16 }]);
    // LSTM lives inside If branches: counted with subgraphs.
    expect(j.operators['ai.onnx::LSTM']).toBeGreaterThan(0);
    expect(j.operators['ai.onnx::If']).toBeGreaterThan(0);
    expect(Array.isArray(j.builtinMissing)).toBe(true);
    const human = await cli(['info', SILERO]);
    expect(human.stdout).toMatch(/^inputs:\n {2}input: float32 \[\?, \?\]\n {2}state: float32 \[2, \?, 128\]\n {2}sr: int64 \[\]$/m);
    expect(human.stdout).toMatch(/^built-in executor(: runs every operator| lacks: )/m);
  });

  it('names what the built-in executor lacks', async () => {
    const b = new GraphBuilder({ opset: 17, name: 'custom' });
    const x = b.input('x', 'float32', [1, 4]);
    const [y] = b.node('Hardmax', [x], {}, 1);
    b.output(y!);
    const path = join(tmp, 'hardmax.onnx');
    writeFileSync(path, writeModel(b.build()));
    const r = await cli(['info', path]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^built-in executor lacks: ai\.onnx::Hardmax@17 — run it with --backend ort-node or ort-web$/m);
  });

  it('--card prints a starter card that passes the schema and binds state → stateN', async () => {
    const r = await cli(['info', SILERO, '--card']);
    expect(r.status, r.stderr).toBe(0);
    const card = validateCard(JSON.parse(r.stdout));
    expect(card.state?.map((s) => [s.input, s.output])).toEqual([['state', 'stateN']]);
  });
});

/**
 * Case folders made here, in the ONNX test layout, with expected outputs from onnxruntime-node: an LSTM
 * and a GRU over 4 steps, and an Add.
 */
async function makeCase(name: string, build: (b: GraphBuilder) => void, feeds: Record<string, Tensor>): Promise<string> {
  const b = new GraphBuilder({ opset: 17, name });
  build(b);
  const bytes = writeModel(b.build());
  const dir = join(tmp, 'cases', name);
  mkdirSync(join(dir, 'test_data_set_0'), { recursive: true });
  writeFileSync(join(dir, 'model.onnx'), bytes);
  const s = await ort.InferenceSession.create(bytes);
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [k, t] of Object.entries(feeds)) ortFeeds[k] = new ort.Tensor('float32', t.data as Float32Array, [...t.dims]);
  const out = await s.run(ortFeeds);
  s.inputNames.forEach((n, i) => writeFileSync(join(dir, 'test_data_set_0', `input_${i}.pb`), writeTensor(feeds[n]!, n)));
  s.outputNames.forEach((n, i) => {
    const t = out[n]!;
    writeFileSync(join(dir, 'test_data_set_0', `output_${i}.pb`), writeTensor(tensor('float32', [...t.dims], t.data as Float32Array), n));
  });
  await s.release();
  return dir;
}

function values(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1);
}

describe('rxrnn conformance', () => {
  let cases: string[] = [];
  beforeAll(async () => {
    cases = [
      await makeCase('lstm_case', (b) => {
        const x = b.input('x', 'float32', [4, 2, 3]);
        const W = b.initializer('W', tensor('float32', [1, 20, 3], values(60, 1)));
        const R = b.initializer('R', tensor('float32', [1, 20, 5], values(100, 2)));
        const { Y, Y_h } = b.lstm({ X: x, W, R, hiddenSize: 5, outputs: ['Y', 'Y_h', ''] });
        b.output(Y);
        b.output(Y_h);
      }, { x: tensor('float32', [4, 2, 3], values(24, 3)) }),
      await makeCase('gru_case', (b) => {
        const x = b.input('x', 'float32', [4, 1, 3]);
        const W = b.initializer('W', tensor('float32', [2, 12, 3], values(72, 4)));
        const R = b.initializer('R', tensor('float32', [2, 12, 4], values(96, 5)));
        const { Y } = b.gru({ X: x, W, R, hiddenSize: 4, direction: 'bidirectional', linearBeforeReset: 1, outputs: ['Y', ''] });
        b.output(Y);
      }, { x: tensor('float32', [4, 1, 3], values(12, 6)) }),
      await makeCase('add_case', (b) => {
        const a = b.input('a', 'float32', [2, 3]);
        const c = b.input('c', 'float32', [3]);
        b.output(b.add(a, c));
      }, { a: tensor('float32', [2, 3], values(6, 7)), c: tensor('float32', [3], values(3, 8)) }),
    ];
  });

  it('runs the cases on the built-in executor and ends with "N passed, N failed"', async () => {
    const r = await cli(['conformance', ...cases, '--atol', '1e-5']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('3 passed, 0 failed\n');
    expect(r.status).toBe(0);
  });

  it('prints {passed, failed, declined, cases} with --json, also on ort-node', async () => {
    const r = await cli(['conformance', join(tmp, 'cases'), '--json', '--backend', 'ort-node']);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { passed: number; failed: number; declined: number; cases: Record<string, unknown>[] };
    expect(Object.keys(j)).toEqual(['passed', 'failed', 'declined', 'cases']);
    expect([j.passed, j.failed, j.declined]).toEqual([3, 0, 0]);
    expect(j.cases.map((c) => c.name).sort()).toEqual(['add_case', 'gru_case', 'lstm_case']);
    expect(Object.keys(j.cases[0]!)).toEqual(['name', 'ok', 'declined', 'maxAbsError', 'error']);
  });

  it('reports a failing case with its largest error and exits 1', async () => {
    const broken = join(tmp, 'broken', 'add_broken');
    cpSync(cases[2]!, broken, { recursive: true });
    // The expected output becomes the first input: same shape, different values.
    cpSync(join(broken, 'test_data_set_0', 'input_0.pb'), join(broken, 'test_data_set_0', 'output_0.pb'));
    const r = await cli(['conformance', join(tmp, 'broken'), cases[2]!]);
    expect(r.status).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^FAIL add_broken \(max abs error \d\.\d{3}e[+-]\d+\)/);
    expect(lines.at(-1)).toBe('1 passed, 1 failed');
  });

  it('rejects --backend auto and a missing folder', async () => {
    expect((await cli(['conformance', cases[0]!, '--backend', 'auto'])).status).toBe(2);
    const missing = await cli(['conformance', join(tmp, 'no_such_case')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/cannot read test folder/);
  });
});
