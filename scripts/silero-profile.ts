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
 * Measured (Intel Xeon, 2 cores shared with seven other engineers' builds and tests, load average 8-14,
 * Node 20.20; `--chunks 300 --rounds 5`; median µs per 512-sample chunk, state carried):
 *
 *   before (Conv as float64 JavaScript dot products)   builtin  815   ort-node-1t 130   6.3×   RTF 0.025
 *   after  (Conv as im2col + WebAssembly SIMD gemm)     builtin  112   ort-node-1t 132   0.85×  RTF 0.0035
 *
 * ("before": the same tree with conv.ts as of 02c50b1, run minutes apart; a first run before any change
 * gave builtin 940 / ort-node-1t 191.)
 *
 * `npm run bench -- --only silero` in the same period, through sessions: builtin 170 µs, ort-node-1t 205,
 * ort-node 207, ort-web 359. Per node type after the change: Conv ≈ 45-50% (its two big layers, the STFT
 * and encoder 0, ~20 µs each), LSTM ≈ 15%, then Slice, If (branch output copies), Pow (x², twice), Relu,
 * Pad, each under 8%. Absolute numbers move ±30% with the machine's load; the ratio is stable.
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

/** Per node: µs accumulated in the current batch of chunks, and the per-chunk mean of each finished batch. */
interface Tally {
  opType: string;
  us: number;
  calls: number;
  batches: number[];
}
const tallies = new Map<string, Tally>();
/** Time spent inside nested kernels while an If runs, subtracted from the If's own time. */
let nested = 0;

function timed(def: KernelDef): KernelDef['create'] {
  const create = def.create.bind(def);
  return (init) => {
    const inner: Kernel = create(init);
    const label = `${init.node.opType} ${init.node.name || init.node.outputs[0]}`;
    const t: Tally = tallies.get(label) ?? { opType: init.node.opType, us: 0, calls: 0, batches: [] };
    tallies.set(label, t);
    return {
      run(inputs, ctx) {
        const outerNested = nested;
        nested = 0;
        const t0 = performance.now();
        const out = inner.run(inputs, ctx);
        const total = (performance.now() - t0) * 1000;
        t.us += total - nested;
        t.calls++;
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

let state: Tensor = tensor('float32', [2, 1, 128]);
for (let k = 0; k < inputs.length; k++) state = carry(profiled, state, k); // warm-up
// Batches of chunks; each node's cost is its median batch, so a GC pause or a neighbour's burst on this
// shared machine lands in one batch and not in the table.
const BATCHES = 15;
const perBatch = Math.max(10, Math.floor(inputs.length / 5));
for (const t of tallies.values()) t.us = t.calls = 0;
const wholeRun: number[] = [];
const callsPerChunk = new Map<string, number>();
for (let batch = 0; batch < BATCHES; batch++) {
  const p0 = performance.now();
  for (let k = 0; k < perBatch; k++) state = carry(profiled, state, batch * perBatch + k);
  wholeRun.push(((performance.now() - p0) * 1000) / perBatch);
  for (const [label, t] of tallies) {
    t.batches.push(t.us / perBatch);
    callsPerChunk.set(label, t.calls / perBatch);
    t.us = t.calls = 0;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

const nodes = [...tallies].map(([label, t]) => ({ label, opType: t.opType, us: median(t.batches), calls: callsPerChunk.get(label) ?? 0 }));
const types = new Map<string, { us: number; calls: number }>();
for (const n of nodes) {
  const t = types.get(n.opType) ?? { us: 0, calls: 0 };
  t.us += n.us;
  t.calls += n.calls;
  types.set(n.opType, t);
}
const rows = [...types].filter(([, t]) => t.calls > 0).sort((a, b) => b[1].us - a[1].us);
const kernelUs = rows.reduce((s, [, t]) => s + t.us, 0);
console.log(`\nPer node type, µs per chunk (median of ${BATCHES} batches of ${perBatch} chunks; wrapped kernels, timer overhead included):`);
console.log('op type          µs/chunk   share   calls/chunk');
for (const [op, t] of rows) {
  console.log(`${op.padEnd(16)} ${t.us.toFixed(1).padStart(8)}  ${((100 * t.us) / kernelUs).toFixed(1).padStart(5)}%  ${t.calls.toFixed(0).padStart(6)}`);
}
console.log(`${'kernels'.padEnd(16)} ${kernelUs.toFixed(1).padStart(8)}`);
// The wrappers' timer calls cost far more than the small kernels they time, so this is well above the
// unwrapped run measured below: read the table for proportions, section 2 for speed.
console.log(`${'profiled run'.padEnd(16)} ${median(wholeRun).toFixed(1).padStart(8)}  (whole run with every kernel wrapped: wrappers, plan loop, feeds, state copy)`);
console.log('\nSlowest nodes, µs per chunk:');
for (const n of nodes.sort((a, b) => b.us - a.us).slice(0, 12)) console.log(`  ${n.us.toFixed(1).padStart(8)}  ${n.label}`);

// --- 2. side by side --------------------------------------------------------------------------------

const builtin = createExecutor(readModel(bytes));
const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
const ortSr = new ort.Tensor('int64', BigInt64Array.from([16000n]), []);
const ortInputs = inputs.map((t) => new ort.Tensor('float32', t.data as Float32Array, [...t.dims]));

const times: Record<'builtin' | 'ort-node-1t', number[]> = { builtin: [], 'ort-node-1t': [] };
for (let round = 0; round <= ROUNDS; round++) {
  let s: Tensor = tensor('float32', [2, 1, 128]);
  for (let k = 0; k < inputs.length; k++) {
    const t0 = performance.now();
    s = carry(builtin, s, k);
    if (round > 0) times.builtin.push((performance.now() - t0) * 1000);
  }
  let os: ort.Tensor = new ort.Tensor('float32', new Float32Array(256), [2, 1, 128]);
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
