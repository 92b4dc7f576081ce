import type { Bar, Series, Stream } from '../core';
import { checkLengths, checkPeriod } from './kernels/checks';
import { forEachFiniteRun } from './kernels/finite-runs';
import { MonotonicWindow } from './kernels/monotonic-window';
import { defineIndicator, intParam } from './descriptor';

/** Aroon lines: `up`, `down` in [0, 100] and `osc` = up − down in [−100, 100]. */
export interface AroonResult {
  up: Float64Array;
  down: Float64Array;
  osc: Float64Array;
}

/**
 * Aroon: up = 100·(n − bars since the highest high)/n, down likewise with the lowest low, over the last
 * n+1 bars (ties go to the most recent bar); osc = up − down. First n values are NaN. Matches TA-Lib
 * AROON (aroonup/aroondown) and AROONOSC. technicalindicators has no Aroon; TradingView's uses the same
 * n+1 bar window.
 * NaN policy: an output whose window contains a bar with a NaN high or low is NaN.
 * @example aroon(Float64Array.of(1, 3, 2), Float64Array.of(0, 2, 1), 2) // { up: [NaN, NaN, 50], down: [NaN, NaN, 0], osc: [NaN, NaN, 50] }
 */
export function aroon(high: Series, low: Series, n = 14): AroonResult {
  checkPeriod('aroon', n, 2);
  const len = checkLengths('aroon', { high, low });
  const up = new Float64Array(len);
  const down = new Float64Array(len);
  const osc = new Float64Array(len);
  const factor = 100.0 / n;
  const qh = new Int32Array(len);
  const ql = new Int32Array(len);
  forEachFiniteRun([high, low], len, [up, down, osc], (s, e) => {
    let hh = 0;
    let ht = 0;
    let lh = 0;
    let lt = 0;
    for (let i = s; i < e; i++) {
      const h = high[i]!;
      const l = low[i]!;
      while (ht > hh && high[qh[ht - 1]!]! <= h) ht--;
      qh[ht++] = i;
      if (qh[hh]! < i - n) hh++;
      while (lt > lh && low[ql[lt - 1]!]! >= l) lt--;
      ql[lt++] = i;
      if (ql[lh]! < i - n) lh++;
      if (i - s < n) {
        up[i] = NaN;
        down[i] = NaN;
        osc[i] = NaN;
        continue;
      }
      const hi = qh[hh]!;
      const lo = ql[lh]!;
      up[i] = factor * (n - (i - hi));
      down[i] = factor * (n - (i - lo));
      osc[i] = factor * (hi - lo);
    }
  });
  return { up, down, osc };
}

/** One Aroon reading. */
export interface AroonValue {
  up: number;
  down: number;
  osc: number;
}

/**
 * Streaming twin of {@link aroon}: returns a fresh `{ up, down, osc }` per bar (NaN fields while warming
 * up). A bar with a NaN high or low returns NaNs and restarts the warm-up.
 */
export function aroonStream(n = 14): Stream<Bar, AroonValue> {
  checkPeriod('aroonStream', n, 2);
  const factor = 100.0 / n;
  const hw = new MonotonicWindow(n + 1, 'max');
  const lw = new MonotonicWindow(n + 1, 'min');
  const reset = (): void => {
    hw.reset();
    lw.reset();
  };
  return {
    update(b: Bar): AroonValue {
      const h = b.high;
      const l = b.low;
      if (h !== h || l !== l) {
        reset();
        return { up: NaN, down: NaN, osc: NaN };
      }
      hw.push(h);
      lw.push(l);
      if (hw.length <= n) return { up: NaN, down: NaN, osc: NaN };
      const ah = hw.age;
      const al = lw.age;
      return { up: factor * (n - ah), down: factor * (n - al), osc: factor * (al - ah) };
    },
    reset,
  };
}

/** Descriptor of {@link aroon}. */
export const aroonDescriptor = defineIndicator({
  name: 'aroon',
  title: 'Aroon up, down and oscillator',
  inputs: ['high', 'low'],
  params: { n: intParam(14, 2) },
  outputs: ['up', 'down', 'osc'],
  warmup: (p) => p.n,
  talib: [
    { fn: 'AROON', options: { n: 'optInTimePeriod' }, outputs: { up: 'outAroonUp', down: 'outAroonDown' } },
    { fn: 'AROONOSC', options: { n: 'optInTimePeriod' }, outputs: { osc: 'outReal' } },
  ],
  whole: ([h, l], p) => aroon(h!, l!, p.n),
  stream: (p) => aroonStream(p.n),
});
