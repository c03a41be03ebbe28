/**
 * Renders a results.json as the Markdown tables of the README performance section, so the README's performance section
 * can be refreshed from any run:
 *
 *   npx tsx bench/markdown.ts [bench/results.json] > /tmp/tables.md
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BenchRecord, Results } from './types.js';

const num = (x: number, digits = 1) => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** `align`: one letter per column, `l` or `r` (default: the first left, the rest right). */
function table(header: string[], rows: string[][], align?: string): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const rule = header.map((_, i) => ((align ? align[i] === 'l' : i === 0) ? '---' : '---:'));
  return [line(header), line(rule), ...rows.map(line)].join('\n');
}

function latencyTable(results: Results, model: 'lstm' | 'gru'): string {
  const engines = ['builtin', 'ort-node-1t', 'ort-node', 'ort-web', 'tfjs'] as const;
  const lone = results.records.filter((r) => r.model === model && r.batch === 1 && r.streams === undefined && r.engine !== 'builtin+operator');
  const sizes = [...new Set(lone.map((r) => `${r.input}×${r.hidden}`))];
  const rows = sizes.map((size) => {
    const at = (e: string) => lone.find((r) => r.engine === e && `${r.input}×${r.hidden}` === size);
    const builtin = at('builtin');
    const ort = at('ort-node-1t');
    return [
      size,
      ...engines.map((e) => {
        const r = at(e);
        return r ? `${num(r.medianUs)} (p99 ${num(r.p99Us, 0)})` : '—';
      }),
      builtin && ort ? `${num(builtin.medianUs / ort.medianUs, 2)}×` : '—',
    ];
  });
  return table([`${model.toUpperCase()} in×hidden`, ...engines.map((e) => `${e} µs`), 'builtin / ort-node-1t'], rows);
}

function batchedTable(results: Results): string {
  const rows = results.records
    .filter((r) => r.model !== 'silero-v5' && r.engine !== 'builtin+operator' && (r.batch > 1 || r.streams !== undefined))
    .map((r: BenchRecord) => [
      r.engine,
      `${r.input}×${r.hidden}`,
      r.batch > 1 ? `${r.batch} slots, one call` : `${r.streams} separate sessions`,
      num(r.medianUs),
      num(r.perStreamStepUs, 2),
      r.stepsPerSecond.toLocaleString('en-US'),
      num(r.rssMB, 0),
    ]);
  return table(['engine', 'model', 'streams', 'µs per round', 'µs per stream-step', 'stream-steps/s', 'RSS MB'], rows, 'lllrrrr');
}

function sileroTable(results: Results): string {
  const rows = results.records
    .filter((r) => r.model === 'silero-v5')
    .map((r) => [r.engine, num(r.medianUs), num(r.p99Us), (r.realTimeFactor ?? NaN).toFixed(4), num(r.rssMB, 0)]);
  return table(['engine', 'µs per 512-sample chunk', 'p99 µs', 'real-time factor', 'RSS MB'], rows);
}

function targetsTable(results: Results): string {
  return table(
    ['target', 'measured', 'bound', 'met', 'detail'],
    results.targets.map((t) => [t.goal, String(t.value), String(t.limit), t.met ? 'yes' : '**no**', t.detail]),
    'lrrll',
  );
}

export function toMarkdown(results: Results): string {
  const m = results.machine;
  const bad = results.checks.filter((c) => !c.ok);
  return [
    `Machine: ${m.cpu}, ${m.cores} cores, Node ${m.node}${m.os ? `, ${m.os}` : ''}${m.commit ? `, commit ${m.commit}` : ''}${m.loadAvg ? ` (load average at start ${m.loadAvg.join(', ')})` : ''}${m.quick ? ' — a --quick run: times not meaningful' : ''}.`,
    '',
    '### Per-step latency, batch 1 (median µs per step, state carried)',
    '',
    latencyTable(results, 'lstm'),
    '',
    latencyTable(results, 'gru'),
    '',
    '### Batched streams',
    '',
    batchedTable(results),
    '',
    '### Silero VAD v5 (512 samples at 16 kHz + 64 of context per call)',
    '',
    sileroTable(results),
    '',
    '### Memory',
    '',
    ...results.memory.map((mem) => `Heap growth on builtin over ${mem.steps.toLocaleString('en-US')} steps (${mem.model} ${mem.input}×${mem.hidden}): ${mem.heapGrowthBytes.toLocaleString('en-US')} bytes; tensor buffers allocated: ${mem.bufferAllocations}. Method: ${mem.method}.`),
    '',
    `Agreement: ${results.checks.length - bad.length} of ${results.checks.length} checks of an engine's outputs against onnxruntime-node (or, for slots, against each stream run alone) were within |Δ| ≤ 1e-4 + 1e-4·|ref|.`,
    ...bad.map((c) => `- FAILED: ${c.engine} ${c.model} ${c.input}×${c.hidden}, max |Δ| ${c.maxAbsDiff}${c.note ? ` (${c.note})` : ''}`),
    '',
    '### Targets (issue 7)',
    '',
    targetsTable(results),
    '',
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const path = process.argv[2] ?? fileURLToPath(new URL('./results.json', import.meta.url));
  process.stdout.write(toMarkdown(JSON.parse(readFileSync(path, 'utf8')) as Results));
}
