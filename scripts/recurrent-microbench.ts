/**
 * Microbenchmark of one recurrent step (seq 1, state carried) for the built-in LSTM/GRU kernels against
 * onnxruntime-node with one thread, in the same process, on the same model bytes.
 *
 *   npx tsx scripts/recurrent-microbench.ts [--quick] [--sizes 16x32,64x64] [--batches 1,64] [--json FILE]
 *
 * Engines: `builtin` (createExecutor, WebAssembly SIMD product), `builtin-js` (createExecutor, plain JS
 * product), `ort-node-1t` (InferenceSession, intraOpNumThreads 1). Each row reports the median (and the
 * minimum) time per step call in µs over many timed batches after a warm-up, the engines interleaved, and
 * the median per stream-step for batch > 1.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import * as ort from 'onnxruntime-node';
import { createExecutor } from '../src/executor/executor.js';
import { setRecurrentMatmulImpl } from '../src/executor/kernels/recurrent/workspace.js';
import type { Model } from '../src/ir/graph.js';
import { GraphBuilder } from '../src/onnx/build.js';
import { writeModel } from '../src/onnx/write.js';
import { tensor, type Tensor } from '../src/tensor.js';

type Cell = 'lstm' | 'gru';

interface Row {
  engine: string;
  model: Cell;
  input: number;
  hidden: number;
  batch: number;
  medianUs: number;
  /** The fastest timed batch: what the step costs on an idle machine, for comparison on a busy one. */
  minUs: number;
  perStreamStepUs: number;
}

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes('--quick');
const sizes = (opt('--sizes') ?? '16x32,64x64,128x128,256x256,512x512').split(',').map((s) => s.split('x').map(Number) as [number, number]);
const batches = (opt('--batches') ?? '1,64').split(',').map(Number);
/** Seconds of timing per (engine, model, size, batch), after warm-up. */
const BUDGET_S = quick ? 0.05 : 0.5;

function stepModel(cell: Cell, I: number, H: number, B: number): Model {
  const G = cell === 'lstm' ? 4 : 3;
  let seed = 12345;
  const rand = (n: number, s: number) =>
    Float32Array.from({ length: n }, () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return ((seed / 2 ** 32) * 2 - 1) * s;
    });
  const b = new GraphBuilder({ opset: 21, name: `${cell}_step` });
  const X = b.input('X', 'float32', [1, B, I]);
  const W = b.initializer('W', tensor('float32', [1, G * H, I], rand(G * H * I, 1 / Math.sqrt(I))));
  const R = b.initializer('R', tensor('float32', [1, G * H, H], rand(G * H * H, 1 / Math.sqrt(H))));
  const Bias = b.initializer('B', tensor('float32', [1, 2 * G * H], rand(2 * G * H, 0.1)));
  const initialH = b.input('h', 'float32', [1, B, H]);
  if (cell === 'lstm') {
    const initialC = b.input('c', 'float32', [1, B, H]);
    b.lstm({ X, W, R, B: Bias, initialH, initialC, hiddenSize: H, outputs: ['', 'hn', 'cn'] });
    b.output('hn', 'float32');
    b.output('cn', 'float32');
  } else {
    b.gru({ X, W, R, B: Bias, initialH, hiddenSize: H, linearBeforeReset: 1, outputs: ['', 'hn'] });
    b.output('hn', 'float32');
  }
  return b.build();
}

interface Engine {
  name: string;
  /** One step with the state carried. */
  step: () => void | Promise<void>;
  isAsync: boolean;
  dispose: () => Promise<void> | void;
}

/**
 * Times several engines on one configuration, interleaved: rounds of short timed batches, each engine in
 * turn, so a busy machine slows every engine alike instead of whichever ran during a burst. Returns the
 * median and the minimum per-call time (µs) of each engine's batches.
 */
async function timeInterleaved(engines: Engine[]): Promise<{ median: number; min: number }[]> {
  const reps: number[] = [];
  for (const e of engines) {
    // Warm up (JIT, wasm tier-up, onnxruntime's first runs) and calibrate ~1 ms batches.
    const warmMs = quick ? 30 : 150;
    const t0 = performance.now();
    let n = 0;
    while (performance.now() - t0 < warmMs) {
      if (e.isAsync) await e.step();
      else e.step();
      n++;
    }
    reps.push(Math.max(1, Math.round(n / warmMs)));
  }
  const samples: number[][] = engines.map(() => []);
  const end = performance.now() + BUDGET_S * 1000 * engines.length;
  while (performance.now() < end || samples[0]!.length < 9) {
    for (const [i, e] of engines.entries()) {
      const r = reps[i]!;
      const t0 = performance.now();
      if (e.isAsync) for (let k = 0; k < r; k++) await e.step();
      else for (let k = 0; k < r; k++) e.step();
      samples[i]!.push(((performance.now() - t0) * 1000) / r);
    }
  }
  return samples.map((xs) => {
    xs.sort((a, b) => a - b);
    return { median: xs[xs.length >> 1]!, min: xs[0]! };
  });
}

