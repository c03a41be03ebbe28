import { Observable, type OperatorFunction } from 'rxjs';
import { InputError } from '../errors.js';
import type { StepInput, StepOutputs } from '../session/types.js';
import type { Tensor } from '../tensor.js';
import { copyOutputs } from './copy-outputs.js';
import type { FlowOptions, StepTarget } from './flow-options.js';
import { findNonFinite } from './non-finite.js';
import { SerialPump } from './serial-pump.js';
import { leaseSlot } from './slot-lease.js';

export interface StepOptions<T, R> extends FlowOptions {
  /** Turns an item into the step's input. Default: the item itself (a frame, or feeds by input name). */
  toInput?: (item: T, index: number) => StepInput;
  /**
   * Maps a step's outputs to what is emitted. It receives the session's own buffers, valid only during the
   * call: read what you need (e.g. `argmax(outputs.y.data)`) or copy it. Default: a deep copy of every output.
   */
  project?: (outputs: StepOutputs, item: T, index: number) => R;
}

/**
 * Per-step (many-to-many, synchronized): each item is one step of the model, state carried from step to
 * step, and each step emits one value (items set aside by a `skip` / `reset` non-finite policy or dropped by
 * a backpressure policy emit nothing, and are counted).
 *
 * Steps run one at a time in arrival order. Given a session, each subscription steps a slot of its own,
 * added on subscribe and removed on unsubscribe (after the step in flight settles); given a slot, the slot
 * stays the caller's. Emitted outputs are copies the caller owns.
 *
 * @param target the session (a slot per subscription) or a slot (yours, used as is).
 * @param options mapping in and out, backpressure, non-finite policy, metrics.
 *
 * @example
 * ```ts
 * import { from } from 'rxjs';
 * import { createStepSession, step } from 'rxrnn';
 * const session = await createStepSession(modelBytes, { backend: 'builtin' });
 * from(frames).pipe(step(session)).subscribe((outputs) => console.log(outputs.y.data));
 * ```
 */
export function step<T = StepInput, R = Record<string, Tensor>>(
  target: StepTarget,
  options: StepOptions<T, R> = {},
): OperatorFunction<T, R> {
  const toInput = options.toInput ?? ((item: T) => item as unknown as StepInput);
  const project = options.project ?? ((outputs: StepOutputs) => copyOutputs(outputs) as unknown as R);
  const nonFinite = options.nonFinite ?? 'error';
  const metrics = options.metrics;
  return (source) =>
    new Observable<R>((subscriber) => {
      const lease = leaseSlot(target);
      const slot = lease.slot;
      // A slot that refuses non-finite input itself (before its state moves) is not scanned twice: the
      // input is scanned here only once the step has failed, to tell a NaN apart from other bad input.
      const checksFinite = slot.rejectsNonFinite === true;
      const hasSync = typeof slot.stepSync === 'function';
      let index = 0;

      /** Applies the non-finite policy to item `i` (throws under 'error'). */
      const setAside = (i: number, bad: string): void => {
        if (nonFinite === 'error') {
          throw new InputError(`step: item ${i} has a non-finite value (${bad}); the state was not touched. ` +
            `Clean the input, or pass nonFinite: 'skip' or 'reset'.`);
        }
        if (metrics) metrics.nonFinite++;
        if (nonFinite === 'reset') slot.reset();
      };
      const failed = (error: unknown, input: StepInput, i: number): void => {
        const bad = checksFinite && error instanceof InputError ? findNonFinite(input) : undefined;
        if (bad === undefined) throw error;
        setAside(i, bad);
      };
      const emit = (outputs: StepOutputs, item: T, i: number, started: number): void => {
        if (metrics) metrics.recordRun(1, performance.now() - started);
        subscriber.next(project(outputs, item, i));
      };

      const pump = new SerialPump<T>(
        subscriber,
        options,
        {
          process(item) {
            const i = index++;
            const input = toInput(item, i);
            if (!checksFinite) {
              const bad = findNonFinite(input);
              if (bad !== undefined) return setAside(i, bad);
            }
            const started = metrics ? performance.now() : 0;
            if (hasSync) {
              // A synchronous session steps here and now: no promise, no microtask for this item.
              let outputs: StepOutputs | undefined;
              try {
                outputs = slot.stepSync!(input);
              } catch (error) {
                return failed(error, input, i);
              }
              if (outputs !== undefined) return emit(outputs, item, i, started);
            }
            return slot.step(input).then(
              (outputs) => emit(outputs, item, i, started),
              (error: unknown) => failed(error, input, i),
            );
          },
        },
        'step',
      );
      const subscription = pump.drainFrom(source);
      return () => {
        subscription.unsubscribe();
        pump.closeThen(() => lease.release());
      };
    });
}
