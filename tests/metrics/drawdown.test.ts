import { describe, expect, it } from 'vitest';
import { drawdownSeries, drawdownStats } from '../../lib/metrics';

describe('drawdowns, by hand', () => {
  // initial 100; bars: 110 (peak) 99 88 110 (recovered) 120 (peak) 108 (still under at end)
  const eq = Float64Array.of(110, 99, 88, 110, 120, 108);
  it('series', () => {
    const dd = drawdownSeries(eq, 100);
    expect(Array.from(dd).map((x) => +x.toFixed(12))).toEqual([0, 0.1, 0.2, 0, 0, 0.1]);
  });
  it('episodes, depths and durations', () => {
    const s = drawdownStats(eq, 100);
    expect(s.maxDrawdown).toBeCloseTo(0.2, 14);
    expect(s.episodes).toBe(2);
    expect(s.avgDrawdown).toBeCloseTo((0.2 + 0.1) / 2, 14);
    expect(s.maxDrawdownBars).toBe(2); // bars 1-2 underwater
    expect(s.avgDrawdownBars).toBe(1.5); // (2 + 1) / 2
    expect(s.longestUnderwaterBars).toBe(2);
    expect(s.peakEquity).toBe(120);
  });
  it('a loss on the first bar counts against the initial equity', () => {
    const s = drawdownStats(Float64Array.of(90, 95, 80, 81), 100);
    expect(s.maxDrawdown).toBeCloseTo(0.2, 14);
    expect(s.longestUnderwaterBars).toBe(4);
    expect(s.maxDrawdownBars).toBe(4);
    expect(s.peakEquity).toBe(100);
  });
  it('the longest underwater period need not be the deepest', () => {
    // shallow long episode (5 bars at -1 %), then a deep short one (1 bar at -50 %)
    const s = drawdownStats(Float64Array.of(99, 99, 99, 99, 99, 101, 50.5, 102), 100);
    expect(s.maxDrawdown).toBeCloseTo(0.5, 14);
    expect(s.maxDrawdownBars).toBe(1);
    expect(s.longestUnderwaterBars).toBe(5);
  });
  it('no drawdown at all', () => {
    const s = drawdownStats(Float64Array.of(100, 101, 102), 100);
    expect(s).toMatchObject({ maxDrawdown: 0, avgDrawdown: 0, episodes: 0, longestUnderwaterBars: 0 });
  });
});