function builtinEngine(model: Model, cell: Cell, I: number, H: number, B: number, impl: 'wasm' | 'js'): Engine {
  setRecurrentMatmulImpl(impl);
  const exec = createExecutor(model);
  setRecurrentMatmulImpl('auto');
  const x = tensor('float32', [1, B, I], Float32Array.from({ length: B * I }, (_, i) => Math.sin(i)));
  const h = tensor('float32', [1, B, H]);
  const c = tensor('float32', [1, B, H]);
  const feeds: Record<string, Tensor> = cell === 'lstm' ? { X: x, h, c } : { X: x, h };
  return {
    name: impl === 'wasm' ? 'builtin' : 'builtin-js',
    isAsync: false,
    step: () => {
      const out = exec.run(feeds);
      // Carry the state: copy it into the feed buffers (what a step session does).
      (h.data as Float32Array).set(out.hn!.data as Float32Array);
      if (cell === 'lstm') (c.data as Float32Array).set(out.cn!.data as Float32Array);
    },
    dispose: () => exec.dispose(),
  };
}

async function ortEngine(model: Model, cell: Cell, I: number, H: number, B: number): Promise<Engine> {
  const session = await ort.InferenceSession.create(writeModel(model), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const x = new ort.Tensor('float32', Float32Array.from({ length: B * I }, (_, i) => Math.sin(i)), [1, B, I]);
  let feeds: Record<string, ort.Tensor> = { X: x, h: new ort.Tensor('float32', new Float32Array(B * H), [1, B, H]) };
  if (cell === 'lstm') feeds.c = new ort.Tensor('float32', new Float32Array(B * H), [1, B, H]);
  return {
    name: 'ort-node-1t',
    isAsync: true,
    step: async () => {
      const out = await session.run(feeds);
      feeds = cell === 'lstm' ? { X: x, h: out.hn!, c: out.cn! } : { X: x, h: out.hn! };
    },
    dispose: () => session.release(),
  };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const print = (r: Row) =>
    console.log(
      `${r.model.padEnd(5)} ${`${r.input}x${r.hidden}`.padEnd(8)} b=${String(r.batch).padEnd(3)} ${r.engine.padEnd(12)} ` +
        `median ${r.medianUs.toFixed(2).padStart(9)} µs/step (min ${r.minUs.toFixed(2).padStart(9)})  ${r.perStreamStepUs.toFixed(3).padStart(9)} µs/stream-step`,
    );
  console.log(`cpu: ${cpus()[0]?.model} × ${cpus().length}, node ${process.version}`);
  for (const cell of ['lstm', 'gru'] as const) {
    for (const [I, H] of sizes) {
      for (const B of batches) {
        const model = stepModel(cell, I, H, B);
        const engines = [
          builtinEngine(model, cell, I, H, B, 'wasm'),
          builtinEngine(model, cell, I, H, B, 'js'),
          await ortEngine(model, cell, I, H, B),
        ];
        const times = await timeInterleaved(engines);
        for (const [i, e] of engines.entries()) {
          const { median, min } = times[i]!;
          const row = { engine: e.name, model: cell, input: I, hidden: H, batch: B, medianUs: median, minUs: min, perStreamStepUs: median / B };
          rows.push(row);
          print(row);
          await e.dispose();
        }
      }
    }
  }
  console.log('\nratios (ort-node-1t / builtin, >1 means builtin is faster; batch 64: builtin per-stream-step / builtin lone step):');
  for (const cell of ['lstm', 'gru'] as const) {
    for (const [I, H] of sizes) {
      const find = (engine: string, batch: number) => rows.find((r) => r.engine === engine && r.model === cell && r.input === I && r.hidden === H && r.batch === batch);
      const b1 = find('builtin', 1);
      const o1 = find('ort-node-1t', 1);
      const b64 = find('builtin', 64);
      const o64 = find('ort-node-1t', 64);
      const parts = [`${cell} ${I}x${H}:`];
      if (b1 && o1) parts.push(`speedup vs ort ${(o1.medianUs / b1.medianUs).toFixed(2)}x`);
      if (b1 && b64) parts.push(`builtin batch-64 per-stream/lone ${(b64.perStreamStepUs / b1.medianUs).toFixed(3)}`);
      if (o1 && o64) parts.push(`ort batch-64 per-stream/lone ${(o64.perStreamStepUs / o1.medianUs).toFixed(3)}`);
      console.log('  ' + parts.join('  '));
    }
  }
  const json = opt('--json');
  if (json !== undefined) {
    writeFileSync(json, JSON.stringify({ machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version }, records: rows }, null, 2));
  }
}

await main();
