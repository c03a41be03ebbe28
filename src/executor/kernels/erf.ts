/**
 * erf and erfc in double precision, for the Erf and Gelu kernels. JavaScript has no Math.erf.
 *
 * Method: Sun Microsystems' fdlibm `s_erf.c` (1993; the same code FreeBSD's libm and Go's math.Erf carry),
 * rational approximations on [0, 0.84375), [0.84375, 1.25), [1.25, 1/0.35) and [1/0.35, 28) whose error
 * bounds the source states as 2^-57.90 to 2^-62.57, giving results within one ulp of the true value.
 * Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7) would not do: float32 results must be exact to about 6e-8.
 *
 * Written as a loop over arrays rather than a `(x) => number` function: a double returned from (or passed
 * to) a call V8 does not inline becomes a heap number, one allocation per element per step, and this body
 * is too big to be inlined reliably.
 */

const ERX = 8.45062911510467529297e-1;
// [0, 0.84375): erf(x) = x + x·P(x²)/Q(x²)
const EFX = 1.28379167095512586316e-1;
const EFX8 = 1.02703333676410069053;
const PP0 = 1.28379167095512558561e-1;
const PP1 = -3.25042107247001499370e-1;
const PP2 = -2.84817495755985104766e-2;
const PP3 = -5.77027029648944159157e-3;
const PP4 = -2.37630166566501626084e-5;
const QQ1 = 3.97917223959155352819e-1;
const QQ2 = 6.50222499887672944485e-2;
const QQ3 = 5.08130628187576562776e-3;
const QQ4 = 1.32494738004321644526e-4;
const QQ5 = -3.96022827877536812320e-6;
// [0.84375, 1.25): erf(1 + s) = erx + P(s)/Q(s)
const PA0 = -2.36211856075265944077e-3;
const PA1 = 4.14856118683748331666e-1;
const PA2 = -3.72207876035701323847e-1;
const PA3 = 3.18346619901161753674e-1;
const PA4 = -1.10894694282396677476e-1;
const PA5 = 3.54783043256182359371e-2;
const PA6 = -2.16637559486879084300e-3;
const QA1 = 1.06420880400844228286e-1;
const QA2 = 5.40397917702171048937e-1;
const QA3 = 7.18286544141962662868e-2;
const QA4 = 1.26171219808761642112e-1;
const QA5 = 1.36370839120290507362e-2;
const QA6 = 1.19844998467991074170e-2;
// [1.25, 1/0.35): erfc(x) = exp(-x² - 0.5625 + R(1/x²)/S(1/x²)) / x
const RA0 = -9.86494403484714822705e-3;
const RA1 = -6.93858572707181764372e-1;
const RA2 = -1.05586262253232909814e1;
const RA3 = -6.23753324503260060396e1;
const RA4 = -1.62396669462573470355e2;
const RA5 = -1.84605092906711035994e2;
const RA6 = -8.12874355063065934246e1;
const RA7 = -9.81432934416914548592;
const SA1 = 1.96512716674392571292e1;
const SA2 = 1.37657754143519042600e2;
const SA3 = 4.34565877475229228821e2;
const SA4 = 6.45387271733267880336e2;
const SA5 = 4.29008140027567833386e2;
const SA6 = 1.08635005541779435134e2;
const SA7 = 6.57024977031928170135;
const SA8 = -6.04244152148580987438e-2;
// [1/0.35, 28): the same form with other coefficients
const RB0 = -9.86494292470009928597e-3;
const RB1 = -7.99283237680523006574e-1;
const RB2 = -1.77579549177547519889e1;
const RB3 = -1.60636384855821916062e2;
const RB4 = -6.37566443368389627722e2;
const RB5 = -1.02509513161107724954e3;
const RB6 = -4.83519191608651397019e2;
const SB1 = 3.03380607434824582924e1;
const SB2 = 3.25792512996573918826e2;
const SB3 = 1.53672958608443695994e3;
const SB4 = 3.19985821950859553908e3;
const SB5 = 2.55305040643316442583e3;
const SB6 = 4.74528541206955367215e2;
const SB7 = -2.24409524465858183362e1;

