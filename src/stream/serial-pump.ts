/**
 * The heart of the per-stream operators: items go into a bounded queue and are processed one at a time, so a
 * stream's state never sees two steps at once even when the backend answers asynchronously. Items that
 * arrive while a step runs wait under the backpressure policy.
 */
import type { Subscriber } from 'rxjs';
import { BoundedQueue } from './bounded-queue.js';
import type { FlowOptions } from './flow-options.js';

export interface PumpHandlers<T> {
  /** Processes one item (may await a step). A throw or rejection ends the stream with that error. */
  process(item: T): Promise<void> | void;
  /** Runs once after the source completed and every queued item was processed, before `complete`. */
  flush?(): Promise<void> | void;
}

export class SerialPump<T> {
  private readonly queue: BoundedQueue<T>;
  private running = false;
  private completed = false;
  private closed = false;
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => {};

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
    if (this.closed) return false;
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
    if (!this.running) void this.run();
    return !(dropped && this.queue.policy === 'drop-newest');
  }

  /** The source completed: finish what is queued, flush, then complete downstream. */
  complete(): void {
    if (this.closed) return;
    this.completed = true;
    if (!this.running) void this.run();
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
    return this.running ? this.idle : Promise.resolve();
  }

  /** Ends the stream with an error (once). */
  fail(error: unknown): void {
    if (this.closed) return;
    void this.close();
    this.subscriber.error(error);
  }

  private async run(): Promise<void> {
    this.running = true;
    this.idle = new Promise<void>((resolve) => (this.markIdle = resolve));
    try {
      while (!this.closed) {
        if (this.queue.size === 0) {
          if (!this.completed) break;
          await this.handlers.flush?.();
          if (!this.closed) {
            this.closed = true;
            // Nothing is in flight any more: let the teardown that complete() triggers free resources now.
            this.running = false;
            this.markIdle();
            this.subscriber.complete();
          }
          break;
        }
        const item = this.queue.shift() as T;
        this.options.metrics?.changeQueueDepth(-1);
        await this.handlers.process(item);
      }
    } catch (error) {
      this.running = false;
      this.markIdle();
      this.fail(error);
      return;
    }
    this.running = false;
    this.markIdle();
  }
}
