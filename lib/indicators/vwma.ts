import type { Bar, Series, Stream } from '../core';
import { checkLengths, forEachFiniteRun } from '../core/window';
import { checkPeriod } from './sma';

/**
 * Volume-weighted moving average: sum(close·volume) / sum(volume) over the last n bars. First n-1 values
 * are NaN. Not in TA-Lib; same definition as TradingView's `ta.vwma` and technicalindicators' VWMA
 * (which returns a shorter array). A window whose volumes sum to 0 gives NaN.
 * NaN policy: an output whose window contains a NaN close or volume is NaN; it recovers n bars later.
 * @example vwma(Float64Array.of(1, 2, 3), Float64Array.of(1, 1, 2), 2) // [NaN, 1.5, 8/3]
 */
export function vwma(close: Series, volume: Series, n = 20, out: Series = new Float64Array(close.length)): Series {
  checkPeriod('vwma', n);
  checkLengths('vwma', { close, volume });
  forEachFiniteRun([close, volume], close.length, [out], (s, e) => weightedRun(close, volume, n, s, e, out));
  return out;
}

/** @internal sum(x·w)/sum(w) over n values of x[s..e), w[s..e) (no NaN inside); first n-1 are NaN. */
export function weightedRun(x: Series, w: Series, n: number, s: number, e: number, out: Series): void {
  let pv = 0;
  let vol = 0;
  for (let i = s; i < e; i++) {
    const v = w[i]!;
    pv += x[i]! * v;
    vol += v;
    if (i - s >= n) {
      const ov = w[i - n]!;
      pv -= x[i - n]! * ov;
      vol -= ov;
    }
    out[i] = i - s >= n - 1 ? pv / vol : NaN;
  }
}

/** @internal Streaming twin of {@link weightedRun}; resets on NaN. */
export function weightedRunStream(n: number): { update(x: number, w: number): number; reset(): void } {
  const xs = new Float64Array(n);
  const ws = new Float64Array(n);
  let count = 0;
  let pv = 0;
  let vol = 0;
  const reset = (): void => {
    count = 0;
    pv = 0;
    vol = 0;
  };
  return {
    update(x: number, w: number): number {
      if (x !== x || w !== w) {
        reset();
        return NaN;
      }
      const slot = count % n;
      pv += x * w;
      vol += w;
      if (count >= n) {
        const ov = ws[slot]!;
        pv -= xs[slot]! * ov;
        vol -= ov;
      }
      xs[slot] = x;
      ws[slot] = w;
      count++;
      return count >= n ? pv / vol : NaN;
    },
    reset,
  };
}

/** Streaming twin of {@link vwma}: feed bars (close and volume are used). */
export function vwmaStream(n = 20): Stream<Bar, number> {
  checkPeriod('vwmaStream', n);
  const w = weightedRunStream(n);
  return { update: (bar: Bar) => w.update(bar.close, bar.volume), reset: () => w.reset() };
}
