import type { Series, Stream } from '../core';
import { checkPeriod } from './kernels/checks';
import { forEachFiniteRun } from './kernels/finite-runs';
import { lagStream } from './kernels/lag-stream';
import { defineIndicator, intParam, series } from './descriptor';

/**
 * Momentum: x[t] − x[t−n]. First n values are NaN. Matches TA-Lib MOM.
 * NaN policy: an output whose window (n+1 bars) contains a NaN is NaN; it recovers after that.
 * @example mom(Float64Array.of(1, 2, 4, 7), 2) // [NaN, NaN, 3, 5]
 */
export function mom(x: Series, n = 10, out: Series = new Float64Array(x.length)): Series {
  checkPeriod('mom', n);
  forEachFiniteRun([x], x.length, [out], (s, e) => {
    const w = Math.min(e, s + n);
    for (let i = s; i < w; i++) out[i] = NaN;
    for (let i = w; i < e; i++) out[i] = x[i]! - x[i - n]!;
  });
  return out;
}

/** Streaming twin of {@link mom}. A NaN input returns NaN and restarts the warm-up. */
export function momStream(n = 10): Stream<number, number> {
  checkPeriod('momStream', n);
  return lagStream(n, (v, old) => v - old);
}

/** Descriptor of {@link mom}. */
export const momDescriptor = defineIndicator({
  name: 'mom',
  title: 'Momentum x[t] − x[t−n]',
  inputs: [series('x', 'close')],
  params: { n: intParam(10, 1) },
  warmup: (p) => p.n,
  talib: { fn: 'MOM', options: { n: 'optInTimePeriod' } },
  whole: ([x], p) => mom(x!, p.n),
  stream: (p) => momStream(p.n),
});
