import { Observable, asyncScheduler, config, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import { BackpressureError, InputError } from '../errors.js';
import type { Slot, Snapshot, StepInput, StepSession } from '../session/types.js';
import type { Tensor } from '../tensor.js';
import { BoundedQueue } from './bounded-queue.js';
import { copyOutputs } from './copy-outputs.js';
import type { FlowOptions } from './flow-options.js';
import { findNonFinite } from './non-finite.js';

/**
 * Why a key's slot was given up: idle too long, room needed under `maxKeys`, the source completed, the
 * subscriber unsubscribed (a gateway shutting down), or the stream ended with an error.
 */
export type EvictionReason = 'idle' | 'max-keys' | 'complete' | 'unsubscribe' | 'error';

export interface KeyedOptions<T, K> extends FlowOptions {
  /** The stream an item belongs to (sensor id, user id, ...). Keys are compared as Map keys. */
  key: (item: T) => K;
  /** Item → step input (default: the item). */
  toInput?: (item: T) => StepInput;
  /** Most keys stepped in one backend run (default 64). */
  maxBatch?: number;
  /**
   * Longest an item waits for others to share its run (default 0: whatever arrived in the same turn of
   * the event loop). A run starts at once when `maxBatch` keys are ready.
   */
  maxDelayMs?: number;
  /** A key with no item for this long is evicted (default: never). */
  idleTimeoutMs?: number;
  /** Most keys held at once (default: no limit). A new key evicts the least recently active idle key. */
  maxKeys?: number;
  /**
   * Receives an evicted key's state before its slot is freed (persist it to resume later) — on every way a
   * key goes, teardown included. A hook that throws at teardown (`unsubscribe`, `error`), when there is
   * no subscriber left to tell, is reported the way RxJS reports errors nobody can receive
   * (`config.onUnhandledError`, else thrown asynchronously); every slot is freed all the same.
   */
  onEvict?: (key: K, snapshot: Snapshot, reason: EvictionReason) => void;
  /** Restores a key's state when the key (re)appears, e.g. from what `onEvict` saved. */
  restore?: (key: K) => Snapshot | undefined;
  /**
   * A failure that concerns one key (bad input, overflow of its queue, `maxKeys` with every key busy):
   * `'emit'` (default) emits `{ key, ok: false, error }` and goes on; `'error'` ends the whole stream;
   * a function receives it and nothing is emitted. The other keys keep flowing unless `'error'`.
   */
  onError?: 'emit' | 'error' | ((error: Error, key: K) => void);
  /** Which outputs to emit (default: the model's non-state outputs). */
  outputs?: readonly string[];
  /** Scheduler for `maxDelayMs` and `idleTimeoutMs` (default `asyncScheduler`; a `TestScheduler` in tests). */
  scheduler?: SchedulerLike;
}

export type KeyedResult<K> =
  | { key: K; ok: true; /** Per-key step number, 0, 1, ... */ index: number; outputs: Record<string, Tensor> }
  | { key: K; ok: false; index: number; error: Error };

interface KeyState<T> {
  key: unknown;
  slot: Slot;
  queue: BoundedQueue<T>;
  busy: boolean;
  ready: boolean;
  readySince: number;
  lastActive: number;
  steps: number;
}

/**
 * Keyed: one stream of interleaved items from many sources, each key with its own state in a slot of one
 * session. Keys with items ready share one backend run (`stepMany`): a run starts when `maxBatch` keys are
 * ready or the oldest ready item has waited `maxDelayMs`. Each key's items are stepped in order, one at a
 * time; a key appears at most once per run. One run is in flight at a time.
 *
 * Ownership: the operator adds a slot per key and removes it on eviction, on completion and on unsubscribe
 * (after the run in flight settles); the session stays yours. `onEvict` gets a key's snapshot before its
 * slot goes (reasons `idle`, `max-keys`, `complete`, and at teardown `unsubscribe` or `error`), so a gateway that
 * shuts down can save every key's state.
 *
 * @param session the session whose slots hold the keys' states.
 * @param options key function, batching, eviction, error policy, backpressure (per key), non-finite policy.
 *
 * @example
 * ```ts
 * import { keyed } from 'rxrnn';
 * readings$.pipe(keyed(session, { key: (r) => r.sensor, toInput: (r) => r.values, maxBatch: 64, maxDelayMs: 5, idleTimeoutMs: 60_000 }))
 *   .subscribe((r) => r.ok ? alarms.update(r.key, r.outputs.score.data[0]) : log.warn(r.key, r.error.message));
 * ```
 */
export function keyed<T, K>(session: StepSession, options: KeyedOptions<T, K>): OperatorFunction<T, KeyedResult<K>> {
  const maxBatch = options.maxBatch ?? 64;
  const maxDelayMs = options.maxDelayMs ?? 0;
  const idleTimeoutMs = options.idleTimeoutMs;
  const maxKeys = options.maxKeys ?? Infinity;
  if (typeof options.key !== 'function') throw new InputError('keyed: pass key: (item) => key');
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new InputError(`keyed: maxBatch must be an integer >= 1, got ${String(maxBatch)}`);
  if (!(maxDelayMs >= 0 && Number.isFinite(maxDelayMs))) throw new InputError(`keyed: maxDelayMs must be a finite number >= 0, got ${String(maxDelayMs)}`);
  if (idleTimeoutMs !== undefined && !(idleTimeoutMs > 0)) throw new InputError(`keyed: idleTimeoutMs must be > 0, got ${String(idleTimeoutMs)}`);
  if (!(maxKeys >= 1)) throw new InputError(`keyed: maxKeys must be >= 1, got ${String(maxKeys)}`);
  const toInput = options.toInput ?? ((item: T) => item as unknown as StepInput);
  const scheduler = options.scheduler ?? asyncScheduler;
  const nonFinite = options.nonFinite ?? 'error';
  const onError = options.onError ?? 'emit';
  const metrics = options.metrics;
  const names = options.outputs ?? session.info.outputs.map((o) => o.name);

  return (source) =>
    new Observable<KeyedResult<K>>((subscriber) => {
      // In least-recently-active order (touching a key moves it to the end): the front is the first to idle out.
      const keys = new Map<K, KeyState<T>>();
      const ready: KeyState<T>[] = [];
      let inFlight = false;
      let completed = false;
      let closed = false;
      let failed = false;
      let queued = 0;
      let flushTimer: Subscription | undefined;
      let idleTimer: Subscription | undefined;

      const report = (key: K, error: Error, index: number): void => {
        if (metrics) metrics.errors++;
        if (onError === 'error') {
          fail(error);
        } else if (onError === 'emit') {
          subscriber.next({ key, ok: false, index, error });
        } else {
          onError(error, key);
        }
      };

      const evict = (state: KeyState<T>, reason: EvictionReason): void => {
        keys.delete(state.key as K);
        metrics?.changeQueueDepth(-state.queue.size);
        queued -= state.queue.size;
        state.queue.clear();
        try {
          if (options.onEvict) options.onEvict(state.key as K, state.slot.snapshot(), reason);
        } catch (error) {
          report(state.key as K, error instanceof Error ? error : new Error(String(error)), state.steps);
        } finally {
          state.slot.remove();
        }
      };

      // Teardown: the subscriber is gone (or errored), so a failing hook can only be reported out of band.
      const releaseAll = (): void => {
        const reason: EvictionReason = failed ? 'error' : 'unsubscribe';
        for (const state of [...keys.values()]) {
          keys.delete(state.key as K);
          try {
            if (options.onEvict) options.onEvict(state.key as K, state.slot.snapshot(), reason);
          } catch (error) {
            reportUnhandled(error);
          } finally {
            state.slot.remove();
          }
        }
        ready.length = 0;
      };

      const fail = (error: unknown): void => {
        if (closed) return;
        closed = true;
        failed = true;
        subscriber.error(error);
      };

      const markReady = (state: KeyState<T>): void => {
        if (state.ready || state.busy || state.queue.size === 0) return;
        state.ready = true;
        state.readySince = scheduler.now();
        ready.push(state);
      };

      /** Starts a run now if one is due, else makes sure a timer will start it. */
      const schedule = (): void => {
        if (closed || inFlight) return;
        if (ready.length === 0) {
          if (completed) finish();
          return;
        }
        const wait = completed || ready.length >= maxBatch ? 0 : ready[0]!.readySince + maxDelayMs - scheduler.now();
        if (wait <= 0 && (completed || ready.length >= maxBatch || maxDelayMs > 0)) {
          flushTimer?.unsubscribe();
          flushTimer = undefined;
          void run();
        } else if (flushTimer === undefined) {
          flushTimer = scheduler.schedule(() => {
            flushTimer = undefined;
            if (!inFlight && !closed) void run();
          }, Math.max(wait, 0));
        }
      };

      const run = async (): Promise<void> => {
        const batch: { state: KeyState<T>; item: T; input: StepInput }[] = [];
        while (batch.length < maxBatch && ready.length > 0 && !closed) {
          const state = ready.shift()!;
          state.ready = false;
          const item = state.queue.shift() as T;
          queued--;
          metrics?.changeQueueDepth(-1);
          let input: StepInput;
          try {
            input = toInput(item);
          } catch (error) {
            report(state.key as K, error as Error, state.steps);
            markReady(state);
            continue;
          }
          const bad = findNonFinite(input);
          if (bad !== undefined) {
            if (nonFinite === 'error') {
              report(state.key as K, new InputError(`keyed: item for key ${String(state.key)} has a non-finite value (${bad}); its state was not touched`, { key: state.key }), state.steps);
            } else {
              if (metrics) metrics.nonFinite++;
              if (nonFinite === 'reset') state.slot.reset();
            }
            if (closed) return;
            markReady(state);
            continue;
          }
          state.busy = true;
          batch.push({ state, item, input });
        }
        if (closed) {
          for (const b of batch) b.state.busy = false;
          return;
        }
        if (batch.length === 0) {
          schedule();
          return;
        }
        inFlight = true;
        const started = metrics ? performance.now() : 0;
        let results: Awaited<ReturnType<StepSession['stepMany']>>;
        try {
          results = await session.stepMany(batch.map((b) => ({ slot: b.state.slot, input: b.input })));
        } catch (error) {
          inFlight = false;
          for (const b of batch) b.state.busy = false;
          if (closed) releaseAll();
          else fail(error);
          return;
        }
        inFlight = false;
        if (metrics) metrics.recordRun(batch.length, performance.now() - started);
        for (let i = 0; i < batch.length; i++) {
          const { state } = batch[i]!;
          state.busy = false;
          if (closed) continue;
          const result = results[i]!;
          const index = state.steps++;
          if (result instanceof Error) {
            const error = result instanceof InputError && result.key === undefined ? new InputError(result.message, { key: state.key, cause: result }) : result;
            report(state.key as K, error, index);
          } else {
            subscriber.next({ key: state.key as K, ok: true, index, outputs: copyOutputs(result, names) });
          }
          markReady(state);
        }
        if (closed) {
          releaseAll();
          return;
        }
        schedule();
      };

      const finish = (): void => {
        if (closed) return;
        for (const state of [...keys.values()]) evict(state, 'complete');
        closed = true;
        idleTimer?.unsubscribe();
        subscriber.complete();
      };

      const sweep = (): void => {
        idleTimer = undefined;
        if (closed) return;
        const now = scheduler.now();
        // Live iteration: a touched key moves to the end with a fresh time, so the loop stops there.
        for (const state of keys.values()) {
          if (now - state.lastActive < idleTimeoutMs!) break;
          if (state.busy || state.queue.size > 0) {
            // Work pending means not idle: count it as active now.
            touch(state, now);
            continue;
          }
          evict(state, 'idle');
        }
        armSweep();
      };

      const armSweep = (): void => {
        if (idleTimeoutMs === undefined || idleTimer !== undefined || closed) return;
        const oldest = keys.values().next().value as KeyState<T> | undefined;
        if (oldest === undefined) return;
        idleTimer = scheduler.schedule(sweep, Math.max(0, oldest.lastActive + idleTimeoutMs - scheduler.now()));
      };

      const touch = (state: KeyState<T>, now: number): void => {
        keys.delete(state.key as K);
        keys.set(state.key as K, state);
        state.lastActive = now;
      };

      const stateFor = (key: K): KeyState<T> | undefined => {
        const found = keys.get(key);
        if (found !== undefined) return found;
        if (keys.size >= maxKeys) {
          let victim: KeyState<T> | undefined;
          for (const s of keys.values()) {
            if (!s.busy && s.queue.size === 0) {
              victim = s;
              break;
            }
          }
          if (victim === undefined) return undefined;
          evict(victim, 'max-keys');
        }
        const slot = session.addSlot();
        const state: KeyState<T> = {
          key,
          slot,
          queue: new BoundedQueue<T>(options.backpressure, options.highWaterMark, `keyed (key ${String(key)})`),
          busy: false,
          ready: false,
          readySince: 0,
          lastActive: scheduler.now(),
          steps: 0,
        };
        keys.set(key, state);
        const saved = options.restore?.(key);
        if (saved !== undefined) slot.restore(saved);
        return state;
      };

      const subscription = source.subscribe({
        next: (item) => {
          if (closed) return;
          let key: K;
          let state: KeyState<T> | undefined;
          try {
            key = options.key(item);
            state = stateFor(key);
          } catch (error) {
            fail(error);
            return;
          }
          if (state === undefined) {
            report(key, new BackpressureError(`keyed: ${keys.size} keys are held (maxKeys ${maxKeys}) and all are busy; the item for key ${String(key)} was not taken. Raise maxKeys or lower idleTimeoutMs.`), 0);
            return;
          }
          let dropped: boolean;
          const before = state.queue.size;
          try {
            dropped = state.queue.push(item);
          } catch (error) {
            report(key, error as Error, state.steps);
            return;
          }
          queued += state.queue.size - before;
          if (metrics) {
            metrics.changeQueueDepth(state.queue.size - before);
            if (dropped) metrics.dropped++;
          }
          touch(state, scheduler.now());
          markReady(state);
          armSweep();
          schedule();
        },
        error: (error: unknown) => fail(error),
        complete: () => {
          completed = true;
          schedule();
        },
      });

      return () => {
        closed = true;
        subscription.unsubscribe();
        flushTimer?.unsubscribe();
        idleTimer?.unsubscribe();
        flushTimer = idleTimer = undefined;
        metrics?.changeQueueDepth(-queued);
        queued = 0;
        for (const state of keys.values()) state.queue.clear();
        // Slots stepped in the run in flight are freed when it settles (see run()).
        if (!inFlight) releaseAll();
      };
    });
}

/** What RxJS itself does with an error no subscriber can receive. */
function reportUnhandled(error: unknown): void {
  if (config.onUnhandledError) config.onUnhandledError(error);
  else setTimeout(() => {
    throw error;
  });
}
