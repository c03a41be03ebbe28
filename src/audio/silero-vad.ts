/**
 * Silero VAD v5 driven the way its authors' wrapper drives it (`OnnxWrapper.__call__` in snakers4/silero-vad):
 * each call gets the new chunk (512 samples at 16 kHz, 256 at 8 kHz) with the last 64 (32) samples that
 * came before it in front — zeros before the first chunk — and the recurrent `state` [2,1,128] is carried
 * from call to call. Without the context the model's probabilities are markedly weaker, so it is not
 * optional.
 *
 * Who does what: the model card below tells the step session to carry `state` → `stateN`, to prepend the
 * context to each frame and to feed `sr`; {@link vadProbabilities} cuts audio into chunks (`frame`, the last
 * one zero-padded as the reference pads it) and steps them (`step`), one probability per chunk.
 */
import { pipe, type OperatorFunction } from 'rxjs';
import type { ModelCard } from '../session/card.js';
import type { StepTarget } from '../stream/flow-options.js';
import { frame } from '../stream/frame.js';
import { step } from '../stream/step.js';
import { InputError } from '../errors.js';

/** Chunk and context sizes the model was trained with, by sample rate. */
export const SILERO_V5_FRAMING = {
  16000: { frameSamples: 512, contextSamples: 64 },
  8000: { frameSamples: 256, contextSamples: 32 },
} as const;

export type SileroSampleRate = keyof typeof SILERO_V5_FRAMING;

/** Where the model ships: `dist/silero_vad_v5.onnx` inside the `@ricky0123/vad-web` package. */
export const SILERO_V5_PACKAGE_PATH = '@ricky0123/vad-web/dist/silero_vad_v5.onnx';

/**
 * The card that makes a step session run Silero VAD v5 at `sampleRate`.
 *
 * @example
 * ```ts
 * const session = await createStepSession(bytes, { card: sileroV5Card(16000) });
 * ```
 */
export function sileroV5Card(sampleRate: SileroSampleRate = 16000): ModelCard {
  const framing = SILERO_V5_FRAMING[sampleRate];
  if (!framing) throw new InputError(`Silero VAD v5 runs at 16000 or 8000 Hz, got ${String(sampleRate)}; resample first`);
  return {
    format: 'rxrnn-model-card/1',
    name: 'silero-vad-v5',
    description: 'Silero VAD v5: speech probability per chunk, state carried, 64/32 samples of context.',
    source: `npm:${SILERO_V5_PACKAGE_PATH}`,
    license: 'MIT',
    sampleRate,
    state: [{ input: 'state', output: 'stateN', batchAxis: 1, dims: [2, 1, 128] }],
    inputs: [{ name: 'input', batchAxis: 0, frame: framing.frameSamples, context: framing.contextSamples }],
    constants: { sr: { dtype: 'int64', dims: [], data: [sampleRate] } },
    outputs: { output: { meaning: 'speech probability of the chunk', batchAxis: 0 } },
  };
}

export interface VadProbabilityOptions {
  /** The rate of the incoming samples, 16000 (default) or 8000. */
  sampleRate?: SileroSampleRate;
  /** The probability output's name (default `output`). */
  outputName?: string;
}

/**
 * Audio samples (chunks of any length, at 16 or 8 kHz) in, one speech probability per non-overlapping chunk
 * of 512 (256) samples out, from the start of the stream; a final partial chunk is zero-padded.
 *
 * @param target a step session made with {@link sileroV5Card} (a slot per subscription), or one of its slots
 * @example
 * ```ts
 * import { from } from 'rxjs';
 * import { createStepSession, sileroV5Card, vadProbabilities } from 'rxrnn';
 * const session = await createStepSession(bytes, { card: sileroV5Card() });
 * from([samples]).pipe(vadProbabilities(session)).subscribe((p) => console.log(p));
 * ```
 */
export function vadProbabilities(
  target: StepTarget,
  options: VadProbabilityOptions = {},
): OperatorFunction<ArrayLike<number>, number> {
  const rate = options.sampleRate ?? 16000;
  const framing = SILERO_V5_FRAMING[rate];
  if (!framing) throw new InputError(`Silero VAD v5 runs at 16000 or 8000 Hz, got ${String(rate)}; resample first`);
  const output = options.outputName ?? 'output';
  return pipe(
    frame({ size: framing.frameSamples, final: 'pad' }),
    step<Float32Array, number>(target, {
      project: (outputs) => {
        const p = outputs[output];
        if (!p) throw new InputError(`the VAD model has no output '${output}'; it has ${Object.keys(outputs).join(', ')}`);
        return Number(p.data[0]);
      },
    }),
  );
}
