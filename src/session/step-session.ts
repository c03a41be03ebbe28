/**
 * The step session: where rxrnn carries recurrent state. Each slot is one stream with its own state
 * buffers; a step feeds the slot's state and input to a stateless engine and copies the new state back
 * only after the run succeeded, so a failed step leaves every slot as it was. Slots stepped together are
 * stacked along their batch axes into one engine call and unstacked after.
 */
import { loadEngine, type LoadEngineOptions } from '../backends/index.js';
import type { BackendName, Engine, ModelSource } from '../backends/backend.js';
import { sourceToModel } from '../backends/model-source.js';
import { BackendError, BindingError, InputError, RxrnnError } from '../errors.js';
import { allocData, sameDims, sizeOf, type DType, type Tensor, type TypedArray } from '../tensor.js';
import { planSession, type SessionPlan } from './bindings.js';
import { validateCard, type ModelCard } from './card.js';
import { copyValues, FeedChecker, type CheckedFeed, type CheckedStep } from './feeds.js';
import { SlotImpl, type Entry, type SlotHost } from './slot.js';
import { modelFingerprint } from './fingerprint.js';
import { ResidentGroup } from './resident.js';
import { blocks, stackInto, unstackFrom } from './stack.js';
import type { Slot, Snapshot, StepInput, StepOutputs, StepSession, StepSessionInfo, StepSessionStats } from './types.js';

/** Options of {@link createStepSession}. */
export interface StepSessionOptions {
  /** A backend by name, or `'auto'` (default): ort-node, else ort-web, else builtin. */
  backend?: BackendName | 'auto';
  /** The model card (parsed JSON); validated against the schema. Without one, bindings are detected. */
  card?: ModelCard | object;
  /** Passed to the backend: threads, graph optimisation level, execution providers (and backend-only options). */
  engine?: Omit<LoadEngineOptions, 'backend'>;
}

/** Feed buffers for one stacked run shape, reused run after run. */
interface RunBuffers {
  feeds: Record<string, Tensor>;
}

/** Whether `dims` is `stream` with `n` on the batch axis. */
function isStacked(dims: readonly number[], stream: readonly number[], axis: number, n: number): boolean {
  if (dims.length !== stream.length) return false;
  for (let i = 0; i < dims.length; i++) if (dims[i] !== (i === axis ? n : stream[i])) return false;
  return true;
}

class StepSessionImpl implements StepSession, SlotHost {
  readonly info: StepSessionInfo;
  readonly defaultSlot: SlotImpl;
  readonly stats: StepSessionStats = { runs: 0, bufferAllocations: 0 };
  private readonly slotMap = new Map<number, SlotImpl>();
  private nextId = 0;
  private readonly runBuffers = new Map<string, RunBuffers>();
  private queue: Promise<unknown> = Promise.resolve();
  /** Steps queued or running (the synchronous fast path is only taken when this is 0). */
  private pending = 0;
  private disposed = false;
  private readonly engineAllocations: () => number;
  readonly checker: FeedChecker;
  private readonly soloRecord: Record<string, Tensor> = {};
  /** Batch axis of every output by name (state outputs from their binding); undefined where unknown. */
  private readonly outputAxis = new Map<string, number | undefined>();
  /** The slots last stepped together, their state kept in the stacked run buffers (see resident.ts). */
  private resident: ResidentGroup | undefined;
  /** The output record `outputNames` was read from (see slotResults). */
  private namesOf: Record<string, Tensor> | undefined;
  private outputNames: string[] = [];

  constructor(
    readonly engine: Engine,
    readonly plan: SessionPlan,
    readonly fingerprint: string,
    backend: BackendName,
    reason: string,
  ) {
    this.info = {
      backend,
      backendReason: reason,
      stepInputs: plan.stepInputs.map((s) => ({
        name: s.name,
        dtype: s.dtype,
        dims: [...s.dims],
        ...(s.dims.includes(null) ? {} : { frame: sizeOf(s.dims as number[]) - s.context }),
        ...(s.context ? { context: s.context } : {}),
      })),
      outputs: plan.outputs.map((o) => ({ name: o.name, ...(o.dtype ? { dtype: o.dtype } : {}), ...(o.dims ? { dims: o.dims } : {}) })),
      bindings: plan.bindings.map((b) => ({ ...b, dims: [...b.dims] })),
      batchable: plan.batchable,
      batchReason: plan.batchReason,
      model: fingerprint,
    };
    this.checker = new FeedChecker(plan);
    for (const o of plan.outputs) this.outputAxis.set(o.name, o.batchAxis);
    for (const b of plan.bindings) this.outputAxis.set(b.output, b.batchAxis);
    const counted = engine as Engine & { allocations?: number };
    this.engineAllocations = () => counted.allocations ?? 0;
    this.defaultSlot = this.addSlot();
  }

