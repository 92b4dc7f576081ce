import { describe, expect, it } from 'vitest';
import { atr } from '../../lib/indicators/atr';
import { ema } from '../../lib/indicators/ema';
import { ichimoku, ichimokuStream } from '../../lib/indicators/ichimoku';
import { keltner, keltnerStream } from '../../lib/indicators/keltner';
import { sar, sarStream } from '../../lib/indicators/sar';
import { btc1h } from '../helpers/datasets';
import { barList, feed, feedObject, firstBitDiff, leadingNaNs } from '../helpers/streams';
import { maxRelDiff, talibRun } from '../helpers/talib';

const bars = btc1h();
const { high, low, close } = bars;
const list = barList(bars);
const F = (a: number[]) => Float64Array.from(a);

describe('SAR', () => {
  it.each([
    [0.02, 0.2],
    [0.01, 0.1],
    [0.3, 0.2], // acceleration > maximum: both become maximum
  ])('matches TA-Lib on BTCUSDT 1h, acceleration=%d maximum=%d', (a, m) => {
    const ours = sar(high, low, a, m);
    const ref = talibRun('SAR', { high, low }, { optInAcceleration: a, optInMaximum: m }).outReal!;
    const d = maxRelDiff(ours, ref);
    expect(d.nanMismatch).toBe(-1);
    expect(leadingNaNs(ours)).toBe(1);
    expect(leadingNaNs(ref)).toBe(1);
    expect(d.max).toBeLessThan(1e-9);
  });
  it('hand-computed example (doc comment)', () => {
    // bar1: high rose 1, low rose 1 → -DM = 0 → long; SAR = low[0] = 9, EP = high[1] = 11
    // bar1 output 9; next SAR = 9 + 0.02·(11 − 9) = 9.04; bar2 output 9.04 (new high 12 raises EP/AF afterwards)
    const out = sar(F([10, 11, 12]), F([9, 10, 11]));
    expect(out[0]).toBeNaN();
    expect(out[1]).toBe(9);
    expect(out[2]).toBeCloseTo(9.04, 14);
  });
  it('streaming twin is bit-identical', () => expect(firstBitDiff(feed(sarStream(), list), sar(high, low))).toBe(-1));
  it('NaN: the bar is skipped; equals SAR of the series with that bar removed', () => {
    const h = high.slice(0, 2000), l = low.slice(0, 2000);
    h[0] = NaN; // leading bad bar: start from bars 1 and 2
    l[700] = NaN;
    const out = sar(h, l);
    expect(out[0]).toBeNaN();
    expect(out[1]).toBeNaN();
    expect(out[700]).toBeNaN();
    const keep = Array.from({ length: 2000 }, (_, i) => i).filter((i) => i !== 0 && i !== 700);
    const compact = sar(F(keep.map((i) => h[i]!)), F(keep.map((i) => l[i]!)));
    expect(firstBitDiff(F(keep.map((i) => out[i]!)), compact)).toBe(-1);
    const bl = Array.from(h, (_, i) => ({ open: 0, high: h[i]!, low: l[i]!, close: 0, volume: 0 }));
    expect(firstBitDiff(feed(sarStream(), bl), out)).toBe(-1);
  });
  it('rejects bad arguments', () => {
    expect(() => sar(high, low, -0.02)).toThrow(/sar: acceleration must be a finite number >= 0, found -0.02/);
    expect(() => sarStream(0.02, Infinity)).toThrow(/sarStream: maximum must be a finite number >= 0, found Infinity/);
  });
});

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

