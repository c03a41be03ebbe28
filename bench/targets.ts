/**
 * Issue 7's targets, judged from one run's records. Each is a ratio (or RTF, or bytes per step) with the
 * bound the issue sets; sizes a run did not measure (e.g. under `--quick`) are judged on what it did
 * measure and the rest left out, never guessed.
 */
import type { OperatorOverhead } from './sections/operator.js';
import type { BenchRecord, EngineName, Results, Target } from './types.js';

/** builtin / ort-node-1t per hidden size: 2× faster at ≤ 32, no slower at 64, within 1.5× at 128, 3× at 512. */
const VS_ORT: [number, number, string][] = [
  [32, 0.5, 'at least 2× faster than ort-node (1 thread) at hidden ≤ 32'],
  [64, 1, 'no slower than ort-node (1 thread) at hidden 64'],
  [128, 1.5, 'within 1.5× of ort-node (1 thread) at hidden 128'],
  [512, 3, 'within 3× of ort-node (1 thread) at hidden 512'],
];

/** Three significant digits (a ratio of 0.0002 must not print as 0). */
const r3 = (x: number) => Number(x.toPrecision(3));

function find(records: BenchRecord[], engine: EngineName, model: string, hidden: number, batch: number, streams?: number): BenchRecord | undefined {
  return records.find((r) => r.engine === engine && r.model === model && r.hidden === hidden && r.batch === batch && r.streams === streams);
}

function ratioTarget(id: string, goal: string, num: BenchRecord | undefined, den: BenchRecord | undefined, limit: number, numOf: (r: BenchRecord) => number = (r) => r.medianUs): Target | undefined {
  if (!num || !den) return undefined;
  const value = numOf(num) / den.medianUs;
  return {
    id,
    goal,
    value: r3(value),
    limit,
    met: value <= limit,
    detail: `${num.engine} ${r3(numOf(num))} µs vs ${den.engine} ${r3(den.medianUs)} µs (${num.model} ${num.input}x${num.hidden})`,
  };
}

export function judgeTargets(results: Results, operator: OperatorOverhead | undefined): Target[] {
  const { records } = results;
  const targets: (Target | undefined)[] = [];
  for (const model of ['lstm', 'gru']) {
    for (const [hidden, limit, goal] of VS_ORT) {
      targets.push(ratioTarget(`${model}-h${hidden}-vs-ort-node-1t`, `${model}: builtin ${goal}`, find(records, 'builtin', model, hidden, 1), find(records, 'ort-node-1t', model, hidden, 1), limit));
    }
    for (const r of records.filter((x) => x.engine === 'tfjs' && x.model === model)) {
      targets.push(ratioTarget(`${model}-h${r.hidden}-vs-tfjs`, `${model}: builtin at least 10× faster than TensorFlow.js at hidden ${r.hidden}`, find(records, 'builtin', model, r.hidden, 1), r, 0.1));
    }
  }
  for (const [engine, limit] of [
    ['builtin', 0.25],
    ['ort-node', 0.125],
  ] as const) {
    const batched = records.find((r) => r.engine === engine && r.batch === 64 && r.model === 'lstm');
    const lone = batched && find(records, engine, 'lstm', batched.hidden, 1);
    targets.push(
      ratioTarget(`batch64-vs-lone-${engine}`, `64 streams in slots cost per stream-step at most 1/${1 / limit} of a lone stream's step on ${engine}`, batched, lone, limit, (r) => r.perStreamStepUs),
    );
  }
  const silero = find(records, 'builtin', 'silero-v5', 128, 1);
  if (silero?.realTimeFactor !== undefined) {
    targets.push({
      id: 'silero-rtf-builtin',
      goal: 'Silero VAD v5 on builtin: real-time factor ≤ 0.05 (a 32 ms chunk in ≤ 1.6 ms)',
      value: silero.realTimeFactor,
      limit: 0.05,
      met: silero.realTimeFactor <= 0.05,
      detail: `${silero.medianUs} µs per 512-sample chunk`,
    });
  }
  targets.push(ratioTarget('silero-vs-ort-node-1t', 'Silero VAD v5 on builtin within 3× of ort-node (1 thread)', silero, find(records, 'ort-node-1t', 'silero-v5', 128, 1), 3));
  if (operator) {
    const value = operator.operator.medianUs / operator.bare.medianUs;
    const oneByOne = operator.operatorOneByOne.medianUs / operator.bareOneByOne.medianUs;
    targets.push({
      id: 'operator-overhead',
      goal: `the step operator adds at most 10% over a bare loop at hidden ${operator.hidden} on builtin`,
      value: r3(value),
      limit: 1.1,
      met: value <= 1.1,
      detail:
        `back to back: operator ${r3(operator.operator.medianUs)} µs vs bare loop ${r3(operator.bare.medianUs)} µs per step (median of interleaved blocks); ` +
        `one item at a time (push, await emission): ${r3(operator.operatorOneByOne.medianUs)} vs ${r3(operator.bareOneByOne.medianUs)} µs, ratio ${r3(oneByOne)}`,
    });
  }
  for (const m of results.memory) {
    const perStep = m.heapGrowthBytes / m.steps;
    targets.push({
      id: 'heap-growth-builtin',
      goal: `zero heap growth over ${m.steps} steps on builtin (judged as < 1 byte per step, and no tensor buffer allocated)`,
      value: m.heapGrowthBytes,
      limit: m.steps,
      met: perStep < 1 && m.bufferAllocations === 0,
      detail: `${m.heapGrowthBytes} bytes over ${m.steps} steps (${perStep.toFixed(4)} B/step), ${m.bufferAllocations} tensor buffers allocated`,
    });
  }
  return targets.filter((t): t is Target => t !== undefined);
}
