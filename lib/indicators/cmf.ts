import type { Bar, Series, Stream } from '../core';
import { checkLengths, checkPeriod } from './kernels/checks';
import { moneyFlowVolume } from './kernels/money-flow';
import { defineIndicator, intParam } from './descriptor';

/**
 * Chaikin money flow: sum of money-flow volume over the last n bars / sum of volume over them
 * (money-flow volume as TA-Lib's AD: 0 for a bar with high == low). First n-1 values are NaN.
 * TA-Lib has no CMF; TradingView's built-in CMF uses the same formula. The sums are re-computed from
 * the window every n bars, so they never drift. A window with zero total volume gives NaN.
 * NaN policy (window family): NaN while the window contains a bar with a NaN input; recovers after.
 * @example
 * const h = Float64Array.of(10, 12), l = Float64Array.of(8, 10), c = Float64Array.of(9.5, 10.5), v = Float64Array.of(100, 50);
 * cmf(h, l, c, v, 2) // [NaN, (50 - 25) / 150] (money-flow volume [50, -25])
 */
export function cmf(
  high: Series,
  low: Series,
  close: Series,
  volume: Series,
  n = 20,
  out: Series = new Float64Array(high.length),
): Series {
  checkPeriod('cmf', n);
  checkLengths('cmf', { high, low, close, volume });
  const len = high.length;
  let sm = 0;
  let sv = 0;
  let nans = 0;
  let valid = false;
  let since = 0;
  for (let i = 0; i < len; i++) {
    const m = moneyFlowVolume(high[i]!, low[i]!, close[i]!, volume[i]!);
    if (m !== m) nans++;
    const j = i - n;
    let mj = 0;
    if (j >= 0) {
      mj = moneyFlowVolume(high[j]!, low[j]!, close[j]!, volume[j]!);
      if (mj !== mj) nans--;
    }
    if (i < n - 1 || nans > 0) {
      out[i] = NaN;
      valid = false;
      continue;
    }
    if (!valid || since >= n) {
      sm = 0;
      sv = 0;
      for (let t = i - n + 1; t <= i; t++) {
        sm += moneyFlowVolume(high[t]!, low[t]!, close[t]!, volume[t]!);
        sv += volume[t]!;
      }
      valid = true;
      since = 0;
    } else {
      sm += m - mj;
      sv += volume[i]! - volume[j]!;
      since++;
    }
    out[i] = sm / sv;
  }
  return out;
}

/** Streaming twin of {@link cmf} (same window and re-computation schedule: equal bit for bit). */
export function cmfStream(n = 20): Stream<Bar, number> {
  checkPeriod('cmfStream', n);
  const mw = new Float64Array(n);
  const vw = new Float64Array(n);
  let count = 0;
  let sm = 0;
  let sv = 0;
  let nans = 0;
  let valid = false;
  let since = 0;
  return {
    update(bar: Bar): number {
      const m = moneyFlowVolume(bar.high, bar.low, bar.close, bar.volume);
      const v = bar.volume;
      const slot = count % n;
      const mj = mw[slot]!;
      const vj = vw[slot]!;
      if (m !== m) nans++;
      if (count >= n && mj !== mj) nans--;
      mw[slot] = m;
      vw[slot] = v;
      count++;
      if (count < n || nans > 0) {
        valid = false;
        return NaN;
      }
      if (!valid || since >= n) {
        sm = 0;
        sv = 0;
        for (let t = 0; t < n; t++) {
          const k = (count + t) % n;
          sm += mw[k]!;
          sv += vw[k]!;
        }
        valid = true;
        since = 0;
      } else {
        sm += m - mj;
        sv += v - vj;
        since++;
      }
      return sm / sv;
    },
    reset() {
      count = 0;
      nans = 0;
      valid = false;
      since = 0;
    },
  };
}

/** Descriptor of {@link cmf}. */
export const cmfDescriptor = defineIndicator({
  name: 'cmf',
  title: 'Chaikin money flow',
  inputs: ['high', 'low', 'close', 'volume'],
  params: { n: intParam(20, 1) },
  warmup: (p) => p.n - 1,
  whole: ([h, l, c, v], p) => cmf(h!, l!, c!, v!, p.n),
  stream: (p) => cmfStream(p.n),
});
