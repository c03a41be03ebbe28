import { Observable, asyncScheduler, type OperatorFunction, type SchedulerAction, type SchedulerLike, type Subscription } from 'rxjs';
import { InputError } from '../errors.js';
import type { StepInput, StepOutputs } from '../session/types.js';
import type { Tensor } from '../tensor.js';
import type { FlowOptions, StepTarget } from './flow-options.js';
import { findNonFinite } from './non-finite.js';
import { OutputRing } from './reduce-outputs.js';
import { SerialPump } from './serial-pump.js';
import { leaseSlot } from './slot-lease.js';

/**
 * Where a sequence ends; give one or more (the first that fires ends it):
 * - `count`: after this many items;
 * - `when(item, indexInSequence)`: after the item for which it returns true (the item is part of the sequence);
 * - `gapMs`: when no item has arrived for this long (measured on `scheduler`).
 * The source completing ends the last sequence too.
 */
export interface SequenceEnd<T> {
  count?: number;
  when?: (item: T, indexInSequence: number) => boolean;
  gapMs?: number;
}

export interface ClassifyOptions<T> extends FlowOptions {
  end: SequenceEnd<T>;
  /** Item → step input (default: the item). */
  toInput?: (item: T, index: number) => StepInput;
  /** Which outputs of the sequence's last step to emit (default: the model's non-state outputs; with a bare slot, all). */
  outputs?: readonly string[];
  /** Scheduler for `gapMs` (default `asyncScheduler`; a `TestScheduler` in tests). */
  scheduler?: SchedulerLike;
}

export interface SequenceResult {
  /** 0, 1, 2, ... */
  index: number;
  /** Items stepped in the sequence. */
  length: number;
  /** Outputs of the sequence's last step (copies the caller owns). */
  outputs: Record<string, Tensor>;
}

interface Pending<T> {
  item: T;
  /** Set by the gap timer: this item is the last of its sequence. */
  ends: boolean;
}

/**
 * Many-to-one: one output per sequence, read from the last step of the sequence (the state at its end);
 * then the state resets for the next sequence. Sequences end by count, by predicate or by a time gap.
 *
 * A sequence with no stepped items (every item set aside by the non-finite policy) emits nothing. Under
 * `nonFinite: 'reset'` a bad item abandons the sequence so far: the state resets and the sequence restarts.
 *
 * @param target a session (a slot per subscription, removed on unsubscribe) or your slot (reset between
 *   sequences, since that is what this operator means, but never removed).
 * @param options where sequences end, mapping, backpressure, non-finite policy, metrics, scheduler.
 *
 * @example
 * ```ts
 * import { classify } from 'rxrnn';
 * // one gesture = the samples up to a pause of 300 ms
 * imu$.pipe(classify(session, { end: { gapMs: 300 } }))
 *   .subscribe((s) => console.log(`gesture ${s.index}:`, argmax(s.outputs.logits.data)));
 * ```
 */
export function classify<T = StepInput>(target: StepTarget, options: ClassifyOptions<T>): OperatorFunction<T, SequenceResult> {
  const { count, when, gapMs } = options.end ?? {};
  if (count === undefined && when === undefined && gapMs === undefined) {
    throw new InputError('classify: say where a sequence ends: end: { count }, { when }, or { gapMs }');
  }
  if (count !== undefined && (!Number.isInteger(count) || count < 1)) throw new InputError(`classify: end.count must be an integer >= 1, got ${String(count)}`);
  if (gapMs !== undefined && !(gapMs > 0 && Number.isFinite(gapMs))) throw new InputError(`classify: end.gapMs must be a positive number of ms, got ${String(gapMs)}`);
  const toInput = options.toInput ?? ((item: T) => item as unknown as StepInput);
  const scheduler = options.scheduler ?? asyncScheduler;
  const nonFinite = options.nonFinite ?? 'error';
  const metrics = options.metrics;

  return (source) =>
    new Observable<SequenceResult>((subscriber) => {
      const lease = leaseSlot(target);
      const slot = lease.slot;
      const names = options.outputs ?? lease.session?.info.outputs.map((o) => o.name);
      let sequenceIndex = 0;
      let itemIndex = 0;
      let length = 0;
      // The latest step's outputs, copied into buffers allocated once: the session reuses its own.
      const latest = new OutputRing(1, names);

      const endSequence = (): void => {
        if (length > 0) subscriber.next({ index: sequenceIndex++, length, outputs: latest.reduce(1, 'last') });
        length = 0;
        slot.reset();
      };

      const pump = new SerialPump<Pending<T>>(
        subscriber,
        options,
        {
          async process(pending) {
            const i = itemIndex++;
            const input = toInput(pending.item, i);
            const bad = findNonFinite(input);
            if (bad !== undefined) {
              if (nonFinite === 'error') {
                throw new InputError(`classify: item ${i} has a non-finite value (${bad}); the state was not touched. Clean the input, or pass nonFinite: 'skip' or 'reset'.`);
              }
              if (metrics) metrics.nonFinite++;
              if (nonFinite === 'reset') {
                length = 0;
                slot.reset();
              }
              if (pending.ends) endSequence();
              return;
            }
            const started = metrics ? performance.now() : 0;
            const outputs: StepOutputs = await slot.step(input);
            if (metrics) metrics.recordRun(1, performance.now() - started);
            latest.push(outputs);
            const position = length++;
            if (pending.ends || (count !== undefined && length >= count) || (when !== undefined && when(pending.item, position))) {
              endSequence();
            }
          },
          flush: endSequence,
        },
        'classify',
      );

      // One timer for the gap, re-armed only when it fires early, rather than rescheduled on every item.
      let lastArrival = 0;
      let gapTimer: Subscription | undefined;
      let newest: Pending<T> | undefined;
      const onGap = function (this: SchedulerAction<unknown>): void {
        const waited = scheduler.now() - lastArrival;
        if (waited < gapMs!) {
          this.schedule(undefined, gapMs! - waited);
          return;
        }
        gapTimer = undefined;
        // The newest item closes its sequence: mark it if it is still waiting, otherwise end right away (or
        // as soon as the step in flight for it is done, via its mark).
        if (newest !== undefined) {
          newest.ends = true;
          newest = undefined;
        }
        if (!pump.busy && length > 0) endSequence();
      };

      const subscription = source.subscribe({
        next: (item) => {
          const pending: Pending<T> = { item, ends: false };
          const kept = pump.push(pending);
          if (gapMs !== undefined) {
            if (kept) newest = pending;
            lastArrival = scheduler.now();
            if (gapTimer === undefined) gapTimer = scheduler.schedule(onGap, gapMs);
          }
        },
        error: (error: unknown) => pump.fail(error),
        complete: () => {
          gapTimer?.unsubscribe();
          gapTimer = undefined;
          pump.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        gapTimer?.unsubscribe();
        gapTimer = undefined;
        newest = undefined;
        pump.closeThen(() => lease.release());
      };
    });
}
