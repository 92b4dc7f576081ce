import type { Series, Stream } from '../core';
import { BLOCK } from './kernels/blocks';
import { checkPeriod } from './kernels/checks';
import { defineIndicator, intParam, series } from './descriptor';

const EPS = 1e-14; // TA-Lib's "is zero" threshold

/**
 * Wilder's relative strength index: 100·avgGain/(avgGain+avgLoss), averages seeded with the mean of the
 * first n changes, then Wilder-smoothed (alpha 1/n). First n values are NaN. Matches TA-Lib RSI (0 when
 * both averages are ~0). TradingView's `ta.rsi` is the same recursion (its RMA is SMA-seeded);
 * technicalindicators' RSI returns a shorter array rounded to 2 decimals.
 * NaN policy: a NaN bar gives NaN and is skipped, as {@link ema} does: the next change is taken against
 * the last finite value.
 * @example rsi(Float64Array.of(1, 2, 1, 2), 2) // [NaN, NaN, 50, 75]
 */
export function rsi(x: Series, n = 14, out: Series = new Float64Array(x.length)): Series {
  checkPeriod('rsi', n, 2);
  const len = x.length;
  let c = 0; // finite values seen before this one
  let prev = 0;
  let gain = 0;
  let loss = 0;
  let i = 0;
  // warm-up: the first finite value, then n changes
  for (; i < len && c <= n; i++) {
    const v = x[i]!;
    out[i] = NaN;
    if (v !== v) continue;
    if (c > 0) {
      const d = v - prev;
      if (d < 0) loss -= d;
      else gain += d;
    }
    prev = v;
    c++;
    if (c > n) {
      loss /= n;
      gain /= n;
      const t = gain + loss;
      out[i] = t > -EPS && t < EPS ? 0.0 : 100.0 * (gain / t);
    }
  }
  const st = Float64Array.of(prev, gain, loss);
  for (let s = i; s < len; s += BLOCK) rsiBlock(x, n, s, s + BLOCK < len ? s + BLOCK : len, out, st);
  return out;
}

/** The recursion of {@link rsi} after its warm-up, over [s, e); st = [previous value, avg gain, avg loss] (blocks: see kernels/blocks.ts). */
function rsiBlock(x: Series, n: number, s: number, e: number, out: Series, st: Float64Array): void {
  const m = n - 1;
  let prev = st[0]!;
  let gain = st[1]!;
  let loss = st[2]!;
  for (let i = s; i < e; i++) {
    const v = x[i]!;
    if (v !== v) {
      out[i] = NaN;
      continue;
    }
    const d = v - prev;
    prev = v;
    loss *= m;
    gain *= m;
    if (d < 0) loss -= d;
    else gain += d;
    loss /= n;
    gain /= n;
    const t = gain + loss;
    out[i] = t > -EPS && t < EPS ? 0.0 : 100.0 * (gain / t);
  }
  st[0] = prev;
  st[1] = gain;
  st[2] = loss;
}

/** Streaming twin of {@link rsi}. */
export function rsiStream(n = 14): Stream<number, number> {
  checkPeriod('rsiStream', n, 2);
  const m = n - 1;
  let c = 0;
  let prev = 0;
  let gain = 0;
  let loss = 0;
  return {
    update(v: number): number {
      if (v !== v) return NaN;
      const d = v - prev;
      prev = v;
      if (c > n) {
        loss *= m;
        gain *= m;
        if (d < 0) loss -= d;
        else gain += d;
        loss /= n;
        gain /= n;
      } else {
        if (c > 0) {
          if (d < 0) loss -= d;
          else gain += d;
        }
        c++;
        if (c <= n) return NaN;
        loss /= n;
        gain /= n;
      }
      const t = gain + loss;
      return t > -EPS && t < EPS ? 0.0 : 100.0 * (gain / t);
    },
    reset() {
      c = 0;
      prev = 0;
      gain = 0;
      loss = 0;
    },
  };
}

/** Descriptor of {@link rsi}. */
export const rsiDescriptor = defineIndicator({
  name: 'rsi',
  title: 'Relative strength index (Wilder)',
  inputs: [series('x', 'close')],
  params: { n: intParam(14, 2) },
  warmup: (p) => p.n,
  talib: { fn: 'RSI', options: { n: 'optInTimePeriod' } },
  whole: ([x], p) => rsi(x!, p.n),
  stream: (p) => rsiStream(p.n),
});
