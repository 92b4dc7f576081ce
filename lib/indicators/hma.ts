import type { Series, Stream } from '../core';
import { checkPeriod } from './kernels/checks';
import { forEachFiniteRun } from './kernels/finite-runs';
import { hmaPeriods } from './kernels/hma-periods';
import { wmaRun, wmaRunStream } from './kernels/wma-run';
import { defineIndicator, intParam, series } from './descriptor';

/**
 * Hull moving average: WMA(2·WMA(x, floor(n/2)) − WMA(x, n), floor(sqrt(n))). First n + floor(sqrt(n)) − 2
 * values are NaN. Not in TA-Lib. Both roundings are floor, as TradingView's `ta.hma` does (HMA(9) uses
 * WMA periods 4, 9 and 3; HMA(20) uses 10, 20 and 4).
 * NaN policy: an output whose window (n + floor(sqrt(n)) − 1 bars) contains a NaN is NaN.
 * @example hma(Float64Array.of(1, 2, 3, 4, 5, 6), 4) // [NaN, NaN, NaN, NaN, 5, 6] (linear input is reproduced)
 */
export function hma(x: Series, n = 9, out: Series = new Float64Array(x.length)): Series {
  checkPeriod('hma', n, 2);
  const { half, full, sqrt } = hmaPeriods(n);
  const len = x.length;
  const a = new Float64Array(len);
  const b = new Float64Array(len);
  forEachFiniteRun([x], len, [out], (s, e) => {
    wmaRun(x, half, s, e, a);
    wmaRun(x, full, s, e, b);
    const from = s + full - 1;
    for (let i = from; i < e; i++) a[i] = 2 * a[i]! - b[i]!;
    out.fill(NaN, s, Math.min(e, from));
    if (from < e) wmaRun(a, sqrt, from, e, out);
  });
  return out;
}

/** Streaming twin of {@link hma}. A NaN input returns NaN and restarts the warm-up. */
export function hmaStream(n = 9): Stream<number, number> {
  checkPeriod('hmaStream', n, 2);
  const { half, full, sqrt } = hmaPeriods(n);
  const a = wmaRunStream(half);
  const b = wmaRunStream(full);
  const c = wmaRunStream(sqrt);
  const reset = (): void => {
    a.reset();
    b.reset();
    c.reset();
  };
  return {
    update(v: number): number {
      if (v !== v) {
        reset();
        return NaN;
      }
      const wa = a.update(v);
      const wb = b.update(v);
      if (wb !== wb) return NaN;
      return c.update(2 * wa - wb);
    },
    reset,
  };
}

/** Descriptor of {@link hma}. */
export const hmaDescriptor = defineIndicator({
  name: 'hma',
  title: 'Hull moving average',
  inputs: [series('x', 'close')],
  params: { n: intParam(9, 2) },
  warmup: (p) => p.n + Math.floor(Math.sqrt(p.n)) - 2,
  whole: ([x], p) => hma(x!, p.n),
  stream: (p) => hmaStream(p.n),
});
