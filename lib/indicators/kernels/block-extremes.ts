import type { Series } from '../../core';

/**
 * @internal Suffix maxima of high and minima of low over the block [from, from+n): sufH[j] = max of
 * high[from+j .. from+n-1], likewise sufL.
 */
export function rollingSuffix(high: Series, low: Series, from: number, n: number, sufH: Float64Array, sufL: Float64Array): void {
  let mh = -Infinity;
  let ml = Infinity;
  for (let j = n - 1; j >= 0; j--) {
    const h = high[from + j]!;
    const l = low[from + j]!;
    if (h > mh) mh = h;
    if (l < ml) ml = l;
    sufH[j] = mh;
    sufL[j] = ml;
  }
}
