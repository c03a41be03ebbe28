/**
 * Timing primitives for the benchmarks. Latency is sampled per call with `process.hrtime.bigint()` after a
 * warm-up measured in wall time (onnxruntime-web's wasm tier-up takes seconds — see DESIGN.md), and
 * summarised as median and p99, which are robust to the noise of a shared machine.
 */

export interface Timing {
  medianUs: number;
  p99Us: number;
  samples: number;
}

export interface MeasureOptions {
  /** Warm-up wall time before sampling. */
  warmupMs: number;
  /** Sampling wall time. */
  measureMs: number;
  /** Upper bound on samples kept. */
  maxSamples?: number;
  /** Keep sampling past `measureMs` until this many samples (default 1): a slow call still gets a p99 of several. */
  minSamples?: number;
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[i]!;
}

/** Median and p99 of the first `n` samples (µs). */
export function summarise(samples: Float64Array, n: number): Timing {
  const s = samples.slice(0, n).sort();
  return { medianUs: quantile(s, 0.5), p99Us: quantile(s, 0.99), samples: n };
}

/** Times a synchronous call. */
export function measureSync(fn: () => void, opts: MeasureOptions): Timing {
  const end0 = performance.now() + opts.warmupMs;
  while (performance.now() < end0) fn();
  const max = opts.maxSamples ?? 200_000;
  const samples = new Float64Array(max);
  let n = 0;
  const end = performance.now() + opts.measureMs;
  const min = Math.min(max, opts.minSamples ?? 1);
  while (n < min || (n < max && performance.now() < end)) {
    const t0 = process.hrtime.bigint();
    fn();
    samples[n++] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  return summarise(samples, n);
}

/** Times an asynchronous call, awaiting each before the next (a stream's steps are sequential). */
export async function measureAsync(fn: () => Promise<unknown>, opts: MeasureOptions): Promise<Timing> {
  const end0 = performance.now() + opts.warmupMs;
  while (performance.now() < end0) await fn();
  const max = opts.maxSamples ?? 200_000;
  const samples = new Float64Array(max);
  let n = 0;
  const end = performance.now() + opts.measureMs;
  const min = Math.min(max, opts.minSamples ?? 1);
  while (n < min || (n < max && performance.now() < end)) {
    const t0 = process.hrtime.bigint();
    await fn();
    samples[n++] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  return summarise(samples, n);
}

export function rssMB(): number {
  return Math.round((process.memoryUsage().rss / 2 ** 20) * 10) / 10;
}

let gcFn: (() => void) | undefined;

/**
 * Forces a full garbage collection. Node hides `gc` unless started with `--expose-gc`; `npm run bench` runs
 * under tsx without node flags, so the flag is set at run time and `gc` fetched from a fresh context (V8
 * exposes it to contexts created after the flag is set).
 */
export async function forceGc(): Promise<void> {
  if (!gcFn) {
    const given = (globalThis as { gc?: () => void }).gc;
    if (given) gcFn = given;
    else {
      const { setFlagsFromString } = await import('node:v8');
      const { runInNewContext } = await import('node:vm');
      setFlagsFromString('--expose-gc');
      gcFn = runInNewContext('gc') as () => void;
    }
  }
  // Twice: the first pass can leave objects whose finalizers free more.
  gcFn();
  gcFn();
}

/** RSS in MiB after a forced GC, so what the engine holds is not hidden behind garbage. */
export async function settledRssMB(): Promise<number> {
  await forceGc();
  return rssMB();
}
