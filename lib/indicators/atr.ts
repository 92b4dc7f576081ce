import type { Bar, Series, Stream } from '../core';
import { checkPeriod } from './sma';
import { trueRange } from './trange';
import { checkSameLength } from './transform';

/**
 * Average true range, Wilder smoothing (atr = (prev*(n-1) + tr) / n) seeded with the mean of the first
 * n true ranges. First n values are NaN (TR[0] is NaN). Matches TA-Lib ATR (to ~1e-15 relative: 1/n is multiplied where TA-Lib divides).
 * TradingView's `ta.atr` uses the same RMA but counts TR[0] = high - low, so it starts one bar earlier
 * and differs slightly for the first few hundred bars; technicalindicators' ATR behaves like TradingView.
 * NaN policy (recursive family): a NaN true range is skipped — that bar's output is NaN and the average
 * carries on from its last state; the warm-up needs n finite true ranges.
 * @example
 * const h = Float64Array.of(10, 12, 13, 12), l = Float64Array.of(8, 11, 11, 10), c = Float64Array.of(9, 11.5, 12, 11);
 * atr(h, l, c, 2) // [NaN, NaN, 2.5, 2.25]  (TR = [NaN, 3, 2, 2])
 */
export function atr(high: Series, low: Series, close: Series, n = 14, out: Series = new Float64Array(high.length)): Series {
  checkPeriod('atr', n);
  checkSameLength('atr', ['high', 'low', 'close'], [high, low, close]);
  // one fused pass: true range (as trueRange) and Wilder smoothing (as wilderInPlace), same arithmetic
  const len = high.length;
  if (len === 0) return out;
  const nm1 = n - 1;
  const inv = 1 / n;
  let prevClose = close[0]!;
  let count = 0;
  let sum = 0;
  let prev = NaN;
  out[0] = NaN;
  for (let i = 1; i < len; i++) {
    const h = high[i]!;
    const l = low[i]!;
    // Math.max instead of compare-and-branch: real prices make those branches unpredictable (same value; NaN stays NaN)
    let tr = Math.max(h - l, Math.abs(prevClose - h), Math.abs(prevClose - l));
    if (prevClose !== prevClose) tr = NaN;
    prevClose = close[i]!; // read before writing: `out` may alias `close`
    if (tr !== tr) {
      out[i] = NaN; // skipped: state kept
      continue;
    }
    if (count < n) {
      sum += tr;
      count++;
      if (count < n) {
        out[i] = NaN;
        continue;
      }
      prev = sum * inv;
    } else {
      prev = (prev * nm1 + tr) * inv;
    }
    out[i] = prev;
  }
  return out;
}

/**
 * Wilder-smooths `x` in place: seed = mean of the first n finite values, then prev = (prev*(n-1) + v) / n,
 * the division done as a multiplication by 1/n (TA-Lib divides; the results differ by ~1e-16 relative and the
 * multiply makes ATR about 4× faster, since a division's latency would sit on the loop's dependency chain). NaN values are skipped (output NaN, state kept). Returns `x`.
 */
export function wilderInPlace(x: Series, n: number): Series {
  const len = x.length;
  const nm1 = n - 1;
  const inv = 1 / n;
  let count = 0;
  let sum = 0;
  let prev = NaN;
  for (let i = 0; i < len; i++) {
    const v = x[i]!;
    if (v !== v) continue; // stays NaN
    if (count < n) {
      sum += v;
      count++;
      if (count < n) {
        x[i] = NaN;
        continue;
      }
      prev = sum * inv;
    } else {
      prev = (prev * nm1 + v) * inv;
    }
    x[i] = prev;
  }
  return x;
}

/** Streaming Wilder smoothing with exactly the arithmetic of {@link wilderInPlace} and {@link atr}. */
export interface WilderState {
  /** Feeds one value; returns the smoothed value (NaN while warming up or when `v` is NaN). */
  next(v: number): number;
  reset(): void;
}

export function wilderState(n: number): WilderState {
  const nm1 = n - 1;
  const inv = 1 / n;
  let count = 0;
  let sum = 0;
  let prev = NaN;
  return {
    next(v: number): number {
      if (v !== v) return NaN;
      if (count < n) {
        sum += v;
        count++;
        if (count < n) return NaN;
        prev = sum * inv;
        return prev;
      }
      prev = (prev * nm1 + v) * inv;
      return prev;
    },
    reset() {
      count = 0;
      sum = 0;
      prev = NaN;
    },
  };
}

/** Streaming twin of {@link atr}: `update(bar)` returns the ATR after that bar. */
export function atrStream(n = 14): Stream<Bar, number> {
  checkPeriod('atrStream', n);
  const w = wilderState(n);
  let prevClose = NaN;
  return {
    update(bar: Bar): number {
      const tr = trueRange(bar.high, bar.low, prevClose);
      prevClose = bar.close;
      return w.next(tr);
    },
    reset() {
      w.reset();
      prevClose = NaN;
    },
  };
}
