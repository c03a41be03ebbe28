/**
 * The heart of the per-stream operators: items go into a bounded queue and are processed one at a time, so a
 * stream's state never sees two steps at once even when the backend answers asynchronously. Items that
 * arrive while a step runs wait under the backpressure policy.
 *
 * A handler that finishes synchronously (a builtin step) is run straight through: no promise, no microtask
 * per item. Only a handler that returns a promise makes the pump wait for it, and only a `close()` during
 * such a wait makes the promise that tells the caller when the step in flight has settled.
 */
import type { Observable, Subscriber, Subscription } from 'rxjs';
import { BoundedQueue } from './bounded-queue.js';
import type { FlowOptions } from './flow-options.js';

export interface PumpHandlers<T> {
  /**
   * Processes one item: synchronously, or by returning a promise (an awaited step). A throw or rejection
   * ends the stream with that error.
   */
  process(item: T): Promise<void> | void;
  /** Runs once after the source completed and every queued item was processed, before `complete`. */
  flush?(): Promise<void> | void;
}

function isThenable(x: unknown): x is PromiseLike<void> {
  return typeof x === 'object' && x !== null && typeof (x as PromiseLike<void>).then === 'function';
}

export class SerialPump<T> {
  private readonly queue: BoundedQueue<T>;
  private running = false;
  private completed = false;
  private closed = false;
  /** Made only when someone waits for the item in flight (close() while running). */
  private idle: Promise<void> | undefined;
  private markIdle: (() => void) | undefined;
  /** Continuations made once, so waiting for an asynchronous item allocates nothing of the pump's own. */
  private readonly resume = (): void => this.drain();
  private readonly failRun = (error: unknown): void => {
    this.stop();
    this.fail(error);
  };
  private readonly flushed = (): void => this.finish();

  constructor(
    private readonly subscriber: Subscriber<unknown>,
    private readonly options: FlowOptions,
    private readonly handlers: PumpHandlers<T>,
    label: string,
  ) {
    this.queue = new BoundedQueue<T>(options.backpressure, options.highWaterMark, label);
  }

  /**
   * Queues an item (from the source's `next`). An overflow under `buffer` errors the stream. Returns whether
   * this item was kept (false when closed, or dropped by `drop-newest` / an overflow).
   */
  push(item: T): boolean {
    // Downstream may have unsubscribed during a synchronous emission, before the teardown could run.
    if (this.closed || this.subscriber.closed) return false;
    let dropped: boolean;
    const before = this.queue.size;
    try {
      dropped = this.queue.push(item);
    } catch (error) {
      this.fail(error);
      return false;
    }
    const metrics = this.options.metrics;
    if (metrics) {
      metrics.changeQueueDepth(this.queue.size - before);
      if (dropped) metrics.dropped++;
    }
    if (!this.running) this.start();
    return !(dropped && this.queue.policy === 'drop-newest');
  }

  /** The source completed: finish what is queued, flush, then complete downstream. */
  complete(): void {
    if (this.closed) return;
    this.completed = true;
    if (!this.running) this.start();
  }

  get busy(): boolean {
    return this.running;
  }

  /**
   * Stops processing and drops the queue. Resolves once the step in flight (if any) has settled, so the
   * caller can then free the slot without pulling it from under a running step.
   */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.options.metrics?.changeQueueDepth(-this.queue.size);
      this.queue.clear();
    }
    if (!this.running) return Promise.resolve();
    this.idle ??= new Promise<void>((resolve) => (this.markIdle = resolve));
    return this.idle;
  }

  /** Feeds every item of `source` through the pump; its error and completion end the stream in order. */
  drainFrom(source: Observable<T>): Subscription {
    return source.subscribe({
      next: (item) => this.push(item),
      error: (error: unknown) => this.fail(error),
      complete: () => this.complete(),
    });
  }

  /**
   * Teardown: closes the pump and calls `release` (free the slot the operator leased) now, or once the
   * step in flight has settled — never from under a running step.
   */
  closeThen(release: () => void): void {
    const settled = this.close();
    if (this.running) void settled.then(release);
    else release();
  }

  /** Ends the stream with an error (once). */
  fail(error: unknown): void {
    if (this.closed) return;
    void this.close();
    this.subscriber.error(error);
  }

  private start(): void {
    this.running = true;
    this.drain();
  }

  /** Processes queued items until the queue is empty or an item is asynchronous (then resumes after it). */
  private drain(): void {
    try {
      while (!this.closed && !this.subscriber.closed) {
        if (this.queue.size === 0) {
          if (!this.completed) break;
          const flushing = this.handlers.flush?.();
          if (isThenable(flushing)) flushing.then(this.flushed, this.failRun);
          else this.finish();
          return;
        }
        const item = this.queue.shift() as T;
        this.options.metrics?.changeQueueDepth(-1);
        const pending = this.handlers.process(item);
        if (isThenable(pending)) {
          pending.then(this.resume, this.failRun);
          return;
        }
      }
    } catch (error) {
      this.failRun(error);
      return;
    }
    this.stop();
  }

  /** Every item processed and flushed: complete downstream, unless closed meanwhile. */
  private finish(): void {
    // Nothing is in flight any more: the teardown that complete() triggers may free resources right away.
    this.stop();
    if (this.closed) return;
    this.closed = true;
    this.subscriber.complete();
  }

  private stop(): void {
    this.running = false;
    const mark = this.markIdle;
    if (mark) {
      this.markIdle = undefined;
      this.idle = undefined;
      mark();
    }
  }
}
