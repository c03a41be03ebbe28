/**
 * The token-by-token loop shared by `generate` and `seq2seq`: feed the seed, then sample a token from the
 * logits, emit it, feed it back, until a stop token, the maximum length, or unsubscription.
 */
import { BindingError, InputError } from '../errors.js';
import type { Slot, StepInput, StepOutputs, StepSessionInfo } from '../session/types.js';
import { tensor, type Tensor } from '../tensor.js';
import { TokenSampler, type SamplingOptions } from '../text/sampling.js';
import type { StreamMetrics } from './metrics.js';
import type { NonFinitePolicy } from './flow-options.js';
import { findNonFinite } from './non-finite.js';
import { yieldToEventLoop } from './yield-to-event-loop.js';

export interface GenerateOptions extends SamplingOptions {
  /** Most tokens generated per seed (default 256). */
  maxLength?: number;
  /** Tokens that end a generation. */
  stopTokens?: readonly number[];
  /** Whether a stop token is emitted before ending (default false). */
  emitStopToken?: boolean;
  /** Output holding the logits, last axis = vocabulary (default: the model's only non-state output). */
  logits?: string;
  /**
   * Token → step input. Default: the model's one step input holding the token — as an id for an integer
   * input, one-hot for a float input whose size is the vocabulary.
   */
  toInput?: (token: number, position: number) => StepInput;
  /** Token fed first when a seed brings no tokens and no input (e.g. `<s>` for a decoder). */
  startToken?: number;
  /** Give the event loop a turn every this many steps (default 16), so pages and servers stay responsive. */
  yieldEvery?: number;
  metrics?: StreamMetrics;
  /**
   * A seed whose input or state holds NaN/±Infinity: `error` (default) ends the stream with an
   * `InputError`; `skip` and `reset` set that seed aside (no tokens, counted in `metrics.nonFinite`) and go
   * on with the next — the same thing here, since every seed starts from a reset state anyway.
   */
  nonFinite?: NonFinitePolicy;
}

/**
 * What a generation starts from: a token, a prompt of tokens, or an object with any of a prompt, a first
 * input (e.g. an image feature vector) and initial state values by state-input name (e.g. an encoder's).
 */
export type GenerateSeed =
  | number
  | readonly number[]
  | {
      tokens?: readonly number[];
      input?: StepInput;
      state?: Readonly<Record<string, Tensor | Float32Array | readonly number[]>>;
    };

export interface GeneratedToken {
  /** Which seed (0, 1, ...) this token continues. */
  sequence: number;
  /** 0 for the first generated token. */
  position: number;
  token: number;
  /** Probability of the token under the distribution it was drawn from. */
  probability: number;
}

/** Validated options plus the state one subscription keeps across seeds (the sampler and its random source). */
export class Generator {
  private readonly maxLength: number;
  private readonly stopTokens: ReadonlySet<number>;
  private readonly yieldEvery: number;
  private readonly logitsName: string | undefined;
  private readonly toInput: (token: number, position: number) => StepInput;
  private sampler: TokenSampler | undefined;
  private steps = 0;

  constructor(private readonly options: GenerateOptions, info: StepSessionInfo | undefined, private readonly label: string) {
    this.maxLength = options.maxLength ?? 256;
    if (!Number.isInteger(this.maxLength) || this.maxLength < 1) throw new InputError(`${label}: maxLength must be an integer >= 1, got ${String(options.maxLength)}`);
    this.yieldEvery = options.yieldEvery ?? 16;
    if (!Number.isInteger(this.yieldEvery) || this.yieldEvery < 1) throw new InputError(`${label}: yieldEvery must be an integer >= 1, got ${String(options.yieldEvery)}`);
    this.stopTokens = new Set(options.stopTokens ?? []);
    this.logitsName = options.logits ?? (info?.outputs.length === 1 ? info.outputs[0]!.name : undefined);
    if (this.logitsName === undefined) {
      throw new BindingError(`${label}: say which output holds the logits (option 'logits'); the model has ${info ? info.outputs.map((o) => o.name).join(', ') : 'no known outputs (a bare slot)'}`);
    }
    this.toInput = options.toInput ?? tokenInput(info, label);
  }

