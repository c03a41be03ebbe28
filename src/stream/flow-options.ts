/**
 * Options every session-driven operator shares: what to do when the source outruns inference, what to do
 * with NaN or infinite input, and where to count.
 */
import type { Slot, StepSession } from '../session/types.js';
import type { StreamMetrics } from './metrics.js';

/**
 * What happens to items that arrive while a step is running and the queue is full:
 * - `buffer`: keep them all up to `highWaterMark`; one more is a `BackpressureError` (never silent loss);
 * - `drop-oldest`: drop the oldest waiting item to make room (counted in `metrics.dropped`);
 * - `drop-newest`: drop the arriving item (counted in `metrics.dropped`).
 */
export type BackpressurePolicy = 'buffer' | 'drop-oldest' | 'drop-newest';

/**
 * What happens to an item holding NaN or ±Infinity:
 * - `error` (default): the stream (or, for `keyed`, that key) gets an `InputError`; state is not touched;
 * - `skip`: the item is set aside (counted in `metrics.nonFinite`);
 * - `reset`: the item is set aside and the stream's state is reset, as after a sensor glitch.
 */
export type NonFinitePolicy = 'error' | 'skip' | 'reset';

export interface FlowOptions {
  /** Default `'buffer'`. */
  backpressure?: BackpressurePolicy;
  /** Most items waiting behind the running step (per key for `keyed`). Default 1024; `Infinity` allowed. */
  highWaterMark?: number;
  /** Default `'error'`. */
  nonFinite?: NonFinitePolicy;
  /** Counters to update (steps, runs, batch size, queue depth, dropped, latency). */
  metrics?: StreamMetrics;
}

/**
 * What an operator steps: a session (the operator adds a slot of its own per subscription and removes it on
 * unsubscribe, so each subscription has its own state) or a slot you created (used as is, with the state it
 * has; never reset at subscribe nor removed: it stays yours).
 */
export type StepTarget = StepSession | Slot;

export const DEFAULT_HIGH_WATER_MARK = 1024;
