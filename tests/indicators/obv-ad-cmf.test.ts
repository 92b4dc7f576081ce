import { describe, expect, it } from 'vitest';
import { ad, adStream } from '../../lib/indicators/ad';
import { adosc, adoscStream } from '../../lib/indicators/adosc';
import { cmf, cmfStream } from '../../lib/indicators/cmf';
import { obv, obvStream } from '../../lib/indicators/obv';
import { btc1h } from '../helpers/datasets';
import { barList, feed, firstBitDiff, leadingNaNs } from '../helpers/streams';
import { maxRelDiff, talibRun } from '../helpers/talib';

const bars = btc1h();
const { high, low, close, volume } = bars;
const hlcv = { high, low, close, volume };
const list = barList(bars);
const mk = (h: number[], l: number[], c: number[], v: number[]) =>
  h.map((_, i) => ({ open: 0, high: h[i]!, low: l[i]!, close: c[i]!, volume: v[i]! }));
const F = (a: number[]) => Float64Array.from(a);

function expectTalib(ours: Float64Array, ref: Float64Array) {
  const d = maxRelDiff(ours, ref);
  expect(d.nanMismatch).toBe(-1);
  expect(leadingNaNs(ours)).toBe(leadingNaNs(ref));
  expect(d.max).toBeLessThan(1e-9);
}

describe('OBV', () => {
  it('matches TA-Lib on BTCUSDT 1h (close) and on a second input (open as price)', () => {
    expectTalib(obv(close, volume), talibRun('OBV', { inReal: close, volume }).outReal!);
    expectTalib(obv(bars.open, volume), talibRun('OBV', { inReal: bars.open, volume }).outReal!);
  });
  it('hand-computed example: 5, +3 (up), +0 (flat), -4 (down)', () => {
    expect(Array.from(obv(F([10, 11, 11, 9]), F([5, 3, 2, 4])))).toEqual([5, 8, 8, 4]);
  });
  it('streaming twin is bit-identical', () => expect(firstBitDiff(feed(obvStream(), list), obv(close, volume))).toBe(-1));
  it('NaN: the bad bar is NaN and skipped; the next compares with the last finite close', () => {
    const c = [NaN, 10, 11, NaN, 10.5, 12];
    const v = [1, 5, 3, 7, 2, 4];
    // bar1 starts at 5; bar2 up +3 = 8; bar3 NaN; bar4 10.5 < 11 → 8-2 = 6; bar5 up → 10
    const out = obv(F(c), F(v));
    expect(Array.from(out)).toEqual([NaN, 5, 8, NaN, 6, 10]);
    expect(firstBitDiff(feed(obvStream(), mk(c, c, c, v)), out)).toBe(-1);
  });
});

describe('AD', () => {
  it('matches TA-Lib on BTCUSDT 1h (and on the first half, a second input)', () => {
    expectTalib(ad(high, low, close, volume), talibRun('AD', hlcv).outReal!);
    const h = high.subarray(0, 30000), l = low.subarray(0, 30000), c = close.subarray(0, 30000), v = volume.subarray(0, 30000);
    expectTalib(ad(h, l, c, v), talibRun('AD', { high: h, low: l, close: c, volume: v }).outReal!);
  });
  it('hand-computed example: mfv = ((c-l)-(h-c))/(h-l)·v', () => {
    // bar0: ((1.5)-(0.5))/2·100 = 50; bar1: ((0.5)-(1.5))/2·50 = -25 → AD 25; bar2 flat (h == l) adds 0
    expect(Array.from(ad(F([10, 12, 5]), F([8, 10, 5]), F([9.5, 10.5, 5]), F([100, 50, 9])))).toEqual([50, 25, 25]);
  });
  it('streaming twin is bit-identical', () => expect(firstBitDiff(feed(adStream(), list), ad(high, low, close, volume))).toBe(-1));
  it('NaN: the bad bar is NaN and adds nothing', () => {
    const h = [10, 12, 12], l = [8, 10, 10], c = [9.5, NaN, 10.5], v = [100, 50, 50];
    const out = ad(F(h), F(l), F(c), F(v));
    expect(Array.from(out)).toEqual([50, NaN, 25]);
    expect(firstBitDiff(feed(adStream(), mk(h, l, c, v)), out)).toBe(-1);
  });
  it('rejects mismatched lengths', () => {
    expect(() => ad(high, low, close, volume.subarray(1))).toThrow(/ad: 'volume' has 66676 values, expected 66677/);
  });
});

