/**
 * Model cards and binding detection: the schema (via ajv) accepts the shipped cards and rejects malformed
 * ones with every problem listed; detection pairs states by name, type and shape; ambiguity is a
 * BindingError that prints the candidates and a starter card; a card that contradicts the model is refused.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildGruStep, buildLstm2Step, LSTM2_CARD } from '../scripts/build-step-models.js';
import { BindingError } from '../src/errors.js';
import { GraphBuilder } from '../src/onnx/build.js';
import { readModel } from '../src/onnx/read.js';
import { candidateOutputNames, planSession, starterCard } from '../src/session/bindings.js';
import { validateCard, type ModelCard } from '../src/session/card.js';
import { createStepSession } from '../src/session/step-session.js';
import { tensor, toNumberArray } from '../src/tensor.js';

const CARD_FILES = ['models/silero-vad/v5.card.json', 'models/silero-vad/legacy.card.json', 'models/lstm2-step/model.card.json', 'models/gru-step/model.card.json'];

describe('validateCard', () => {
  it.each(CARD_FILES)('accepts %s', (file) => {
    expect(validateCard(JSON.parse(readFileSync(file, 'utf8'))).format).toBe('rxrnn-model-card/1');
  });

  it('lists every schema problem at once', () => {
    const bad = { format: 'rxrnn-model-card/1', state: [{ input: 'h' }], inputs: [{ name: 'x', frame: 0 }], colour: 'blue' };
    let err: unknown;
    try {
      validateCard(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BindingError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/\/state\/0: must have required property 'output'/);
    expect(msg).toMatch(/\/inputs\/0\/frame: must be >= 1/);
    expect(msg).toMatch(/must NOT have additional properties 'colour'/);
  });

  it('rejects a wrong format tag and constants whose data does not fill their dims', () => {
    expect(() => validateCard({ format: 'v2' })).toThrow(BindingError);
    expect(() => validateCard({ format: 'rxrnn-model-card/1', constants: { sr: { dtype: 'int64', dims: [2], data: [16000] } } })).toThrow(/hold 2 values, data has 1/);
  });
});

describe('binding detection without a card', () => {
  it('knows the common naming conventions', () => {
    expect(candidateOutputNames('h')).toContain('hn');
    expect(candidateOutputNames('c')).toContain('cn');
    expect(candidateOutputNames('state')).toContain('stateN');
    expect(candidateOutputNames('initial_h')).toContain('Y_h');
    expect(candidateOutputNames('initial_c')).toContain('Y_c');
    expect(candidateOutputNames('h0_in')).toContain('h0_out');
    expect(candidateOutputNames('past_key')).toContain('present_key');
  });

  it('finds all four states of the 2-layer LSTM, batchable along axis 1', () => {
    const plan = planSession(buildLstm2Step());
    expect(plan.bindings.map((b) => [b.input, b.output, b.batchAxis, b.dims])).toEqual([
      ['h0_in', 'h0_out', 1, [1, 1, 32]],
      ['c0_in', 'c0_out', 1, [1, 1, 32]],
      ['h1_in', 'h1_out', 1, [1, 1, 32]],
      ['c1_in', 'c1_out', 1, [1, 1, 32]],
    ]);
    expect(plan.stepInputs).toEqual([{ name: 'x', dtype: 'float32', dims: [1, 1, 16], batchAxis: 1, context: 0 }]);
    expect(plan.outputs).toEqual([{ name: 'probs', dtype: 'float32', dims: [null, 8], batchAxis: 0 }]);
    expect(plan.batchable).toBe(true);
  });

  it('finds Silero legacy h→hn, c→cn (sr stays a per-step input without a card)', () => {
    const model = readModel(new Uint8Array(readFileSync('node_modules/@ricky0123/vad-web/dist/silero_vad_legacy.onnx')));
    const plan = planSession(model);
    expect(plan.bindings.map((b) => `${b.input}->${b.output}`).sort()).toEqual(['c->cn', 'h->hn']);
    expect(plan.stepInputs.map((s) => s.name).sort()).toEqual(['input', 'sr']);
  });

  it('pairs only equal element types and compatible shapes', () => {
    const b = new GraphBuilder({ name: 'mismatch' });
    const h = b.input('h', 'float32', [1, 4]);
    b.node('Cast', [h], { to: 7 }, ['hn']); // int64 output: not a state of float h
    b.output('hn', 'int64', [1, 4]);
    expect(planSession(b.build()).bindings).toEqual([]);
  });

  it('an ambiguous model is a BindingError listing the candidates and a starter card', async () => {
    const b = new GraphBuilder({ name: 'ambiguous' });
    const x = b.input('x', 'float32', ['batch', 4]);
    const h = b.input('h', 'float32', ['batch', 4]);
    b.node('Add', [x, h], {}, ['hn']);
    b.node('Sub', [x, h], {}, ['h_next']);
    b.output('hn', 'float32', ['batch', 4]);
    b.output('h_next', 'float32', ['batch', 4]);
    const model = b.build();
    let err: unknown;
    try {
      await createStepSession(model, { backend: 'builtin' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BindingError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/state input 'h' could be fed from any of: hn, h_next/);
    const starter = JSON.parse(msg.slice(msg.indexOf('{')));
    expect(validateCard(starter)).toEqual(starterCard(model));
    // The starter card, as printed, makes a working session.
    const s = await createStepSession(model, { backend: 'builtin', card: starter });
    expect(s.info.bindings.map((x) => `${x.input}->${x.output}`)).toEqual(['h->hn']);
    await s.dispose();
  });

  it('a state with a fixed batch of 1 makes the session step slots one call each', () => {
    const b = new GraphBuilder({ name: 'fixed' });
    const x = b.input('x', 'float32', [1, 3]);
    const h = b.input('h', 'float32', [1, 3]);
    b.node('Add', [x, h], {}, ['hn']);
    b.output('hn', 'float32', [1, 3]);
    const plan = planSession(b.build());
    expect(plan.batchable).toBe(false);
    expect(plan.batchReason).toMatch(/state 'h' has a fixed batch dimension/);
  });
});

describe('cards that contradict the model', () => {
  const gru = buildGruStep();
  const base: ModelCard = { format: 'rxrnn-model-card/1', state: [{ input: 'h', output: 'hn', batchAxis: 1 }], inputs: [{ name: 'x', batchAxis: 1 }] };
  it.each([
    ['a state input the model lacks', { ...base, state: [{ input: 'hx', output: 'hn' }] }, /state input 'hx' is not an input of the model \(inputs: x, h\)/],
    ['a state output the model lacks', { ...base, state: [{ input: 'h', output: 'hy' }] }, /state output 'hy' \(for 'h'\) is not an output/],
    ['a constant of the wrong type', { ...base, inputs: [], constants: { x: { dtype: 'int64', dims: [1, 1, 12], data: new Array(12).fill(0) } } }, /constant 'x' is int64 but the model declares float32/],
    ['a frame that does not fit', { ...base, inputs: [{ name: 'x', batchAxis: 1, frame: 13 }] }, /frame 13 \+ context 0 = 13 elements, but its shape holds 12/],
    ['dims that disagree', { ...base, state: [{ input: 'h', output: 'hn', batchAxis: 1, dims: [1, 1, 25] }] }, /card dims \[1, 1, 25\] of state 'h' contradict/],
  ] as [string, ModelCard, RegExp][])('%s', async (_what, card, message) => {
    await expect(createStepSession(gru, { backend: 'builtin', card })).rejects.toThrow(BindingError);
    await expect(createStepSession(gru, { backend: 'builtin', card })).rejects.toThrow(message);
  });

  it('constants from the card are fed, and a step may override one', async () => {
    const b = new GraphBuilder({ name: 'gain' });
    const x = b.input('x', 'float32', ['batch', 2]);
    const g = b.input('gain', 'float32', [1]);
    const h = b.input('h', 'float32', ['batch', 2]);
    b.node('Add', [b.mul(x, g), h], {}, ['hn']);
    b.output('hn', 'float32', ['batch', 2]);
    const card: ModelCard = { format: 'rxrnn-model-card/1', constants: { gain: { dtype: 'float32', dims: [1], data: [2] } } };
    const s = await createStepSession(b.build(), { backend: 'builtin', card });
    expect(toNumberArray((await s.step([1, 2])).hn!)).toEqual([2, 4]);
    expect(toNumberArray((await s.step({ x: [1, 1], gain: tensor('float32', [1], [10]) })).hn!)).toEqual([12, 14]);
    expect(toNumberArray((await s.step([0, 0])).hn!)).toEqual([12, 14]);
    await s.dispose();
  });
});

it('the shipped lstm2-step card equals the one the build script writes', () => {
  const { $schema, ...onDisk } = JSON.parse(readFileSync('models/lstm2-step/model.card.json', 'utf8'));
  expect($schema).toBe('../../schemas/model-card.schema.json');
  expect(onDisk).toEqual(LSTM2_CARD);
});

it('session info tells the frame a step takes and the context the session adds (Silero v5 card)', async () => {
  const card = JSON.parse(readFileSync('models/silero-vad/v5.card.json', 'utf8'));
  const s = await createStepSession('node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx', { backend: 'ort-node', card });
  expect(s.info.stepInputs).toEqual([{ name: 'input', dtype: 'float32', dims: [1, 576], frame: 512, context: 64 }]);
  expect(s.info.bindings).toEqual([{ input: 'state', output: 'stateN', dtype: 'float32', dims: [2, 1, 128], batchAxis: 1 }]);
  expect(s.info.outputs).toEqual([{ name: 'output', dtype: 'float32', dims: [null, 1] }]);
  await expect(s.step(new Float32Array(576))).rejects.toThrow(/expects 512 values per step \(the session prepends 64 context values itself\), got 576/);
  await s.dispose();
});
