import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { onnxDescriptor } from '../src/onnx/onnx-descriptor.js';
import { descriptorFromProto } from '../src/onnx/proto-source.js';
import { FunctionProtoType, ModelProtoType, TensorProtoType } from '../src/onnx/proto.js';

const protoTexts = ['onnx.proto', 'onnx-data.proto'].map((f) =>
  readFileSync(fileURLToPath(new URL(`../schemas/${f}`, import.meta.url)), 'utf8'),
);

describe('ONNX descriptor', () => {
  it('is what schemas/onnx.proto + onnx-data.proto parse to (regenerate with scripts/gen-onnx-descriptor.ts)', () => {
    expect(onnxDescriptor).toEqual(descriptorFromProto(...protoTexts));
  });

  it('carries the ONNX field numbers', () => {
    // Spot checks against onnx/onnx.proto, so a renumbering in the .proto cannot pass unnoticed.
    const ids = (t: typeof ModelProtoType) => Object.fromEntries(Object.values(t.fields).map((f) => [f.name, f.id]));
    expect(ids(ModelProtoType)).toMatchObject({ irVersion: 1, opsetImport: 8, graph: 7, metadataProps: 14, functions: 25 });
    expect(ids(FunctionProtoType)).toEqual({
      name: 1, input: 4, output: 5, attribute: 6, attributeProto: 11, node: 7, docString: 8,
      opsetImport: 9, domain: 10, overload: 13, valueInfo: 12, metadataProps: 14,
    });
    expect(ids(TensorProtoType)).toMatchObject({
      dims: 1, dataType: 2, floatData: 4, int32Data: 5, int64Data: 7, name: 8, rawData: 9,
      doubleData: 10, uint64Data: 11, externalData: 13, dataLocation: 14,
    });
    expect(TensorProtoType.fields['floatData']!.packed).toBe(true);
  });
});
