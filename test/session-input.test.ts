/**
 * Wrong input is an InputError that says what was expected and what came, and the state is exactly as
 * before that step (compared through snapshots, bit for bit).
 */
import { describe, expect, it } from 'vitest';
import { buildLstm2Step, LSTM2_CARD } from '../scripts/build-step-models.js';
import { BackendError, InputError } from '../src/errors.js';
import { writeModel } from '../src/onnx/write.js';
import { createStepSession } from '../src/session/step-session.js';
import { tensor, toNumberArray } from '../src/tensor.js';
import type { BackendName } from '../src/backends/backend.js';
import type { StepInput } from '../src/session/types.js';

const bytes = writeModel(buildLstm2Step());
const good = () => Float32Array.from({ length: 16 }, (_, i) => Math.cos(i) * 0.5);

const CASES: [string, StepInput, RegExp][] = [
  ['a frame of the wrong length', new Float32Array(15), /expects 16 values per step, got 15/],
  ['an empty frame', [], /expects 16 values per step, got 0/],
  ['a NaN', Float32Array.from({ length: 16 }, (_, i) => (i === 9 ? Number.NaN : 0)), /NaN at element 9/],
  ['an Infinity', Array.from({ length: 16 }, (_, i) => (i === 2 ? -Infinity : 0)), /-Infinity at element 2/],
  ['the wrong element type', { x: tensor('float64', [1, 1, 16]) }, /'x' must be float32, got a float64 tensor/],
  ['an int64 array for a float input', { x: new BigInt64Array(16) }, /must be float32, got a BigInt64Array/],
  ['an unknown feed name', { x: good(), y: good() }, /unknown input 'y'; this model takes 'x'/],
  ['a state input as a feed', { x: good(), h0_in: new Float32Array(32) }, /'h0_in' is state carried by the session; set it with slot.setState/],
  ['a missing feed', {}, /missing input 'x'/],
  ['a tensor of the wrong shape', { x: tensor('float32', [1, 2, 8]) }, /expects shape \[1, 1, 16\], got \[1, 2, 8\]/],
  ['strings', ['a'] as unknown as number[], /must hold numbers, element 0 is string/],
  ['not an input at all', 42 as unknown as StepInput, /expected a Float32Array, a number\[\] or feeds by input name, got number/],
];

describe.each(['builtin', 'ort-node', 'ort-web'] as BackendName[])('bad input on %s', (backend) => {
  it.each(CASES)('%s is an InputError and leaves the state as it was', async (_what, input, message) => {
    const s = await createStepSession(bytes, { backend, card: LSTM2_CARD });
    await s.step(good());
    const before = s.snapshot();
    const runs = s.stats.runs;
    await expect(s.step(input)).rejects.toThrow(InputError);
    await expect(s.step(input)).rejects.toThrow(message);
    expect(s.stats.runs).toBe(runs);
    expect(s.snapshot()).toEqual(before);
    // And the session carries on normally.
    await expect(s.step(good())).resolves.toHaveProperty('probs');
    await s.dispose();
  });
});

describe('state access and lifecycle', () => {
  it('setState validates like input and getState returns a copy', async () => {
    const s = await createStepSession(bytes, { backend: 'builtin', card: LSTM2_CARD });
    const slot = s.defaultSlot;
    expect(() => slot.setState('h0_in', new Float32Array(31))).toThrow(/holds 32 values \[1, 1, 32\], got 31/);
    expect(() => slot.setState('nope', new Float32Array(32))).toThrow(/no state 'nope'/);
    expect(() => slot.setState('h0_in', Array.from({ length: 32 }, () => Number.NaN))).toThrow(InputError);
    slot.setState('h0_in', Array.from({ length: 32 }, (_, i) => i / 32));
    const h = slot.getState('h0_in');
    expect(h.dims).toEqual([1, 1, 32]);
    expect(h.data[31]).toBeCloseTo(31 / 32, 6);
    (h.data as Float32Array).fill(7);
    expect(slot.getState('h0_in').data[0]).toBe(0);
    await s.dispose();
  });

  it('reset() zeroes the state: the next step equals a fresh session', async () => {
    const a = await createStepSession(bytes, { backend: 'builtin', card: LSTM2_CARD });
    const fresh = await createStepSession(bytes, { backend: 'builtin', card: LSTM2_CARD });
    for (let i = 0; i < 5; i++) await a.step(good());
    a.reset();
    const x = (await a.step(good())).probs!.data.slice();
    const y = (await fresh.step(good())).probs!.data;
    expect(Array.from(x as Float32Array)).toEqual(Array.from(y as Float32Array));
    await Promise.all([a.dispose(), fresh.dispose()]);
  });

  it('steps on one session are serialised in call order', async () => {
    const a = await createStepSession(bytes, { backend: 'ort-node', card: LSTM2_CARD });
    const b = await createStepSession(bytes, { backend: 'ort-node', card: LSTM2_CARD });
    const frames = Array.from({ length: 8 }, (_, t) => Float32Array.from({ length: 16 }, (_, i) => Math.sin(i + t)));
    const concurrent = await Promise.all(frames.map((f) => a.step(f).then((o) => toNumberArray(o.probs!))));
    // Results handed back are the slot's reused buffers: only the last one is still intact.
    const sequential: number[][] = [];
    for (const f of frames) sequential.push(toNumberArray((await b.step(f)).probs!));
    expect(concurrent[7]).toEqual(sequential[7]);
    expect(a.snapshot()).toEqual(b.snapshot());
    await Promise.all([a.dispose(), b.dispose()]);
  });

  it('after dispose() a step is a BackendError; dispose twice is fine', async () => {
    const s = await createStepSession(bytes, { backend: 'ort-web', card: LSTM2_CARD });
    await s.dispose();
    await s.dispose();
    await expect(s.step(good())).rejects.toThrow(BackendError);
    await expect(s.step(good())).rejects.toThrow(/disposed/);
  });

  it('a removed slot refuses work; the default slot cannot be removed', async () => {
    const s = await createStepSession(bytes, { backend: 'builtin', card: LSTM2_CARD });
    const extra = s.addSlot();
    extra.remove();
    expect(s.slots.has(extra.id)).toBe(false);
    await expect(extra.step(good())).rejects.toThrow(/does not belong to this session/);
    expect(() => extra.snapshot()).toThrow(/was removed/);
    expect(() => s.defaultSlot.remove()).toThrow(/default slot cannot be removed/);
    await s.dispose();
  });
});

describe('reset while a step is queued', () => {
  it('a reset() made after a step was requested is not undone by that step (ort-node, async)', async () => {
    const s = await createStepSession(bytes, { backend: 'ort-node', card: LSTM2_CARD });
    const zero = s.snapshot();
    await s.step(good());
    const pending = s.step(good());
    s.reset();
    const out = await pending;
    expect(out.probs!.dims).toEqual([1, 8]);
    expect(s.snapshot()).toEqual(zero);
    // A step requested after the reset moves the state as usual.
    await s.step(good());
    expect(s.snapshot()).not.toEqual(zero);
    await s.dispose();
  });
});
