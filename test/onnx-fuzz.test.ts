/**
 * Byte-mutation fuzzing of the reader: whatever the bytes, the outcome is a Model or a ModelLoadError —
 * never a TypeError/RangeError, never a hang — and an accepted model survives write → read unchanged.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ModelLoadError } from '../src/errors.js';
import type { Model } from '../src/ir/graph.js';
import { GraphBuilder } from '../src/onnx/build.js';
import { bigintToInt64, TensorProtoType } from '../src/onnx/proto.js';
import { readModel, readTensor } from '../src/onnx/read.js';
import { writeModel } from '../src/onnx/write.js';
import { tensor } from '../src/tensor.js';
import { ONNX_NODE_CASES } from './conformance-data.js';
import { join } from 'node:path';

const conformance = (name: string) =>
  new Uint8Array(readFileSync(join(ONNX_NODE_CASES, name, 'model.onnx')));

function builderModel(): Uint8Array {
  const b = new GraphBuilder({ opset: 17, metadata: { k: 'v' } });
  const x = b.input('x', 'float32', [3, 'batch', 2]);
  const { Y_h } = b.gru({
    X: x,
    W: b.initializer('W', tensor('float32', [1, 9, 2], Array.from({ length: 18 }, (_, i) => i / 7))),
    R: b.initializer('R', tensor('float32', [1, 9, 3], Array.from({ length: 27 }, (_, i) => -i / 9))),
    sequenceLens: b.initializer('lens', tensor('int32', [2], [3, 2])),
    hiddenSize: 3,
    linearBeforeReset: 1,
    outputs: ['', 'h'],
  });
  const idx = b.initializer('idx', tensor('int64', [2], [0n, 2n ** 40n]));
  b.output(b.softmax(b.reshape(Y_h, [-1, 3]), { axis: -1 }));
  b.output(b.cast(idx, 'float32'));
  return writeModel(b.build());
}

const SMALL_MODELS: Uint8Array[] = [
  conformance('test_lstm_with_peepholes'),
  conformance('test_gru_with_initial_bias'),
  conformance('test_if'),
  conformance('test_constant'),
  conformance('test_slice'),
  builderModel(),
];

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'duplicate'; from: number; to: number; length: number };

const position = fc.nat({ max: 1 << 20 });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: position, value: fc.constantFrom(0, 0x7f, 0x80, 0xff, 0x08, 0x12, 0x1a) }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({ kind: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 32 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), from: position, to: position, length: fc.integer({ min: 1, max: 64 }) }),
);

function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
  const n = bytes.length;
  if (n === 0) return bytes;
  switch (m.kind) {
    case 'flip': {
      const out = bytes.slice();
      out[m.at % n]! ^= 1 << m.bit;
      return out;
    }
    case 'set': {
      const out = bytes.slice();
      out[m.at % n] = m.value;
      return out;
    }
    case 'truncate':
      return bytes.slice(0, m.at % n);
    case 'delete': {
      const at = m.at % n;
      return concat(bytes.subarray(0, at), bytes.subarray(at + m.length));
    }
    case 'insert': {
      const at = m.at % (n + 1);
      return concat(bytes.subarray(0, at), m.bytes, bytes.subarray(at));
    }
    case 'duplicate': {
      const from = m.from % n;
      const to = m.to % (n + 1);
      return concat(bytes.subarray(0, to), bytes.subarray(from, from + m.length), bytes.subarray(to));
    }
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

let accepted = 0;
let refused = 0;

/** The property: a Model that survives write → read unchanged, or a ModelLoadError. */
function checkOutcome(bytes: Uint8Array): void {
  let model: Model;
  try {
    model = readModel(bytes);
  } catch (e) {
    if (!(e instanceof ModelLoadError)) throw e;
    expect(e.message.length).toBeGreaterThan(10);
    refused++;
    return;
  }
  accepted++;
  expect(readModel(writeModel(model))).toEqual(model);
}

describe('reader fuzzing', () => {
  it('10,000 byte mutations of small real models: a Model or a ModelLoadError', () => {
    fc.assert(
      fc.property(fc.nat({ max: SMALL_MODELS.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (which, ms) => {
        checkOutcome(ms.reduce(mutate, SMALL_MODELS[which]!));
      }),
      { numRuns: 10_000, seed: 20240611 },
    );
    // Both outcomes must actually occur, or the mutations are not exercising the reader.
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  }, 60_000);

  it('150 byte mutations of Silero VAD v5', () => {
    const silero = new Uint8Array(readFileSync(new URL('../node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx', import.meta.url)));
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (ms) => {
        const bytes = ms.reduce(mutate, silero);
        try {
          readModel(bytes);
        } catch (e) {
          if (!(e instanceof ModelLoadError)) throw e;
        }
      }),
      { numRuns: 150, seed: 7 },
    );
  }, 60_000);

  it('forged TensorProto headers (any dims, any type number) never allocate past the limit', () => {
    const dim = fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.bigInt({ min: 0n, max: 64n }));
    fc.assert(
      fc.property(
        fc.integer({ min: -3, max: 40 }),
        fc.array(dim, { maxLength: 6 }),
        fc.uint8Array({ maxLength: 64 }),
        (dataType, dims, raw) => {
          const bytes = TensorProtoType.encode({ dataType, dims: dims.map(bigintToInt64), rawData: raw }).finish();
          try {
            const t = readTensor(bytes, { maxTensorBytes: 1 << 20 });
            expect(t.data.byteLength).toBeLessThanOrEqual(1 << 20);
          } catch (e) {
            if (!(e instanceof ModelLoadError)) throw e;
          }
        },
      ),
      { numRuns: 2_000, seed: 99 },
    );
  });
});
