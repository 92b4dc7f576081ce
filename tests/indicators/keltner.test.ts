import { describe, expect, it } from 'vitest';
import { atr } from '../../lib/indicators/atr';
import { ema } from '../../lib/indicators/ema';
import { keltner, keltnerStream } from '../../lib/indicators/keltner';
import { btc1h } from '../helpers/datasets';
import { barList, feed, feedObject, firstBitDiff, leadingNaNs } from '../helpers/streams';
import { maxRelDiff, talibRun } from '../helpers/talib';

const bars = btc1h();
const { high, low, close } = bars;
const list = barList(bars);
const F = (a: number[]) => Float64Array.from(a);

describe('Keltner', () => {
  it.each([
    [20, 2, 10],
    [10, 1.5, 14],
  ])('equals EMA ± mult·ATR computed naively on BTCUSDT 1h, n=%i mult=%d atrN=%i', (n, mult, atrN) => {
    const o = keltner(high, low, close, n, mult, atrN);
    // naive: Wilder ATR by a plain loop, EMA by a plain loop (SMA seed)
    const len = high.length;
    const tr = new Float64Array(len).fill(NaN);
    for (let t = 1; t < len; t++) tr[t] = Math.max(high[t]! - low[t]!, Math.abs(high[t]! - close[t - 1]!), Math.abs(low[t]! - close[t - 1]!));
    const a = new Float64Array(len).fill(NaN);
    a[atrN] = tr.subarray(1, atrN + 1).reduce((s, v) => s + v, 0) / atrN;
    for (let t = atrN + 1; t < len; t++) a[t] = (a[t - 1]! * (atrN - 1) + tr[t]!) / atrN;
    const e = new Float64Array(len).fill(NaN);
    e[n - 1] = close.subarray(0, n).reduce((s, v) => s + v, 0) / n;
    for (let t = n; t < len; t++) e[t] = e[t - 1]! + (2 / (n + 1)) * (close[t]! - e[t - 1]!);
    const warm = Math.max(n - 1, atrN);
    const up = F(Array.from(e, (m, t) => (t < warm ? NaN : m + mult * a[t]!)));
    const lo = F(Array.from(e, (m, t) => (t < warm ? NaN : m - mult * a[t]!)));
    const mid = F(Array.from(e, (m, t) => (t < warm ? NaN : m)));
    for (const [ours, ref] of [
      [o.upper, up],
      [o.lower, lo],
      [o.middle, mid],
    ] as const) {
      const d = maxRelDiff(ours, ref);
      expect(d.nanMismatch).toBe(-1);
      expect(d.max).toBeLessThan(1e-12);
    }
    expect(leadingNaNs(o.middle)).toBe(warm);
    expect(leadingNaNs(o.upper)).toBe(warm);
  });
  it('uses the library EMA and ATR exactly', () => {
    const o = keltner(high, low, close);
    const e = ema(close, 20);
    const a = atr(high, low, close, 10);
    for (const t of [19, 20, 5000, 66676]) {
      expect(o.upper[t]).toBe(e[t]! + 2 * a[t]!);
      expect(o.lower[t]).toBe(e[t]! - 2 * a[t]!);
    }
  });
  it('hand-computed example (doc comment)', () => {
    // ATR(2) = [NaN, NaN, 2.5, 2.25]; EMA(2): seed (9 + 11.5)/2 = 10.25, then 10.25 + (12 − 10.25)·2/3 = 11.41666…
    const h = F([10, 12, 13, 12]), l = F([8, 11, 11, 10]), c = F([9, 11.5, 12, 11]);
    const o = keltner(h, l, c, 2, 1, 2);
    expect(o.middle[1]).toBeNaN(); // ATR not ready yet
    expect(o.middle[2]).toBeCloseTo(10.25 + (1.75 * 2) / 3, 12);
    expect(o.upper[2]).toBeCloseTo(10.25 + (1.75 * 2) / 3 + 2.5, 12);
    expect(o.lower[2]).toBeCloseTo(10.25 + (1.75 * 2) / 3 - 2.5, 12);
  });
  it('streaming twin is bit-identical', () => {
    const w = keltner(high, low, close, 20, 2, 10);
    const s = feedObject(keltnerStream(20, 2, 10), list, ['upper', 'middle', 'lower'] as const);
    expect(firstBitDiff(s.upper, w.upper)).toBe(-1);
    expect(firstBitDiff(s.middle, w.middle)).toBe(-1);
    expect(firstBitDiff(s.lower, w.lower)).toBe(-1);
  });
  it('NaN: NaN where the EMA or ATR is NaN; both forms agree', () => {
    const h = high.slice(0, 300), l = low.slice(0, 300), c = close.slice(0, 300);
    c[150] = NaN;
    const o = keltner(h, l, c, 20, 2, 10);
    expect(o.middle[150]).toBeNaN();
    expect(o.upper[151]).toBeNaN(); // TR needs the previous close
    expect(Number.isFinite(o.upper[152]!)).toBe(true);
    const bl = Array.from(h, (_, i) => ({ open: 0, high: h[i]!, low: l[i]!, close: c[i]!, volume: 0 }));
    const s = feedObject(keltnerStream(20, 2, 10), bl, ['upper', 'middle', 'lower'] as const);
    expect(firstBitDiff(s.upper, o.upper)).toBe(-1);
    expect(firstBitDiff(s.middle, o.middle)).toBe(-1);
  });
  it('rejects bad arguments', () => {
    expect(() => keltner(high, low, close, 20, -1)).toThrow(/keltner: mult must be a finite number >= 0, found -1/);
    expect(() => keltner(high, low, close, 20, 2, 0)).toThrow(/keltner: period must be an integer >= 1, found 0/);
  });
});
