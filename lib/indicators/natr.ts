import { check, type Bar, type Series, type Stream } from '../core';
import { atr, atrStream } from './atr';
import { checkPeriod } from './kernels/checks';
import { defineIndicator, intParam } from './descriptor';

/**
 * Normalised ATR: ATR(n) / close * 100 (percent of price). First n values are NaN. Matches TA-Lib NATR.
 * NaN policy: as {@link atr}; also NaN where close is NaN or 0 (TA-Lib writes 0 for a zero close).
 * n = 1 gives TR / close * 100 (TA-Lib's NATR returns the raw true range for n = 1, unnormalised).
 * @example
 * const h = Float64Array.of(10, 12, 13, 12), l = Float64Array.of(8, 11, 11, 10), c = Float64Array.of(9, 11.5, 12, 11);
 * natr(h, l, c, 2) // [NaN, NaN, 2.5 / 12 * 100, 2.25 / 11 * 100]
 */
export function natr(high: Series, low: Series, close: Series, n = 14, out: Series = new Float64Array(high.length)): Series {
  checkPeriod('natr', n);
  check(out !== close, 'natr: out must not be the close array (close is read after the ATR is written)');
  atr(high, low, close, n, out);
  const len = out.length;
  for (let i = 0; i < len; i++) out[i] = normalise(out[i]!, close[i]!);
  return out;
}

const normalise = (a: number, c: number): number => (c === 0 ? NaN : (a / c) * 100);

/** Streaming twin of {@link natr}. */
export function natrStream(n = 14): Stream<Bar, number> {
  checkPeriod('natrStream', n);
  const a = atrStream(n);
  return {
    update(bar: Bar): number {
      return normalise(a.update(bar), bar.close);
    },
    reset() {
      a.reset();
    },
  };
}

/** Descriptor of {@link natr}. */
export const natrDescriptor = defineIndicator({
  name: 'natr',
  title: "Normalised ATR, percent of close",
  inputs: ['high', 'low', 'close'],
  params: { n: intParam(14, 1) },
  warmup: (p) => p.n,
  talib: { fn: 'NATR', options: { n: 'optInTimePeriod' } },
  whole: ([h, l, c], p) => natr(h!, l!, c!, p.n),
  stream: (p) => natrStream(p.n),
});
