/**
 * Node-only: runs ONNX backend test cases (a folder holding `model.onnx` and `test_data_set_*` folders of
 * `input_N.pb` / `output_N.pb`) on a backend and compares by the ONNX runner's rule. This is how a user
 * checks that the built-in executor runs their model, and how the project checks it against the official
 * node tests.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import type { BackendName, Engine } from '../backends/backend.js';
import { getBackend } from '../backends/index.js';
import { compareTensors, ONNX_RUNNER_TOLERANCE, type Tolerance } from '../conformance/compare.js';
import type { Model, ValueInfo } from '../ir/graph.js';
import { readTensor } from '../onnx/read.js';
import { isDType, type Tensor } from '../tensor.js';
import { readModelFile } from './read-model-file.js';

export interface ConformanceOptions {
  backend: BackendName;
  /** Relative tolerance; default: the case's `data.json`, else 1e-3 (the ONNX runner's). */
  rtol?: number;
  /** Absolute tolerance; default: the case's `data.json`, else 1e-7 (the ONNX runner's). */
  atol?: number;
}

export interface ConformanceCase {
  /** The case folder, relative to the folder given that contained it (its base name for a case given directly). */
  name: string;
  ok: boolean;
  /** True when the case uses something a tensor runner cannot feed or compare (sequence/optional values, an element type rxrnn has no dtype for). */
  declined: boolean;
  /** Largest absolute error over all compared outputs; null when nothing was compared. */
  maxAbsError: number | null;
  /** Why the case failed or was declined. */
  error?: string;
}

export interface ConformanceReport {
  passed: number;
  failed: number;
  declined: number;
  cases: ConformanceCase[];
}

const DATA_SET = /^test_data_set_\d+$/;

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Every case folder under `root` (root itself when it is one), sorted by path. A case is a folder holding
 * `model.onnx` (and `test_data_set_*` folders).
 *
 * @example
 * ```ts
 * import { findCases } from 'rxrnn/node';
 * console.log(await findCases('test/fixtures/onnx-conformance/onnx-node')); // 277 folders
 * ```
 */
