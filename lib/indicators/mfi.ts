import type { Bar, Series, Stream } from '../core';
import { checkLengths, checkPeriod } from './kernels/checks';
import { forEachFiniteRun } from './kernels/finite-runs';
import { defineIndicator, intParam } from './descriptor';

/**
 * Money flow index: 100·(positive flow)/(positive + negative flow) over the last n bars, flow =
 * typical price · volume, typical = (high+low+close)/3, signed by the change of the typical price
 * (unchanged: neither). First n values are NaN. Matches TA-Lib MFI, including its 0 when the total flow
 * is below 1. technicalindicators' MFI returns a shorter array rounded to 2 decimals.
 * NaN policy: an output whose window (n+1 bars) contains a bar with a NaN field is NaN.
 * @example
 * const tp = Float64Array.of(1, 2, 1); // high = low = close, so typical price = close
 * mfi(tp, tp, tp, Float64Array.of(1, 1, 2), 2) // [NaN, NaN, 50]: +2 in, −2 out
 */
export function mfi(
  high: Series,
  low: Series,
  close: Series,
  volume: Series,
  n = 14,
  out: Series = new Float64Array(close.length),
): Series {
  checkPeriod('mfi', n, 2);
  const len = checkLengths('mfi', { high, low, close, volume });
  const posBuf = new Float64Array(n);
  const negBuf = new Float64Array(n);
  forEachFiniteRun([high, low, close, volume], len, [out], (s, e) => {
    let prev = (high[s]! + low[s]! + close[s]!) / 3.0;
    out[s] = NaN;
    let pos = 0;
    let neg = 0;
    let slot = 0;
    for (let i = s + 1; i < e; i++) {
      const warm = i - s <= n;
      if (!warm) {
        pos -= posBuf[slot]!;
        neg -= negBuf[slot]!;
      }
      const tp = (high[i]! + low[i]! + close[i]!) / 3.0;
      const d = tp - prev;
      prev = tp;
      const flow = tp * volume[i]!;
      if (d < 0) {
        negBuf[slot] = flow;
        neg += flow;
        posBuf[slot] = 0.0;
      } else if (d > 0) {
        posBuf[slot] = flow;
        pos += flow;
        negBuf[slot] = 0.0;
      } else {
        posBuf[slot] = 0.0;
        negBuf[slot] = 0.0;
      }
      slot = slot + 1 === n ? 0 : slot + 1;
      if (i - s < n) {
        out[i] = NaN;
        continue;
      }
      const t = pos + neg;
      out[i] = t < 1.0 ? 0.0 : 100.0 * (pos / t);
    }
  });
  return out;
}

/** Streaming twin of {@link mfi}. A bar with a NaN field returns NaN and restarts the warm-up. */
export function mfiStream(n = 14): Stream<Bar, number> {
  checkPeriod('mfiStream', n, 2);
  const posBuf = new Float64Array(n);
  const negBuf = new Float64Array(n);
  let count = 0; // bars since the (re)start
  let prev = 0;
  let pos = 0;
  let neg = 0;
  let slot = 0;
  const reset = (): void => {
    count = 0;
    pos = 0;
    neg = 0;
    slot = 0;
  };
  return {
    update(b: Bar): number {
      const tp = (b.high + b.low + b.close) / 3.0;
      const v = b.volume;
      if (tp !== tp || v !== v) {
        reset();
        return NaN;
      }
      if (count === 0) {
        prev = tp;
        count = 1;
        return NaN;
      }
      if (count > n) {
        pos -= posBuf[slot]!;
        neg -= negBuf[slot]!;
      }
      const d = tp - prev;
      prev = tp;
      const flow = tp * v;
      if (d < 0) {
        negBuf[slot] = flow;
        neg += flow;
        posBuf[slot] = 0.0;
      } else if (d > 0) {
        posBuf[slot] = flow;
        pos += flow;
        negBuf[slot] = 0.0;
      } else {
        posBuf[slot] = 0.0;
        negBuf[slot] = 0.0;
      }
      slot = slot + 1 === n ? 0 : slot + 1;
      count++;
      if (count <= n) return NaN;
      const t = pos + neg;
      return t < 1.0 ? 0.0 : 100.0 * (pos / t);
    },
    reset,
  };
}

/** Descriptor of {@link mfi}. */
export const mfiDescriptor = defineIndicator({
  name: 'mfi',
  title: 'Money flow index',
  inputs: ['high', 'low', 'close', 'volume'],
  params: { n: intParam(14, 2) },
  warmup: (p) => p.n,
  talib: { fn: 'MFI', options: { n: 'optInTimePeriod' } },
  whole: ([h, l, c, v], p) => mfi(h!, l!, c!, v!, p.n),
  stream: (p) => mfiStream(p.n),
});
