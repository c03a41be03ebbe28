/**
 * A FIFO with a backpressure policy: the buffer between a fast source and a step that takes time. A ring
 * buffer, so taking from the front is O(1) and steady-state use allocates nothing.
 */
import { BackpressureError, InputError } from '../errors.js';
import { DEFAULT_HIGH_WATER_MARK, type BackpressurePolicy } from './flow-options.js';

export class BoundedQueue<T> {
  private items: (T | undefined)[] = new Array<T | undefined>(8);
  private head = 0;
  private count = 0;
  readonly policy: BackpressurePolicy;
  readonly highWaterMark: number;

  constructor(policy: BackpressurePolicy = 'buffer', highWaterMark: number = DEFAULT_HIGH_WATER_MARK, private readonly label = 'stream') {
    if (policy !== 'buffer' && policy !== 'drop-oldest' && policy !== 'drop-newest') {
      throw new InputError(`${label}: backpressure must be 'buffer', 'drop-oldest' or 'drop-newest', got ${String(policy)}`);
    }
    if (!(highWaterMark >= 1) || (highWaterMark !== Infinity && !Number.isInteger(highWaterMark))) {
      throw new InputError(`${label}: highWaterMark must be an integer >= 1 or Infinity, got ${String(highWaterMark)}`);
    }
    this.policy = policy;
    this.highWaterMark = highWaterMark;
  }

  get size(): number {
    return this.count;
  }

  /**
   * Adds an item. Returns `true` when an item was dropped to honour the policy (the oldest, or this one).
   * @throws BackpressureError under `buffer` when the queue is already at its high-water mark.
   */
  push(item: T): boolean {
    if (this.count >= this.highWaterMark) {
      if (this.policy === 'drop-newest') return true;
      if (this.policy === 'drop-oldest') {
        this.shift();
        this.append(item);
        return true;
      }
      throw new BackpressureError(
        `${this.label}: ${this.count} items are already waiting (highWaterMark ${this.highWaterMark}) and the ` +
          `'buffer' policy never drops. Slow the source, raise highWaterMark, or choose 'drop-oldest' / 'drop-newest'.`,
      );
    }
    this.append(item);
    return false;
  }

  /** Takes the oldest item; `undefined` when empty (check `size` when T may itself be undefined). */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.items.length;
    this.count--;
    return item;
  }

  /** The newest item, without removing it. */
  peekLast(): T | undefined {
    return this.count === 0 ? undefined : this.items[(this.head + this.count - 1) % this.items.length];
  }

  /** Drops everything (references included, so nothing is retained). */
  clear(): void {
    this.items = new Array<T | undefined>(8);
    this.head = 0;
    this.count = 0;
  }

  private append(item: T): void {
    if (this.count === this.items.length) {
      const grown = new Array<T | undefined>(this.items.length * 2);
      for (let i = 0; i < this.count; i++) grown[i] = this.items[(this.head + i) % this.items.length];
      this.items = grown;
      this.head = 0;
    }
    this.items[(this.head + this.count) % this.items.length] = item;
    this.count++;
  }
}
