import type { Series, Stream } from '../core';
import { forEachFiniteRun } from '../core/window';
import { checkPeriod } from './sma';

/**
 * Linearly weighted moving average over `n` values (weights 1..n, newest heaviest). First n-1 values
 * are NaN. Matches TA-Lib WMA (same running-sum arithmetic). technicalindicators' WMA returns only the
 * defined values (a shorter array); here the output is aligned with the input.
 * NaN policy: an output whose window contains a NaN is NaN; the average recovers n bars later.
 * @example wma(Float64Array.of(1, 2, 3, 4), 3) // [NaN, NaN, 14/6, 20/6]
 */
export function wma(x: Series, n = 30, out: Series = new Float64Array(x.length)): Series {
  checkPeriod('wma', n, 2);
  forEachFiniteRun([x], x.length, [out], (s, e) => wmaRun(x, n, s, e, out));
  return out;
}

/**
 * @internal WMA of x[s..e) as if the series began at s (no NaN inside). n may be 1 (identity).
 * Writes out[s..e); the first n-1 of them are NaN.
 */
export function wmaRun(x: Series, n: number, s: number, e: number, out: Series): void {
  const divider = (n * (n + 1)) / 2;
  let sum = 0;
  let sub = 0;
  let i = s;
  const warmEnd = Math.min(e, s + n - 1);
  for (let k = 1; i < warmEnd; i++, k++) {
    const v = x[i]!;
    sub += v;
    sum += v * k;
    out[i] = NaN;
  }
  let trailing = 0;
  let t = s;
  for (; i < e; i++) {
    const v = x[i]!;
    sub += v;
    sub -= trailing;
    sum += v * n;
    trailing = x[t++]!;
    out[i] = sum / divider;
    sum -= sub;
  }
}

/** Streaming twin of {@link wma}. A NaN input returns NaN and restarts the warm-up. */
export function wmaStream(n = 30): Stream<number, number> {
  checkPeriod('wmaStream', n, 2);
  return wmaRunStream(n);
}

/** @internal Streaming twin of {@link wmaRun} (n may be 1); resets on NaN. */
export function wmaRunStream(n: number): Stream<number, number> {
  const divider = (n * (n + 1)) / 2;
  const ring = new Float64Array(n);
  let count = 0;
  let sum = 0;
  let sub = 0;
  let trailing = 0;
  const reset = (): void => {
    count = 0;
    sum = 0;
    sub = 0;
    trailing = 0;
  };
  return {
    update(v: number): number {
      if (v !== v) {
        reset();
        return NaN;
      }
      ring[count % n] = v;
      if (count < n - 1) {
        sub += v;
        sum += v * (count + 1);
        count++;
        return NaN;
      }
      sub += v;
      sub -= trailing;
      sum += v * n;
      trailing = ring[(count + 1) % n]!;
      const r = sum / divider;
      sum -= sub;
      count++;
      return r;
    },
    reset,
  };
}
