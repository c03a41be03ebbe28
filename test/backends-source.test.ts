/**
 * Model sources: bytes, ArrayBuffer, IR and a path all reach the same model; a URL is fetched (the
 * browser meaning of a string source), with HTTP failures as ModelLoadError; an unreadable path is a
 * ModelLoadError naming it.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGruStep } from '../scripts/build-step-models.js';
import { fetchModelBytes, sourceToBytes, sourceToModel } from '../src/backends/model-source.js';
import { ModelLoadError } from '../src/errors.js';
import { modelFingerprint } from '../src/session/fingerprint.js';

const FILE = 'models/gru-step/model.onnx';
const bytes = new Uint8Array(readFileSync(FILE));

describe('model sources', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/gru.onnx') res.end(bytes);
      else res.writeHead(404, 'Not Found').end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('fetches a model by URL, and reports HTTP failures as ModelLoadError', async () => {
    expect(await fetchModelBytes(`${base}/gru.onnx`)).toEqual(bytes);
    await expect(fetchModelBytes(`${base}/missing.onnx`)).rejects.toThrow(ModelLoadError);
    await expect(fetchModelBytes(`${base}/missing.onnx`)).rejects.toThrow(/HTTP 404/);
  });

  it('bytes, ArrayBuffer, IR and a path give the same model', async () => {
    const want = await modelFingerprint(buildGruStep());
    const copy = bytes.slice();
    for (const source of [bytes, copy.buffer, buildGruStep(), FILE]) {
      expect(await modelFingerprint(await sourceToModel(source))).toBe(want);
    }
    expect(await sourceToBytes(FILE)).toEqual(bytes);
  });

  it('an unreadable path is a ModelLoadError naming it', async () => {
    await expect(sourceToBytes('models/nope.onnx')).rejects.toThrow(/cannot read model file 'models\/nope.onnx'/);
    await expect(sourceToModel('models/nope.onnx')).rejects.toThrow(ModelLoadError);
  });
});
