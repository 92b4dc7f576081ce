import type { Series, Stream } from '../core';
import { checkNonNegative, checkPeriod } from './kernels/checks';
import { sdFromSums } from './kernels/sd-from-sums';
import { defineIndicator, floatParam, intParam, series } from './descriptor';

/**
 * Population standard deviation of the last n values, times `nbdev`. First n-1 values are NaN.
 * Matches TA-Lib STDDEV bit for bit: it uses TA-Lib's running sums, var = mean(x²) - mean(x)², so it
 * inherits their rounding (on BTCUSDT 1h closes, n=5, up to ~4e-6 relative from the exact value; a
 * variance below 1e-14 is reported as 0). For a numerically careful rolling deviation use
 * {@link rollingStd} in ./rolling. pandas' `rolling(n).std()` is the sample (n-1) deviation.
 * NaN policy (window family): an output is NaN while its window contains a NaN; it recovers after.
 * @example stddev(Float64Array.of(2, 4, 4, 4, 5, 5, 7, 9), 8) // [NaN, NaN, NaN, NaN, NaN, NaN, NaN, 2]
 */
export function stddev(x: Series, n = 5, nbdev = 1, out: Series = new Float64Array(x.length)): Series {
  checkPeriod('stddev', n);
  checkNonNegative('stddev', 'nbdev', nbdev);
  const len = x.length;
  let s1 = 0; // running sum of the finite values in the window (TA-Lib's periodTotal1)
  let s2 = 0; // running sum of their squares (periodTotal2)
  let nans = 0;
  for (let i = 0; i < len; i++) {
    const v = x[i]!;
    if (v !== v) nans++;
    else {
      s1 += v;
      s2 += v * v;
    }
    const j = i - n + 1; // first index of the window ending at i
    let r = NaN;
    if (j >= 0) {
      if (nans === 0) r = sdFromSums(s1 / n, s2 / n, nbdev);
      const old = x[j]!;
      if (old !== old) nans--;
      else {
        s1 -= old;
        s2 -= old * old;
      }
    }
    out[i] = r;
  }
  return out;
}

/** Streaming twin of {@link stddev} (same running sums, so equal bit for bit). */
export function stddevStream(n = 5, nbdev = 1): Stream<number, number> {
  checkPeriod('stddevStream', n);
  checkNonNegative('stddevStream', 'nbdev', nbdev);
  const win = new Float64Array(n);
  let count = 0;
  let s1 = 0;
  let s2 = 0;
  let nans = 0;
  return {
    update(v: number): number {
      if (v !== v) nans++;
      else {
        s1 += v;
        s2 += v * v;
      }
      const slot = count % n;
      win[slot] = v;
      count++;
      if (count < n) return NaN;
      const r = nans === 0 ? sdFromSums(s1 / n, s2 / n, nbdev) : NaN;
      const old = win[count % n]!; // the oldest value, which leaves before the next update
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

/** Descriptor of {@link stddev}. */
export const stddevDescriptor = defineIndicator({
  name: 'stddev',
  title: 'Population standard deviation × nbdev (TA-Lib running sums)',
  inputs: [series('x', 'close')],
  params: { n: intParam(5, 1), nbdev: floatParam(1, 0) },
  warmup: (p) => p.n - 1,
  talib: { fn: 'STDDEV', options: { n: 'optInTimePeriod', nbdev: 'optInNbDev' } },
  whole: ([x], p) => stddev(x!, p.n, p.nbdev),
  stream: (p) => stddevStream(p.n, p.nbdev),
});
