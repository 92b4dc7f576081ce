import type { Series, Stream } from '../core';
import { checkPeriod } from './kernels/checks';
import { emaWithAlpha, emaWithAlphaStream } from './kernels/ema-alpha';
import { defineIndicator, intParam, series } from './descriptor';

/**
 * TRIX: one-bar rate of change, in percent, of a triple-smoothed EMA (EMA(EMA(EMA(x)))), each EMA
 * SMA-seeded. First 3n-2 values are NaN. Matches TA-Lib TRIX (a previous value of 0 gives 0). n >= 2
 * (TA-Lib crashes on n = 1).
 * technicalindicators' TRIX returns a shorter array.
 * NaN policy: as {@link ema}: a NaN after the warm-up gives NaN at that bar; the next bar's change is
 * taken against the last finite triple EMA.
 * @example trix(Float64Array.of(5, 5, 5, 5, 5), 2) // [NaN, NaN, NaN, NaN, 0] (3n−2 = 4 warm-up NaNs)
 */
export function trix(x: Series, n = 30, out: Series = new Float64Array(x.length)): Series {
  checkPeriod('trix', n, 2);
  const alpha = 2 / (n + 1);
  const e1 = emaWithAlpha(x, n, alpha);
  const e3 = emaWithAlpha(emaWithAlpha(e1, n, alpha, e1), n, alpha, e1); // in place (emaWithAlpha reads x[i] before writing out[i])
  // the previous finite triple EMA is carried as its index: an integer loop variable stays unboxed
  // whichever tier V8 runs this loop in (a carried double may be boxed per bar: see kernels/blocks.ts)
  let last = -1;
  for (let i = 0; i < x.length; i++) {
    const v = e3[i]!;
    if (v !== v) {
      out[i] = NaN;
      continue;
    }
    const prev = last < 0 ? NaN : e3[last]!;
    out[i] = prev !== prev ? NaN : prev !== 0.0 ? (v / prev - 1.0) * 100.0 : 0.0;
    last = i;
  }
  return out;
}

/** Streaming twin of {@link trix}. */
export function trixStream(n = 30): Stream<number, number> {
  checkPeriod('trixStream', n, 2);
  const alpha = 2 / (n + 1);
  const a = emaWithAlphaStream(n, alpha);
  const b = emaWithAlphaStream(n, alpha);
  const c = emaWithAlphaStream(n, alpha);
  let prev = NaN;
  return {
    update(x: number): number {
      const v = c.update(b.update(a.update(x)));
      if (v !== v) return NaN;
      const r = prev !== prev ? NaN : prev !== 0.0 ? (v / prev - 1.0) * 100.0 : 0.0;
      prev = v;
      return r;
    },
    reset() {
      a.reset();
      b.reset();
      c.reset();
      prev = NaN;
    },
  };
}

/** Descriptor of {@link trix}. */
export const trixDescriptor = defineIndicator({
  name: 'trix',
  title: 'TRIX: 1-bar rate of change of a triple EMA, percent',
  inputs: [series('x', 'close')],
  params: { n: intParam(30, 2) },
  warmup: (p) => 3 * p.n - 2,
  talib: { fn: 'TRIX', options: { n: 'optInTimePeriod' } },
  whole: ([x], p) => trix(x!, p.n),
  stream: (p) => trixStream(p.n),
});
