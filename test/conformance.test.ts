/**
 * All 277 official ONNX node test cases on the built-in executor, compared by the ONNX runner's own rule
 * (rtol 1e-3, atol 1e-7 — `load_model_tests` defaults; no case here has a data.json overriding them).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareTensors } from '../src/conformance/compare.js';
import { runConformance } from '../src/node/conformance.js';
import { GraphBuilder } from '../src/onnx/build.js';
import { writeModel, writeTensor } from '../src/onnx/write.js';
import { tensor } from '../src/tensor.js';
import { CONFORMANCE_ROOT } from './conformance-data.js';

const ROOT = CONFORMANCE_ROOT;
const index = JSON.parse(readFileSync(join(ROOT, 'index.json'), 'utf8')) as { name: string }[];

/** Cases the built-in executor declines, each with its reason. Nothing else may be declined. */
const DECLINED: Record<string, RegExp> = {
  // Their graph values are sequence/optional types, which a tensor runtime cannot feed or return
  // (onnxruntime-node cannot either; see the conformance README).
  test_identity_sequence: /input 'x' is a sequence/,
  test_identity_opt: /input 'opt_in' is a optional/,
  test_if_seq: /output 'res' is a sequence/,
  test_if_opt: /output 'sequence' is a optional/,
};

describe('ONNX node conformance on the built-in executor', () => {
  it('has all 277 cases', () => {
    expect(index).toHaveLength(277);
  });

  it.each(index.map((c) => c.name))('%s', async (name) => {
    const report = await runConformance([join(ROOT, 'onnx-node', name)], { backend: 'builtin', rtol: 1e-3, atol: 1e-7 });
    expect(report.cases).toHaveLength(1);
    const c = report.cases[0]!;
    expect(c.name).toBe(name);
    if (name in DECLINED) {
      expect(c.declined).toBe(true);
      expect(c.error).toMatch(DECLINED[name]!);
      expect(report.declined).toBe(1);
    } else {
      expect(c.declined).toBe(false);
      expect(c.error).toBeUndefined();
      expect(c.ok).toBe(true);
      expect(c.maxAbsError).not.toBeNull();
      expect(report.passed).toBe(1);
    }
  });
});

describe('the same runner on onnxruntime-node', () => {
  // The conformance README records onnxruntime-node 1.30's result on these cases: 266 of 277 pass. The
  // runner must reproduce exactly that — an independent check of loading, feeding and the comparison rule.
  const ORT_FAILS = [
    'test_clip_default_int8_max_expanded', // no int8 Where kernel
    'test_clip_default_int8_min_expanded',
    'test_lstm_batchwise', // layout = 1 rejected by the CPU kernels
    'test_pow_types_float32_uint32', // no kernel for these types
    'test_pow_types_float32_uint64',
    'test_simple_rnn_batchwise',
    'test_top_k_uint64',
  ];
  it('passes 266, fails exactly the seven the README lists, declines the four sequence/optional cases', async () => {
    const report = await runConformance([join(ROOT, 'onnx-node')], { backend: 'ort-node' });
    expect(report.cases).toHaveLength(277);
    expect(report.cases.filter((c) => !c.ok && !c.declined).map((c) => c.name).sort()).toEqual([...ORT_FAILS].sort());
    expect(report.cases.filter((c) => c.declined).map((c) => c.name).sort()).toEqual(Object.keys(DECLINED).sort());
    expect(report.passed).toBe(266);
  });
});

describe('compareTensors: the ONNX runner rule', () => {
  const t = (values: number[], dtype: 'float32' | 'int64' = 'float32', dims = [values.length]) => tensor(dtype, dims, values);
  it('accepts |a - e| <= atol + rtol·|e| and rejects just beyond it', () => {
    const tol = { rtol: 1e-3, atol: 1e-7 };
    expect(compareTensors(t([100.09]), t([100]), tol).ok).toBe(true);
    const bad = compareTensors(t([100.2]), t([100]), tol);
    expect(bad.ok).toBe(false);
    expect(bad.maxAbsError).toBeCloseTo(0.2, 4);
    expect(bad.error).toMatch(/1 of 1 elements differ.*expected 100, got 100.19/);
  });
  it('treats NaN as equal to NaN only, and equal infinities as equal', () => {
    expect(compareTensors(t([NaN, Infinity]), t([NaN, Infinity])).ok).toBe(true);
    expect(compareTensors(t([0]), t([NaN])).ok).toBe(false);
    expect(compareTensors(t([-Infinity]), t([Infinity])).maxAbsError).toBe(Infinity);
  });
  it('requires the same dtype and shape', () => {
    expect(compareTensors(t([1, 2]), t([1, 2], 'int64')).error).toMatch(/dtype: expected int64, got float32/);
    expect(compareTensors(t([1, 2], 'float32', [1, 2]), t([1, 2])).error).toMatch(/shape: expected \[2\], got \[1, 2\]/);
  });
  it('compares int64 exactly where equal', () => {
    expect(compareTensors(tensor('int64', [1], [9007199254740993n]), tensor('int64', [1], [9007199254740993n]), { rtol: 0, atol: 0 }).ok).toBe(true);
  });
});

