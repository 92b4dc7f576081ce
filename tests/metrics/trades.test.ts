import { describe, expect, it } from 'vitest';
import { tradeStats } from '../../lib/metrics';

describe('trade statistics, by hand', () => {
  const pnl = Float64Array.of(100, -50, 200, -25, -25, 50);
  const ret = Float64Array.of(0.1, -0.05, 0.2, -0.025, -0.025, 0.05);
  const held = Int32Array.of(10, 5, 20, 2, 3, 8);
  const s = tradeStats(pnl, ret, held);
  it('counts and rates', () => {
    expect(s.trades).toBe(6);
    expect(s.winRate).toBe(0.5);
    expect(s.bestTrade).toBe(0.2);
    expect(s.worstTrade).toBe(-0.05);
    expect(s.avgTrade).toBeCloseTo(0.25 / 6, 15);
    expect(s.maxTradeBars).toBe(20);
    expect(s.avgTradeBars).toBe(8);
  });
  it('profit factor, expectancy, SQN, Kelly', () => {
    expect(s.profitFactor).toBeCloseTo(350 / 100, 14);
    expect(s.expectancy).toBeCloseTo(250 / 6, 12);
    const m = 250 / 6;
    const sd = Math.sqrt([100, -50, 200, -25, -25, 50].reduce((a, x) => a + (x - m) ** 2, 0) / 5);
    expect(s.sqn).toBeCloseTo((Math.sqrt(6) * m) / sd, 12);
    // W = 0.5, avg win 350/3, avg loss 100/3 -> R = 3.5 -> 0.5 - 0.5/3.5
    expect(s.kelly).toBeCloseTo(0.5 - 0.5 / 3.5, 14);
  });
  it('streaks', () => {
    expect(s.maxWinStreak).toBe(1);
    expect(s.maxLossStreak).toBe(2);
    const t = tradeStats(Float64Array.of(1, 2, 3, -1, 0, -2, 5), new Float64Array(7), new Int32Array(7));
    expect(t.maxWinStreak).toBe(3);
    expect(t.maxLossStreak).toBe(3); // a zero pnl is not a win
  });
  it('empty and one-sided lists', () => {
    const e = tradeStats(new Float64Array(0), new Float64Array(0), new Int32Array(0));
    expect(e.trades).toBe(0);
    expect(e.winRate).toBeNaN();
    expect(e.profitFactor).toBeNaN();
    expect(tradeStats(Float64Array.of(5), Float64Array.of(0.1), Int32Array.of(1)).profitFactor).toBe(Infinity);
  });
});
