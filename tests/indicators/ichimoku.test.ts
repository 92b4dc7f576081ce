import { describe, expect, it } from 'vitest';
import { ichimoku, ichimokuStream } from '../../lib/indicators/ichimoku';
import { btc1h } from '../helpers/datasets';
import { barList, feed, feedObject, firstBitDiff, leadingNaNs } from '../helpers/streams';
import { maxRelDiff, talibRun } from '../helpers/talib';

const bars = btc1h();
const { high, low, close } = bars;
const list = barList(bars);
const F = (a: number[]) => Float64Array.from(a);

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
