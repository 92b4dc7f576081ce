import type { Series, Stream } from '../core';
import { checkPeriod } from './kernels/checks';
import { emaWithAlpha, emaWithAlphaStream } from './kernels/ema-alpha';
import { defineIndicator, intParam, series } from './descriptor';

/**
 * Exponential moving average, alpha = 2/(n+1), seeded with the SMA of the first n values (TA-Lib's
 * default). First n-1 values are NaN. Matches TA-Lib EMA. (technicalindicators and TradingView seed
 * the same way; pandas' ewm(adjust=False) seeds with the first value instead.)
 * NaN policy: leading NaNs are skipped (the seed starts at the first finite value); a NaN after the
 * seed makes that output NaN and the average carries on from the last finite state.
 * @example ema(Float64Array.of(1, 2, 3, 4), 2) // [NaN, 1.5, 2.5, 3.5]
 */
export function ema(x: Series, n: number, out: Series = new Float64Array(x.length)): Series {
  checkPeriod('ema', n);
  return emaWithAlpha(x, n, 2 / (n + 1), out);
}

/** Streaming twin of {@link ema}. */
export function emaStream(n: number): Stream<number, number> {
  checkPeriod('emaStream', n);
  return emaWithAlphaStream(n, 2 / (n + 1));
}

/** Descriptor of {@link ema}. */
export const emaDescriptor = defineIndicator({
  name: 'ema',
  title: 'Exponential moving average (SMA-seeded)',
  inputs: [series('x', 'close')],
  params: { n: intParam(20, 1) },
  warmup: (p) => p.n - 1,
  talib: { fn: 'EMA', options: { n: 'optInTimePeriod' } },
  whole: ([x], p) => ema(x!, p.n),
  stream: (p) => emaStream(p.n),
});
