/** What every benchmark section gets: the configuration, a logger, and the results it appends to. */
import type { BenchConfig } from './config.js';
import type { Results } from './types.js';

export interface BenchContext {
  config: BenchConfig;
  results: Results;
  /** Progress lines (stderr, so stdout stays the table). */
  log(line: string): void;
}