  /**
   * Runs one generation on `slot`. `emit` is called synchronously per token; `closed()` is checked before
   * every step, so unsubscribing stops before the next step.
   */
  async run(slot: Slot, seed: GenerateSeed, sequence: number, emit: (t: GeneratedToken) => void, closed: () => boolean): Promise<void> {
    const metrics = this.options.metrics;
    let outputs: StepOutputs | undefined;
    const feed = async (input: StepInput): Promise<boolean> => {
      if (closed()) return false;
      const started = metrics ? performance.now() : 0;
      outputs = await slot.step(input);
      if (metrics) metrics.recordRun(1, performance.now() - started);
      if (++this.steps % this.yieldEvery === 0) await yieldToEventLoop();
      return !closed();
    };

    const { tokens, input, state } = normaliseSeed(seed);
    // Check the whole seed before touching the slot, so a refused seed leaves the state as it was.
    const bad =
      (state && Object.entries(state).map(([name, value]) => findNonFinite({ [name]: value })).find((b) => b)) ||
      (input !== undefined ? findNonFinite(input) : undefined);
    if (bad) {
      if ((this.options.nonFinite ?? 'error') === 'error') {
        throw new InputError(
          `${this.label}: seed ${sequence} has a non-finite value (${bad}). Clean the seed, or pass nonFinite: 'skip'.`,
        );
      }
      if (metrics) metrics.nonFinite++;
      return;
    }
    slot.reset();
    if (state) for (const [name, value] of Object.entries(state)) slot.setState(name, value);
    if (input !== undefined && !(await feed(input))) return;
    const prompt = tokens ?? (input === undefined && this.options.startToken !== undefined ? [this.options.startToken] : []);
    for (let i = 0; i < prompt.length; i++) if (!(await feed(this.toInput(prompt[i]!, i)))) return;
    if (outputs === undefined) {
      throw new InputError(`${this.label}: seed ${sequence} gave nothing to start from: give tokens, an input, or set startToken`);
    }

    for (let position = 0; position < this.maxLength; position++) {
      const logits = (outputs as StepOutputs)[this.logitsName!];
      if (logits === undefined) throw new BindingError(`${this.label}: the model has no output '${this.logitsName}'; it has ${Object.keys(outputs).join(', ')}`);
      const vocab = logits.dims[logits.dims.length - 1] ?? logits.data.length;
      const sampler = (this.sampler ??= new TokenSampler(vocab, this.options));
      if (sampler.vocabSize !== vocab) throw new InputError(`${this.label}: logits changed size from ${sampler.vocabSize} to ${vocab}`);
      // The last row is the newest time step (batch is 1 per slot).
      const token = sampler.sample(logits.data as Float32Array, logits.data.length - vocab);
      const stop = this.stopTokens.has(token);
      if (!stop || this.options.emitStopToken) emit({ sequence, position, token, probability: sampler.lastProbability });
      if (stop || position + 1 >= this.maxLength) return;
      if (!(await feed(this.toInput(token, prompt.length + position)))) return;
    }
  }
}

function normaliseSeed(seed: GenerateSeed): { tokens?: readonly number[]; input?: StepInput; state?: Readonly<Record<string, Tensor | Float32Array | readonly number[]>> } {
  if (typeof seed === 'number') return { tokens: [seed] };
  if (Array.isArray(seed)) return { tokens: seed as readonly number[] };
  if (seed !== null && typeof seed === 'object') return seed as Exclude<GenerateSeed, number | readonly number[]>;
  throw new InputError(`generate: a seed is a token, an array of tokens, or { tokens, input, state }; got ${String(seed)}`);
}

/** The default token → input: an id for an integer step input, one-hot for a float one. Reuses one buffer. */
function tokenInput(info: StepSessionInfo | undefined, label: string): (token: number) => StepInput {
  if (info === undefined || info.stepInputs.length !== 1) {
    const why = info === undefined ? 'a bare slot has no model info' : `the model has ${info.stepInputs.length} step inputs`;
    return () => {
      throw new InputError(`${label}: cannot turn a token into the model's input by itself (${why}); pass toInput`);
    };
  }
  const { name, dtype, dims } = info.stepInputs[0]!;
  const shape = dims.map((d) => d ?? 1);
  const t = tensor(dtype, shape);
  const n = t.data.length;
  if (dtype === 'int64' || dtype === 'int32') {
    if (n !== 1) return () => { throw new InputError(`${label}: step input '${name}' ${JSON.stringify(dims)} holds ${n} ids, not one token; pass toInput`); };
    const feeds = { [name]: t };
    return (token) => {
      if (dtype === 'int64') (t.data as BigInt64Array)[0] = BigInt(token);
      else (t.data as Int32Array)[0] = token;
      return feeds;
    };
  }
  if (dtype === 'float32') {
    const feeds = { [name]: t };
    const data = t.data as Float32Array;
    let hot = -1;
    return (token) => {
      if (!Number.isInteger(token) || token < 0 || token >= n) {
        throw new InputError(`${label}: token ${token} does not fit the one-hot input '${name}' of ${n} values`);
      }
      if (hot >= 0) data[hot] = 0;
      data[token] = 1;
      hot = token;
      return feeds;
    };
  }
  return () => { throw new InputError(`${label}: step input '${name}' is ${dtype}; pass toInput`); };
}
