import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { seededRandom } from '../src/text/random.js';
import { TokenSampler } from '../src/text/sampling.js';

/** Independent reference: the filtered, renormalised distribution computed the slow, obvious way. */
function referenceDistribution(logits: number[], temperature: number, topK: number, topP: number): number[] {
  const max = Math.max(...logits);
  const e = logits.map((l) => Math.exp((l - max) / temperature));
  const z = e.reduce((a, b) => a + b, 0);
  const p = e.map((v) => v / z);
  // Ranked by logit, not by rounded probability: logits 1e-17 apart can round to equal probabilities,
  // and the larger logit is still the more likely token (ties between equal logits go to the lower id).
  const ranked = p.map((v, i) => ({ v, i, l: logits[i]! })).sort((a, b) => b.l - a.l || a.i - b.i);
  let kept = topK > 0 ? ranked.slice(0, topK) : ranked;
  let cum = 0;
  const nucleus = [];
  for (const r of kept) {
    nucleus.push(r);
    cum += r.v;
    if (cum >= topP) break;
  }
  kept = nucleus;
  const zk = kept.reduce((a, r) => a + r.v, 0);
  const out = new Array<number>(logits.length).fill(0);
  for (const r of kept) out[r.i] = r.v / zk;
  return out;
}

describe('seededRandom', () => {
  it('is reproducible, in [0, 1), and roughly uniform', () => {
    const a = seededRandom(7), b = seededRandom(7), c = seededRandom(8);
    const xs = Array.from({ length: 20000 }, () => a());
    expect(Array.from({ length: 20000 }, () => b())).toEqual(xs);
    expect(c()).not.toBe(xs[0]);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    // 10 bins of 2000 expected: a uniform source stays within ±5σ (σ ≈ 42).
    const bins = new Array(10).fill(0);
    for (const x of xs) bins[Math.floor(x * 10)]++;
    for (const n of bins) expect(Math.abs(n - 2000)).toBeLessThan(212);
  });
});

describe('TokenSampler', () => {
  it('greedy returns the first argmax and its softmax probability', () => {
    const s = new TokenSampler(4, { strategy: 'greedy' });
    expect(s.sample([1, 3, 3, 0])).toBe(1);
    const z = Math.exp(1) + 2 * Math.exp(3) + 1;
    expect(s.lastProbability).toBeCloseTo(Math.exp(3) / z, 12);
    expect(new TokenSampler(3, { temperature: 0 }).sample([0, -Infinity, 2])).toBe(2);
  });

  it('never returns a token outside the top-k / top-p set, and reports its renormalised probability (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -8, max: 8, noNaN: true }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 0, max: 10 }),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        fc.double({ min: 0.2, max: 3, noNaN: true }),
        fc.integer(),
        (logits, topK, topP, temperature, seed) => {
          const ref = referenceDistribution(logits, temperature, topK, topP);
          const s = new TokenSampler(logits.length, { topK, topP, temperature, seed });
          for (let i = 0; i < 20; i++) {
            const t = s.sample(logits);
            expect(ref[t]).toBeGreaterThan(0);
            expect(Math.abs(s.lastProbability - ref[t]!)).toBeLessThan(1e-9);
          }
        },
      ),
      { numRuns: 300, seed: 20261125 },
    );
  });

  it('draws with the reference frequencies (chi-square, 20k draws)', () => {
    const logits = [2, 1, 0.5, 0, -1, -3];
    for (const [temperature, topK, topP] of [[1, 0, 1], [0.7, 4, 1], [1.3, 0, 0.8], [1, 3, 0.9]] as const) {
      const ref = referenceDistribution(logits, temperature, topK, topP);
      const s = new TokenSampler(logits.length, { temperature, topK, topP, seed: 5 });
      const n = 20000;
      const counts = new Array(logits.length).fill(0);
      for (let i = 0; i < n; i++) counts[s.sample(logits)]++;
      let chi = 0;
      let dof = -1;
      ref.forEach((p, i) => {
        if (p === 0) expect(counts[i]).toBe(0);
        else {
          chi += (counts[i] - n * p) ** 2 / (n * p);
          dof++;
        }
      });
      // 99.9th percentile of chi-square with ≤ 5 degrees of freedom is 20.5.
      expect(chi).toBeLessThan(20.5);
      expect(dof).toBeGreaterThanOrEqual(0);
    }
  });

  it('rejects bad logits and options with InputError', () => {
    expect(() => new TokenSampler(3).sample([0, NaN, 1])).toThrow(InputError);
    expect(() => new TokenSampler(2).sample([-Infinity, -Infinity])).toThrow(InputError);
    expect(() => new TokenSampler(2).sample([0])).toThrow(InputError);
    expect(() => new TokenSampler(2, { topP: 0 })).toThrow(InputError);
    expect(() => new TokenSampler(2, { temperature: -1 })).toThrow(InputError);
    expect(() => new TokenSampler(2, { topK: 1.5 })).toThrow(InputError);
  });
});
