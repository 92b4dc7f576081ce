import { describe, expect, it } from 'vitest';
import { ema, emaStream } from '../../lib/indicators/ema';
import { sma, smaStream } from '../../lib/indicators/sma';
import { btc1h } from '../helpers/datasets';
import { maxRelDiff, talibRun } from '../helpers/talib';

const close = btc1h().close;
const streamAll = (s: { update(v: number): number }, x: Float64Array) => Float64Array.from(x, (v) => s.update(v));

describe.each([
  ['SMA', sma, smaStream],
  ['EMA', ema, emaStream],
] as const)('%s', (name, whole, stream) => {
  it.each([2, 14, 50, 200])('matches TA-Lib to 1e-9 relative on BTCUSDT 1h, n=%i', (n) => {
    const ours = whole(close, n);
    const ref = talibRun(name, { inReal: close }, { optInTimePeriod: n }).outReal!;
    const d = maxRelDiff(ours, ref);
    expect(d.nanMismatch).toBe(-1);
    expect(d.max).toBeLessThan(1e-9);
  });

  it('has exactly n-1 warm-up NaNs', () => {
    const out = whole(close, 20);
    expect(out.subarray(0, 19).every(Number.isNaN)).toBe(true);
    expect(Number.isFinite(out[19]!)).toBe(true);
  });

  it('streaming twin equals the whole-array form bit for bit on the full series', () => {
    const a = whole(close, 30);
    const b = streamAll(stream(30), close);
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it('rejects a bad period', () => {
    expect(() => whole(close, 0)).toThrow(/period must be an integer >= 1, found 0/);
    expect(() => whole(close, 2.5)).toThrow(/found 2.5/);
  });
});

describe('NaN inputs', () => {
  const x = Float64Array.of(1, 2, 3, NaN, 5, 6, 7, 8);
  it('SMA: windows containing the NaN are NaN, then it recovers', () => {
    const out = sma(x, 2);
    expect(Array.from(out)).toEqual([NaN, 1.5, 2.5, NaN, NaN, 5.5, 6.5, 7.5]);
    expect(Array.from(streamAll(smaStream(2), x))).toEqual(Array.from(out));
  });
  it('EMA: the NaN bar is NaN and the average carries on from the last state', () => {
    const out = ema(x, 2);
    expect(out[3]).toBeNaN();
    expect(out[4]).toBeCloseTo((5 - out[2]!) * (2 / 3) + out[2]!, 12);
    expect(Array.from(streamAll(emaStream(2), x))).toEqual(Array.from(out));
  });
  it('EMA skips leading NaNs before seeding', () => {
    const out = ema(Float64Array.of(NaN, NaN, 1, 2, 3), 2);
    expect(Array.from(out)).toEqual([NaN, NaN, NaN, 1.5, 2.5]);
  });
});

describe('examples from the doc comments', () => {
  it('sma and ema', () => {
    expect(Array.from(sma(Float64Array.of(1, 2, 3, 4), 2))).toEqual([NaN, 1.5, 2.5, 3.5]);
    expect(Array.from(ema(Float64Array.of(1, 2, 3, 4), 2))).toEqual([NaN, 1.5, 2.5, 3.5]);
  });
});
