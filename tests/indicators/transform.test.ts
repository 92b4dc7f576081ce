import { describe, expect, it } from 'vitest';
import { diff, pctChange, shift } from '../../lib/indicators/transform';
import { btc1h } from '../helpers/datasets';
import { firstBitDiff } from '../helpers/streams';

const close = btc1h().close;

describe('shift', () => {
  it('doc example and hand values', () => {
    expect(Array.from(shift(Float64Array.of(1, 2, 3), 1))).toEqual([NaN, 1, 2]);
    expect(Array.from(shift(Float64Array.of(1, 2, 3), 2))).toEqual([NaN, NaN, 1]);
    expect(Array.from(shift(Float64Array.of(1, 2, 3), 5))).toEqual([NaN, NaN, NaN]);
    expect(Array.from(shift(Float64Array.of(1, 2, 3), -1))).toEqual([2, 3, NaN]); // a lead: reads the future
    expect(Array.from(shift(Float64Array.of(1, 2, 3), 0))).toEqual([1, 2, 3]);
  });
  it('equals a naive loop on BTC closes, both directions, and works in place', () => {
    for (const k of [1, 24, -3]) {
      const ref = Float64Array.from(close, (_, t) => (t - k >= 0 && t - k < close.length ? close[t - k]! : NaN));
      expect(firstBitDiff(shift(close, k), ref)).toBe(-1);
      const inPlace = close.slice();
      expect(firstBitDiff(shift(inPlace, k, inPlace), ref)).toBe(-1);
    }
  });
  it('rejects a non-integer k', () => {
    expect(() => shift(close, 1.5)).toThrow(/shift: k must be an integer, found 1.5/);
  });
});

describe('diff and pctChange', () => {
  it('doc examples / hand values', () => {
    expect(Array.from(diff(Float64Array.of(1, 4, 9)))).toEqual([NaN, 3, 5]);
    expect(Array.from(diff(Float64Array.of(1, 4, 9), 2))).toEqual([NaN, NaN, 8]);
    const p = pctChange(Float64Array.of(100, 110, 99));
    expect(p[0]).toBeNaN();
    expect(p[1]).toBeCloseTo(0.1, 15); // 110/100 - 1
    expect(p[2]).toBeCloseTo(-0.1, 15); // 99/110 - 1
    expect(Array.from(pctChange(Float64Array.of(0, 1, 0, 0)))).toEqual([NaN, Infinity, -1, NaN]);
  });
  it('equal naive loops on BTC closes, including in place', () => {
    for (const k of [1, 24]) {
      const d = Float64Array.from(close, (v, t) => (t >= k ? v - close[t - k]! : NaN));
      const p = Float64Array.from(close, (v, t) => (t >= k ? v / close[t - k]! - 1 : NaN));
      expect(firstBitDiff(diff(close, k), d)).toBe(-1);
      expect(firstBitDiff(pctChange(close, k), p)).toBe(-1);
      const buf = close.slice();
      expect(firstBitDiff(diff(buf, k, buf), d)).toBe(-1);
    }
  });
  it('NaN propagates elementwise', () => {
    expect(Array.from(diff(Float64Array.of(1, NaN, 3, 4)))).toEqual([NaN, NaN, NaN, 1]);
  });
  it('rejects bad k', () => {
    expect(() => diff(close, 0)).toThrow(/diff: k must be an integer >= 1, found 0/);
    expect(() => pctChange(close, -1)).toThrow(/pctChange: k must be an integer >= 1, found -1/);
  });
});
