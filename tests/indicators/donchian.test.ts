import { describe, expect, it } from 'vitest';
import { donchian, donchianStream } from '../../lib/indicators/donchian';
import { btc1h } from '../helpers/datasets';
import { barList, feedObject, firstBitDiff, leadingNaNs } from '../helpers/streams';
import { talibRun } from '../helpers/talib';

const bars = btc1h();
const { high, low } = bars;
const list = barList(bars);

/** Naive reference: scan the window of each bar. */
function naiveDonchian(h: Float64Array, l: Float64Array, n: number, exclude: boolean) {
  const len = h.length;
  const upper = new Float64Array(len).fill(NaN);
  const lower = new Float64Array(len).fill(NaN);
  const middle = new Float64Array(len).fill(NaN);
  const off = exclude ? 1 : 0;
  for (let t = n - 1 + off; t < len; t++) {
    let u = -Infinity;
    let d = Infinity;
    for (let j = t - off - n + 1; j <= t - off; j++) {
      u = Math.max(u, h[j]!);
      d = Math.min(d, l[j]!);
    }
    upper[t] = u;
    lower[t] = d;
    middle[t] = (u + d) / 2;
  }
  return { upper, middle, lower };
}

describe('donchian', () => {
  it.each([
    [20, false],
    [55, true],
    [1, false],
  ])('equals a naive reference on BTCUSDT 1h, n=%i excludeCurrent=%s', (n, exclude) => {
    const ours = donchian(high, low, n, { excludeCurrent: exclude });
    const ref = naiveDonchian(high, low, n, exclude);
    expect(firstBitDiff(ours.upper, ref.upper)).toBe(-1);
    expect(firstBitDiff(ours.lower, ref.lower)).toBe(-1);
    expect(firstBitDiff(ours.middle, ref.middle)).toBe(-1);
    expect(leadingNaNs(ours.upper)).toBe(n - 1 + (exclude ? 1 : 0));
  });
  it('upper/lower equal TA-Lib MAX(high)/MIN(low)', () => {
    const o = donchian(high, low, 20);
    expect(firstBitDiff(o.upper, talibRun('MAX', { inReal: high }, { optInTimePeriod: 20 }).outReal!)).toBe(-1);
    expect(firstBitDiff(o.lower, talibRun('MIN', { inReal: low }, { optInTimePeriod: 20 }).outReal!)).toBe(-1);
  });
  it('hand-computed example (doc comment)', () => {
    // n=2: upper[1] = max(3,5) = 5, upper[2] = max(5,4) = 5; lower[1] = min(1,2) = 1, lower[2] = min(2,3) = 2
    const o = donchian(Float64Array.of(3, 5, 4), Float64Array.of(1, 2, 3), 2);
    expect(Array.from(o.upper)).toEqual([NaN, 5, 5]);
    expect(Array.from(o.lower)).toEqual([NaN, 1, 2]);
    expect(Array.from(o.middle)).toEqual([NaN, 3, 3.5]);
    // excludeCurrent: the channel of bars t-2..t-1 → only defined from t=2: upper 5, lower 1
    const e = donchian(Float64Array.of(3, 5, 4), Float64Array.of(1, 2, 3), 2, { excludeCurrent: true });
    expect(Array.from(e.upper)).toEqual([NaN, NaN, 5]);
    expect(Array.from(e.lower)).toEqual([NaN, NaN, 1]);
  });
  it('excludeCurrent makes a breakout possible: high[t] > upper[t] happens on real data', () => {
    const e = donchian(high, low, 20, { excludeCurrent: true });
    const inc = donchian(high, low, 20);
    let breakouts = 0;
    for (let t = 0; t < high.length; t++) {
      if (high[t]! > e.upper[t]!) breakouts++;
      expect(high[t]! > inc.upper[t]!).toBe(false);
    }
    expect(breakouts).toBeGreaterThan(1000);
  });
  it('streaming twin is bit-identical, both modes', () => {
    for (const exclude of [false, true]) {
      const w = donchian(high, low, 20, { excludeCurrent: exclude });
      const s = feedObject(donchianStream(20, { excludeCurrent: exclude }), list, ['upper', 'middle', 'lower'] as const);
      expect(firstBitDiff(s.upper, w.upper)).toBe(-1);
      expect(firstBitDiff(s.middle, w.middle)).toBe(-1);
      expect(firstBitDiff(s.lower, w.lower)).toBe(-1);
    }
  });
  it('NaN: each band is NaN while its window holds a NaN; both forms agree', () => {
    const h = Float64Array.of(3, 5, NaN, 4, 6, 2);
    const l = Float64Array.of(1, 2, 3, 1, 2, 1);
    const o = donchian(h, l, 2);
    expect(Array.from(o.upper)).toEqual([NaN, 5, NaN, NaN, 6, 6]);
    expect(Array.from(o.lower)).toEqual([NaN, 1, 2, 1, 1, 1]);
    expect(Array.from(o.middle)).toEqual([NaN, 3, NaN, NaN, 3.5, 3.5]);
    const bl = Array.from(h, (_, i) => ({ open: 0, high: h[i]!, low: l[i]!, close: 0, volume: 0 }));
    const s = feedObject(donchianStream(2), bl, ['upper', 'middle', 'lower'] as const);
    expect(firstBitDiff(s.upper, o.upper)).toBe(-1);
    expect(firstBitDiff(s.middle, o.middle)).toBe(-1);
  });
  it('rejects bad arguments', () => {
    expect(() => donchian(high, low, 0)).toThrow(/donchian: period must be an integer >= 1, found 0/);
    expect(() => donchian(high, low.subarray(2), 5)).toThrow(/donchian: 'low' has 66675 values, expected 66677/);
    expect(() => donchianStream(-2)).toThrow(/donchianStream: period must be an integer >= 1, found -2/);
  });
});
