import type { Series, Stream } from '../core';
import { checkPeriod, hasNaN } from './kernels/checks';
import { defineIndicator, intParam, series } from './descriptor';

/**
 * Simple moving average over `n` values. First n-1 values are NaN. Matches TA-Lib SMA.
 * A NaN input makes every window that contains it NaN (n outputs); the average recovers after that.
 * @example sma(Float64Array.of(1, 2, 3, 4), 2) // [NaN, 1.5, 2.5, 3.5]
 */
export function sma(x: Series, n: number, out: Series = new Float64Array(x.length)): Series {
  checkPeriod('sma', n);
  const len = x.length;
  let sum = 0;
  if (!hasNaN(x)) {
    // fast path, same arithmetic as below (add the new value, then subtract the one leaving)
    const warm = Math.min(n - 1, len);
    for (let i = 0; i < warm; i++) {
      sum += x[i]!;
      out[i] = NaN;
    }
    if (len < n) return out;
    sum += x[n - 1]!;
    out[n - 1] = sum / n;
    for (let i = n; i < len; i++) {
      sum += x[i]!;
      sum -= x[i - n]!;
      out[i] = sum / n;
    }
    return out;
  }
  let nans = 0; // NaNs inside the current window; the running sum holds the finite values only
  for (let i = 0; i < len; i++) {
    const v = x[i]!;
    if (v !== v) nans++;
    else sum += v;
    if (i >= n) {
      const old = x[i - n]!;
      if (old !== old) nans--;
      else sum -= old;
    }
    out[i] = i >= n - 1 && nans === 0 ? sum / n : NaN;
  }
  return out;
}

/** Streaming twin of {@link sma}: `update(x)` returns the SMA of the last n values fed (NaN while warming up). */
export function smaStream(n: number): Stream<number, number> {
  checkPeriod('smaStream', n);
  const win = new Float64Array(n);
  let count = 0;
  let sum = 0;
  let nans = 0;
  return {
    update(v: number): number {
      const slot = count % n;
      if (v !== v) nans++;
      else sum += v;
      if (count >= n) {
        const old = win[slot]!;
        if (old !== old) nans--;
        else sum -= old;
      }
      win[slot] = v;
      count++;
      return count >= n && nans === 0 ? sum / n : NaN;
    },
    reset() {
      count = 0;
      sum = 0;
      nans = 0;
    },
  };
}

/** Descriptor of {@link sma} (strategy spec `ind.sma`, shared test, TA-Lib agreement, README table). */
export const smaDescriptor = defineIndicator({
  name: 'sma',
  title: 'Simple moving average',
  inputs: [series('x', 'close')],
  params: { n: intParam(20, 1) },
  warmup: (p) => p.n - 1,
  talib: { fn: 'SMA', options: { n: 'optInTimePeriod' } },
  whole: ([x], p) => sma(x!, p.n),
  stream: (p) => smaStream(p.n),
});
