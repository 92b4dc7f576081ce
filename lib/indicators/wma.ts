import type { Series, Stream } from '../core';
import { checkPeriod } from './kernels/checks';
import { forEachFiniteRun } from './kernels/finite-runs';
import { wmaRun, wmaRunStream } from './kernels/wma-run';
import { defineIndicator, intParam, series } from './descriptor';

/**
 * Linearly weighted moving average over `n` values (weights 1..n, newest heaviest). First n-1 values
 * are NaN. Matches TA-Lib WMA (same running-sum arithmetic). technicalindicators' WMA returns only the
 * defined values (a shorter array); here the output is aligned with the input.
 * NaN policy: an output whose window contains a NaN is NaN; the average recovers n bars later.
 * @example wma(Float64Array.of(1, 2, 3, 4), 3) // [NaN, NaN, 14/6, 20/6]
 */
export function wma(x: Series, n = 30, out: Series = new Float64Array(x.length)): Series {
  checkPeriod('wma', n, 2);
  forEachFiniteRun([x], x.length, [out], (s, e) => wmaRun(x, n, s, e, out));
  return out;
}

/** Streaming twin of {@link wma}. A NaN input returns NaN and restarts the warm-up. */
export function wmaStream(n = 30): Stream<number, number> {
  checkPeriod('wmaStream', n, 2);
  return wmaRunStream(n);
}

/** Descriptor of {@link wma}. */
export const wmaDescriptor = defineIndicator({
  name: 'wma',
  title: 'Linearly weighted moving average',
  inputs: [series('x', 'close')],
  params: { n: intParam(30, 2) },
  warmup: (p) => p.n - 1,
  talib: { fn: 'WMA', options: { n: 'optInTimePeriod' } },
  whole: ([x], p) => wma(x!, p.n),
  stream: (p) => wmaStream(p.n),
});
