/**
 * ort-web specifics, in a file of their own because onnxruntime-web's `env` is process-wide and fixed at
 * its first session: `wasmPaths` is handed to onnxruntime-web before that session (here pointing at the
 * package's own dist/ folder, so loading must still work), and Node gets one wasm thread unless asked.
 */
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-web';
import { expect, it } from 'vitest';
import { getBackend, ortWebBackend } from '../src/backends/index.js';
import { tensor, toNumberArray } from '../src/tensor.js';

it('passes wasmPaths and the thread count to onnxruntime-web, and runs', async () => {
  const dist = pathToFileURL('node_modules/onnxruntime-web/dist/').href;
  const engine = await ortWebBackend.load('models/gru-step/model.onnx', { wasmPaths: dist });
  expect(ort.env.wasm.wasmPaths).toBe(dist);
  expect(ort.env.wasm.numThreads).toBe(1);
  const ref = await getBackend('ort-node').load('models/gru-step/model.onnx');
  const feeds = { x: tensor('float32', [1, 1, 12], Array.from({ length: 12 }, (_, i) => i / 12)), h: tensor('float32', [1, 1, 24]) };
  const a = toNumberArray((await engine.run(feeds)).hn!);
  const b = toNumberArray((await ref.run(feeds)).hn!);
  a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThanOrEqual(1e-5));
  await Promise.all([engine.dispose(), ref.dispose()]);
});