export async function findCases(root: string): Promise<string[]> {
  if (await exists(join(root, 'model.onnx'))) return [root];
  if (!(await isDir(root))) return [];
  const found: string[] = [];
  const entries = (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  for (const name of entries) found.push(...(await findCases(join(root, name))));
  return found;
}

/** Why a runner of tensors cannot run this model, or undefined when it can. */
export function declineReason(model: Model): string | undefined {
  const check = (vi: ValueInfo, role: string): string | undefined => {
    const t = vi.type;
    if (t === undefined) return undefined;
    if (t.kind !== 'tensor') return `graph ${role} '${vi.name}' is a ${t.kind}, not a tensor`;
    if (!isDType(t.elemType)) return `graph ${role} '${vi.name}' has element type ${t.elemType}, which rxrnn has no dtype for`;
    return undefined;
  };
  for (const vi of model.graph.inputs) {
    const r = check(vi, 'input');
    if (r) return r;
  }
  for (const vi of model.graph.outputs) {
    const r = check(vi, 'output');
    if (r) return r;
  }
  return undefined;
}

/** Files named `<prefix>_<N>.pb` in `dir`, ordered by N. */
async function numbered(dir: string, prefix: string): Promise<string[]> {
  const re = new RegExp(`^${prefix}_(\\d+)\\.pb$`);
  return (await readdir(dir))
    .map((f) => ({ f, m: re.exec(f) }))
    .filter((x) => x.m !== null)
    .sort((a, b) => Number(a.m![1]) - Number(b.m![1]))
    .map((x) => join(dir, x.f));
}

/**
 * The tolerance for one case: explicit options win; otherwise a `data.json` beside `model.onnx` may set
 * `rtol`/`atol` (as the ONNX loader reads it); otherwise the runner's defaults.
 */
async function caseTolerance(dir: string, options: ConformanceOptions): Promise<Tolerance> {
  let fromFile: Partial<Tolerance> = {};
  try {
    const json = JSON.parse(await readFile(join(dir, 'data.json'), 'utf8')) as Record<string, unknown>;
    if (typeof json.rtol === 'number') fromFile.rtol = json.rtol;
    if (typeof json.atol === 'number') fromFile.atol = json.atol;
  } catch {
    fromFile = {};
  }
  return {
    rtol: options.rtol ?? fromFile.rtol ?? ONNX_RUNNER_TOLERANCE.rtol,
    atol: options.atol ?? fromFile.atol ?? ONNX_RUNNER_TOLERANCE.atol,
  };
}

async function runCase(dir: string, name: string, backend: BackendName, tol: Tolerance): Promise<ConformanceCase> {
  const result: ConformanceCase = { name, ok: false, declined: false, maxAbsError: null };
  let model: Model;
  try {
    model = await readModelFile(join(dir, 'model.onnx'));
  } catch (e) {
    result.error = `cannot read model: ${(e as Error).message}`;
    return result;
  }
  const reason = declineReason(model);
  if (reason !== undefined) {
    result.declined = true;
    result.error = reason;
    return result;
  }
  let engine: Engine | undefined;
  try {
    engine = await getBackend(backend).load(backend === 'builtin' ? model : join(dir, 'model.onnx'));
    const sets = (await readdir(dir)).filter((d) => DATA_SET.test(d)).sort();
    if (sets.length === 0) throw new Error('no test_data_set_* folder');
    let maxAbs = 0;
    const problems: string[] = [];
    for (const set of sets) {
      const setDir = join(dir, set);
      const feeds: Record<string, Tensor> = {};
      const inputs = await numbered(setDir, 'input');
      for (let i = 0; i < inputs.length; i++) {
        const vi = model.graph.inputs[i];
        if (vi === undefined) throw new Error(`${set}: input_${i}.pb has no graph input ${i}`);
        feeds[vi.name] = readTensor(await readFile(inputs[i]!));
      }
      const outs = await engine.run(feeds);
      const expected = await numbered(setDir, 'output');
      if (expected.length !== model.graph.outputs.length) {
        // the ONNX runner compares the number of outputs first
        problems.push(`${set}: ${expected.length} expected output files, but the model has ${model.graph.outputs.length} outputs`);
      }
      for (let i = 0; i < expected.length; i++) {
        const vi = model.graph.outputs[i];
        if (vi === undefined) throw new Error(`${set}: output_${i}.pb has no graph output ${i}`);
        const got = outs[vi.name];
        if (got === undefined) {
          problems.push(`${set} output '${vi.name}': not returned`);
          continue;
        }
        const c = compareTensors(got, readTensor(await readFile(expected[i]!)), tol);
        if (c.maxAbsError !== null && c.maxAbsError > maxAbs) maxAbs = c.maxAbsError;
        if (!c.ok) problems.push(`${set} output '${vi.name}': ${c.error}`);
      }
    }
    result.maxAbsError = maxAbs;
    result.ok = problems.length === 0;
    if (!result.ok) result.error = problems.join('; ');
  } catch (e) {
    result.error = (e as Error).message ?? String(e);
  } finally {
    await engine?.dispose();
  }
  return result;
}

/**
 * Runs every case found under `dirs` on `options.backend`.
 *
 * @example
 * ```ts
 * import { runConformance } from 'rxrnn/node';
 * const report = await runConformance(['./my-model-case'], { backend: 'builtin' });
 * for (const c of report.cases) if (!c.ok && !c.declined) console.log(c.name, c.error);
 * ```
 */
export async function runConformance(dirs: string[], options: ConformanceOptions): Promise<ConformanceReport> {
  const report: ConformanceReport = { passed: 0, failed: 0, declined: 0, cases: [] };
  for (const root of dirs) {
    const cases = await findCases(root);
    if (cases.length === 0) {
      // A folder that holds no case is reported, not skipped: a typo must not look like a clean run.
      const error = (await exists(root))
        ? 'no case here: a case is a folder holding model.onnx and test_data_set_*/'
        : 'no such file or folder';
      report.cases.push({ name: root, ok: false, declined: false, maxAbsError: null, error });
      report.failed++;
      continue;
    }
    for (const dir of cases) {
      const name = dir === root ? basename(dir) : relative(root, dir);
      const c = await runCase(dir, name, options.backend, await caseTolerance(dir, options));
      report.cases.push(c);
      if (c.declined) report.declined++;
      else if (c.ok) report.passed++;
      else report.failed++;
    }
  }
  return report;
}
