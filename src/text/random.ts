/**
 * A small seeded random source, so sampling is reproducible: the same seed gives the same numbers on every
 * platform (pure 32-bit integer arithmetic, no `Math.random`).
 *
 * The generator is SFC32 (Chris Doty-Humphrey's "small fast counting" generator, from PractRand), seeded
 * through SplitMix32 so that nearby seeds (0, 1, 2, ...) still start far apart.
 */
import { InputError } from '../errors.js';

/** A source of uniform numbers in [0, 1). */
export type RandomSource = () => number;

/**
 * Makes a seeded random source returning uniform numbers in [0, 1) with 32 bits of resolution.
 *
 * @param seed any integer; only its low 32 bits are used.
 *
 * @example
 * ```ts
 * import { seededRandom } from 'rxrnn';
 * const a = seededRandom(42), b = seededRandom(42);
 * a() === b(); // true, and so on for every later call
 * ```
 */
export function seededRandom(seed: number): RandomSource {
  if (!Number.isFinite(seed) || !Number.isInteger(seed)) {
    throw new InputError(`seededRandom: the seed must be an integer, got ${String(seed)}`);
  }
  let s = seed >>> 0;
  // SplitMix32 expands the one seed word into four well-mixed state words.
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // The reference implementation discards the first outputs so the state is fully mixed.
  for (let i = 0; i < 12; i++) next();
  return next;
}

/**
 * mulberry32 (Tommy Ettinger's 32-bit generator): one word of state, uniform numbers in [0, 1). Cheaper
 * to seed than {@link seededRandom} and good enough for weights and test data; the project's scripts,
 * tests and benchmarks make their models with it, so a seed names the same weights everywhere.
 *
 * @example
 * ```ts
 * import { mulberry32 } from 'rxrnn';
 * const rand = mulberry32(7);
 * const weights = Float32Array.from({ length: 16 }, () => rand() * 2 - 1);
 * ```
 */
export function mulberry32(seed: number): RandomSource {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `length` numbers drawn uniformly from [-scale, scale) — random weights and test frames.
 *
 * @example
 * ```ts
 * import { mulberry32, uniformFloats } from 'rxrnn';
 * const W = uniformFloats(mulberry32(1), 4 * 32 * 16, 1 / Math.sqrt(16));
 * ```
 */
export function uniformFloats(rand: RandomSource, length: number, scale = 1): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = (rand() * 2 - 1) * scale;
  return out;
}
