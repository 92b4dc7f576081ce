import { describe, expect, it } from 'vitest';
import { sliceBars } from '../../lib/core';
import { int } from '../../lib/strategy/params';
import { walkForwardOptimize } from '../../lib/research/walk-forward';
import { backtest, smaCross } from '../../lib/strategy';
import { btc1h } from '../helpers/datasets';

const all = btc1h();
const bars = sliceBars(all, all.close.length - 6000); // the last 6,000 hours of BTCUSDT 1h
const quiet = { progress: false } as const;

describe('walk-forward (sma-cross, real data)', () => {
  it('rolling folds: OOS equity is each test window of a backtest from the fold’s train start, rebased and chained', async () => {
    const wf = await walkForwardOptimize(smaCross, bars, {
      train: 3000,
      test: 1000,
      sampler: 'random',
      trials: 12,
      seed: 1,
      space: { fast: int(2, 40), slow: int(20, 160, { step: 4 }) },
      ...quiet,
    });
    expect(wf.folds.length).toBe(3);
    expect(wf.oosEquity.length).toBe(3000);
    expect(wf.oosTs[0]).toBe(bars.ts[3000]);
    let level = 1;
    for (const f of wf.folds) {
      const r = backtest(smaCross, sliceBars(bars, f.train.start, f.test.end), f.params);
      const off = f.test.start - f.train.start;
      const initial = r.equity[off - 1]!;
      for (let i = 0; i < 1000; i++) expect(wf.oosEquity[(f.fold * 1000) + i]).toBeCloseTo((level * r.equity[off + i]!) / initial, 9);
      level = (level * r.equity[off + 999]!) / initial;
    }
    expect(Number.isFinite(wf.wfe)).toBe(true);
    expect(Number.isFinite(wf.wfeObjective)).toBe(true);
  });
});

describe('walk-forward with result constraints', () => {
  it('each fold’s study keeps only feasible winners; a fold where none is feasible says so', async () => {
    const space = { fast: int(2, 40), slow: int(20, 160, { step: 4 }) };
    const wf = await walkForwardOptimize(smaCross, bars, { train: 3000, test: 1000, sampler: 'random', trials: 10, seed: 2, space, constraints: { minTrades: 20 }, ...quiet });
    for (const f of wf.folds) {
      const r = backtest(smaCross, sliceBars(bars, f.train.start, f.train.end), f.params);
      expect(r.stats.trades).toBeGreaterThanOrEqual(20);
    }
    await expect(walkForwardOptimize(smaCross, bars, { train: 3000, test: 1000, sampler: 'random', trials: 3, seed: 2, space, constraints: { minTrades: 1e6 }, ...quiet })).rejects.toThrow(
      /walk-forward fold 0: no feasible trial completed \(3 broke the constraints, e\.g\. trades \d+ < minTrades 1000000\)/,
    );
  });
});
