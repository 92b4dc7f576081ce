import type { Bar, Series, Stream } from '../core';
import { checkLengths, checkPeriod } from './kernels/checks';
import { forEachFiniteRun } from './kernels/finite-runs';
import { defineIndicator, intParam } from './descriptor';

/**
 * Commodity channel index: (tp − SMA(tp)) / (0.015 · mean absolute deviation of tp) over n bars, tp =
 * (high+low+close)/3 (0 when either the deviation or the numerator is 0). First n-1 values are NaN.
 * Matches TA-Lib CCI (same summation order). technicalindicators' CCI returns a shorter array.
 * The mean deviation has no running form: O(n) work per bar.
 * NaN policy: an output whose window contains a bar with a NaN high, low or close is NaN.
 * @example cci(Float64Array.of(1, 2, 3), Float64Array.of(1, 2, 3), Float64Array.of(1, 2, 3), 3) // ≈ [NaN, NaN, 100]
 */
export function cci(high: Series, low: Series, close: Series, n = 14, out: Series = new Float64Array(close.length)): Series {
  checkPeriod('cci', n, 2);
  const len = checkLengths('cci', { high, low, close });
  const buf = new Float64Array(n);
  forEachFiniteRun([high, low, close], len, [out], (s, e) => {
    let slot = 0;
    for (let i = s; i < e; i++) {
      const tp = (high[i]! + low[i]! + close[i]!) / 3;
      buf[slot] = tp;
      slot = slot + 1 === n ? 0 : slot + 1;
      out[i] = i - s >= n - 1 ? cciOf(buf, n, tp) : NaN;
    }
  });
  return out;
}

function cciOf(buf: Float64Array, n: number, last: number): number {
  let avg = 0;
  for (let j = 0; j < n; j++) avg += buf[j]!;
  avg /= n;
  let dev = 0;
  for (let j = 0; j < n; j++) dev += Math.abs(buf[j]! - avg);
  const num = last - avg;
  return num !== 0.0 && dev !== 0.0 ? num / (0.015 * (dev / n)) : 0.0;
}

/** Streaming twin of {@link cci}. A bar with a NaN high, low or close returns NaN and restarts the warm-up. */
export function cciStream(n = 14): Stream<Bar, number> {
  checkPeriod('cciStream', n, 2);
  const buf = new Float64Array(n);
  let count = 0;
  return {
    update(b: Bar): number {
      const tp = (b.high + b.low + b.close) / 3;
      if (tp !== tp) {
        count = 0;
        return NaN;
      }
      buf[count % n] = tp;
      count++;
      return count >= n ? cciOf(buf, n, tp) : NaN;
    },
    reset() {
      count = 0;
    },
  };
}

/** Descriptor of {@link cci}. */
export const cciDescriptor = defineIndicator({
  name: 'cci',
  title: "Commodity channel index",
  inputs: ['high', 'low', 'close'],
  params: { n: intParam(14, 2) },
  warmup: (p) => p.n - 1,
  talib: { fn: 'CCI', options: { n: 'optInTimePeriod' } },
  whole: ([h, l, c], p) => cci(h!, l!, c!, p.n),
  stream: (p) => cciStream(p.n),
});
