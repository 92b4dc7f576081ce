import type { Series, Stream } from '../core';
import { checkPeriod } from './kernels/checks';
import { emaWithAlpha, emaWithAlphaStream } from './kernels/ema-alpha';
import { defineIndicator, intParam, series } from './descriptor';

/**
 * Double exponential moving average: 2·EMA(x) − EMA(EMA(x)), each EMA SMA-seeded. First 2n-2 values are
 * NaN. Matches TA-Lib DEMA. (technicalindicators' DEMA seeds the same way but returns a shorter array.)
 * NaN policy: as {@link ema}: a NaN after the warm-up gives NaN at that bar and the averages carry on.
 * @example dema(Float64Array.of(1, 2, 3, 4, 5), 2) // [NaN, NaN, 3, 4, 5] (linear input is reproduced)
 */
export function dema(x: Series, n = 30, out: Series = new Float64Array(x.length)): Series {
  checkPeriod('dema', n, 2);
  const alpha = 2 / (n + 1);
  const e1 = emaWithAlpha(x, n, alpha);
  const e2 = emaWithAlpha(e1, n, alpha);
  for (let i = 0; i < x.length; i++) out[i] = 2.0 * e1[i]! - e2[i]!;
  return out;
}

/** Streaming twin of {@link dema}. */
export function demaStream(n = 30): Stream<number, number> {
  checkPeriod('demaStream', n, 2);
  const alpha = 2 / (n + 1);
  const a = emaWithAlphaStream(n, alpha);
  const b = emaWithAlphaStream(n, alpha);
  return {
    update(v: number): number {
      const e1 = a.update(v);
      return 2.0 * e1 - b.update(e1);
    },
    reset() {
      a.reset();
      b.reset();
    },
  };
}

/** Descriptor of {@link dema}. */
export const demaDescriptor = defineIndicator({
  name: 'dema',
  title: 'Double exponential moving average',
  inputs: [series('x', 'close')],
  params: { n: intParam(30, 2) },
  warmup: (p) => 2 * p.n - 2,
  talib: { fn: 'DEMA', options: { n: 'optInTimePeriod' } },
  whole: ([x], p) => dema(x!, p.n),
  stream: (p) => demaStream(p.n),
});
