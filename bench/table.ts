/** The printed report: the records as a table, then the agreement checks that failed, then the targets. */
import type { Results } from './types.js';

function pad(cells: string[][]): string {
  const widths = cells[0]!.map((_, c) => Math.max(...cells.map((row) => row[c]!.length)));
  return cells.map((row) => row.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}

const fmt = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));

export function formatTable(results: Results): string {
  const m = results.machine;
  const head = `rxrnn benchmark${m.quick ? ' (--quick: times are not meaningful)' : ''} — ${m.cpu}, ${m.cores} cores, Node ${m.node}`;
  const rows = [['engine', 'model', 'in×hidden', 'batch', 'streams', 'median µs', 'p99 µs', 'µs/stream-step', 'steps/s', 'RSS MB', 'RTF']];
  for (const r of results.records) {
    rows.push([
      r.engine,
      r.model,
      `${r.input}×${r.hidden}`,
      String(r.batch),
      r.streams === undefined ? '' : String(r.streams),
      fmt(r.medianUs),
      fmt(r.p99Us),
      fmt(r.perStreamStepUs, 2),
      String(r.stepsPerSecond),
      fmt(r.rssMB),
      r.realTimeFactor === undefined ? '' : r.realTimeFactor.toFixed(4),
    ]);
  }
  const out = [head, '', pad(rows), ''];
  const bad = results.checks.filter((c) => !c.ok);
  out.push(`agreement: ${results.checks.length - bad.length}/${results.checks.length} engine checks within |Δ| ≤ atol + rtol·|ref| (atol 1e-4, rtol 1e-4)`);
  for (const c of bad) out.push(`  FAILED ${c.engine} ${c.model} ${c.input}×${c.hidden} vs ${c.reference}: max |Δ| ${c.maxAbsDiff}${c.note ? ` — ${c.note}` : ''}`);
  for (const mem of results.memory) {
    out.push(`memory: builtin ${mem.model} ${mem.input}×${mem.hidden}, heap growth ${mem.heapGrowthBytes} bytes over ${mem.steps} steps, ${mem.bufferAllocations} tensor buffers allocated`);
  }
  for (const b of results.breakdown) {
    out.push(`builtin engine alone (${b.what}): ${b.model} ${b.input}×${b.hidden} batch ${b.batch}: ${b.medianUs.toFixed(2)} µs, ${b.perStreamStepUs.toFixed(2)} µs per stream-step`);
  }
  for (const f of results.failures) out.push(`FAILED ${f.what}: ${f.message}`);
  out.push('', 'targets (issue 7):');
  for (const t of results.targets) out.push(`  ${t.met ? 'met    ' : 'NOT MET'}  ${t.goal}: ${t.value} (limit ${t.limit}) — ${t.detail}`);
  return out.join('\n');
}
