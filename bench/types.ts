/**
 * The shape of `bench/results.json`. `machine` and `records` are exactly issue 7's format; the rest are
 * additions: `checks` (whether the engines computed the same thing: a time means nothing if the answer is
 * wrong), `memory` (heap growth), `breakdown` (the builtin engine without a session) and `targets` (the
 * issue's targets judged from this run).
 */

export type EngineName = 'builtin' | 'ort-node-1t' | 'ort-node' | 'ort-web' | 'tfjs' | 'builtin+operator';
export type ModelName = 'lstm' | 'gru' | 'silero-v5';

export interface BenchRecord {
  engine: EngineName;
  model: ModelName;
  input: number;
  hidden: number;
  /** Streams served per backend call. */
  batch: number;
  /** Present for runs of N separate sessions (then `batch` is 1): how many were stepped per round. */
  streams?: number;
  /** Median time of one timed call (one step; a stepMany of `batch` streams; or a round of `streams` sessions). */
  medianUs: number;
  p99Us: number;
  /** `medianUs` divided by the streams one call (or round) served. */
  perStreamStepUs: number;
  /** Stream-steps per second at the median: streams per call × 1e6 / medianUs. */
  stepsPerSecond: number;
  /** Process RSS (MiB) right after this engine loaded this model (after a forced GC). */
  rssMB: number;
  /** Silero only: time per 512-sample chunk / the 32 ms of audio it holds. */
  realTimeFactor?: number;
  /** How many timed calls the median and p99 come from. */
  samples: number;
}

export interface AgreementCheck {
  engine: EngineName;
  model: ModelName;
  input: number;
  hidden: number;
  /** What the outputs were compared against. */
  reference: EngineName;
  /** Steps run from a zero state on the same frames before comparing. */
  steps: number;
  /** Largest |engine − reference| over every output of every step. */
  maxAbsDiff: number;
  /** The bound used: |a − b| ≤ atol + rtol·|b|. */
  atol: number;
  rtol: number;
  ok: boolean;
  note?: string;
}

export interface MemoryRecord {
  engine: EngineName;
  model: ModelName;
  input: number;
  hidden: number;
  steps: number;
  /** V8 heap used after a forced GC, before and after the steps (bytes). */
  heapBeforeBytes: number;
  heapAfterBytes: number;
  heapGrowthBytes: number;
  /** Tensor buffers the session allocated during the steps (its own counter; 0 in steady state). */
  bufferAllocations: number;
  /** How the heap was measured. */
  method: string;
}

/**
 * The builtin engine called directly (`engine.runSync` on ready-made feeds, no session): what the kernels
 * cost alone, so the session's share of a step (state copies, stacking slots) can be read off.
 */
export interface BreakdownRecord {
  what: string;
  engine: 'builtin';
  model: ModelName;
  input: number;
  hidden: number;
  batch: number;
  medianUs: number;
  perStreamStepUs: number;
}

export interface Target {
  /** Short id, e.g. `lstm-h32-vs-ort-node-1t`. */
  id: string;
  /** The wording of the target. */
  goal: string;
  /** The measured value the goal is judged on (a ratio, an RTF, a byte count). */
  value: number | null;
  /** The bound on `value` (met when `value <= limit`; for speed-ups, `value` is the ratio builtin/other). */
  limit: number;
  met: boolean;
  detail: string;
}

export interface Results {
  machine: { cpu: string; cores: number; node: string; os?: string; quick?: boolean; loadAvg?: number[]; commit?: string };
  records: BenchRecord[];
  checks: AgreementCheck[];
  memory: MemoryRecord[];
  breakdown: BreakdownRecord[];
  targets: Target[];
  /** Measurements that threw (the run went on without them). */
  failures: { what: string; message: string }[];
}