describe('runConformance on cases written here', () => {
  /** Writes an Add case whose expected output is `expected`. */
  function writeCase(root: string, name: string, expected: number[]) {
    const dir = join(root, name);
    mkdirSync(join(dir, 'test_data_set_0'), { recursive: true });
    const b = new GraphBuilder({ opset: 14 });
    b.output(b.add(b.input('a', 'float32', [2]), b.input('b', 'float32', [2])), 'float32');
    writeFileSync(join(dir, 'model.onnx'), writeModel(b.build()));
    writeFileSync(join(dir, 'test_data_set_0', 'input_0.pb'), writeTensor(tensor('float32', [2], [1, 2]), 'a'));
    writeFileSync(join(dir, 'test_data_set_0', 'input_1.pb'), writeTensor(tensor('float32', [2], [10, 20]), 'b'));
    writeFileSync(join(dir, 'test_data_set_0', 'output_0.pb'), writeTensor(tensor('float32', [2], expected)));
  }
  const root = mkdtempSync(join(tmpdir(), 'rxrnn-conf-'));
  writeCase(root, 'right', [11, 22]);
  writeCase(root, 'wrong', [11, 23]);
  mkdirSync(join(root, 'not-a-case'));

  for (const backend of ['builtin', 'ort-node'] as const) {
    it(`finds the cases under a folder and reports pass and fail with the largest error (${backend})`, async () => {
      const report = await runConformance([root], { backend });
      expect(report.cases.map((c) => c.name)).toEqual(['right', 'wrong']);
      expect([report.passed, report.failed, report.declined]).toEqual([1, 1, 0]);
      expect(report.cases[0]).toMatchObject({ ok: true, declined: false, maxAbsError: 0 });
      expect(report.cases[1]).toMatchObject({ ok: false, declined: false, maxAbsError: 1 });
      expect(report.cases[1]!.error).toMatch(/output '.*': 1 of 2 elements differ/);
    });
  }
  it('a folder without cases, or a path that does not exist, is a failure rather than a clean run', async () => {
    const report = await runConformance([join(root, 'not-a-case'), join(root, 'typo')], { backend: 'builtin' });
    expect(report.failed).toBe(2);
    expect(report.cases.map((c) => c.error)).toEqual([expect.stringMatching(/no case here/), 'no such file or folder']);
  });
  it('a looser tolerance turns the near miss into a pass', async () => {
    const report = await runConformance([join(root, 'wrong')], { backend: 'builtin', rtol: 0.05 });
    expect(report.passed).toBe(1);
  });
  it("a case's data.json sets its tolerance unless the caller gives one", async () => {
    writeCase(root, 'loose', [11, 23]);
    writeFileSync(join(root, 'loose', 'data.json'), JSON.stringify({ atol: 2, rtol: 0 }));
    expect((await runConformance([join(root, 'loose')], { backend: 'builtin' })).passed).toBe(1);
    expect((await runConformance([join(root, 'loose')], { backend: 'builtin', atol: 0.5 })).failed).toBe(1);
  });
  it('a case with fewer output files than the model has outputs fails, as the runner counts outputs', async () => {
    const dir = join(root, 'two-outputs');
    mkdirSync(join(dir, 'test_data_set_0'), { recursive: true });
    const b = new GraphBuilder({ opset: 14 });
    const a = b.input('a', 'float32', [1]);
    b.output(b.neg(a), 'float32');
    b.output(b.exp(a), 'float32');
    writeFileSync(join(dir, 'model.onnx'), writeModel(b.build()));
    writeFileSync(join(dir, 'test_data_set_0', 'input_0.pb'), writeTensor(tensor('float32', [1], [0])));
    writeFileSync(join(dir, 'test_data_set_0', 'output_0.pb'), writeTensor(tensor('float32', [1], [-0])));
    const report = await runConformance([dir], { backend: 'builtin' });
    expect(report.cases[0]!.error).toMatch(/1 expected output files, but the model has 2 outputs/);
  });
  it('a model with an operator the executor lacks fails with the operator named', async () => {
    const dir = join(root, 'missing-op');
    mkdirSync(join(dir, 'test_data_set_0'), { recursive: true });
    const b = new GraphBuilder({ opset: 14 });
    b.output(b.node('Det', [b.input('a', 'float32', [2, 2])])[0]!, 'float32');
    writeFileSync(join(dir, 'model.onnx'), writeModel(b.build()));
    writeFileSync(join(dir, 'test_data_set_0', 'input_0.pb'), writeTensor(tensor('float32', [2, 2], [1, 2, 3, 4])));
    writeFileSync(join(dir, 'test_data_set_0', 'output_0.pb'), writeTensor(tensor('float32', [], [-2])));
    const report = await runConformance([dir], { backend: 'builtin' });
    expect(report.failed).toBe(1);
    expect(report.cases[0]!.error).toMatch(/ai\.onnx::Det@14/);
  });
});
