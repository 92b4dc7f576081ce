import { describe, expect, it } from 'vitest';
import { sliceBars } from '../../lib/core';
import { range } from '../../lib/params';
import { sweep } from '../../lib/research/sweep';
import { backtestSummary } from '../../lib/strategy';
import { btc1h } from '../helpers/datasets';

const all = btc1h();
const bars = sliceBars(all, all.close.length - 6000); // the last 6,000 hours of BTCUSDT 1h
const quiet = { progress: false } as const;

describe('sweep (sma-cross, real data)', () => {
  it('visits every valid combination once and each value is the backtest’s; best is the naive argmax', async () => {
    // range(lo, hi, step) is inclusive of hi: a plain number array as the grid of each parameter
    const grid = { fast: range(5, 25, 5), slow: range(20, 80, 20) };
    expect(grid).toEqual({ fast: [5, 10, 15, 20, 25], slow: [20, 40, 60, 80] });
    const r = await sweep('sma-cross', bars, { grid, objective: 'finalEquity', ...quiet });
    let naiveBest = -Infinity;
    let combos = 0;
    for (const f of grid.fast) {
      for (const s of grid.slow) {
        if (f >= s) continue;
        combos++;
        naiveBest = Math.max(naiveBest, backtestSummary('sma-cross', bars, { fast: f, slow: s }).finalEquity);
      }
    }
    expect(r.studyName).toBe('sma-cross-BTCUSDT-1h');
    expect(r.trials.length).toBe(combos);
    for (const t of r.trials) expect(t.values![0]).toBe(backtestSummary('sma-cross', bars, t.params).finalEquity);
    expect(r.best!.value).toBe(naiveBest);
    expect(r.best!.stats.finalEquity).toBeCloseTo(naiveBest, 6);
  });
});
