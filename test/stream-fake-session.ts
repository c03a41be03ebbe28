/**
 * A small deterministic StepSession for unit-testing the operators' logic (ordering, batching, timing,
 * ownership) apart from any real backend. Its model is plain arithmetic the tests can recompute:
 * state h (size S) ← decay·h + x, output y = h + bias. It also checks the contract the operators must keep:
 * no slot is ever stepped twice at once, and removed slots are never stepped.
 */
import { TestScheduler } from 'rxjs/testing';
import { InputError } from '../src/errors.js';
import type { Slot, Snapshot, StepInput, StepOutputs, StepSession, StepSessionInfo, StepSessionStats } from '../src/session/types.js';
import { tensor, type Tensor } from '../src/tensor.js';

export interface FakeOptions {
  size?: number;
  decay?: number;
  bias?: number;
  /** How a step answers: 'sync' (already-resolved promise), 'microtask', or a delay in ms (setTimeout). */
  timing?: 'sync' | 'microtask' | number;
  /** Custom readout: writes the output y from the state (default h + bias). */
  readout?: (h: Float32Array, y: Float32Array) => void;
  outputSize?: number;
}

export class FakeSlot implements Slot {
  h: Float32Array;
  y: Float32Array;
  inFlight = false;
  removed = false;
  steps = 0;
  constructor(readonly id: number, private readonly owner: FakeSession) {
    this.h = new Float32Array(owner.size);
    this.y = new Float32Array(owner.outputSize);
  }
  step(input: StepInput): Promise<StepOutputs> {
    return this.owner.stepMany([{ slot: this, input }]).then(([r]) => {
      if (r instanceof Error) throw r;
      return r!;
    });
  }
  reset(): void {
    this.h.fill(0);
  }
  snapshot(): Snapshot {
    return { format: 'rxrnn-snapshot', version: 1, model: 'fake', state: { h: { dtype: 'float32', dims: [1, this.h.length], data: JSON.stringify(Array.from(this.h)) } } };
  }
  restore(s: Snapshot): void {
    this.h.set(JSON.parse(s.state.h!.data) as number[]);
  }
  getState(_input: string): Tensor {
    return tensor('float32', [1, this.h.length], this.h.slice());
  }
  setState(_input: string, value: Tensor | Float32Array | readonly number[]): void {
    const data = 'data' in value ? (value.data as Float32Array) : value;
    if (data.length !== this.h.length) throw new InputError(`fake: state needs ${this.h.length} values, got ${data.length}`);
    this.h.set(data);
  }
  remove(): void {
    this.removed = true;
    this.owner.removeSlot(this);
  }
}

export class FakeSession implements StepSession {
  readonly size: number;
  readonly outputSize: number;
  readonly decay: number;
  readonly bias: number;
  readonly timing: 'sync' | 'microtask' | number;
  readonly readout: (h: Float32Array, y: Float32Array) => void;
  readonly info: StepSessionInfo;
  readonly defaultSlot: FakeSlot;
  private readonly slotMap = new Map<number, FakeSlot>();
  private nextId = 0;
  /** Backend runs (one per stepMany call) and their batch sizes. */
  runs: number[] = [];
  /** Contract violations seen (two steps at once on a slot, a removed slot stepped). */
  violations: string[] = [];
  slotsAdded = 0;
  readonly stats: StepSessionStats = { runs: 0, bufferAllocations: 0 };

  constructor(options: FakeOptions = {}) {
    this.size = options.size ?? 2;
    this.outputSize = options.outputSize ?? this.size;
    this.decay = options.decay ?? 0.5;
    this.bias = options.bias ?? 0;
    this.timing = options.timing ?? 'microtask';
    this.readout = options.readout ?? ((h, y) => { for (let i = 0; i < h.length; i++) y[i] = h[i]! + this.bias; });
    this.info = {
      backend: 'builtin',
      backendReason: 'fake',
      stepInputs: [{ name: 'x', dtype: 'float32', dims: [1, this.size] }],
      outputs: [{ name: 'y', dtype: 'float32', dims: [1, this.outputSize] }],
      bindings: [{ input: 'h', output: 'h_out', dtype: 'float32', dims: [1, this.size], batchAxis: 0 }],
      batchable: true,
    };
    this.defaultSlot = this.addSlot();
    this.slotsAdded = 0;
  }

