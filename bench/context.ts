/** What every benchmark section gets: the configuration, a logger, and the results it appends to. */
import type { BenchConfig } from './config.js';
import type { Results } from './types.js';

export interface BenchContext {
  config: BenchConfig;
  results: Results;
  /** Progress lines (stderr, so stdout stays the table). */
  log(line: string): void;
}

/**
 * Runs one measurement; if it throws, the error is recorded in `results.failures` (and printed) and the run
 * goes on with the next one, so one broken engine/model pair costs its own row, not the whole run. A run
 * with failures exits non-zero.
 */
export async function attempt(ctx: BenchContext, what: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    ctx.results.failures.push({ what, message });
    ctx.log(`  FAILED ${what}: ${message}`);
  }
}
