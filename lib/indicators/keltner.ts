import type { Bar, Series, Stream } from '../core';
import { atr, atrStream } from './atr';
import type { Bands, BandsPoint } from './bbands';
import { ema, emaStream } from './ema';
import { checkLengths, checkNonNegative, checkPeriod } from './kernels/checks';
import { defineIndicator, floatParam, intParam } from './descriptor';

/**
 * Keltner channel: middle = EMA(close, n), upper/lower = middle ± mult × ATR(atrN) (Wilder ATR as
 * {@link atr}). First max(n-1, atrN) values are NaN. TA-Lib has no Keltner.
 * Variants differ: this is the StockCharts/Raschke form (EMA 20, ATR 10, ×2). TradingView's built-in
 * "KC" uses the same n for an EMA of the true range (not Wilder, same length as the middle), and
 * Keltner's 1960 original used a 10-day SMA of the typical price ± the SMA of high − low.
 * NaN policy: NaN where the EMA or the ATR is NaN (each follows its own recursive-family rule).
 * @example
 * const h = Float64Array.of(10, 12, 13, 12), l = Float64Array.of(8, 11, 11, 10), c = Float64Array.of(9, 11.5, 12, 11);
 * const k = keltner(h, l, c, 2, 1, 2); // ATR(2) = [NaN, NaN, 2.5, 2.25], EMA(2) seeded with the mean of the first 2 closes
 * k.middle[2] // ≈ 10.25 + 1.75 * 2 / 3 (seed 10.25, then α = 2/3 towards the close 12)
 * k.upper[2] - k.middle[2] // 2.5 (mult × ATR)
 */
export function keltner(high: Series, low: Series, close: Series, n = 20, mult = 2, atrN = 10): Bands {
  checkPeriod('keltner', n);
  checkPeriod('keltner', atrN);
  checkNonNegative('keltner', 'mult', mult);
  checkLengths('keltner', { high, low, close });
  const len = high.length;
  const middle = ema(close, n);
  const upper = atr(high, low, close, atrN);
  const lower = new Float64Array(len);
  for (let i = 0; i < len; i++) {
    const m = middle[i]!;
    const w = mult * upper[i]!;
    upper[i] = m + w;
    lower[i] = m - w;
    if (w !== w) middle[i] = NaN; // keep the three outputs NaN together
  }
  return { upper, middle, lower };
}

/** Streaming twin of {@link keltner}: `update(bar)` returns `{ upper, middle, lower }` (fresh object). */
export function keltnerStream(n = 20, mult = 2, atrN = 10): Stream<Bar, BandsPoint> {
  checkPeriod('keltnerStream', n);
  checkPeriod('keltnerStream', atrN);
  checkNonNegative('keltnerStream', 'mult', mult);
  const e = emaStream(n);
  const a = atrStream(atrN);
  return {
    update(bar: Bar): BandsPoint {
      let m = e.update(bar.close);
      const w = mult * a.update(bar);
      const upper = m + w;
      const lower = m - w;
      if (w !== w) m = NaN;
      return { upper, middle: m, lower };
    },
    reset() {
      e.reset();
      a.reset();
    },
  };
}

/** Descriptor of {@link keltner}. */
export const keltnerDescriptor = defineIndicator({
  name: 'keltner',
  title: 'Keltner channel: EMA(close) ± mult × ATR',
  inputs: ['high', 'low', 'close'],
  params: { n: intParam(20, 1), mult: floatParam(2, 0), atrN: intParam(10, 1) },
  outputs: ['upper', 'middle', 'lower'],
  warmup: (p) => Math.max(p.n - 1, p.atrN),
  whole: ([h, l, c], p) => keltner(h!, l!, c!, p.n, p.mult, p.atrN),
  stream: (p) => keltnerStream(p.n, p.mult, p.atrN),
});