  get slots(): ReadonlyMap<number, FakeSlot> {
    return this.slotMap;
  }
  addSlot(): FakeSlot {
    const slot = new FakeSlot(this.nextId++, this);
    this.slotMap.set(slot.id, slot);
    this.slotsAdded++;
    return slot;
  }
  removeSlot(slot: FakeSlot): void {
    if (slot.inFlight) this.violations.push(`slot ${slot.id} removed during a step`);
    this.slotMap.delete(slot.id);
  }
  step(input: StepInput): Promise<StepOutputs> {
    return this.defaultSlot.step(input);
  }
  reset(): void {
    this.defaultSlot.reset();
  }
  snapshot(): Snapshot {
    return this.defaultSlot.snapshot();
  }
  restore(s: Snapshot): void {
    this.defaultSlot.restore(s);
  }

  private frameOf(input: StepInput): Float32Array {
    const raw = input instanceof Float32Array || Array.isArray(input) ? input : (input as Record<string, unknown>).x;
    const data = raw && typeof raw === 'object' && 'data' in raw ? (raw as Tensor).data : raw;
    if (!(data instanceof Float32Array) && !Array.isArray(data)) throw new InputError('fake: input x missing');
    if (data.length !== this.size) throw new InputError(`fake: x needs ${this.size} values, got ${data.length}`);
    for (const v of Array.from(data as ArrayLike<number>)) if (!Number.isFinite(v)) throw new InputError(`fake: x has ${String(v)}`);
    return Float32Array.from(data as ArrayLike<number>);
  }

  stepMany(batch: readonly { slot: Slot; input: StepInput }[]): Promise<(StepOutputs | Error)[]> {
    const slots = batch.map((b) => b.slot as FakeSlot);
    for (const s of slots) {
      if (s.inFlight) this.violations.push(`slot ${s.id} stepped while a step was in flight`);
      if (s.removed) this.violations.push(`removed slot ${s.id} stepped`);
      s.inFlight = true;
    }
    this.runs.push(batch.length);
    this.stats.runs++;
    const compute = (): (StepOutputs | Error)[] =>
      batch.map(({ input }, i) => {
        const slot = slots[i]!;
        slot.inFlight = false;
        let x: Float32Array;
        try {
          x = this.frameOf(input);
        } catch (e) {
          return e as Error;
        }
        for (let k = 0; k < this.size; k++) slot.h[k] = this.decay * slot.h[k]! + x[k]!;
        this.readout(slot.h, slot.y);
        slot.steps++;
        // Same buffers every step, as a real session's pool: operators must copy.
        return { y: { dtype: 'float32', dims: [1, this.outputSize], data: slot.y }, h_out: { dtype: 'float32', dims: [1, this.size], data: slot.h } };
      });
    if (this.timing === 'sync') return Promise.resolve(compute());
    if (this.timing === 'microtask') return Promise.resolve().then(compute);
    const ms = this.timing;
    return new Promise((resolve) => setTimeout(() => resolve(compute()), ms));
  }
  async dispose(): Promise<void> {
    this.slotMap.clear();
  }
}

/** The reference: the fake's arithmetic on one stream, item by item. */
export function referenceOutputs(frames: readonly number[][], options: FakeOptions = {}): number[][] {
  const size = options.size ?? 2;
  const decay = options.decay ?? 0.5;
  const bias = options.bias ?? 0;
  const h = new Float32Array(size);
  return frames.map((x) => {
    for (let k = 0; k < size; k++) h[k] = decay * h[k]! + Math.fround(x[k]!);
    return Array.from(h, (v) => Math.fround(v + bias));
  });
}

/**
 * Virtual time for operators whose steps answer through promises: RxJS's TestScheduler drives the timers
 * (gaps, maxDelayMs, idle eviction), and between virtual milliseconds the microtask queue is drained so
 * promise-based steps complete "instantly" at the virtual time they were started.
 */
export class VirtualTime {
  readonly scheduler = new TestScheduler((a, b) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error('TestScheduler assertion used by mistake');
  });
  /** Schedules `fn` at virtual time `ms`. */
  at(ms: number, fn: () => void): void {
    this.scheduler.schedule(fn, ms - this.scheduler.now());
  }
  /** Runs virtual time forward to `ms`, one millisecond at a time, draining microtasks in between. */
  async advanceTo(ms: number): Promise<void> {
    for (let t = this.scheduler.now(); t <= ms; t++) {
      this.scheduler.maxFrames = t;
      this.scheduler.flush();
      this.scheduler.frame = t;
      for (let i = 0; i < 5; i++) await new Promise<void>((r) => queueMicrotask(r));
    }
  }
}
