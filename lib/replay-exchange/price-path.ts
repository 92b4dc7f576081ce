import { lowerBound, type BarFields } from '../core';
import type { MarketSpec } from './markets';

/**
 * The price inside a replayed bar. A bar only records open, high, low and close, so the replay walks a
 * fixed path through them: open → low → high → close for a bar that closes at or above its open,
 * open → high → low → close otherwise, each leg taking a third of the bar, linear in between. Between
 * bars (and through gaps in the data) the price holds the last close; a new bar jumps to its open.
 * The same convention decides which of a stop and a take-profit inside one bar is hit first.
 */

/** One stretch of the price path: linear from `from` to `to` ending at time `t`, or a jump at `t` (a bar's open). */
export interface Move {
  t: number;
  from: number;
  to: number;
  jump: boolean;
}

/** Index of the last bar whose open time is <= t, or -1. */
export function barAtOrBefore(m: MarketSpec, t: number): number {
  return lowerBound(m.bars.ts, t + 1) - 1;
}

function vertex(m: MarketSpec, i: number, k: number): number {
  const b = m.bars;
  const o = b.open[i]!;
  const c = b.close[i]!;
  if (k === 0) return o;
  if (k === 3) return c;
  const up = c >= o;
  const first = up ? b.low[i]! : b.high[i]!;
  const second = up ? b.high[i]! : b.low[i]!;
  return k === 1 ? first : second;
}

/** Price on the path of bar i at time t (ts_i <= t <= ts_i + tf). */
function pathPrice(m: MarketSpec, i: number, t: number): number {
  const u = ((t - m.bars.ts[i]!) / m.tfMs) * 3;
  if (u <= 0) return vertex(m, i, 0);
  if (u >= 3) return vertex(m, i, 3);
  const k = Math.floor(u);
  const f = u - k;
  const a = vertex(m, i, k);
  const b = vertex(m, i, k + 1);
  return f === 0 ? a : a + (b - a) * f;
}

/** The replayed price at time t: on the path while a bar is forming, the last close after it, the first open before the data. */
export function priceAt(m: MarketSpec, t: number): number {
  const i = barAtOrBefore(m, t);
  if (i < 0) return m.bars.open[0]!;
  if (t >= m.bars.ts[i]! + m.tfMs) return m.bars.close[i]!;
  return pathPrice(m, i, t);
}

/** A candle as a market's kline endpoint reports it. */
export interface Candle extends BarFields {
  closed: boolean;
}

/** The bar forming at time t (prices so far, volume pro rata), or undefined between bars. */
export function formingCandle(m: MarketSpec, t: number): Candle | undefined {
  const i = barAtOrBefore(m, t);
  if (i < 0) return undefined;
  const ts = m.bars.ts[i]!;
  if (t >= ts + m.tfMs) return undefined;
  const p = pathPrice(m, i, t);
  let hi = Math.max(vertex(m, i, 0), p);
  let lo = Math.min(vertex(m, i, 0), p);
  for (let k = 1; k <= 2; k++) {
    if (ts + (k * m.tfMs) / 3 <= t) {
      const v = vertex(m, i, k);
      hi = Math.max(hi, v);
      lo = Math.min(lo, v);
    }
  }
  return { ts, open: vertex(m, i, 0), high: hi, low: lo, close: p, volume: Math.round(((m.bars.volume[i]! * (t - ts)) / m.tfMs) * 1e8) / 1e8, closed: false };
}

/** Calls `visit` for each stretch of the price path in (t0, t1], in time order. */
export function forEachMove(m: MarketSpec, t0: number, t1: number, visit: (mv: Move) => void): void {
  if (!(t1 > t0)) return;
  const ts = m.bars.ts;
  const n = ts.length;
  let i = Math.max(0, barAtOrBefore(m, t0));
  for (; i < n && ts[i]! <= t1; i++) {
    const start = ts[i]!;
    if (start > t0) {
      const before = i > 0 ? m.bars.close[i - 1]! : m.bars.open[0]!;
      visit({ t: start, from: before, to: vertex(m, i, 0), jump: true });
    }
    for (let k = 0; k < 3; k++) {
      const ta = start + (k * m.tfMs) / 3;
      const tb = start + ((k + 1) * m.tfMs) / 3;
      const a = Math.max(ta, t0);
      const b = Math.min(tb, t1);
      if (a < b) visit({ t: b, from: pathPrice(m, i, a), to: pathPrice(m, i, b), jump: false });
    }
  }
}
