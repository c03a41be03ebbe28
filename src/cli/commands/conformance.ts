/**
 * `rxrnn conformance DIR...`: runs every ONNX node test case under the folders (a folder holding
 * `model.onnx` and `test_data_set_*` is one case) on a backend with the ONNX runner's comparison rule, prints
 * one line per failing case with its largest error, and ends with `N passed, N failed`. Exit 0 only when
 * nothing failed. This is how a user checks that the built-in executor runs their model.
 */
import { stat } from 'node:fs/promises';
import { runConformance } from '../../node/conformance.js';
import { numberFlag, UsageError, type CommandSpec, type ParsedArgs } from '../args.js';
import type { Command } from '../command.js';
import { CliError } from '../files.js';
import type { CliIo } from '../io.js';

const spec: CommandSpec = {
  name: 'conformance',
  summary:
    'Run ONNX test cases (folders with model.onnx and test_data_set_*/ holding input_*.pb, output_*.pb) on a\n' +
    'backend and compare with the expected outputs: |actual − expected| ≤ atol + rtol·|expected|.',
  args: 'DIR...',
  positionals: { min: 1, max: Infinity },
  backend: true,
  options: {
    rtol: { type: 'string', value: 'R', description: 'relative tolerance', defaultText: '1e-3' },
    atol: { type: 'string', value: 'A', description: 'absolute tolerance', defaultText: '1e-7' },
  },
  details:
    'The backend defaults to builtin here (auto is not accepted: a check names what it checks).\n' +
    '--json prints {"passed", "failed", "declined", "cases": [{"name", "ok", "declined", "maxAbsError", "error"}]}.\n\n' +
    'Example: rxrnn conformance test/fixtures/onnx-conformance/onnx-node --backend builtin',
};

async function run(args: ParsedArgs, io: CliIo): Promise<number> {
  const raw = args.values.backend;
  if (raw === 'auto') throw new UsageError('conformance checks one backend: pass --backend builtin, ort-node or ort-web');
  const backend = raw === undefined ? 'builtin' : args.flags.backend;
  if (backend === 'auto') throw new UsageError('conformance needs a concrete backend');
  const rtol = numberFlag(args, 'rtol', 1e-3, { min: 0 });
  const atol = numberFlag(args, 'atol', 1e-7, { min: 0 });
  for (const dir of args.positionals) {
    try {
      await stat(dir);
    } catch {
      throw new CliError(`cannot read test folder '${dir}': no such file or directory`);
    }
  }
  const report = await runConformance(args.positionals, { backend, rtol, atol });
  if (report.cases.length === 0) {
    throw new CliError(`no test cases under ${args.positionals.join(', ')}: expected folders holding model.onnx and test_data_set_*/`);
  }
  if (args.flags.json) {
    const cases = report.cases.map((c) => ({ name: c.name, ok: c.ok, declined: c.declined, maxAbsError: c.maxAbsError, error: c.error ?? null }));
    io.stdout.write(`${JSON.stringify({ passed: report.passed, failed: report.failed, declined: report.declined, cases })}\n`);
  } else {
    for (const c of report.cases) {
      if (c.ok) continue;
      const err = c.maxAbsError === null ? '' : ` (max abs error ${c.maxAbsError.toExponential(3)})`;
      const line = c.declined ? `DECLINED ${c.name}: ${c.error ?? ''}` : `FAIL ${c.name}${err}: ${c.error ?? ''}`;
      io.stdout.write(`${line.trimEnd().replace(/:$/, '')}\n`);
    }
    if (!args.flags.quiet && report.declined) io.stdout.write(`${report.declined} declined (see DECLINED lines)\n`);
    io.stdout.write(`${report.passed} passed, ${report.failed} failed\n`);
  }
  return report.failed === 0 ? 0 : 1;
}

export const conformanceCommand: Command = { spec, run };