  get slots(): ReadonlyMap<number, Slot> {
    return this.slotMap;
  }

  /** Allocates a tensor buffer and counts it (the steady-state test watches this counter). */
  alloc(dtype: DType, n: number): TypedArray {
    this.stats.bufferAllocations++;
    return allocData(dtype, n);
  }

  addSlot(): SlotImpl {
    this.live();
    const slot = new SlotImpl(this.nextId++, this);
    this.slotMap.set(slot.id, slot);
    return slot;
  }

  removeSlot(slot: SlotImpl): void {
    if (slot === this.defaultSlot) throw new InputError('the default slot cannot be removed; reset() it instead');
    if (!this.slotMap.has(slot.id) || this.slotMap.get(slot.id) !== slot) return;
    slot.resident?.dissolve();
    slot.removed = true;
    slot.generation++;
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
  restore(snapshot: Snapshot): void {
    this.defaultSlot.restore(snapshot);
  }

  stepOne(slot: SlotImpl, input: StepInput): Promise<StepOutputs> {
    // A synchronous engine with nothing queued steps right here: no promise hops before the math.
    if (this.pending === 0 && this.engine.runSync) {
      try {
        return Promise.resolve(this.runSoloSync(slot, input));
      } catch (e) {
        return Promise.reject(this.asRxrnnError(e));
      }
    }
    // The one-slot path skips stepMany's grouping: no maps, arrays or entries made per step. The slot's
    // generation is taken now: a reset()/restore() called after this step was requested wins over it.
    const generation = slot.generation;
    return this.enqueue(() => this.runSolo(slot, input, generation));
  }

  stepNow(slot: SlotImpl, input: StepInput): StepOutputs | undefined {
    if (this.pending !== 0 || !this.engine.runSync) return undefined;
    try {
      return this.runSoloSync(slot, input);
    } catch (e) {
      throw this.asRxrnnError(e);
    }
  }

  /** Runs `task` after every step queued before it; `pending` counts what is queued or running. */
  private enqueue<T>(task: () => Promise<T> | T): Promise<T> {
    this.pending++;
    const run = this.queue.then(task).finally(() => this.pending--);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private soloEntry(slot: SlotImpl, input: StepInput, generation: number): Entry[] {
    this.live();
    if (this.slotMap.get(slot.id) !== slot) throw new InputError(`slot ${slot.id} does not belong to this session (removed, or another session's)`);
    this.checker.check(input, slot.checked);
    // A solo step feeds the slot's own state buffers: they must hold its state, not a stale copy.
    slot.resident?.dissolve();
    slot.soloGroup[0]!.generation = generation;
    return slot.soloGroup;
  }

  private runSoloSync(slot: SlotImpl, input: StepInput): StepOutputs {
    this.runGroupSync(this.soloEntry(slot, input, slot.generation), slot.soloResult);
    return slot.soloResult[0] as StepOutputs;
  }

  private async runSolo(slot: SlotImpl, input: StepInput, generation: number): Promise<StepOutputs> {
    try {
      const group = this.soloEntry(slot, input, generation);
      if (this.engine.runSync) this.runGroupSync(group, slot.soloResult);
      else await this.runGroup(group, slot.soloResult);
      return slot.soloResult[0] as StepOutputs;
    } catch (e) {
      throw this.asRxrnnError(e);
    }
  }

  /** Errors leave the session typed: anything not already an RxrnnError is the backend's failure. */
  private asRxrnnError(e: unknown): RxrnnError {
    return e instanceof RxrnnError ? e : new BackendError(this.info.backend, `run failed: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  }

  stepMany(batch: readonly { slot: Slot; input: StepInput }[]): Promise<(StepOutputs | Error)[]> {
    // Steps run one batch at a time, in call order: a stream's state never sees two steps at once.
    // Generations are taken now, as in stepOne: a reset() after this call wins over it.
    const generations = batch.map((b) => (b.slot instanceof SlotImpl ? b.slot.generation : -1));
    return this.enqueue(() => this.runBatch(batch, generations));
  }

  private async runBatch(batch: readonly { slot: Slot; input: StepInput }[], generations: readonly number[]): Promise<(StepOutputs | Error)[]> {
    this.live();
    const results: (StepOutputs | Error)[] = new Array(batch.length);
    const resident = this.resident;
    if (resident?.matches(batch) && this.checkResident(resident, batch, generations)) {
      try {
        if (this.engine.runSync) this.runResidentSync(resident, results, generations);
        else await this.runResident(resident, results, generations);
      } catch (e) {
        results.fill(this.asRxrnnError(e));
      }
      return results;
    }
    // Any other grouping needs every slot's state in its own buffers (and may reuse the stacked ones).
    resident?.dissolve();
    this.resident = undefined;
    const groups = new Map<string, Entry[]>();
    const seen = new Set<SlotImpl>();
    for (let i = 0; i < batch.length; i++) {
      const { slot, input } = batch[i]!;
      try {
        if (!(slot instanceof SlotImpl) || this.slotMap.get(slot.id) !== slot) throw new InputError(`slot ${(slot as Slot | undefined)?.id} does not belong to this session (removed, or another session's)`);
        if (seen.has(slot)) throw new InputError(`slot ${slot.id} appears twice in one stepMany; step it in two calls`);
        seen.add(slot);
        const checked = this.checker.check(input, slot.checked);
        const key = this.plan.batchable ? checked.signature : `${checked.signature}@${slot.id}`;
        let g = groups.get(key);
        if (!g) groups.set(key, (g = []));
        g.push({ slot, checked, index: i, generation: generations[i]! });
      } catch (e) {
        results[i] = e instanceof Error ? e : new InputError(String(e));
      }
    }
    // One batch of slots all stepped together with good input becomes resident for the next call.
    const promote = groups.size === 1 && this.plan.batchable && batch.length > 1 && seen.size === batch.length && !results.some((r) => r !== undefined);
    for (const group of groups.values()) {
      try {
        if (this.engine.runSync) this.runGroupSync(group, results, promote);
        else await this.runGroup(group, results, promote);
      } catch (e) {
        const err = this.asRxrnnError(e);
        for (const entry of group) results[entry.index] = err;
      }
    }
    return results;
  }

  /** One engine call for `group` (slots with the same input shapes), then state and outputs written back. */
  private async runGroup(group: Entry[], results: (StepOutputs | Error)[], promote = false): Promise<void> {
    const feeds = this.prepareGroup(group);
    this.stats.runs++;
    const outputs = await this.engine.run(feeds);
    this.finishGroup(group, outputs, results, promote ? feeds : undefined);
  }

  /** The same as runGroup, for engines that run synchronously (builtin): no promise in between. */
  private runGroupSync(group: Entry[], results: (StepOutputs | Error)[], promote = false): void {
    const feeds = this.prepareGroup(group);
    const outputs = this.runEngineSync(feeds);
    this.finishGroup(group, outputs, results, promote ? feeds : undefined);
  }

  private runEngineSync(feeds: Record<string, Tensor>): Record<string, Tensor> {
    const before = this.engineAllocations();
    this.stats.runs++;
    const outputs = this.engine.runSync!(feeds);
    this.stats.bufferAllocations += this.engineAllocations() - before;
    return outputs;
  }

  /**
   * Validates each resident slot's input (the same checks as any step) and whether the group can run as it
   * stands: same signature, and no slot reset/restored since this step was requested (a reset wins over a
   * queued step, which the general path's per-slot write-back honours). False sends the batch down the
   * general path, which checks again and reports per slot.
   */
  private checkResident(group: ResidentGroup, batch: readonly { slot: Slot; input: StepInput }[], generations: readonly number[]): boolean {
    const members = group.members as readonly SlotImpl[];
    for (let k = 0; k < members.length; k++) {
      const slot = members[k]!;
      if (slot.generation !== generations[k]) return false;
      try {
        if (this.checker.check(batch[k]!.input, slot.checked).signature !== group.signature) return false;
      } catch {
        return false;
      }
    }
    return true;
  }

  /** A resident group's step: inputs written into their rows, state read and written in place. */
  private runResidentSync(group: ResidentGroup, results: (StepOutputs | Error)[], generations: readonly number[]): void {
    this.stageResident(group);
    this.finishResident(group, this.runEngineSync(group.feeds as Record<string, Tensor>), results, generations);
  }

  private async runResident(group: ResidentGroup, results: (StepOutputs | Error)[], generations: readonly number[]): Promise<void> {
    this.stageResident(group);
    this.stats.runs++;
    this.finishResident(group, await this.engine.run(group.feeds), results, generations);
  }

  /** Writes every member's validated input into its row of the stacked input feeds. */
  private stageResident(group: ResidentGroup): void {
    const members = group.members as readonly SlotImpl[];
    const n = members.length;
    const feeds = group.feeds;
    for (let s = 0; s < n; s++) {
      const slot = members[s]!;
      const fs = slot.checked.feeds;
      for (let i = 0; i < fs.length; i++) {
        const f = fs[i]!;
        const { outer, inner } = group.inputs[i]!;
        const dst = feeds[f.plan.name]!.data;
        // The common case (no carried context, one contiguous row per stream) copies straight into the row.
        if (f.plan.context === 0 && outer === 1) copyValues(dst, s * inner, f.values, f.plan.dtype);
        else stackInto(dst, this.stage(slot, f).data, s, n, outer, inner);
      }
    }
  }

  private finishResident(group: ResidentGroup, outputs: Record<string, Tensor>, results: (StepOutputs | Error)[], generations: readonly number[]): void {
    const members = group.members as readonly SlotImpl[];
    const n = members.length;
    this.checkOutputs(outputs, n);
    // Dissolved while an asynchronous run was in flight (a reset, a read-modify, a removal): the slots own
    // their state again, so write it back slot by slot, as the general path does.
    const inPlace = group.intact;
    if (inPlace) group.absorb(outputs, this.plan.bindings);
    for (let s = 0; s < n; s++) {
      const slot = members[s]!;
      if (!inPlace) this.writeBackSlot(slot, slot.checked, generations[s]!, outputs, s, n);
      else this.carryContext(slot, slot.checked);
      results[s] = this.slotResults(slot, outputs, s, n);
    }
  }

  /** Stages each slot's input and returns the feeds for one engine call. Writes no state. */
  private prepareGroup(group: Entry[]): Record<string, Tensor> {
    const n = group.length;
    const first = group[0]!.checked;
    // 1. Compose each slot's [context | frame] in its staging buffer.
    for (const { slot, checked } of group) for (const f of checked.feeds) this.stage(slot, f);
    // 2. Feeds: a lone slot feeds its own buffers; several are stacked into shared run buffers.
    return n === 1 ? this.soloFeeds(group[0]!.slot, first) : this.stackedFeeds(group);
  }

  /** Composes `slot`'s [context | frame] for feed `f` in its staging buffer. */
  private stage(slot: SlotImpl, f: CheckedFeed): Tensor {
    let st = slot.staging.get(f.plan.name);
    if (!st || !sameDims(st.dims, f.dims)) {
      st = { dtype: f.plan.dtype, dims: f.dims, data: this.alloc(f.plan.dtype, sizeOf(f.dims)) };
      slot.staging.set(f.plan.name, st);
    }
    const c = f.plan.context;
    if (c > 0) copyValues(st.data, 0, slot.context.get(f.plan.name)!.data, f.plan.dtype);
    copyValues(st.data, c, f.values, f.plan.dtype);
    return st;
  }

  /**
   * Checks the engine's outputs, then writes state, context and results back to each slot. With
   * `residentFeeds` (the stacked feeds of a batch that was every slot of one stepMany), the state stays in
   * those feeds instead and the slots become a resident group for the next call.
   */
  private finishGroup(group: Entry[], outputs: Record<string, Tensor>, results: (StepOutputs | Error)[], residentFeeds?: Record<string, Tensor>): void {
    const n = group.length;
    this.checkOutputs(outputs, n);
    if (residentFeeds && n > 1 && group.every((e) => e.slot.generation === e.generation)) {
      const slots = group.map((e) => e.slot);
      const first = group[0]!.checked;
      const inputs = first.feeds.map((f) => blocks(f.dims, f.plan.batchAxis!));
      const resident = new ResidentGroup(slots, residentFeeds, first.signature, this.plan.bindings, inputs);
      resident.absorb(outputs, this.plan.bindings);
      this.resident = resident;
      for (let s = 0; s < n; s++) {
        const { slot, checked, index } = group[s]!;
        this.carryContext(slot, checked);
        results[index] = this.slotResults(slot, outputs, s, n);
      }
      return;
    }
    // 4. Write back: state (unless the slot was reset/restored meanwhile), context, outputs.
    for (let s = 0; s < n; s++) {
      const { slot, checked, index, generation } = group[s]!;
      this.writeBackSlot(slot, checked, generation, outputs, s, n);
      results[index] = this.slotResults(slot, outputs, s, n);
    }
  }

  /** Stream `s`'s new state and carried context into the slot's own buffers, unless reset/restored since. */
  private writeBackSlot(slot: SlotImpl, checked: CheckedStep, generation: number, outputs: Record<string, Tensor>, s: number, n: number): void {
    if (slot.generation !== generation) return;
    for (const b of this.plan.bindings) {
      const { outer, inner } = blocks(b.dims, b.batchAxis);
      unstackFrom(outputs[b.output]!.data, slot.state.get(b.input)!.data, s, n, outer, inner);
    }
    this.carryContext(slot, checked);
  }

  /** Keeps the last `context` values of this step's input for the next step (card `context`). */
  private carryContext(slot: SlotImpl, checked: CheckedStep): void {
    for (const f of checked.feeds) {
      const c = f.plan.context;
      if (c === 0) continue;
      const st = slot.staging.get(f.plan.name)!.data;
      const ctx = slot.context.get(f.plan.name)!.data as Float32Array;
      const len = st.length;
      for (let k = 0; k < c; k++) ctx[k] = (st as Float32Array)[len - c + k]!;
    }
  }

  /** The new state must come back with the stacked shape, and (for several slots) every output batched. */
  private checkOutputs(outputs: Record<string, Tensor>, n: number): void {
    // 3. Check the new state before writing any of it.
    for (const b of this.plan.bindings) {
      const out = outputs[b.output];
      if (!out || out.dtype !== b.dtype || !isStacked(out.dims, b.dims, b.batchAxis, n)) {
        const want = b.dims.map((d, i) => (i === b.batchAxis ? n : d));
        throw new BindingError(`state output '${b.output}' came back as ${out ? `${out.dtype} [${out.dims.join(', ')}]` : 'nothing'}; expected ${b.dtype} [${want.join(', ')}] to feed '${b.input}'`);
      }
    }
    if (n > 1) {
      for (const name in outputs) {
        const axis = this.outputAxis.get(name);
        const out = outputs[name]!;
        if (axis === undefined || out.dims[axis] !== n) {
          throw new BindingError(`output '${name}' [${out.dims.join(', ')}] has no batch axis of size ${n}; give its batchAxis in the model card or set batch: 'fixed'`);
        }
      }
    }
  }

  private soloFeeds(slot: SlotImpl, checked: CheckedStep): Record<string, Tensor> {
    // One record for every solo run: only its values change, so V8 keeps one shape and nothing is made.
    const feeds = this.soloRecord;
    for (const b of this.plan.bindings) feeds[b.input] = slot.state.get(b.input)!;
    for (const f of checked.feeds) feeds[f.plan.name] = slot.staging.get(f.plan.name)!;
    for (const [name, t] of this.plan.constants) feeds[name] = checked.overrides?.get(name) ?? t;
    return feeds;
  }

  private stackedFeeds(group: Entry[]): Record<string, Tensor> {
    const n = group.length;
    const first = group[0]!.checked;
    const feeds = this.runBuffersFor(first.signature, n, first).feeds;
    for (const b of this.plan.bindings) {
      const { outer, inner } = blocks(b.dims, b.batchAxis);
      const dst = feeds[b.input]!.data;
      for (let s = 0; s < n; s++) stackInto(dst, group[s]!.slot.state.get(b.input)!.data, s, n, outer, inner);
    }
    for (const f of first.feeds) {
      // Batchable plans give every step input a batch axis (planSession checks it).
      const { outer, inner } = blocks(f.dims, f.plan.batchAxis!);
      const dst = feeds[f.plan.name]!.data;
      for (let s = 0; s < n; s++) stackInto(dst, group[s]!.slot.staging.get(f.plan.name)!.data, s, n, outer, inner);
    }
    return feeds;
  }

  /** Run buffers for `n` stacked streams of this input signature, made once and reused. */
  private runBuffersFor(signature: string, n: number, checked: CheckedStep): RunBuffers {
    const key = `${n}|${signature}`;
    let rb = this.runBuffers.get(key);
    if (rb) return rb;
    const feeds: Record<string, Tensor> = {};
    if (n > 1) {
      for (const b of this.plan.bindings) {
        const dims = b.dims.map((d, i) => (i === b.batchAxis ? n : d));
        feeds[b.input] = { dtype: b.dtype, dims, data: this.alloc(b.dtype, sizeOf(dims)) };
      }
      for (const f of checked.feeds) {
        const dims = f.dims.map((d, i) => (i === f.plan.batchAxis! ? n : d));
        feeds[f.plan.name] = { dtype: f.plan.dtype, dims, data: this.alloc(f.plan.dtype, sizeOf(dims)) };
      }
      for (const [name, t] of this.plan.constants) feeds[name] = t;
    }
    // Bound the cache: many distinct batch sizes would otherwise keep every buffer set alive.
    if (this.runBuffers.size >= 64) this.runBuffers.clear();
    rb = { feeds };
    this.runBuffers.set(key, rb);
    return rb;
  }

  /** Copies stream `s`'s share of every output into the slot's own result buffers. */
  private slotResults(slot: SlotImpl, outputs: Record<string, Tensor>, s: number, n: number): StepOutputs {
    // Engines hand back the same output record run after run: its names are listed once, not enumerated
    // with for-in per slot (a record without prototype is a dictionary, slow to enumerate).
    if (outputs !== this.namesOf) {
      this.namesOf = outputs;
      this.outputNames = Object.keys(outputs);
    }
    const names = this.outputNames;
    for (let j = 0; j < names.length; j++) {
      const name = names[j]!;
      const out = outputs[name]!;
      const axis = this.outputAxis.get(name);
      let res = slot.results[name];
      if (n === 1) {
        if (!res || res.dtype !== out.dtype || !sameDims(res.dims, out.dims)) {
          res = { dtype: out.dtype, dims: [...out.dims], data: this.alloc(out.dtype, out.data.length) };
          slot.results[name] = res;
        }
        (res.data as Float32Array).set(out.data as Float32Array);
        continue;
      }
      if (axis === undefined) continue; // checked before any write-back
      if (!res || res.dtype !== out.dtype || !isStacked(out.dims, res.dims, axis, n)) {
        const dims = out.dims.map((d, i) => (i === axis ? 1 : d));
        res = { dtype: out.dtype, dims, data: this.alloc(out.dtype, sizeOf(dims)) };
        slot.results[name] = res;
      }
      // Block sizes inline: this runs per slot and output, and blocks() returns a fresh object.
      const dims = out.dims;
      let outer = 1;
      let inner = 1;
      for (let i = 0; i < axis; i++) outer *= dims[i]!;
      for (let i = axis + 1; i < dims.length; i++) inner *= dims[i]!;
      unstackFrom(out.data, res.data, s, n, outer, inner);
    }
    return slot.results;
  }

  private live(): void {
    if (this.disposed) throw new BackendError(this.info.backend, 'the step session was disposed');
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    // Let a step in flight finish before the engine goes away.
    await this.queue;
    for (const s of this.slotMap.values()) s.removed = true;
    this.slotMap.clear();
    this.runBuffers.clear();
    await this.engine.dispose();
  }
}

/**
 * Creates a step session: a model, a backend, and the state bindings that let you feed one frame at a
 * time while the session carries the recurrent state.
 *
 * @example
 * ```ts
 * import { createStepSession } from 'rxrnn';
 * const vad = await createStepSession('silero_vad_v5.onnx', { backend: 'auto', card: sileroV5Card });
 * for (const chunk of chunks512) {
 *   const { output } = await vad.step(chunk); // Float32Array of 512 samples at 16 kHz
 *   console.log(output.data[0]);              // speech probability
 * }
 * const snap = vad.snapshot();                // JSON-safe; restore() on any backend
 * await vad.dispose();
 * ```
 */
export async function createStepSession(source: ModelSource, options: StepSessionOptions = {}): Promise<StepSession> {
  const card = options.card === undefined ? undefined : validateCard(options.card);
  const maxTensorBytes = options.engine?.maxTensorBytes;
  const model = await sourceToModel(source, maxTensorBytes !== undefined ? { maxTensorBytes } : undefined);
  const plan = planSession(model, card);
  const fingerprint = await modelFingerprint(model);
  // The engine gets the caller's source as it came: onnxruntime takes the original bytes (or resolves a
  // path and its external data itself) rather than a re-serialisation of the IR.
  const { engine, backend, reason } = await loadEngine(source, {
    backend: options.backend ?? 'auto',
    ...options.engine,
  });
  return new StepSessionImpl(engine, plan, fingerprint, backend, reason);
}
