import type { Series, Stream } from '../core';
import { checkPeriod } from './kernels/checks';
import { emaWithAlpha, emaWithAlphaStream } from './kernels/ema-alpha';
import { defineIndicator, intParam, series } from './descriptor';

/**
 * Triple exponential moving average: 3·EMA − 3·EMA(EMA) + EMA(EMA(EMA)), each EMA SMA-seeded. First
 * 3n-3 values are NaN. Matches TA-Lib TEMA. (technicalindicators' TEMA returns a shorter array.)
 * NaN policy: as {@link ema}: a NaN after the warm-up gives NaN at that bar and the averages carry on.
 * @example tema(Float64Array.of(1, 2, 3, 4, 5, 6), 2) // [NaN, NaN, NaN, 4, 5, 6] (linear input is reproduced)
 */
export function tema(x: Series, n = 30, out: Series = new Float64Array(x.length)): Series {
  checkPeriod('tema', n, 2);
  const alpha = 2 / (n + 1);
  const e1 = emaWithAlpha(x, n, alpha);
  const e2 = emaWithAlpha(e1, n, alpha);
  const e3 = emaWithAlpha(e2, n, alpha);
  for (let i = 0; i < x.length; i++) out[i] = e3[i]! + (3.0 * e1[i]! - 3.0 * e2[i]!);
  return out;
}

/** Streaming twin of {@link tema}. */
export function temaStream(n = 30): Stream<number, number> {
  checkPeriod('temaStream', n, 2);
  const alpha = 2 / (n + 1);
  const a = emaWithAlphaStream(n, alpha);
  const b = emaWithAlphaStream(n, alpha);
  const c = emaWithAlphaStream(n, alpha);
  return {
    update(v: number): number {
      const e1 = a.update(v);
      const e2 = b.update(e1);
      return c.update(e2) + (3.0 * e1 - 3.0 * e2);
    },
    reset() {
      a.reset();
      b.reset();
      c.reset();
    },
  };
}

/** Descriptor of {@link tema}. */
export const temaDescriptor = defineIndicator({
  name: 'tema',
  title: 'Triple exponential moving average',
  inputs: [series('x', 'close')],
  params: { n: intParam(30, 2) },
  warmup: (p) => 3 * p.n - 3,
  talib: { fn: 'TEMA', options: { n: 'optInTimePeriod' } },
  whole: ([x], p) => tema(x!, p.n),
  stream: (p) => temaStream(p.n),
});
