/**
 * The public shape of step sessions and slots — the contract the RxJS operators (src/stream/) are written
 * against. Implemented by `step-session.ts`.
 */
import type { BackendName } from '../backends/backend.js';
import type { DType, Tensor } from '../tensor.js';

/**
 * What one step takes: a plain frame (`Float32Array` / `number[]`) for a model with exactly one per-step
 * input, or feeds by input name. State inputs and constant inputs (from the card) are filled in by the
 * session; a feed may override a constant.
 */
export type StepInput =
  | Float32Array
  | readonly number[]
  | Readonly<Record<string, Tensor | Float32Array | readonly number[] | BigInt64Array>>;

/**
 * A step's outputs by name: every non-state graph output, and the new state values too under their output
 * names. Tensors may be buffers the session reuses on the next step: copy what you keep.
 */
export type StepOutputs = Record<string, Tensor>;

/** One state binding: the state input and the output that feeds it on the next step. */
export interface StateBinding {
  input: string;
  output: string;
  dtype: DType;
  /** The full shape of the state for one stream (batch dimension = 1). */
  dims: number[];
  /** Which axis of `dims` is the batch axis (stacked across slots). */
  batchAxis: number;
}

/** A serialisable snapshot of one stream's state (JSON-safe). */
export interface Snapshot {
  format: 'rxrnn-snapshot';
  version: 1;
  /** Fingerprint of the model's interface and weights: a snapshot only restores into the same model. */
  model: string;
  /** State tensors by state-input name; data base64 little-endian. */
  state: Record<string, { dtype: DType; dims: number[]; data: string }>;
  /**
   * The carried input context (card `context`, e.g. Silero v5's last 64 samples) by step-input name.
   * Absent when the model card asks for none.
   */
  context?: Record<string, { dtype: DType; dims: number[]; data: string }>;
}

/** One independent stream inside a session: its own state, stepped alone or batched with other slots. */
export interface Slot {
  readonly id: number;
  step(input: StepInput): Promise<StepOutputs>;
  reset(): void;
  snapshot(): Snapshot;
  restore(snapshot: Snapshot): void;
  /** Reads the current value of a state input (a copy). */
  getState(input: string): Tensor;
  /** Overwrites one state input (e.g. the decoder's initial h from an encoder). Validated like input. */
  setState(input: string, value: Tensor | Float32Array | readonly number[]): void;
  /** Frees the slot; the other slots are not disturbed. */
  remove(): void;
  /**
   * Optional fast path (builtin sessions have it): steps right now, synchronously, when the session can
   * (a synchronous engine and no step queued), and returns the outputs, exactly as the promise of `step`
   * would resolve. Returns `undefined`, having done nothing, when it cannot; use `step` then. Throws what
   * `step` would reject with.
   */
  stepSync?(input: StepInput): StepOutputs | undefined;
  /**
   * True when `step` / `stepSync` themselves refuse NaN and ±Infinity in any input with an `InputError`
   * before any state moves, so a caller need not scan the input first.
   */
  readonly rejectsNonFinite?: boolean;
}

export interface StepSessionInfo {
  backend: BackendName;
  /** Why this backend was chosen (for `auto`). */
  backendReason: string;
  /**
   * Per-step (non-state, non-constant) inputs with their per-stream shapes as the model sees them (context
   * included). `frame` is how many values a step supplies (absent where each step decides); `context` how
   * many the session prepends from the previous step.
   */
  stepInputs: { name: string; dtype: DType; dims: (number | null)[]; frame?: number; context?: number }[];
  /** Outputs that are not state. */
  outputs: { name: string; dtype?: DType; dims?: (number | null)[] }[];
  bindings: StateBinding[];
  /** Whether several slots can share one backend run (batch axis not fixed to 1). */
  batchable: boolean;
  /** Why the session does (not) batch slots. */
  batchReason?: string;
  /** Fingerprint of the model's interface and weights (what snapshots are checked against). */
  model?: string;
}

export interface StepSession {
  readonly info: StepSessionInfo;
  /** The default slot (slot 0): `session.step(x)` is `session.defaultSlot.step(x)`. */
  readonly defaultSlot: Slot;
  step(input: StepInput): Promise<StepOutputs>;
  reset(): void;
  snapshot(): Snapshot;
  restore(snapshot: Snapshot): void;
  /** Adds an independent stream. */
  addSlot(): Slot;
  readonly slots: ReadonlyMap<number, Slot>;
  /**
   * Steps several slots at once: those present are stacked along the batch axis and run in one backend
   * call (one call per slot where the model's batch is fixed at 1). Results come back in the same order.
   * A bad input for one slot fails that slot's entry only (`InputError` in its place) and never moves any
   * slot's state.
   */
  stepMany(batch: readonly { slot: Slot; input: StepInput }[]): Promise<(StepOutputs | Error)[]>;
  /** Counters for tests and monitoring (backend calls made, tensor buffers allocated after setup). */
  readonly stats: StepSessionStats;
  dispose(): Promise<void>;
}

export interface StepSessionStats {
  /** Backend `run` calls made so far. */
  runs: number;
  /** Tensor buffers the session (and, on builtin, the executor) has allocated; flat in steady state. */
  bufferAllocations: number;
}
