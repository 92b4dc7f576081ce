import type { Series, Stream } from '../core';
import { checkPeriod } from './kernels/checks';
import { forEachFiniteRun } from './kernels/finite-runs';
import { lagStream } from './kernels/lag-stream';
import { defineIndicator, intParam, series } from './descriptor';

/**
 * Rate of change in percent: (x[t]/x[t−n] − 1)·100 (0 when x[t−n] is 0). First n values are NaN.
 * Matches TA-Lib ROC (technicalindicators' ROC computes the same but returns a shorter array).
 * NaN policy: an output whose window (n+1 bars) contains a NaN is NaN; it recovers after that.
 * @example roc(Float64Array.of(100, 110, 121), 1) // ≈ [NaN, 10, 10] (to rounding)
 */
export function roc(x: Series, n = 10, out: Series = new Float64Array(x.length)): Series {
  checkPeriod('roc', n);
  forEachFiniteRun([x], x.length, [out], (s, e) => {
    const w = Math.min(e, s + n);
    for (let i = s; i < w; i++) out[i] = NaN;
    for (let i = w; i < e; i++) {
      const old = x[i - n]!;
      out[i] = old !== 0.0 ? (x[i]! / old - 1.0) * 100.0 : 0.0;
    }
  });
  return out;
}

/** Streaming twin of {@link roc}. A NaN input returns NaN and restarts the warm-up. */
export function rocStream(n = 10): Stream<number, number> {
  checkPeriod('rocStream', n);
  return lagStream(n, (v, old) => (old !== 0.0 ? (v / old - 1.0) * 100.0 : 0.0));
}

/** Descriptor of {@link roc}. */
export const rocDescriptor = defineIndicator({
  name: 'roc',
  title: 'Rate of change, percent',
  inputs: [series('x', 'close')],
  params: { n: intParam(10, 1) },
  warmup: (p) => p.n,
  talib: { fn: 'ROC', options: { n: 'optInTimePeriod' } },
  whole: ([x], p) => roc(x!, p.n),
  stream: (p) => rocStream(p.n),
});
