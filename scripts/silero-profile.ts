/**
 * Where Silero VAD v5's time goes on the built-in executor, and how it compares with onnxruntime-node.
 *
 *   npx tsx scripts/silero-profile.ts [--chunks 300] [--rounds 7]
 *
 * 1. Per node type: every kernel's `run` is wrapped with a timer (one executor planned with the wrappers,
 *    kept apart from the timed ones), the 16 kHz chunks of examples/data/speech.wav run through it with
 *    state carried, and the table gives µs per chunk by op type (nodes inside If branches included, the
 *    If itself excluding its branch) and the slowest individual nodes.
 * 2. Side by side: builtin (unwrapped) and ort-node with one intra-op thread, the engines interleaved in
 *    rounds of `--chunks` chunks each (the machine is shared: interleaving spreads load spikes over both),
 *    µs per chunk as the median over every timed call after a warm-up round, and the real-time factor.
 *
 * Results from one run (2-core shared dev machine, Node 20, median µs per 512-sample chunk):
 *   see the report in the commit that last touched this comment; the script prints the current numbers.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { createExecutor, type Executor } from '../src/executor/executor.js';
import type { Kernel, KernelDef } from '../src/executor/kernel.js';
import { ALL_KERNELS } from '../src/executor/kernels/registry.js';
import { readModel } from '../src/onnx/read.js';
import { tensor, type Tensor } from '../src/tensor.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const CHUNKS = opt('--chunks', 300);
const ROUNDS = opt('--rounds', 7);
const CHUNK = 512;
const CONTEXT = 64;
const CHUNK_US = (CHUNK / 16000) * 1e6;

const modelPath = createRequire(import.meta.url).resolve('@ricky0123/vad-web/dist/silero_vad_v5.onnx');
const bytes = new Uint8Array(readFileSync(modelPath));

/** The recording's samples as floats (16-bit mono PCM at 16 kHz, the only format it comes in). */
function speech(): Float32Array {
  const buf = readFileSync(join(import.meta.dirname, '../examples/data/speech.wav'));
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let offset = 12;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = view.getUint32(offset + 4, true);
    if (id === 'data') return Float32Array.from({ length: size / 2 }, (_, i) => view.getInt16(offset + 8 + 2 * i, true) / 32768);
    offset += 8 + size + (size & 1);
  }
  throw new Error('speech.wav: no data chunk');
}

const samples = speech();
const available = Math.floor(samples.length / CHUNK);
/** Chunk k (cycling over the recording) with the previous 64 samples in front, as the authors' wrapper feeds it. */
const inputs: Tensor[] = Array.from({ length: Math.min(CHUNKS, available) }, (_, k) => {
  const a = new Float32Array(CONTEXT + CHUNK);
  if (k > 0) a.set(samples.subarray(k * CHUNK - CONTEXT, k * CHUNK), 0);
  a.set(samples.subarray(k * CHUNK, (k + 1) * CHUNK), CONTEXT);
  return tensor('float32', [1, CONTEXT + CHUNK], a);
});
const sr = tensor('int64', [], [16000n]);

// --- 1. per node type -------------------------------------------------------------------------------

interface Tally {
  us: number;
  calls: number;
}
const byType = new Map<string, Tally>();
const byNode = new Map<string, Tally>();
/** Time spent inside nested kernels while an If runs, subtracted from the If's own time. */
let nested = 0;

function tally(map: Map<string, Tally>, key: string, us: number): void {
  const t = map.get(key) ?? { us: 0, calls: 0 };
  t.us += us;
  t.calls++;
  map.set(key, t);
}

function timed(def: KernelDef): KernelDef['create'] {
  const create = def.create.bind(def);
  return (init) => {
    const inner: Kernel = create(init);
    const label = `${init.node.opType} ${init.node.name || init.node.outputs[0]}`;
    return {
      run(inputs, ctx) {
        const outerNested = nested;
        nested = 0;
        const t0 = performance.now();
        const out = inner.run(inputs, ctx);
        const total = (performance.now() - t0) * 1000;
        const self = total - nested;
        tally(byType, init.node.opType, self);
        tally(byNode, label, self);
        nested = outerNested + total;
        return out;
      },
    };
  };
}

