/**
 * rxrnn — public API (re-exports only). Browser-safe: nothing here imports `fs` or reads `process`.
 */
export * from './tensor.js';
export * from './errors.js';
export type * from './ir/graph.js';
export type * from './backends/backend.js';
export type * from './session/types.js';
export * from './onnx/build.js';
export { writeModel, writeTensor } from './onnx/write.js';
export { readModel, readTensor, DEFAULT_MAX_TENSOR_BYTES, type ReadModelOptions } from './onnx/read.js';
export { validateGraph } from './onnx/validate.js';
export { getBackend, loadEngine, BACKEND_NAMES, builtinBackend, ortNodeBackend, ortWebBackend, type LoadEngineOptions, type LoadedEngine } from './backends/index.js';
export { autoOrder } from './backends/auto.js';
export { createStepSession, type StepSessionOptions } from './session/step-session.js';
export { validateCard, MODEL_CARD_SCHEMA, type ModelCard, type CardState, type CardInput, type CardConstant } from './session/card.js';
export { starterCard, planSession, type SessionPlan } from './session/bindings.js';
export { createExecutor, type Executor, type ExecutorOptions } from './executor/executor.js';
export { compareTensors, ONNX_RUNNER_TOLERANCE, type Comparison, type Tolerance } from './conformance/compare.js';
export { importLayersModel, toStepModel, stepStateBindings, type ImportLayersOptions, type WeightSource } from './import/layers.js';
export { readValue, type DataValue } from './onnx/read-value.js';
export { step, type StepOptions } from './stream/step.js';
export { frame, type FrameOptions } from './stream/frame.js';
export { window, type WindowOptions, type WindowResult, type WindowReduce } from './stream/window.js';
export { classify, type ClassifyOptions, type SequenceEnd, type SequenceResult } from './stream/classify.js';
export { generate, type GenerateOptions, type GenerateSeed, type GeneratedToken } from './stream/generate.js';
export { seq2seq, type Seq2SeqOptions, type StateBridge } from './stream/seq2seq.js';
export { keyed, type KeyedOptions, type KeyedResult, type EvictionReason } from './stream/keyed.js';
export { StreamMetrics, LATENCY_BUCKETS_MS, type MetricsSnapshot } from './stream/metrics.js';
export type { BackpressurePolicy, NonFinitePolicy, FlowOptions, StepTarget } from './stream/flow-options.js';
export { TokenSampler, type SamplingOptions } from './text/sampling.js';
export { seededRandom, type RandomSource } from './text/random.js';
export { decodeWav, type DecodedAudio } from './audio/wav.js';
export { encodeWav, type WavEncoding } from './audio/wav-encode.js';
export { downmix } from './audio/downmix.js';
export { resample, Resampler, type ResampleOptions } from './audio/resample.js';
export { speechSegments, segmentsInSeconds, SILERO_SEGMENTER_DEFAULTS, type SegmenterOptions, type SampleSegment } from './audio/segmenter.js';
export { sileroV5Card, vadProbabilities, SILERO_V5_FRAMING, SILERO_V5_PACKAGE_PATH, type SileroSampleRate, type VadProbabilityOptions } from './audio/silero-vad.js';
export { vadPlotSvg, type VadPlotInput } from './audio/plot.js';
