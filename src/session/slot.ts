/**
 * One stream inside a step session: its own state buffers, the input context it carries, and the buffers
 * its step results are handed back in. Everything that touches only this stream lives here; running the
 * engine (alone or stacked with other slots) is the session's job.
 */
import { InputError } from '../errors.js';
import { sizeOf, type DType, type Tensor, type TypedArray } from '../tensor.js';
import type { SessionPlan } from './bindings.js';
import { copyValues, type CheckedStep, type FeedChecker } from './feeds.js';
import type { ResidentGroup, ResidentMember } from './resident.js';
import { decodeSnapshot, encodeSnapshot } from './snapshot.js';
import type { Slot, Snapshot, StepInput, StepOutputs } from './types.js';

/** What a slot needs from its session. */
export interface SlotHost {
  readonly plan: SessionPlan;
  readonly checker: FeedChecker;
  readonly fingerprint: string;
  alloc(dtype: DType, n: number): TypedArray;
  stepOne(slot: SlotImpl, input: StepInput): Promise<StepOutputs>;
  /** Steps synchronously when it can right now; undefined (nothing done) when not. */
  stepNow(slot: SlotImpl, input: StepInput): StepOutputs | undefined;
  removeSlot(slot: SlotImpl): void;
}

/** One slot's part in a run: its validated input, where its result goes, its generation when requested. */
export interface Entry {
  slot: SlotImpl;
  checked: CheckedStep;
  index: number;
  generation: number;
}

export class SlotImpl implements Slot, ResidentMember {
  /** Per-stream state by state-input name. */
  readonly state = new Map<string, Tensor>();
  /** Carried context by step-input name (card `context`): the last values of the previous step's input. */
  readonly context = new Map<string, Tensor>();
  /** Per-stream staging of each step input ([context | frame]); doubles as the feed when stepped alone. */
  readonly staging = new Map<string, Tensor>();
  /** Output buffers handed back from steps, reused. */
  readonly results: StepOutputs = {};
  /**
   * Bumped by reset/restore/setState/remove. A step records the generation when it is requested and
   * writes its new state back only if it is unchanged, so a reset() made while a step is queued or running
   * is not undone by that step (its outputs are still returned).
   */
  generation = 0;
  removed = false;
  /**
   * Set while this slot's state lives in a resident group's stacked buffers (see resident.ts): `state`
   * then holds a stale copy until the group syncs it out or dissolves.
   */
  resident: ResidentGroup | undefined = undefined;
  row = 0;
  /** Reused for every step of this slot (steps of a session run one batch at a time). */
  readonly checked: CheckedStep;
  readonly soloGroup: Entry[];
  readonly soloResult: (StepOutputs | Error)[] = [new Error('unset')];

  constructor(
    readonly id: number,
    private readonly session: SlotHost,
  ) {
    for (const b of session.plan.bindings) this.state.set(b.input, { dtype: b.dtype, dims: b.dims, data: session.alloc(b.dtype, sizeOf(b.dims)) });
    for (const s of session.plan.stepInputs) {
      if (s.context > 0) this.context.set(s.name, { dtype: s.dtype, dims: [s.context], data: session.alloc(s.dtype, s.context) });
    }
    this.checked = session.checker.scratch();
    this.soloGroup = [{ slot: this, checked: this.checked, index: 0, generation: 0 }];
  }

  /** The session's input check refuses NaN / ±Infinity before any state moves (feeds.ts). */
  readonly rejectsNonFinite = true;

  step(input: StepInput): Promise<StepOutputs> {
    return this.session.stepOne(this, input);
  }

  stepSync(input: StepInput): StepOutputs | undefined {
    return this.session.stepNow(this, input);
  }

  reset(): void {
    this.live();
    this.resident?.dissolve();
    for (const t of this.state.values()) t.data.fill(0 as never);
    for (const c of this.context.values()) c.data.fill(0 as never);
    this.generation++;
  }

  snapshot(): Snapshot {
    this.live();
    this.resident?.syncOut(this);
    return encodeSnapshot(this.session.fingerprint, this.state, this.context);
  }

  restore(snapshot: Snapshot): void {
    this.live();
    // Everything is checked and decoded first: a refused snapshot leaves the slot as it was.
    const decoded = decodeSnapshot(snapshot, this.session.fingerprint, this.state, this.context);
    this.resident?.dissolve();
    for (const [name, data] of decoded.state) (this.state.get(name)!.data as Float32Array).set(data as Float32Array);
    for (const [name, data] of decoded.context) (this.context.get(name)!.data as Float32Array).set(data as Float32Array);
    this.generation++;
  }

  getState(input: string): Tensor {
    this.live();
    const t = this.state.get(input);
    if (!t) throw new InputError(`no state '${input}'; this model's state is ${[...this.state.keys()].join(', ') || 'empty'}`);
    this.resident?.syncOut(this);
    return { dtype: t.dtype, dims: [...t.dims], data: t.data.slice() as Tensor['data'] };
  }

  setState(input: string, value: Tensor | Float32Array | readonly number[]): void {
    this.live();
    const t = this.state.get(input);
    if (!t) throw new InputError(`no state '${input}'; this model's state is ${[...this.state.keys()].join(', ') || 'empty'}`);
    const values = 'dtype' in value ? value : null;
    if (values && values.dtype !== t.dtype) throw new InputError(`state '${input}' is ${t.dtype}, got a ${values.dtype} tensor`);
    if (!values && value instanceof Float32Array && t.dtype !== 'float32') throw new InputError(`state '${input}' is ${t.dtype}, got a Float32Array`);
    const data = values ? values.data : (value as Float32Array | readonly number[]);
    if (data.length !== t.data.length) throw new InputError(`state '${input}' holds ${t.data.length} values [${t.dims.join(', ')}], got ${data.length}`);
    for (let i = 0; i < data.length; i++) {
      const x = data[i];
      if (typeof x === 'number' && x - x !== 0) throw new InputError(`state '${input}' value ${i} is ${x}; expected finite numbers`);
    }
    this.resident?.dissolve();
    copyValues(t.data, 0, data as TypedArray, t.dtype);
    this.generation++;
  }

  remove(): void {
    this.session.removeSlot(this);
  }

  private live(): void {
    if (this.removed) throw new InputError(`slot ${this.id} was removed`);
  }
}
