import type { Bar, Series, Stream } from '../core';
import type { Bands, BandsPoint } from './bbands';
import { rollingMax, rollingMaxStream, rollingMin, rollingMinStream } from './rolling';
import { checkLengths, checkPeriod } from './kernels/checks';
import { defineIndicator, boolParam, intParam } from './descriptor';

export interface DonchianOptions {
  /**
   * false (default): the channel at t covers bars t-n+1 … t (TradingView's `ta.highest`/`ta.lowest`,
   * the usual chart). true: bars t-n … t-1, the channel as it stood before bar t, which a breakout
   * rule needs ("close above the highest high of the previous 20 bars", turtle style); with the
   * current bar included, high[t] > upper[t] can never be true.
   */
  excludeCurrent?: boolean;
}

/**
 * Donchian channel: upper = highest high, lower = lowest low of the last n bars, middle = (upper +
 * lower) / 2. First n-1 values are NaN (n with `excludeCurrent`). TA-Lib has no Donchian; upper/lower
 * equal TA-Lib MAX(high, n)/MIN(low, n).
 * NaN policy (window family): NaN while the window contains a NaN high or low (each band separately).
 * @example donchian(Float64Array.of(3, 5, 4), Float64Array.of(1, 2, 3), 2) // { upper: [NaN, 5, 5], lower: [NaN, 1, 2], middle: [NaN, 3, 3.5] }
 */
export function donchian(high: Series, low: Series, n = 20, options: DonchianOptions = {}): Bands {
  checkPeriod('donchian', n);
  checkLengths('donchian', { high, low });
  const len = high.length;
  const upper = rollingMax(high, n);
  const lower = rollingMin(low, n);
  if (options.excludeCurrent) {
    for (let i = len - 1; i > 0; i--) {
      upper[i] = upper[i - 1]!;
      lower[i] = lower[i - 1]!;
    }
    if (len > 0) upper[0] = lower[0] = NaN;
  }
  const middle = new Float64Array(len);
  for (let i = 0; i < len; i++) middle[i] = (upper[i]! + lower[i]!) / 2;
  return { upper, middle, lower };
}

/** Streaming twin of {@link donchian}: `update(bar)` returns `{ upper, middle, lower }` (fresh object). */
export function donchianStream(n = 20, options: DonchianOptions = {}): Stream<Bar, BandsPoint> {
  checkPeriod('donchianStream', n);
  const hi = rollingMaxStream(n);
  const lo = rollingMinStream(n);
  const exclude = options.excludeCurrent === true;
  let prevU = NaN;
  let prevL = NaN;
  return {
    update(bar: Bar): BandsPoint {
      let u = hi.update(bar.high);
      let l = lo.update(bar.low);
      if (exclude) {
        const cu = u;
        const cl = l;
        u = prevU;
        l = prevL;
        prevU = cu;
        prevL = cl;
      }
      return { upper: u, middle: (u + l) / 2, lower: l };
    },
    reset() {
      hi.reset();
      lo.reset();
      prevU = prevL = NaN;
    },
  };
}

/** Descriptor of {@link donchian}; `excludeCurrent` is written 'incl'/'prior' in keys. */
export const donchianDescriptor = defineIndicator({
  name: 'donchian',
  title: 'Donchian channel (excludeCurrent: the n bars before this one)',
  inputs: ['high', 'low'],
  params: { n: intParam(20, 1), excludeCurrent: boolParam(false, ['incl', 'prior']) },
  outputs: ['upper', 'middle', 'lower'],
  warmup: (p) => (p.excludeCurrent ? p.n : p.n - 1),
  whole: ([h, l], p) => donchian(h!, l!, p.n, { excludeCurrent: p.excludeCurrent }),
  stream: (p) => donchianStream(p.n, { excludeCurrent: p.excludeCurrent }),
});
