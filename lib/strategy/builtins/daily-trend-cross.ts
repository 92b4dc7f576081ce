import type { Series } from '../../core';
import { TargetEvents } from '../../backtest/events';
import { defineStrategy } from '../define';
import { ind } from '../ind';
import { int } from '../params';
import { crossEvents, crossSignal } from '../signals';
import { onTimeframe } from '../timeframe';

/**
 * The rule: 1 on an hourly fast-over-slow SMA up-cross while the daily trend is up (the last closed day's
 * close above its daily SMA); 0 on a down-cross, or on the bar where the daily trend turns down (even on an
 * up-cross); NaN (hold) otherwise. Daily values follow onTimeframe's convention: a day counts from its 23:00 bar on.
 */
function rule(fast: number, slow: number, pFast: number, pSlow: number, up: boolean, pUp: boolean): number {
  const x = crossSignal(fast, slow, pFast, pSlow, 1, 0);
  if (x === 1 && up) return 1;
  if (x === 0) return 0;
  return pUp && !up ? 0 : NaN; // includes an up-cross on the bar the trend turns down
}

/** Bars where the daily trend turns down (up at t−1, not at t), memoised per pair of cached arrays. */
const flipMemo = new WeakMap<Series, WeakMap<Series, Int32Array>>();
function downFlips(close: Series, trend: Series): Int32Array {
  let inner = flipMemo.get(trend);
  const hit = inner?.get(close);
  if (hit) return hit;
  const out: number[] = [];
  let prevUp = false;
  for (let t = 0; t < close.length; t++) {
    const up = close[t]! > trend[t]!;
    if (prevUp && !up) out.push(t);
    prevUp = up;
  }
  const flips = Int32Array.from(out);
  if (!inner) flipMemo.set(trend, (inner = new WeakMap()));
  inner.set(close, flips);
  return flips;
}

const crosses = new TargetEvents(1024);

/**
 * daily-trend-cross: hourly SMA-cross entries taken only with the daily trend (the day's close above the
 * daily SMA of `trend` days, through `.on('1d')`), left on a down-cross or when the daily trend turns down.
 */
export const dailyTrendCross = defineStrategy({
  name: 'daily-trend-cross',
  description: 'Fast/slow SMA cross on the bars, long only while the daily close is above its daily SMA (on(1d), no look-ahead).',
  params: { fast: int(2, 200, { default: 10 }), slow: int(3, 400, { default: 50 }), trend: int(2, 200, { default: 20 }) },
  check: (p) => p.fast < p.slow || `fast (${p.fast}) must be < slow (${p.slow})`,
  indicators: (p) => ({
    fast: ind.sma(p.fast),
    slow: ind.sma(p.slow),
    dayClose: onTimeframe(ind.field('close'), '1d'), // = ind.field('close').on('1d')
    dayTrend: onTimeframe(ind.sma(p.trend), '1d'),
  }),
  decide: (bar, { prev }) => rule(bar.fast, bar.slow, prev.fast, prev.slow, bar.dayClose > bar.dayTrend, prev.dayClose > prev.dayTrend),
  targets: (_bars, v, _p, out) => {
    const { fast, slow, dayClose, dayTrend } = v;
    out[0] = rule(fast[0]!, slow[0]!, NaN, NaN, dayClose[0]! > dayTrend[0]!, false);
    for (let t = 1; t < out.length; t++) {
      out[t] = rule(fast[t]!, slow[t]!, fast[t - 1]!, slow[t - 1]!, dayClose[t]! > dayTrend[t]!, dayClose[t - 1]! > dayTrend[t - 1]!);
    }
    return out;
  },
  targetEvents: (_bars, v, _p, out) => {
    // the crossings (block-skipping scan) merged with the daily trend's down-turns (once per trend length)
    out.clear();
    const { dayClose, dayTrend } = v;
    const cx = crossEvents(v.fast, v.slow, 1, 0, crosses);
    const flips = downFlips(dayClose, dayTrend);
    let i = 0;
    let j = 0;
    while (i < cx.length || j < flips.length) {
      const ti = i < cx.length ? cx.index[i]! : Infinity;
      const tj = j < flips.length ? flips[j]! : Infinity;
      if (tj < ti) {
        out.push(tj, 0);
        j++;
        continue;
      }
      if (tj === ti) j++; // a down-turn on a crossing bar: the crossing decides (an up-cross is then not taken)
      const x = cx.value[i]!;
      if (x === 0) out.push(ti, 0);
      else if (dayClose[ti]! > dayTrend[ti]!) out.push(ti, 1);
      else if (tj === ti) out.push(ti, 0);
      i++;
    }
    return out;
  },
});
