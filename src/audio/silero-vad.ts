/**
 * Silero VAD v5 driven the way its authors' wrapper drives it (`OnnxWrapper.__call__` in snakers4/silero-vad):
 * each call gets the new chunk (512 samples at 16 kHz, 256 at 8 kHz) with the last 64 (32) samples that
 * came before it in front — zeros before the first chunk — and the recurrent `state` [2,1,128] is carried
 * from call to call by the step session. Without the context the model's probabilities are markedly weaker,
 * so this is not optional.
 *
 * The model is anything with a step session's `step` (a {@link StepSession} or one of its slots), which
 * owns the `state` → `stateN` binding; this class owns only the audio context.
 */
import { InputError } from '../errors.js';
import type { StepInput, StepOutputs } from '../session/types.js';
import { tensor, type Tensor } from '../tensor.js';

/** What the VAD needs from a session: one step at a time, state carried inside. */
export interface VadStepper {
  step(input: StepInput): Promise<StepOutputs>;
  reset(): void;
}

/** Chunk and context sizes the model was trained with, by sample rate. */
export const SILERO_V5_FRAMING = {
  16000: { frameSamples: 512, contextSamples: 64 },
  8000: { frameSamples: 256, contextSamples: 32 },
} as const;

export type SileroSampleRate = keyof typeof SILERO_V5_FRAMING;

export interface SileroVadOptions {
  /** 16000 (default) or 8000. */
  sampleRate?: SileroSampleRate;
  /** Graph input and output names (Silero v5: `input`, `sr`, `output`). */
  inputName?: string;
  srName?: string;
  outputName?: string;
}

/**
 * One stream of voice activity: feed consecutive chunks, get one speech probability per chunk.
 *
 * @example
 * ```ts
 * import { createStepSession, SileroVad } from 'rxrnn';
 * const session = await createStepSession(modelBytes);
 * const vad = new SileroVad(session);
 * for (let i = 0; i < audio.length; i += 512) console.log(await vad.process(audio.subarray(i, i + 512)));
 * ```
 */
export class SileroVad {
  readonly sampleRate: SileroSampleRate;
  readonly frameSamples: number;
  readonly contextSamples: number;
  private readonly model: VadStepper;
  /** context ‖ chunk, reused for every call. */
  private readonly window: Float32Array;
  private readonly feeds: Record<string, Tensor>;
  private readonly outputName: string;
  private busy = false;

  constructor(model: VadStepper, options: SileroVadOptions = {}) {
    const rate = options.sampleRate ?? 16000;
    const framing = SILERO_V5_FRAMING[rate];
    if (!framing) throw new InputError(`Silero VAD runs at 16000 or 8000 Hz, got ${rate}; resample first`);
    this.model = model;
    this.sampleRate = rate;
    this.frameSamples = framing.frameSamples;
    this.contextSamples = framing.contextSamples;
    this.window = new Float32Array(this.contextSamples + this.frameSamples);
    this.outputName = options.outputName ?? 'output';
    this.feeds = {
      [options.inputName ?? 'input']: tensor('float32', [1, this.window.length], this.window),
      [options.srName ?? 'sr']: tensor('int64', [], [BigInt(rate)]),
    };
  }

  /**
   * The speech probability of the next chunk. A chunk shorter than `frameSamples` (the end of a file) is
   * zero-padded, as the reference does; a longer one is an error.
   */
  async process(chunk: Float32Array): Promise<number> {
    if (chunk.length > this.frameSamples || chunk.length === 0) {
      throw new InputError(`Silero VAD takes chunks of 1 to ${this.frameSamples} samples, got ${chunk.length}`);
    }
    // Two overlapping calls would interleave their context and state.
    if (this.busy) throw new InputError('SileroVad.process called again before the previous chunk finished');
    this.busy = true;
    try {
      const w = this.window;
      const c = this.contextSamples;
      w.set(chunk, c);
      if (chunk.length < this.frameSamples) w.fill(0, c + chunk.length);
      const out = await this.model.step(this.feeds);
      const prob = out[this.outputName];
      if (!prob) throw new InputError(`the VAD model has no output '${this.outputName}'`);
      // The next call's context is the tail of this call's input (padding included, as in the reference).
      w.copyWithin(0, w.length - c);
      return Number(prob.data[0]);
    } finally {
      this.busy = false;
    }
  }

  /** Starts a new recording: zero context and the session's initial state. */
  reset(): void {
    this.window.fill(0);
    this.model.reset();
  }
}
