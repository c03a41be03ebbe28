/**
 * All 277 official ONNX node test cases on the built-in executor, compared by the ONNX runner's own rule
 * (rtol 1e-3, atol 1e-7 — `load_model_tests` defaults; no case here has a data.json overriding them).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runConformance } from '../src/node/conformance.js';

const ROOT = join(import.meta.dirname, '..', '..', 'shared', 'conformance');
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
