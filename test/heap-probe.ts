/**
 * Test helper: how many heap bytes one call of `run` leaves behind, in steady state.
 *
 * Optimising compilation runs on a background thread; on a loaded machine it can finish late, and
 * unoptimised code boxes numbers. So it measures in windows of `runs` calls (up to six) and reports the
 * cleanest: code that allocates per call allocates in every window. A GC inside a window makes its growth
 * unmeasurable (and means megabytes were allocated), so that window counts as Infinity. One stray object per
 * call is >= 16 bytes; under 2 bytes per call is noise (inline-cache state, the JIT).
 */
import v8 from 'node:v8';
import { PerformanceObserver } from 'node:perf_hooks';

export function steadyStateBytesPerRun(run: () => void, warmup: number, runs: number): { best: number; windows: number[] } {
  for (let i = 0; i < warmup; i++) run();
  let gcs = 0;
  const obs = new PerformanceObserver((list) => {
    gcs += list.getEntries().length;
  });
  obs.observe({ entryTypes: ['gc'] });
  const windows: number[] = [];
  try {
    for (let attempt = 0; attempt < 6; attempt++) {
      const gcsBefore = gcs;
      const before = v8.getHeapStatistics().used_heap_size;
      for (let i = 0; i < runs; i++) run();
      const after = v8.getHeapStatistics().used_heap_size;
      windows.push(gcs === gcsBefore ? (after - before) / runs : Infinity);
      if (windows[windows.length - 1]! < 2) break;
    }
  } finally {
    obs.disconnect();
  }
  return { best: Math.min(...windows), windows };
}
