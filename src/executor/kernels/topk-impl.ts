/**
 * TopK's selection: the k best elements of one strided slice, in rank order, without sorting the whole
 * slice and without allocating (insertion into a sorted buffer of k).
 */
import type { Arr } from './elementwise-impl.js';

/** Whether element p ranks before element q: larger (or smaller) first, NaN as the largest, ties by lower index. */
export function ranksBefore(xd: Arr, base: number, inner: number, p: number, q: number, largest: boolean, big: boolean): boolean {
  const a = xd[base + p * inner];
  const b = xd[base + q * inner];
  if (!big) {
    const an = a !== a;
    const bn = b !== b;
    if (an || bn) return an && bn ? p < q : largest ? an : bn;
  }
  if (a === b) return p < q;
  return largest ? a > b : a < b;
}

/**
 * The k best indices of one slice, in rank order, into `best` (insertion into a sorted buffer of k: no
 * allocation, O(n) for typical data, O(n·k) at worst). Returns how many were filled (k).
 */
export function selectTop(xd: Arr, base: number, inner: number, n: number, k: number, largest: boolean, big: boolean, best: Int32Array): number {
  let filled = 0;
  for (let p = 0; p < n; p++) {
    if (filled === k) {
      if (k === 0 || !ranksBefore(xd, base, inner, p, best[k - 1]!, largest, big)) continue;
      filled--; // the last one drops out
    }
    let t = filled;
    while (t > 0 && ranksBefore(xd, base, inner, p, best[t - 1]!, largest, big)) {
      best[t] = best[t - 1]!;
      t--;
    }
    best[t] = p;
    filled++;
  }
  return filled;
}
