import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ModelLoadError } from '../src/errors.js';
import { readModel } from '../src/onnx/read.js';
import { readValue } from '../src/onnx/read-value.js';
import { ONNX_NODE_CASES } from './conformance-data.js';
import { pathToFileURL } from 'node:url';

const ROOT = pathToFileURL(ONNX_NODE_CASES);
const file = (c: string, f: string) => readFileSync(new URL(`${c}/${f}`, ROOT));

describe('conformance data files, as the conformance README describes them', () => {
  it('every input_N.pb / output_N.pb is the value of graph input/output N: same name, element type, shape', () => {
    let files = 0;
    for (const c of readdirSync(ROOT)) {
      const model = readModel(file(c, 'model.onnx'));
      for (const [prefix, infos] of [['input', model.graph.inputs], ['output', model.graph.outputs]] as const) {
        infos.forEach((vi, i) => {
          // readValue checks the element type and every fixed dimension against the declared type.
          const value = readValue(file(c, `test_data_set_0/${prefix}_${i}.pb`), vi.type!);
          if (value.name !== undefined) expect(value.name, `${c} ${prefix}_${i}`).toBe(vi.name);
          files++;
        });
      }
    }
    expect(files).toBe(1081 - 277);
  });

  it('sequence and optional files hold the values the ONNX tests define', () => {
    const seqModel = readModel(file('test_identity_sequence', 'model.onnx'));
    const seq = readValue(file('test_identity_sequence', 'test_data_set_0/input_0.pb'), seqModel.graph.inputs[0]!.type!);
    expect(seq.kind).toBe('sequence');
    if (seq.kind !== 'sequence') return;
    expect(seq.elements.map((e) => (e.kind === 'tensor' ? [e.tensor.dims, [...e.tensor.data]] : e.kind))).toEqual([
      [[1, 1, 2, 2], [1, 2, 3, 4]],
      [[1, 1, 2, 2], [2, 3, 1, 5]],
    ]);

    const optModel = readModel(file('test_identity_opt', 'model.onnx'));
    const opt = readValue(file('test_identity_opt', 'test_data_set_0/input_0.pb'), optModel.graph.inputs[0]!.type!);
    expect(opt).toMatchObject({ kind: 'optional', name: 'opt_in', value: { kind: 'sequence' } });
  });

  it('a file read as the wrong kind of value is a ModelLoadError', () => {
    const bytes = file('test_identity_sequence', 'test_data_set_0/input_0.pb');
    expect(() => readValue(bytes, { kind: 'optional', elem: { kind: 'tensor', elemType: 'float32' } })).toThrow(ModelLoadError);
    expect(() => readValue(bytes, { kind: 'sequence', elem: { kind: 'tensor', elemType: 'int64' } })).toThrow(
      /sequence\[0\]: element type is float32, expected int64/,
    );
    expect(() => readValue(bytes, { kind: 'sequence', elem: { kind: 'sequence', elem: { kind: 'tensor', elemType: 'float32' } } })).toThrow(
      /sequence\[0\]: holds tensor values, expected sequence values/,
    );
    const tensorBytes = file('test_lstm_defaults', 'test_data_set_0/input_0.pb');
    expect(() => readValue(tensorBytes, { kind: 'tensor', elemType: 'float32', shape: [9, 9, 9] })).toThrow(/does not fit the declared \[9, 9, 9\]/);
  });
});
