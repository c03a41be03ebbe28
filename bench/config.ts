/**
 * How long and how much the benchmark measures: the full run (what the README table comes from, about
 * three minutes on the 2-core development machine) and `--quick` (a few seconds; proves the harness works,
 * its times mean little).
 */
import type { MeasureOptions } from './measure.js';

export interface BenchConfig {
  quick: boolean;
  /** (input, hidden) pairs for the per-step latency section. */
  sizes: [number, number][];
  latency: MeasureOptions;
  /** The first onnxruntime-web measurement warms up this long: V8 re-tiers its wasm in the background. */
  ortWebFirstWarmupMs: number;
  /** The model size the batched-streams, operator and memory sections use. */
  streamSize: [number, number];
  streams: number[];
  batched: MeasureOptions;
  silero: MeasureOptions;
  /** Operator vs bare loop: alternating blocks of steps, `blocks` of each. */
  operator: { blocks: number; stepsPerBlock: number; warmupSteps: number };
  memorySteps: number;
  /** Steps before the heap is first read: long enough for V8 to finish optimising the step path (its code objects live on the heap). */
  memoryWarmupSteps: number;
  /** Steps run from a zero state when checking an engine's outputs against the reference. */
  checkSteps: number;
}

export const FULL: BenchConfig = {
  quick: false,
  sizes: [
    [16, 32],
    [64, 64],
    [128, 128],
    [256, 256],
    [512, 512],
  ],
  latency: { warmupMs: 300, measureMs: 1200, minSamples: 50 },
  ortWebFirstWarmupMs: 5000,
  streamSize: [64, 64],
  streams: [64, 256],
  batched: { warmupMs: 300, measureMs: 1500, minSamples: 20 },
  silero: { warmupMs: 500, measureMs: 2500, minSamples: 50 },
  operator: { blocks: 200, stepsPerBlock: 128, warmupSteps: 5000 },
  memorySteps: 100_000,
  memoryWarmupSteps: 20_000,
  checkSteps: 16,
};

export const QUICK: BenchConfig = {
  quick: true,
  sizes: [[16, 32]],
  latency: { warmupMs: 10, measureMs: 25, minSamples: 3 },
  ortWebFirstWarmupMs: 100,
  streamSize: [16, 32],
  streams: [8],
  batched: { warmupMs: 10, measureMs: 25, minSamples: 3 },
  silero: { warmupMs: 10, measureMs: 25, minSamples: 3 },
  operator: { blocks: 8, stepsPerBlock: 32, warmupSteps: 64 },
  memorySteps: 5_000,
  memoryWarmupSteps: 2_000,
  checkSteps: 8,
};
