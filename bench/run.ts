/**
 * `npm run bench` — runs every section in one process, prints the table and the issue-7 targets, writes
 * `bench/results.json`.
 *
 *   npm run bench                       full run (a few minutes; run it on a quiet machine)
 *   npm run bench -- --quick            a few seconds: proves the harness works (CI; never judges a time)
 *   npm run bench -- --out FILE         write the JSON elsewhere
 *   npm run bench -- --only latency,silero   run only some sections (latency, batched, silero, operator, memory, breakdown)
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { FULL, QUICK } from './config.js';
import { attempt, type BenchContext } from './context.js';
import { batchedSection } from './sections/batched.js';
import { breakdownSection } from './sections/breakdown.js';
import { latencySection } from './sections/latency.js';
import { memorySection } from './sections/memory.js';
import { operatorSection, type OperatorOverhead } from './sections/operator.js';
import { sileroSection } from './sections/silero.js';
import { formatTable } from './table.js';
import { judgeTargets } from './targets.js';
import type { Results } from './types.js';

const SECTIONS = ['latency', 'batched', 'silero', 'operator', 'memory', 'breakdown'] as const;
type Section = (typeof SECTIONS)[number];

interface Args {
  quick: boolean;
  out: string;
  only: Section[];
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, out: fileURLToPath(new URL('./results.json', import.meta.url)), only: [...SECTIONS] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') args.quick = true;
    else if (a === '--out' && argv[i + 1]) args.out = argv[++i]!;
    else if (a === '--only' && argv[i + 1]) {
      const names = argv[++i]!.split(',');
      const unknown = names.filter((n) => !(SECTIONS as readonly string[]).includes(n));
      if (unknown.length) throw new Error(`unknown section ${unknown.join(', ')}; expected some of ${SECTIONS.join(', ')}`);
      args.only = names as Section[];
    } else throw new Error(`unknown argument '${a}'; expected --quick, --out FILE, --only SECTIONS`);
  }
  return args;
}

/** The commit measured, with `+dirty` when src/ has uncommitted changes (the tree is shared while people work). */
function commitOf(): string | undefined {
  try {
    const opts = { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8' as const, stdio: ['ignore', 'pipe', 'ignore'] as ['ignore', 'pipe', 'ignore'] };
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], opts).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], opts).trim() !== '';
    return dirty ? `${head}+dirty` : head;
  } catch {
    return undefined;
  }
}

export async function runBench(argv: string[]): Promise<Results> {
  const args = parseArgs(argv);
  const config = args.quick ? QUICK : FULL;
  const cpu = cpus();
  const results: Results = {
    machine: {
      cpu: cpu[0]?.model.trim() ?? 'unknown',
      cores: cpu.length,
      node: process.versions.node,
      os: `${platform()} ${release()}`,
      quick: config.quick,
      loadAvg: loadavg().map((x) => Math.round(x * 100) / 100),
      commit: commitOf(),
    },
    records: [],
    checks: [],
    memory: [],
    breakdown: [],
    targets: [],
    failures: [],
  };
  const started = performance.now();
  const ctx: BenchContext = {
    config,
    results,
    log: (line) => process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1)}s] ${line}\n`),
  };
  let operator: OperatorOverhead | undefined;
  const sections: Record<Section, () => Promise<void>> = {
    latency: () => latencySection(ctx),
    batched: () => batchedSection(ctx),
    silero: () => sileroSection(ctx),
    operator: async () => void (operator = await operatorSection(ctx)),
    memory: () => memorySection(ctx),
    breakdown: () => breakdownSection(ctx),
  };
  for (const name of SECTIONS) if (args.only.includes(name)) await attempt(ctx, `section ${name}`, sections[name]);
  results.targets = judgeTargets(results, operator);
  writeFileSync(args.out, JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(formatTable(results) + '\n');
  ctx.log(`wrote ${args.out}`);
  return results;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runBench(process.argv.slice(2)).then(
    // onnxruntime-web may leave handles open; the run is over.
    (results) => process.exit(results.failures.length ? 1 : 0),
    (e: unknown) => {
      process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
