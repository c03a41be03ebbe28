import { Observable, type OperatorFunction } from 'rxjs';
import { BindingError, InputError } from '../errors.js';
import type { StepInput, StepOutputs, StepSessionInfo } from '../session/types.js';
import type { Tensor } from '../tensor.js';
import type { FlowOptions, NonFinitePolicy, StepTarget } from './flow-options.js';
import { Generator, type GenerateOptions, type GeneratedToken } from './generation-loop.js';
import { findNonFinite } from './non-finite.js';
import { SerialPump } from './serial-pump.js';
import { leaseSlot } from './slot-lease.js';

/** Maps the encoder's final state (by encoder state-input name) to the decoder's initial state (by decoder state-input name). */
export type StateBridge = (
  encoderState: Readonly<Record<string, Tensor>>,
  lastEncoderOutputs: Readonly<Record<string, Tensor>> | undefined,
) => Readonly<Record<string, Tensor | Float32Array | readonly number[]>>;

export interface Seq2SeqOptions<T> extends GenerateOptions, Pick<FlowOptions, 'backpressure' | 'highWaterMark'> {
  /** Encoder item → step input (default: the item). */
  toEncoderInput?: (item: T, index: number) => StepInput;
  /**
   * Encoder state → decoder initial state. Default: state by the same names when both models name them
   * alike, else position by position when there are as many and their shapes match; otherwise a
   * `BindingError` asks for a bridge.
   */
  bridge?: StateBridge;
  /**
   * An encoder item holding NaN/±Infinity: `error` (default) ends the stream with an `InputError`; `skip`
   * leaves the item out of the sequence; `reset` abandons the sequence so far and encodes from the next
   * item. Both count in `metrics.nonFinite`.
   */
  nonFinite?: NonFinitePolicy;
  /** Encoder state inputs to read when the encoder is a bare slot (a session knows them). */
  encoderStates?: readonly string[];
}

/**
 * Encoder–decoder: each arriving sequence (an array of items) runs through the encoder from a reset state;
 * the encoder's final state, mapped through `bridge`, seeds the decoder, which generates tokens as
 * `generate` does (the decoder starts from `startToken`). Sequences are handled one after another.
 *
 * @param encoder a session (a slot per subscription) or your slot.
 * @param decoder a session (a slot per subscription) or your slot.
 * @param options bridge, start token, sampling, stop tokens, maximum length, mappings.
 *
 * @example
 * ```ts
 * import { of } from 'rxjs';
 * import { seq2seq } from 'rxrnn';
 * of(sourceTokenFrames).pipe(seq2seq(encoder, decoder, { startToken: BOS, stopTokens: [EOS], maxLength: 40 }))
 *   .subscribe((t) => out.push(t.token));
 * ```
 */
export function seq2seq<T = StepInput>(encoder: StepTarget, decoder: StepTarget, options: Seq2SeqOptions<T>): OperatorFunction<readonly T[], GeneratedToken> {
  const toEncoderInput = options.toEncoderInput ?? ((item: T) => item as unknown as StepInput);
  const nonFinite = options.nonFinite ?? 'error';
  return (source) =>
    new Observable<GeneratedToken>((subscriber) => {
      const enc = leaseSlot(encoder);
      const dec = leaseSlot(decoder);
      const releaseAll = (): void => {
        enc.release();
        dec.release();
      };
      let generator: Generator;
      let bridge: StateBridge;
      let stateNames: readonly string[];
      try {
        generator = new Generator(options, dec.session?.info, 'seq2seq');
        stateNames = options.encoderStates ?? enc.session?.info.bindings.map((b) => b.input) ?? [];
        if (stateNames.length === 0) throw new BindingError('seq2seq: the encoder has no state to hand over (pass encoderStates when it is a bare slot)');
        bridge = options.bridge ?? defaultBridge(enc.session?.info, dec.session?.info);
      } catch (error) {
        releaseAll();
        subscriber.error(error);
        return;
      }
      let closed = false;
      let sequence = 0;
      const emit = (t: GeneratedToken): void => subscriber.next(t);
      const isClosed = (): boolean => closed;
      const pump = new SerialPump<readonly T[]>(
        subscriber,
        options,
        {
          async process(items) {
            const index = sequence++;
            if (!Array.isArray(items)) throw new InputError(`seq2seq: sequence ${index} is not an array of items`);
            enc.slot.reset();
            let last: StepOutputs | undefined;
            for (let i = 0; i < items.length; i++) {
              const input = toEncoderInput(items[i]!, i);
              const bad = findNonFinite(input);
              if (bad) {
                if (nonFinite === 'error') {
                  throw new InputError(
                    `seq2seq: item ${i} of sequence ${index} has a non-finite value (${bad}). Clean the input, or pass nonFinite: 'skip' or 'reset'.`,
                  );
                }
                if (options.metrics) options.metrics.nonFinite++;
                // skip: the encoder goes on without this item; reset: the sequence so far is abandoned.
                if (nonFinite === 'reset') {
                  enc.slot.reset();
                  last = undefined;
                }
                continue;
              }
              if (closed) return;
              last = await enc.slot.step(input);
            }
            if (closed) return;
            const state: Record<string, Tensor> = {};
            for (const name of stateNames) state[name] = enc.slot.getState(name);
            const seed = bridge(state, last);
            await generator.run(dec.slot, { state: seed, tokens: options.startToken === undefined ? undefined : [options.startToken] }, index, emit, isClosed);
          },
        },
        'seq2seq',
      );
      const subscription = pump.drainFrom(source);
      return () => {
        closed = true;
        subscription.unsubscribe();
        pump.closeThen(releaseAll);
      };
    });
}

function defaultBridge(encoder: StepSessionInfo | undefined, decoder: StepSessionInfo | undefined): StateBridge {
  if (encoder === undefined || decoder === undefined) {
    return () => {
      throw new BindingError('seq2seq: with a bare slot on either side, pass a bridge (encoder state → decoder state)');
    };
  }
  const from = encoder.bindings;
  const to = decoder.bindings;
  const sameNames = from.length === to.length && to.every((t) => from.some((f) => f.input === t.input));
  const sameShapes = from.length === to.length && from.every((f, i) => f.dims.join() === to[i]!.dims.join() && f.dtype === to[i]!.dtype);
  if (!sameNames && !sameShapes) {
    const describe = (info: StepSessionInfo) => info.bindings.map((b) => `${b.input} ${JSON.stringify(b.dims)}`).join(', ');
    throw new BindingError(`seq2seq: cannot pair the encoder's state (${describe(encoder)}) with the decoder's (${describe(decoder)}); pass a bridge`);
  }
  return (state) => {
    const out: Record<string, Tensor> = {};
    to.forEach((t, i) => (out[t.input] = sameNames ? state[t.input]! : state[from[i]!.input]!));
    return out;
  };
}
