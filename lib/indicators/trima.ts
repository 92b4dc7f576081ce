import type { Series, Stream } from '../core';
import { checkPeriod } from './kernels/checks';
import { forEachFiniteRun } from './kernels/finite-runs';
import { smaRun, smaRunStream } from './kernels/sma-run';
import { defineIndicator, intParam, series } from './descriptor';

/**
 * Triangular moving average: the SMA of an SMA (odd n: both over (n+1)/2; even n: n/2 then n/2+1),
 * i.e. weights 1,2,..,peak,..,2,1. First n-1 values are NaN. Matches TA-Lib TRIMA (to ~1e-15; TA-Lib
 * updates one triangular numerator, here two running sums).
 * NaN policy: an output whose window (n bars) contains a NaN is NaN; it recovers n bars later.
 * @example trima(Float64Array.of(1, 2, 3, 4, 5), 4) // [NaN, NaN, NaN, 2.5, 3.5]
 */
export function trima(x: Series, n = 30, out: Series = new Float64Array(x.length)): Series {
  checkPeriod('trima', n, 2);
  const [p1, p2] = trimaPeriods(n);
  const tmp = new Float64Array(x.length);
  forEachFiniteRun([x], x.length, [out], (s, e) => {
    smaRun(x, p1, s, e, tmp);
    smaRun(tmp, p2, s + p1 - 1, e, out);
    out.fill(NaN, s, Math.min(e, s + p1 - 1));
  });
  return out;
}

const trimaPeriods = (n: number): [number, number] =>
  n % 2 === 1 ? [(n + 1) / 2, (n + 1) / 2] : [n / 2, n / 2 + 1];

/** Streaming twin of {@link trima}. A NaN input returns NaN and restarts the warm-up. */
export function trimaStream(n = 30): Stream<number, number> {
  checkPeriod('trimaStream', n, 2);
  const [p1, p2] = trimaPeriods(n);
  const a = smaRunStream(p1);
  const b = smaRunStream(p2);
  return {
    update(v: number): number {
      if (v !== v) {
        a.reset();
        b.reset();
        return NaN;
      }
      const m = a.update(v);
      return m !== m ? NaN : b.update(m);
    },
    reset() {
      a.reset();
      b.reset();
    },
  };
}

/** Descriptor of {@link trima}. */
export const trimaDescriptor = defineIndicator({
  name: 'trima',
  title: 'Triangular moving average',
  inputs: [series('x', 'close')],
  params: { n: intParam(30, 2) },
  warmup: (p) => p.n - 1,
  talib: { fn: 'TRIMA', options: { n: 'optInTimePeriod' } },
  whole: ([x], p) => trima(x!, p.n),
  stream: (p) => trimaStream(p.n),
});
