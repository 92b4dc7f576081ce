import type { Series, Stream } from '../core';
import { checkNonNegative, checkPeriod } from './kernels/checks';
import { sdFromSums } from './kernels/sd-from-sums';
import { defineIndicator, floatParam, intParam, series } from './descriptor';

export interface Bands {
  upper: Series;
  middle: Series;
  lower: Series;
}

/** One bar of a band indicator, as the streaming twins return it (a fresh object per update). */
export interface BandsPoint {
  upper: number;
  middle: number;
  lower: number;
}

/**
 * Bollinger Bands: middle = SMA(x, n), upper/lower = middle ± k × population std of the same n values.
 * `kDown` (default `k`) sets the lower multiplier separately, like TA-Lib's nbDevUp/nbDevDn.
 * First n-1 values are NaN. Matches TA-Lib BBANDS (MAType SMA) bit for bit, including its
 * running-sum variance (see {@link stddev}). TradingView's `ta.bb` and technicalindicators also use
 * the population deviation, so they agree up to rounding.
 * NaN policy (window family): NaN while the window contains a NaN; recovers after.
 * @example bbands(Float64Array.of(1, 2, 3), 3, 2) // ≈ { middle: [NaN, NaN, 2], upper: [NaN, NaN, 2 + 2 * Math.sqrt(2 / 3)], lower: [NaN, NaN, 2 - 2 * Math.sqrt(2 / 3)] }
 */
export function bbands(
  x: Series,
  n = 20,
  k = 2,
  kDown = k,
  out: Bands = { upper: new Float64Array(x.length), middle: new Float64Array(x.length), lower: new Float64Array(x.length) },
): Bands {
  checkPeriod('bbands', n);
  checkNonNegative('bbands', 'k', k);
  checkNonNegative('bbands', 'kDown', kDown);
  const len = x.length;
  const up = out.upper;
  const mid = out.middle;
  const lo = out.lower;
  let s1 = 0;
  let s2 = 0;
  let nans = 0;
  for (let i = 0; i < len; i++) {
    const v = x[i]!;
    if (v !== v) nans++;
    else {
      s1 += v;
      s2 += v * v;
    }
    const j = i - n + 1;
    if (j < 0) {
      up[i] = mid[i] = lo[i] = NaN;
      continue;
    }
    if (nans === 0) {
      const m = s1 / n;
      const sd = sdFromSums(m, s2 / n, 1);
      mid[i] = m;
      up[i] = m + sd * k;
      lo[i] = m - sd * kDown;
    } else up[i] = mid[i] = lo[i] = NaN;
    const old = x[j]!;
    if (old !== old) nans--;
    else {
      s1 -= old;
      s2 -= old * old;
    }
  }
  return out;
}

/** Streaming twin of {@link bbands}: `update(x)` returns `{ upper, middle, lower }` for the latest value. */
export function bbandsStream(n = 20, k = 2, kDown = k): Stream<number, BandsPoint> {
  checkPeriod('bbandsStream', n);
  checkNonNegative('bbandsStream', 'k', k);
  checkNonNegative('bbandsStream', 'kDown', kDown);
  const win = new Float64Array(n);
  let count = 0;
  let s1 = 0;
  let s2 = 0;
  let nans = 0;
  return {
    update(v: number): BandsPoint {
      if (v !== v) nans++;
      else {
        s1 += v;
        s2 += v * v;
      }
      win[count % n] = v;
      count++;
      if (count < n) return { upper: NaN, middle: NaN, lower: NaN };
      let r: BandsPoint;
      if (nans === 0) {
        const m = s1 / n;
        const sd = sdFromSums(m, s2 / n, 1);
        r = { upper: m + sd * k, middle: m, lower: m - sd * kDown };
      } else r = { upper: NaN, middle: NaN, lower: NaN };
      const old = win[count % n]!;
      if (old !== old) nans--;
      else {
        s1 -= old;
        s2 -= old * old;
      }
      return r;
    },
    reset() {
      count = 0;
      s1 = 0;
      s2 = 0;
      nans = 0;
    },
  };
}

/** Descriptor of {@link bbands} (k for both bands). */
export const bbandsDescriptor = defineIndicator({
  name: 'bbands',
  title: 'Bollinger Bands (SMA ± k population deviations)',
  inputs: [series('x', 'close')],
  params: { n: intParam(20, 1), k: floatParam(2, 0) },
  outputs: ['upper', 'middle', 'lower'],
  warmup: (p) => p.n - 1,
  talib: {
    fn: 'BBANDS',
    options: { n: 'optInTimePeriod', k: ['optInNbDevUp', 'optInNbDevDn'] },
    fixed: { optInMAType: 0 },
    outputs: { upper: 'outRealUpperBand', middle: 'outRealMiddleBand', lower: 'outRealLowerBand' },
  },
  whole: ([x], p) => bbands(x!, p.n, p.k),
  stream: (p) => bbandsStream(p.n, p.k),
});
