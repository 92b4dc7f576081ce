import { describe, expect, it } from 'vitest';
import { supertrend, supertrendStream } from '../../lib/indicators/supertrend';
import { btc1h } from '../helpers/datasets';
import { barList, feedObject, firstBitDiff, leadingNaNs } from '../helpers/streams';

const bars = btc1h();
const { high, low, close } = bars;
const list = barList(bars);

/**
 * Naive reference written from TradingView's published ta.supertrend definition (nz() on the previous
 * bands, "previous line == previous upper band" test), with a plain-loop TA-Lib-style Wilder ATR.
 * Direction is negated at the end (TradingView: -1 = up).
 */
function naiveSuperTrend(h: Float64Array, l: Float64Array, c: Float64Array, n: number, mult: number) {
  const len = h.length;
  const tr = new Float64Array(len).fill(NaN);
  for (let t = 1; t < len; t++) tr[t] = Math.max(h[t]! - l[t]!, Math.abs(h[t]! - c[t - 1]!), Math.abs(l[t]! - c[t - 1]!));
  const a = new Float64Array(len).fill(NaN);
  let s = 0;
  for (let t = 1; t <= n; t++) s += tr[t]!;
  a[n] = s / n;
  for (let t = n + 1; t < len; t++) a[t] = (a[t - 1]! * (n - 1) + tr[t]!) / n;
  const line = new Float64Array(len).fill(NaN);
  const dir = new Float64Array(len).fill(NaN);
  const ub = new Float64Array(len).fill(NaN);
  const lb = new Float64Array(len).fill(NaN);
  const nz = (v: number) => (Number.isNaN(v) ? 0 : v);
  for (let t = n; t < len; t++) {
    const src = (h[t]! + l[t]!) / 2;
    let up = src + mult * a[t]!;
    let lo = src - mult * a[t]!;
    const pl = nz(lb[t - 1]!);
    const pu = nz(ub[t - 1]!);
    lo = lo > pl || c[t - 1]! < pl ? lo : pl;
    up = up < pu || c[t - 1]! > pu ? up : pu;
    let d: number;
    if (Number.isNaN(a[t - 1]!)) d = 1;
    else if (line[t - 1] === ub[t - 1]) d = c[t]! > up ? -1 : 1;
    else d = c[t]! < lo ? 1 : -1;
    ub[t] = up;
    lb[t] = lo;
    line[t] = d === -1 ? lo : up;
    dir[t] = -d;
  }
  return { line, direction: dir };
}

describe('supertrend', () => {
  it.each([
    [10, 3],
    [7, 1.5],
  ])('equals the naive TradingView-rule reference on BTCUSDT 1h, n=%i mult=%d', (n, mult) => {
    const ours = supertrend(high, low, close, n, mult);
    const ref = naiveSuperTrend(high, low, close, n, mult);
    expect(firstBitDiff(ours.direction, ref.direction)).toBe(-1);
    let worst = 0;
    for (let t = 0; t < high.length; t++) {
      if (Number.isNaN(ref.line[t]!)) expect(ours.line[t]).toBeNaN();
      else worst = Math.max(worst, Math.abs(ours.line[t]! - ref.line[t]!) / ref.line[t]!);
    }
    expect(worst).toBeLessThan(1e-12); // the ATRs differ only in rounding order
    expect(leadingNaNs(ours.line)).toBe(n);
  });
  it('flips direction a plausible number of times on real data', () => {
    const d = supertrend(high, low, close).direction;
    let flips = 0;
    for (let t = 11; t < d.length; t++) if (d[t] !== d[t - 1]) flips++;
    expect(flips).toBeGreaterThan(500);
    expect(flips).toBeLessThan(10000);
  });
  it('hand-computed example (doc comment)', () => {
    // n=1, mult=1, ATR = TR = [NaN, 1.5, 1.5, 1.2, 3.8, 2.2]
    // bar1: hl2 10.5 → bands 12 / 9; first bar is a down-trend, line = 12
    // bar2: hl2 11.5 → basic 13 / 10; lower 10 > 9 takes 10; upper 13 not < 12 and prev close 10.5 not > 12 → keeps 12; close 11.8 ≤ 12 → down, line 12
    // bar3: hl2 12.5 → basic 13.7 / 11.3; lower 11.3; upper stays 12; close 12.8 > 12 → up, line = lower 11.3
    // bar4: hl2 10 → basic 13.8 / 6.2; lower keeps 11.3; upper: prev close 12.8 > 12 → 13.8; close 9.2 < 11.3 → down, line 13.8
    // bar5: hl2 8 → basic 10.2 / 5.8; lower: prev close 9.2 < 11.3 → 5.8; upper 10.2 < 13.8 → 10.2; close 7.5 ≤ 10.2 → down, line 10.2
    const h = Float64Array.of(10, 11, 12, 13, 11, 9), l = Float64Array.of(9, 10, 11, 12, 9, 7);
    const c = Float64Array.of(9.5, 10.5, 11.8, 12.8, 9.2, 7.5);
    const o = supertrend(h, l, c, 1, 1);
    expect(Array.from(o.direction)).toEqual([NaN, -1, -1, 1, -1, -1]);
    const want = [NaN, 12, 12, 11.3, 13.8, 10.2];
    expect(o.line[0]).toBeNaN();
    for (let t = 1; t < 6; t++) expect(o.line[t]).toBeCloseTo(want[t]!, 12);
  });
  it('streaming twin is bit-identical on the full series', () => {
    const w = supertrend(high, low, close, 10, 3);
    const s = feedObject(supertrendStream(10, 3), list, ['line', 'direction'] as const);
    expect(firstBitDiff(s.line, w.line)).toBe(-1);
    expect(firstBitDiff(s.direction, w.direction)).toBe(-1);
  });
  it('NaN: skipped bars are NaN, state carries on; both forms agree', () => {
    const h = high.slice(0, 400), l = low.slice(0, 400), c = close.slice(0, 400);
    c[200] = NaN; // spoils ATR at 200 (close) and 201 (previous close)
    h[300] = NaN;
    const o = supertrend(h, l, c, 10, 3);
    expect(o.line[200]).toBeNaN();
    expect(o.line[201]).toBeNaN();
    expect(o.line[300]).toBeNaN();
    expect(Number.isFinite(o.line[202]!)).toBe(true);
    expect(Number.isFinite(o.line[301]!)).toBe(true);
    const bl = Array.from(h, (_, i) => ({ open: 0, high: h[i]!, low: l[i]!, close: c[i]!, volume: 0 }));
    const s = feedObject(supertrendStream(10, 3), bl, ['line', 'direction'] as const);
    expect(firstBitDiff(s.line, o.line)).toBe(-1);
    expect(firstBitDiff(s.direction, o.direction)).toBe(-1);
  });
  it('rejects bad arguments', () => {
    expect(() => supertrend(high, low, close, 0)).toThrow(/supertrend: period must be an integer >= 1, found 0/);
    expect(() => supertrend(high, low, close, 10, -3)).toThrow(/supertrend: mult must be a finite number >= 0, found -3/);
    expect(() => supertrendStream(10.5)).toThrow(/supertrendStream: period must be an integer >= 1, found 10.5/);
  });
});
