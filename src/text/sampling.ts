/**
 * Picking the next token from a model's logits: greedy (argmax), or sampling with temperature, top-k and
 * top-p (nucleus) filtering from a seeded random source, so the same seed gives the same text.
 *
 * The filters apply in the order most generation code uses (Hugging Face's logits warpers among them):
 * temperature scales the logits, softmax turns them into probabilities, top-k keeps the k most probable
 * tokens, top-p keeps the smallest set of those whose probability adds up to at least p, and the token is
 * drawn from what is left, renormalised. Ties are broken by the lower token id, so results never depend on
 * the sort algorithm.
 */
import { InputError } from '../errors.js';
import { seededRandom, type RandomSource } from './random.js';

const NO_LOGITS: ArrayLike<number> = [];

export interface SamplingOptions {
  /**
   * `'greedy'` always takes the most probable token; `'sample'` draws one. Default: `'sample'`, except that
   * a temperature of 0 means greedy.
   */
  strategy?: 'greedy' | 'sample';
  /** Divides the logits before softmax: below 1 sharpens, above 1 flattens. Default 1; 0 means greedy. */
  temperature?: number;
  /** Keep only the k most probable tokens (0 or absent: no limit). */
  topK?: number;
  /** Keep the smallest set of most probable tokens whose probabilities sum to at least p, in (0, 1]. Default 1. */
  topP?: number;
  /** Seed of the random source (default 0). Ignored when `random` is given. */
  seed?: number;
  /** A random source of your own, returning uniform numbers in [0, 1). */
  random?: RandomSource;
}

/**
 * A reusable sampler for one vocabulary size. It owns its scratch buffers, so `sample` allocates nothing.
 *
 * @example
 * ```ts
 * import { TokenSampler } from 'rxrnn';
 * const sampler = new TokenSampler(5, { temperature: 0.8, topK: 3, seed: 7 });
 * const token = sampler.sample(new Float32Array([0.1, 2.0, -1, 0.5, 1.2]));
 * console.log(token, sampler.lastProbability);
 * ```
 */
export class TokenSampler {
  readonly vocabSize: number;
  /** Probability of the last token returned, under the distribution it was drawn from (greedy: softmax at temperature 1). */
  lastProbability = 0;
  private readonly greedy: boolean;
  private readonly temperature: number;
  private readonly topK: number;
  private readonly topP: number;
  private readonly random: RandomSource;
  private readonly probs: Float64Array;
  private readonly order: Int32Array;
  /**
   * Ranks token ids by logit, highest first, lower id on ties. By logit rather than by probability:
   * logits a hair apart can round to equal probabilities, and the larger logit is still the likelier token.
   */
  private readonly byLogitDesc: (a: number, b: number) => number;
  private rankLogits: ArrayLike<number> = NO_LOGITS;
  private rankOffset = 0;

  constructor(vocabSize: number, options: SamplingOptions = {}) {
    if (!Number.isInteger(vocabSize) || vocabSize < 1) {
      throw new InputError(`TokenSampler: vocabSize must be a positive integer, got ${String(vocabSize)}`);
    }
    const temperature = options.temperature ?? 1;
    if (!Number.isFinite(temperature) || temperature < 0) {
      throw new InputError(`TokenSampler: temperature must be a finite number >= 0, got ${String(temperature)}`);
    }
    const topK = options.topK ?? 0;
    if (!Number.isInteger(topK) || topK < 0) {
      throw new InputError(`TokenSampler: topK must be an integer >= 0 (0 = no limit), got ${String(topK)}`);
    }
    const topP = options.topP ?? 1;
    if (!(topP > 0 && topP <= 1)) {
      throw new InputError(`TokenSampler: topP must be in (0, 1], got ${String(topP)}`);
    }
    if (options.strategy !== undefined && options.strategy !== 'greedy' && options.strategy !== 'sample') {
      throw new InputError(`TokenSampler: strategy must be 'greedy' or 'sample', got ${String(options.strategy)}`);
    }
    this.vocabSize = vocabSize;
    this.greedy = options.strategy === 'greedy' || temperature === 0;
    this.temperature = temperature;
    this.topK = topK === 0 || topK > vocabSize ? vocabSize : topK;
    this.topP = topP;
    this.random = options.random ?? seededRandom(options.seed ?? 0);
    this.probs = new Float64Array(vocabSize);
    this.order = new Int32Array(vocabSize);
    this.byLogitDesc = (a, b) => {
      const la = this.rankLogits[this.rankOffset + a]!;
      const lb = this.rankLogits[this.rankOffset + b]!;
      return la === lb ? a - b : lb > la ? 1 : -1;
    };
  }

  /**
   * Picks a token id from `logits[offset .. offset + vocabSize)`.
   * @throws InputError when a logit is NaN or +Infinity, or every logit is -Infinity.
   */
  sample(logits: ArrayLike<number>, offset = 0): number {
    const n = this.vocabSize;
    if (logits.length - offset < n) {
      throw new InputError(`TokenSampler: expected ${n} logits from offset ${offset}, got ${logits.length - offset}`);
    }
    let best = -1;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = logits[offset + i]!;
      if (Number.isNaN(v) || v === Infinity) {
        throw new InputError(`TokenSampler: logit ${i} is ${String(v)}; logits must be finite or -Infinity (masked)`);
      }
      if (v > max) {
        max = v;
        best = i;
      }
    }
    if (best < 0) throw new InputError('TokenSampler: every logit is -Infinity; there is no token to pick');

    const probs = this.probs;
    const scale = this.greedy ? 1 : this.temperature;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      // Subtracting the max keeps exp() from overflowing; it cancels out in the normalisation.
      const p = Math.exp((logits[offset + i]! - max) / scale);
      probs[i] = p;
      sum += p;
    }
    if (this.greedy) {
      this.lastProbability = probs[best]! / sum;
      return best;
    }

    if (this.topK === n && this.topP === 1) return this.draw(sum);

    const order = this.order;
    for (let i = 0; i < n; i++) order[i] = i;
    this.rankLogits = logits;
    this.rankOffset = offset;
    order.sort(this.byLogitDesc);
    this.rankLogits = NO_LOGITS; // drop the caller's array: it is theirs
    let keep = this.topK;
    if (this.topP < 1) {
      const target = this.topP * sum;
      let cumulative = 0;
      for (let r = 0; r < keep; r++) {
        cumulative += probs[order[r]!]!;
        if (cumulative >= target) {
          keep = r + 1;
          break;
        }
      }
    }
    let kept = 0;
    for (let r = 0; r < keep; r++) kept += probs[order[r]!]!;
    let u = this.random() * kept;
    let last = order[0]!;
    for (let r = 0; r < keep; r++) {
      const id = order[r]!;
      const p = probs[id]!;
      if (p === 0) continue;
      last = id;
      if (u < p) {
        this.lastProbability = p / kept;
        return id;
      }
      u -= p;
    }
    // Rounding can leave u a hair above the last probability; the last kept token is the right answer then.
    this.lastProbability = probs[last]! / kept;
    return last;
  }

  /** Draws from the whole distribution (no filters). */
  private draw(sum: number): number {
    const probs = this.probs;
    let u = this.random() * sum;
    let last = 0;
    for (let i = 0; i < this.vocabSize; i++) {
      const p = probs[i]!;
      if (p === 0) continue;
      last = i;
      if (u < p) {
        this.lastProbability = p / sum;
        return i;
      }
      u -= p;
    }
    this.lastProbability = probs[last]! / sum;
    return last;
  }
}