const TWO_M28 = 3.725290298461914e-9;
const TWO_M56 = 1.3877787807814457e-17;
/** Below this, x + efx·x would lose x's low bits to underflow; fdlibm scales by 8 first. */
const VERY_TINY = 2.848094538889218e-306;

// fdlibm splits x into z (x with its low 32 bits cleared) so that z·z is exact and exp(-x²) can be taken
// as exp(-z² - 0.5625)·exp((z - x)(z + x) + R/S) without the rounding error of x·x. The word that holds
// the low bits depends on the host's byte order.
const bits = new Float64Array(1);
const words = new Int32Array(bits.buffer);
const LOW_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;

/**
 * `dst[i] = erf(src[i])`, or `erfc(src[i])` when `complement`, for `i < n`. `src` and `dst` may be the
 * same array. erfc is not computed as 1 - erf: for large x that difference is all rounding error.
 */
export function erfLoop(src: ArrayLike<number>, dst: { [index: number]: number }, n: number, complement: boolean): void {
  for (let i = 0; i < n; i++) {
    const x = src[i]!;
    const ax = Math.abs(x);
    let y: number;
    if (!(ax < Infinity)) {
      // NaN stays NaN; erf(±∞) = ±1, erfc(+∞) = 0, erfc(-∞) = 2
      y = x !== x ? x : complement ? (x > 0 ? 0 : 2) : x > 0 ? 1 : -1;
    } else if (ax < 0.84375) {
      if (!complement && ax < TWO_M28) {
        y = ax < VERY_TINY ? 0.125 * (8 * x + EFX8 * x) : x + EFX * x;
      } else if (complement && ax < TWO_M56) {
        y = 1 - x;
      } else {
        const z = x * x;
        const r = PP0 + z * (PP1 + z * (PP2 + z * (PP3 + z * PP4)));
        const s = 1 + z * (QQ1 + z * (QQ2 + z * (QQ3 + z * (QQ4 + z * QQ5))));
        const q = r / s;
        if (!complement) y = x + x * q;
        else if (x < 0.25) y = 1 - (x + x * q);
        else y = 0.5 - (x * q + (x - 0.5));
      }
    } else if (ax < 1.25) {
      const s = ax - 1;
      const p = PA0 + s * (PA1 + s * (PA2 + s * (PA3 + s * (PA4 + s * (PA5 + s * PA6)))));
      const q = 1 + s * (QA1 + s * (QA2 + s * (QA3 + s * (QA4 + s * (QA5 + s * QA6)))));
      if (!complement) y = x >= 0 ? ERX + p / q : -ERX - p / q;
      else y = x >= 0 ? 1 - ERX - p / q : 1 + (ERX + p / q);
    } else if (complement ? x >= 28 || x <= -6 : ax >= 6) {
      // Saturated: erf is ±1 and erfc(x ≤ -6) is 2 to double precision; erfc(x ≥ 28) underflows to 0.
      y = complement ? (x > 0 ? 0 : 2) : x > 0 ? 1 : -1;
    } else {
      const s = 1 / (ax * ax);
      let r: number;
      let q: number;
      if (ax < 1 / 0.35) {
        r = RA0 + s * (RA1 + s * (RA2 + s * (RA3 + s * (RA4 + s * (RA5 + s * (RA6 + s * RA7))))));
        q = 1 + s * (SA1 + s * (SA2 + s * (SA3 + s * (SA4 + s * (SA5 + s * (SA6 + s * (SA7 + s * SA8)))))));
      } else {
        r = RB0 + s * (RB1 + s * (RB2 + s * (RB3 + s * (RB4 + s * (RB5 + s * RB6)))));
        q = 1 + s * (SB1 + s * (SB2 + s * (SB3 + s * (SB4 + s * (SB5 + s * (SB6 + s * SB7))))));
      }
      bits[0] = ax;
      words[LOW_WORD] = 0;
      const z = bits[0]!;
      const e = (Math.exp(-z * z - 0.5625) * Math.exp((z - ax) * (z + ax) + r / q)) / ax;
      if (complement) y = x > 0 ? e : 2 - e;
      else y = x >= 0 ? 1 - e : e - 1;
    }
    dst[i] = y;
  }
}
