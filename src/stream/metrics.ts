/**
 * Counters every operator can update, observable while the stream runs. Pass one `StreamMetrics` to an
 * operator (or to several, to add them up); read it with `snapshot()` or watch it with `observe()`.
 */
import { Observable, asyncScheduler, type SchedulerLike } from 'rxjs';

/** Upper bounds (ms) of the per-step latency histogram's buckets; the last bucket is everything above. */
export const LATENCY_BUCKETS_MS: readonly number[] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 1000];

export interface MetricsSnapshot {
  /** Items stepped through the model (one per stream per step). */
  steps: number;
  /** Backend runs (`step` calls, or `stepMany` calls for keyed batches). */
  backendRuns: number;
  /** steps / backendRuns: how many streams shared a run on average (1 without batching). */
  meanBatchSize: number;
  /** Items waiting now (not counting those being stepped). */
  queueDepth: number;
  /** The deepest the queue has been. */
  maxQueueDepth: number;
  /** Items dropped by a `drop-oldest` / `drop-newest` policy. */
  dropped: number;
  /** Items with NaN or infinite values that a `skip` or `reset` policy set aside. */
  nonFinite: number;
  /** Errors reported for one key or one item while the stream went on. */
  errors: number;
  /**
   * Per-step latency: wall time of the backend run that stepped the item (ms). `counts[i]` counts steps at or
   * below `bucketsMs[i]` and above the bucket before; the extra last count is everything above the last bound.
   */
  latency: { bucketsMs: readonly number[]; counts: number[]; count: number; meanMs: number; maxMs: number };
}

/**
 * Observable counters for one or more operators.
 *
 * @example
 * ```ts
 * import { StreamMetrics, step } from 'rxrnn';
 * const metrics = new StreamMetrics();
 * frames$.pipe(step(session, { metrics })).subscribe();
 * metrics.observe(1000).subscribe((m) => console.log(m.steps, m.meanBatchSize, m.latency.meanMs));
 * ```
 */
export class StreamMetrics {
  steps = 0;
  backendRuns = 0;
  queueDepth = 0;
  maxQueueDepth = 0;
  dropped = 0;
  nonFinite = 0;
  errors = 0;
  private readonly latencyCounts = new Float64Array(LATENCY_BUCKETS_MS.length + 1);
  private latencyCount = 0;
  private latencySum = 0;
  private latencyMax = 0;

  /** Records one backend run that stepped `batchSize` items in `ms` milliseconds. */
  recordRun(batchSize: number, ms: number): void {
    this.backendRuns += 1;
    this.steps += batchSize;
    let b = 0;
    while (b < LATENCY_BUCKETS_MS.length && ms > LATENCY_BUCKETS_MS[b]!) b++;
    this.latencyCounts[b] = this.latencyCounts[b]! + batchSize;
    this.latencyCount += batchSize;
    this.latencySum += ms * batchSize;
    if (ms > this.latencyMax) this.latencyMax = ms;
  }

  /** Adds `delta` to the queue depth (negative when items leave). */
  changeQueueDepth(delta: number): void {
    this.queueDepth += delta;
    if (this.queueDepth > this.maxQueueDepth) this.maxQueueDepth = this.queueDepth;
  }

  /** A plain copy of the counters now. */
  snapshot(): MetricsSnapshot {
    return {
      steps: this.steps,
      backendRuns: this.backendRuns,
      meanBatchSize: this.backendRuns === 0 ? 0 : this.steps / this.backendRuns,
      queueDepth: this.queueDepth,
      maxQueueDepth: this.maxQueueDepth,
      dropped: this.dropped,
      nonFinite: this.nonFinite,
      errors: this.errors,
      latency: {
        bucketsMs: LATENCY_BUCKETS_MS,
        counts: Array.from(this.latencyCounts),
        count: this.latencyCount,
        meanMs: this.latencyCount === 0 ? 0 : this.latencySum / this.latencyCount,
        maxMs: this.latencyMax,
      },
    };
  }

  /** Emits a snapshot every `periodMs` until unsubscribed. */
  observe(periodMs: number, scheduler: SchedulerLike = asyncScheduler): Observable<MetricsSnapshot> {
    const metrics = this;
    return new Observable<MetricsSnapshot>((subscriber) =>
      scheduler.schedule(function () {
        subscriber.next(metrics.snapshot());
        this.schedule(undefined, periodMs);
      }, periodMs),
    );
  }
}
