/**
 * `rxrnn info` and `rxrnn conformance`. Info is checked against what onnxruntime-node reports for the same
 * file (input/output names) and against the ONNX bytes' own node list; the starter card must pass the
 * card schema. Conformance runs official ONNX cases from ../shared/conformance and a copy of one whose
 * expected output was replaced, which must fail with exit status 1.
 */
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { validateCard } from '../src/session/card.js';
import { cli, ROOT } from './cli-harness.js';

const SILERO = join(ROOT, 'node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx');
const CASES = join(ROOT, '../shared/conformance/onnx-node');

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
    const bad = join(CASES, 'test_top_k_uint64');
    const r = await cli(['info', join(bad, 'model.onnx')]);
    expect(r.status).toBe(0);
    if (r.stdout.includes('lacks')) expect(r.stdout).toMatch(/lacks: .*TopK.*--backend ort-node or ort-web/);
  });

  it('--card prints a starter card that passes the schema and binds state → stateN', async () => {
    const r = await cli(['info', SILERO, '--card']);
    expect(r.status, r.stderr).toBe(0);
    const card = validateCard(JSON.parse(r.stdout));
    expect(card.state?.map((s) => [s.input, s.output])).toEqual([['state', 'stateN']]);
  });
});

describe.runIf(existsSync(CASES))('rxrnn conformance', () => {
  const some = ['test_lstm_defaults', 'test_gru_seq_length', 'test_simple_rnn_with_initial_bias', 'test_add'].map((c) => join(CASES, c));

  it('runs official cases on the built-in executor and ends with "N passed, N failed"', async () => {
    const r = await cli(['conformance', ...some]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('4 passed, 0 failed\n');
    expect(r.status).toBe(0);
  });

  it('prints {passed, failed, declined, cases} with --json, also on ort-node', async () => {
    const r = await cli(['conformance', ...some, '--json', '--backend', 'ort-node']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout) as { passed: number; failed: number; declined: number; cases: Record<string, unknown>[] };
    expect(Object.keys(j)).toEqual(['passed', 'failed', 'declined', 'cases']);
    expect([j.passed, j.failed, j.declined]).toEqual([4, 0, 0]);
    expect(Object.keys(j.cases[0]!)).toEqual(['name', 'ok', 'declined', 'maxAbsError', 'error']);
  });

  it('reports a failing case with its largest error and exits 1', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'rxrnn-cli-conf-'));
    const broken = join(tmp, 'test_add_broken');
    cpSync(join(CASES, 'test_add'), broken, { recursive: true });
    // The expected output becomes the first input: same shape, different values.
    cpSync(join(broken, 'test_data_set_0', 'input_0.pb'), join(broken, 'test_data_set_0', 'output_0.pb'));
    const r = await cli(['conformance', tmp, join(CASES, 'test_add')]);
    expect(r.status).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^FAIL test_add_broken \(max abs error \d\.\d{3}e[+-]\d+\)/);
    expect(lines.at(-1)).toBe('1 passed, 1 failed');
  });

  it('rejects --backend auto and a missing folder', async () => {
    expect((await cli(['conformance', CASES, '--backend', 'auto'])).status).toBe(2);
    const missing = await cli(['conformance', join(CASES, 'no_such_case')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/cannot read test folder/);
  });
});
