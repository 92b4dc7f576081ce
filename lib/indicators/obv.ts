import type { Bar, Series, Stream } from '../core';
import { checkLengths } from './kernels/checks';

/**
 * On-balance volume: starts at volume[0], then adds the bar's volume when close rises, subtracts it
 * when close falls. No warm-up (first value is volume[0]). Matches TA-Lib OBV. (TradingView's
 * `ta.obv` starts from 0 instead of volume[0]: the curves differ by that constant.)
 * NaN policy (cumulative family): a bar with a NaN close or volume outputs NaN and is skipped; the
 * next bar compares with the last finite close. Leading NaN bars are NaN; the first finite bar starts.
 * @example obv(Float64Array.of(10, 11, 11, 9), Float64Array.of(5, 3, 2, 4)) // [5, 8, 8, 4]
 */
export function obv(close: Series, volume: Series, out: Series = new Float64Array(close.length)): Series {
  checkLengths('obv', { close, volume });
  const len = close.length;
  let started = false;
  let acc = 0;
  let prev = 0;
  for (let i = 0; i < len; i++) {
    const c = close[i]!;
    const v = volume[i]!;
    if (c !== c || v !== v) {
      out[i] = NaN;
      continue;
    }
    if (!started) {
      started = true;
      acc = v;
    } else if (c > prev) acc += v;
    else if (c < prev) acc -= v;
    prev = c;
    out[i] = acc;
  }
  return out;
}

/** Streaming twin of {@link obv}. */
export function obvStream(): Stream<Bar, number> {
  let started = false;
  let acc = 0;
  let prev = 0;
  return {
    update(bar: Bar): number {
      const c = bar.close;
      const v = bar.volume;
      if (c !== c || v !== v) return NaN;
      if (!started) {
        started = true;
        acc = v;
      } else if (c > prev) acc += v;
      else if (c < prev) acc -= v;
      prev = c;
      return acc;
    },
    reset() {
      started = false;
      acc = 0;
      prev = 0;
    },
  };
}
