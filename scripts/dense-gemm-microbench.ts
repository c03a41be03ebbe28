/**
 * Microbenchmark of a dense or vocabulary head (Gemm with a constant B, one row of A, as after each
 * generated token) on the built-in executor against onnxruntime-node with one thread, in the same process,
 * on the same model bytes, the engines timed one after the other per size.
 *
 *   npx tsx scripts/dense-gemm-microbench.ts
 *
 * Prints the mean µs per call for K×N = 64×10 (below the SIMD path's threshold: the JavaScript product),
 * 256×1000 and 512×10000.
 */
import * as ort from 'onnxruntime-node';
import { createExecutor } from '../src/executor/executor.js';
import { GraphBuilder } from '../src/onnx/build.js';
import { writeModel } from '../src/onnx/write.js';
import { tensor } from '../src/tensor.js';
import { mulberry32, uniformFloats } from '../src/text/random.js';

const rand = mulberry32(7);
for (const [K, N] of [[64, 10], [256, 1000], [512, 10000]] as const) {
  const g = new GraphBuilder({ opset: 17 });
  const w = g.constant(tensor('float32', [K, N], uniformFloats(rand, K * N, 0.5)));
  g.output(g.gemm(g.input('x', 'float32', [1, K]), w, g.constant(tensor('float32', [N], new Float32Array(N)))), 'float32');
  const model = g.build();
  const x = tensor('float32', [1, K], uniformFloats(rand, K, 1));
  const calls = Math.max(20, Math.floor(2e7 / (K * N)));

  const exec = createExecutor(model);
  for (let i = 0; i < 50; i++) exec.run({ x });
  let t = performance.now();
  for (let i = 0; i < calls; i++) exec.run({ x });
  const builtinUs = ((performance.now() - t) / calls) * 1000;

  const session = await ort.InferenceSession.create(writeModel(model), { intraOpNumThreads: 1 });
  const feeds = { x: new ort.Tensor('float32', x.data as Float32Array, [1, K]) };
  for (let i = 0; i < 50; i++) await session.run(feeds);
  t = performance.now();
  for (let i = 0; i < calls; i++) await session.run(feeds);
  const ortUs = ((performance.now() - t) / calls) * 1000;
  await session.release();
  console.log(`Gemm ${K}x${N}: builtin ${builtinUs.toFixed(1)} µs, ort-node-1t ${ortUs.toFixed(1)} µs`);
}