function carry(exec: Executor, state: Tensor, k: number): Tensor {
  const out = exec.run({ input: inputs[k % inputs.length]!, sr, state });
  const next = out.stateN!;
  return tensor('float32', [...next.dims], Float32Array.from(next.data as Float32Array));
}

const originals = ALL_KERNELS.map((d) => d.create);
for (const def of ALL_KERNELS) (def as { create: KernelDef['create'] }).create = timed(def);
const profiled = createExecutor(readModel(bytes));
ALL_KERNELS.forEach((d, i) => ((d as { create: KernelDef['create'] }).create = originals[i]!));

let state = tensor('float32', [2, 1, 128]);
for (let k = 0; k < inputs.length; k++) state = carry(profiled, state, k); // warm-up
byType.clear();
byNode.clear();
const profileRuns = inputs.length * 2;
const p0 = performance.now();
for (let k = 0; k < profileRuns; k++) state = carry(profiled, state, k);
const profiledUs = ((performance.now() - p0) * 1000) / profileRuns;

const rows = [...byType].sort((a, b) => b[1].us - a[1].us);
const kernelUs = rows.reduce((s, [, t]) => s + t.us, 0) / profileRuns;
console.log(`\nPer node type, µs per chunk (${profileRuns} chunks, wrapped kernels; timer overhead included):`);
console.log('op type          µs/chunk   share   calls/chunk');
for (const [op, t] of rows) {
  const us = t.us / profileRuns;
  console.log(`${op.padEnd(16)} ${us.toFixed(1).padStart(8)}  ${((100 * us) / kernelUs).toFixed(1).padStart(5)}%  ${(t.calls / profileRuns).toFixed(0).padStart(6)}`);
}
console.log(`${'kernels'.padEnd(16)} ${kernelUs.toFixed(1).padStart(8)}`);
console.log(`${'whole run'.padEnd(16)} ${profiledUs.toFixed(1).padStart(8)}  (plan loop, feeds, state copy included)`);
console.log('\nSlowest nodes, µs per chunk:');
for (const [name, t] of [...byNode].sort((a, b) => b[1].us - a[1].us).slice(0, 10)) {
  console.log(`  ${(t.us / profileRuns).toFixed(1).padStart(8)}  ${name}`);
}

// --- 2. side by side --------------------------------------------------------------------------------

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

const builtin = createExecutor(readModel(bytes));
const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
const ortSr = new ort.Tensor('int64', BigInt64Array.from([16000n]), []);
const ortInputs = inputs.map((t) => new ort.Tensor('float32', t.data as Float32Array, [...t.dims]));

const times: Record<'builtin' | 'ort-node-1t', number[]> = { builtin: [], 'ort-node-1t': [] };
for (let round = 0; round <= ROUNDS; round++) {
  let s = tensor('float32', [2, 1, 128]);
  for (let k = 0; k < inputs.length; k++) {
    const t0 = performance.now();
    s = carry(builtin, s, k);
    if (round > 0) times.builtin.push((performance.now() - t0) * 1000);
  }
  let os = new ort.Tensor('float32', new Float32Array(256), [2, 1, 128]);
  for (let k = 0; k < ortInputs.length; k++) {
    const t0 = performance.now();
    const out = await session.run({ input: ortInputs[k]!, sr: ortSr, state: os });
    os = out.stateN as ort.Tensor;
    if (round > 0) times['ort-node-1t'].push((performance.now() - t0) * 1000);
  }
}
await session.release();

console.log(`\nSide by side, ${ROUNDS} interleaved rounds of ${inputs.length} chunks (state carried, after a warm-up round):`);
console.log('engine          median µs   min µs   real-time factor');
for (const [engine, xs] of Object.entries(times)) {
  const m = median(xs);
  console.log(`${engine.padEnd(15)} ${m.toFixed(1).padStart(9)} ${Math.min(...xs).toFixed(1).padStart(8)}   ${(m / CHUNK_US).toFixed(4)}`);
}
console.log(`builtin / ort-node-1t: ${(median(times.builtin) / median(times['ort-node-1t'])).toFixed(2)}×`);