describe('ADOSC', () => {
  it.each([
    [3, 10],
    [5, 21],
  ])('matches TA-Lib on BTCUSDT 1h, fast=%i slow=%i', (f, s) => {
    const ours = adosc(high, low, close, volume, f, s);
    expectTalib(ours, talibRun('ADOSC', hlcv, { optInFastPeriod: f, optInSlowPeriod: s }).outReal!);
    expect(leadingNaNs(ours)).toBe(Math.max(f, s) - 1);
  });
  it('hand-computed example (doc comment)', () => {
    // AD = [50, 25]; fast period 1 → EMA = AD; slow period 2 (k = 2/3) seeded with 50: 2/3·25 + 1/3·50 = 33.33…
    const out = adosc(F([10, 12]), F([8, 10]), F([9.5, 10.5]), F([100, 50]), 1, 2);
    expect(out[0]).toBeNaN();
    expect(out[1]).toBeCloseTo(25 - 100 / 3, 12);
  });
  it('streaming twin is bit-identical', () => {
    expect(firstBitDiff(feed(adoscStream(3, 10), list), adosc(high, low, close, volume, 3, 10))).toBe(-1);
  });
  it('NaN: skipped bar, warm-up counts finite bars; both forms agree', () => {
    const h = [10, 12, 12, 13, 14], l = [8, 10, 10, 11, 12], c = [9.5, NaN, 10.5, 12, 13], v = [100, 50, 50, 10, 20];
    const out = adosc(F(h), F(l), F(c), F(v), 2, 3);
    expect(Array.from(out, Number.isNaN)).toEqual([true, true, true, false, false]);
    expect(firstBitDiff(feed(adoscStream(2, 3), mk(h, l, c, v)), out)).toBe(-1);
  });
  it('rejects bad periods', () => {
    expect(() => adosc(high, low, close, volume, 0, 10)).toThrow(/adosc: period must be an integer >= 1, found 0/);
    expect(() => adoscStream(3, 2.5)).toThrow(/adoscStream: period must be an integer >= 1, found 2.5/);
  });
});

describe('CMF', () => {
  /** Naive reference: sum each window from scratch. */
  function naiveCmf(n: number) {
    const out = new Float64Array(high.length).fill(NaN);
    for (let t = n - 1; t < high.length; t++) {
      let sm = 0;
      let sv = 0;
      for (let j = t - n + 1; j <= t; j++) {
        const r = high[j]! - low[j]!;
        sm += r > 0 ? ((close[j]! - low[j]! - (high[j]! - close[j]!)) / r) * volume[j]! : 0;
        sv += volume[j]!;
      }
      out[t] = sm / sv;
    }
    return out;
  }
  it.each([20, 5])('equals a naive reference on BTCUSDT 1h to 1e-12 absolute, n=%i', (n) => {
    const ours = cmf(high, low, close, volume, n);
    const ref = naiveCmf(n);
    expect(leadingNaNs(ours)).toBe(n - 1);
    let worst = 0;
    for (let t = 0; t < ref.length; t++) {
      expect(Number.isNaN(ours[t]!)).toBe(Number.isNaN(ref[t]!));
      if (!Number.isNaN(ref[t]!)) worst = Math.max(worst, Math.abs(ours[t]! - ref[t]!));
    }
    expect(worst).toBeLessThan(1e-12);
  });
  it('hand-computed example (doc comment)', () => {
    // money-flow volume [50, -25], volume [100, 50] → (50 - 25) / 150 = 1/6
    const out = cmf(F([10, 12]), F([8, 10]), F([9.5, 10.5]), F([100, 50]), 2);
    expect(out[0]).toBeNaN();
    expect(out[1]).toBeCloseTo(1 / 6, 15);
  });
  it('streaming twin is bit-identical', () => {
    expect(firstBitDiff(feed(cmfStream(20), list), cmf(high, low, close, volume, 20))).toBe(-1);
  });
  it('NaN: window family; both forms agree', () => {
    const h = [10, 12, 12, 13, 14, 15], l = [8, 10, 10, 11, 12, 13], c = [9.5, 10.5, NaN, 13, 14, 13.5], v = [100, 50, 50, 10, 20, 30];
    const out = cmf(F(h), F(l), F(c), F(v), 2);
    expect(Array.from(out, Number.isNaN)).toEqual([true, false, true, true, false, false]);
    expect(out[4]).toBeCloseTo((10 + 20) / 30, 14); // bars 3, 4 close at the high: mfv = volume
    expect(firstBitDiff(feed(cmfStream(2), mk(h, l, c, v)), out)).toBe(-1);
  });
  it('rejects a bad period', () => {
    expect(() => cmf(high, low, close, volume, -5)).toThrow(/cmf: period must be an integer >= 1, found -5/);
  });
});
