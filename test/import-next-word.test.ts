/**
 * The shipped next-word model (models/next-word): TensorFlow.js loads the committed Layers files and is
 * the reference; rxrnn's loadLayersModel imports the same files, and the committed sequence.onnx and
 * model.onnx (streaming form, stepped in a session with the committed card) must agree with it at
 * rtol 1e-4, atol 1e-5.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImportError } from '../src/errors.js';
import { loadLayersModel } from '../src/node/load-layers-model.js';
import { readModel } from '../src/onnx/read.js';
import { validateCard } from '../src/session/card.js';
import { createStepSession } from '../src/session/step-session.js';
import { tensor } from '../src/tensor.js';
import { expectClose, runBuiltin, runOrt } from './import-support.js';

const DIR = join(import.meta.dirname, '../models/next-word');

async function tfjsModel(): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(join(DIR, 'layers/model.json'), 'utf8'));
  const bin = readFileSync(join(DIR, 'layers/group1-shard1of1.bin'));
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
    }),
  );
}

describe('models/next-word', () => {
  const card = validateCard(JSON.parse(readFileSync(join(DIR, 'card.json'), 'utf8')));
  const V = card.vocabulary!.length;
  const windows = [
    ['the', 'cat', 'sat', 'on', 'the'],
    ['my', 'father', 'drinks', 'tea', 'in'],
    ['<pad>', 'zebra', 'the', 'sea', '.'],
  ].map((ws) => ws.map((w) => card.vocabulary!.indexOf(w)).map((i) => (i < 0 ? 1 : i)));
  const ids = Float32Array.from(windows.flat());

  it('loadLayersModel on the committed files, and the committed sequence.onnx, equal TensorFlow.js', async () => {
    const want = ((await tfjsModel()).predict(tf.tensor(ids, [3, 5])) as tf.Tensor).dataSync() as Float32Array;
    const imported = await loadLayersModel(join(DIR, 'layers/model.json'));
    const committed = readModel(new Uint8Array(readFileSync(join(DIR, 'sequence.onnx'))));
    for (const [what, model] of [['imported', imported], ['sequence.onnx', committed]] as const) {
      const feeds = { words: tensor('float32', [3, 5], ids) };
      expectClose((await runOrt(model, feeds))['next_word']!.data as Float32Array, want, `${what} on ort-node`);
      expectClose(runBuiltin(model, feeds)['next_word']!.data as Float32Array, want, `${what} on builtin`);
    }
  });

  it('model.onnx stepped word by word in a session with card.json equals TensorFlow.js on each window', async () => {
    const want = ((await tfjsModel()).predict(tf.tensor(ids, [3, 5])) as tf.Tensor).dataSync() as Float32Array;
    const session = await createStepSession(new Uint8Array(readFileSync(join(DIR, 'model.onnx'))), { backend: 'builtin', card });
    for (let w = 0; w < 3; w++) {
      session.reset();
      let out: Float32Array | undefined;
      for (const id of windows[w]!) out = ((await session.step([id]))['next_word']!.data as Float32Array).slice();
      expectClose(out!, want.subarray(w * V, (w + 1) * V), `window ${w}`);
    }
    await session.dispose();
  });

  it('loadLayersModel: a missing file or shard, or a shard outside the folder, is an ImportError naming it', async () => {
    await expect(loadLayersModel(join(DIR, 'nope/model.json'))).rejects.toThrow(ImportError);
    const tmp = mkdtempSync(join(tmpdir(), 'rxrnn-keras-'));
    try {
      const json = readFileSync(join(DIR, 'layers/model.json'), 'utf8');
      writeFileSync(join(tmp, 'model.json'), json);
      await expect(loadLayersModel(join(tmp, 'model.json'))).rejects.toThrow(/cannot read weight shard 'group1-shard1of1.bin'/);
      writeFileSync(join(tmp, 'model.json'), json.replace('group1-shard1of1.bin', '../group1-shard1of1.bin'));
      await expect(loadLayersModel(join(tmp, 'model.json'))).rejects.toThrow(/shard '..\/group1-shard1of1.bin' is outside the model's folder/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