describe('Ichimoku', () => {
  /** Naive reference: scan every window; shift by index arithmetic. */
  function naive(tn: number, kn: number, bn: number, disp: number) {
    const len = high.length;
    const mid = (t: number, n: number) => {
      if (t < n - 1) return NaN;
      let hh = -Infinity;
      let ll = Infinity;
      for (let j = t - n + 1; j <= t; j++) {
        hh = Math.max(hh, high[j]!);
        ll = Math.min(ll, low[j]!);
      }
      return (hh + ll) / 2;
    };
    const tenkan = F(Array.from({ length: len }, (_, t) => mid(t, tn)));
    const kijun = F(Array.from({ length: len }, (_, t) => mid(t, kn)));
    const leadA = F(Array.from({ length: len }, (_, t) => (tenkan[t]! + kijun[t]!) / 2));
    const leadB = F(Array.from({ length: len }, (_, t) => mid(t, bn)));
    const lag = disp - 1;
    const senkouA = F(Array.from({ length: len }, (_, t) => (t - lag >= 0 ? leadA[t - lag]! : NaN)));
    const senkouB = F(Array.from({ length: len }, (_, t) => (t - lag >= 0 ? leadB[t - lag]! : NaN)));
    const chikou = F(Array.from({ length: len }, (_, t) => (t + lag < len ? close[t + lag]! : NaN)));
    return { tenkan, kijun, senkouA, senkouB, senkouALead: leadA, senkouBLead: leadB, chikou };
  }
  it.each([
    [9, 26, 52, 26],
    [7, 22, 44, 1],
  ])('equals a naive reference on BTCUSDT 1h (%i, %i, %i, %i)', (tn, kn, bn, disp) => {
    const o = ichimoku(high, low, close, tn, kn, bn, disp);
    const r = naive(tn, kn, bn, disp);
    for (const k of Object.keys(r) as (keyof typeof r)[]) expect([k, firstBitDiff(o[k], r[k])]).toEqual([k, -1]);
    expect(leadingNaNs(o.senkouA)).toBe(Math.max(tn, kn) - 1 + disp - 1);
    expect(leadingNaNs(o.senkouB)).toBe(bn - 1 + disp - 1);
  });
  it('no look-ahead in the spans: values at t do not change when bars after t change', () => {
    const t = 40000;
    const o = ichimoku(high, low, close);
    const h2 = high.slice(0, t + 1), l2 = low.slice(0, t + 1), c2 = close.slice(0, t + 1);
    const cut = ichimoku(h2, l2, c2);
    for (const k of ['tenkan', 'kijun', 'senkouA', 'senkouB', 'senkouALead', 'senkouBLead'] as const) {
      expect(cut[k][t]).toBe(o[k][t]);
    }
    // chikou is the documented exception: it is the close 25 bars later
    expect(o.chikou[t]).toBe(close[t + 25]);
    expect(cut.chikou[t]).toBeNaN();
  });
  it('hand-computed example (doc comment): senkouA[t] = (tenkan[t-1] + kijun[t-1]) / 2 with displacement 2', () => {
    // h = 5,7,6,8,9  l = 1,2,3,4,5; tenkan(2)[2] = (max(7,6) + min(2,3))/2 = 4.5; kijun(3)[2] = (7 + 1)/2 = 4
    // senkouA drawn 1 bar ahead → senkouA[3] = (4.5 + 4)/2 = 4.25; senkouB(4) lead[3] = (8 + 1)/2 = 4.5 → senkouB[4] = 4.5
    const o = ichimoku(F([5, 7, 6, 8, 9]), F([1, 2, 3, 4, 5]), F([3, 4, 5, 6, 7]), 2, 3, 4, 2);
    expect(o.tenkan[2]).toBe(4.5);
    expect(o.kijun[2]).toBe(4);
    expect(o.senkouA[3]).toBe(4.25);
    expect(o.senkouB[4]).toBe(4.5);
    expect(Array.from(o.chikou)).toEqual([4, 5, 6, 7, NaN]);
  });
  it('streaming twin is bit-identical for every field but chikou', () => {
    for (const disp of [26, 1]) {
      const w = ichimoku(high, low, close, 9, 26, 52, disp);
      const keys = ['tenkan', 'kijun', 'senkouA', 'senkouB', 'senkouALead', 'senkouBLead'] as const;
      const s = feedObject(ichimokuStream(9, 26, 52, disp), list, keys);
      for (const k of keys) expect([k, firstBitDiff(s[k], w[k])]).toEqual([k, -1]);
    }
  });
  it('NaN: window family; both forms agree', () => {
    const h = high.slice(0, 400), l = low.slice(0, 400), c = close.slice(0, 400);
    h[200] = NaN;
    const o = ichimoku(h, l, c);
    expect(o.tenkan[200]).toBeNaN();
    expect(o.tenkan[208]).toBeNaN();
    expect(Number.isFinite(o.tenkan[209]!)).toBe(true);
    expect(o.senkouB[200 + 51 + 25]).toBeNaN();
    expect(Number.isFinite(o.senkouB[200 + 52 + 25]!)).toBe(true);
    const bl = Array.from(h, (_, i) => ({ open: 0, high: h[i]!, low: l[i]!, close: c[i]!, volume: 0 }));
    const s = feedObject(ichimokuStream(), bl, ['senkouA', 'senkouB'] as const);
    expect(firstBitDiff(s.senkouA, o.senkouA)).toBe(-1);
    expect(firstBitDiff(s.senkouB, o.senkouB)).toBe(-1);
  });
  it('rejects bad arguments', () => {
    expect(() => ichimoku(high, low, close, 0)).toThrow(/ichimoku: period must be an integer >= 1, found 0/);
    expect(() => ichimoku(high, low, close, 9, 26, 52, 0)).toThrow(/ichimoku: displacement must be an integer >= 1, found 0/);
    expect(() => ichimokuStream(9, 26, 52, 2.5)).toThrow(/ichimokuStream: displacement must be an integer >= 1, found 2.5/);
  });
});
