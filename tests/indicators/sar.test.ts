import { describe, expect, it } from 'vitest';
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
