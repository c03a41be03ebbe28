/** Turning a timing into a results record. */
import type { Timing } from './measure.js';
import type { BenchRecord, EngineName, ModelName } from './types.js';

export interface RecordShape {
  engine: EngineName;
  model: ModelName;
  input: number;
  hidden: number;
  batch: number;
  /** For N separate sessions stepped per timed round (then `batch` is 1). */
  streams?: number;
}

const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

export function toRecord(shape: RecordShape, timing: Timing, rssMB: number): BenchRecord {
  const perCall = shape.streams ?? shape.batch;
  const perStream = timing.medianUs / perCall;
  return {
    engine: shape.engine,
    model: shape.model,
    input: shape.input,
    hidden: shape.hidden,
    batch: shape.batch,
    ...(shape.streams !== undefined ? { streams: shape.streams } : {}),
    medianUs: round(timing.medianUs, 2),
    p99Us: round(timing.p99Us, 2),
    perStreamStepUs: round(perStream, 3),
    stepsPerSecond: Math.round(1e6 / perStream),
    rssMB,
    samples: timing.samples,
  };
}
