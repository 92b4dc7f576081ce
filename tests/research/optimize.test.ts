import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sliceBars } from '../../lib/core';
import { int } from '../../lib/strategy/params';
import { dominates, minimised } from '../../lib/optimizer/trial';
import { optimize } from '../../lib/research/optimize';
import { optimizeSummary, trialColumns } from '../../lib/report/study-text';
import { backtest, backtestSummary, smaCross } from '../../lib/strategy';
import { btc1h } from '../helpers/datasets';
import { aboveSma } from './fixtures/my-strategy';

const all = btc1h();
const bars = sliceBars(all, all.close.length - 6000); // the last 6,000 hours of BTCUSDT 1h
const quiet = { progress: false } as const;
const dir = mkdtempSync(join(tmpdir(), 'ql-research-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('optimize (sma-cross, real data)', () => {
  const space = { fast: int(2, 60), slow: int(10, 240, { step: 2 }) };

  it('TPE, seeded: reproducible, values are backtest Sharpe ratios, best carries full statistics and overfitting checks', async () => {
    const run = () => optimize(smaCross, bars, { sampler: 'tpe', trials: 30, objective: 'sharpe', seed: 7, space, ...quiet });
    const a = await run();
    const b = await run();
    expect(b.trials.map((t) => t.params)).toEqual(a.trials.map((t) => t.params));
    for (const t of a.trials.slice(0, 5)) expect(t.values![0]).toBeCloseTo(backtestSummary(smaCross, bars, t.params).sharpe, 12);
    expect(a.trials.every((t) => (t.params.fast as number) < (t.params.slow as number))).toBe(true);
    const best = a.best!;
    expect(best.value).toBe(Math.max(...a.trials.map((t) => t.values![0]!)));
    expect(best.stats.sharpe).toBeCloseTo(backtest(smaCross, bars, best.params).stats.sharpe, 9);
    const o = a.overfitting!;
    expect(o.trials).toBe(30);
    expect(o.deflated.trials).toBe(30);
    expect(o.deflated.deflatedSharpe).toBeLessThanOrEqual(o.deflated.probabilisticSharpe);
    expect(o.pbo!.pbo).toBeGreaterThanOrEqual(0);
    expect(o.pbo!.pbo).toBeLessThanOrEqual(1);
    expect(o.stability.count).toBeGreaterThan(1);
    const text = optimizeSummary(a);
    expect(text).toMatch(/best trial #\d+: \{"fast":\d+,"slow":\d+\}/);
    expect(text).toMatch(/deflated Sharpe/);
    expect(text).toMatch(/PBO \d+\.\d%/);
    const cols = trialColumns(a.trials);
    expect(Object.keys(cols)).toEqual(['number', 'state', 'value', 'fast', 'slow', 'seconds']);
    expect(cols.value!.length).toBe(30);
  });

  it('jobs: 2 (worker threads) gives each trial the same value as in-process', async () => {
    const r = await optimize(smaCross, bars, { sampler: 'random', trials: 12, objective: 'totalReturn', jobs: 2, seed: 3, space, overfitting: false, ...quiet });
    expect(r.trials.length).toBe(12);
    for (const t of r.trials) expect(t.values![0]).toBe(backtestSummary(smaCross, bars, t.params).totalReturn);
  });

  it('a strategy of your own in worker threads: needs strategyFile, then works', async () => {
    await expect(optimize(aboveSma, bars, { trials: 4, jobs: 2, ...quiet })).rejects.toThrow(
      /strategy 'test-above-sma' is not built in, so worker threads cannot load it; pass strategyFile/,
    );
    const r = await optimize(aboveSma, bars, { sampler: 'random', trials: 6, jobs: 2, seed: 1, strategyFile: join(__dirname, 'fixtures', 'my-strategy.ts'), overfitting: false, ...quiet });
    for (const t of r.trials) expect(t.values![0]).toBe(backtestSummary(aboveSma, bars, t.params).sharpe);
  });

  it('SQLite storage: resumes by name, tops up to the asked count; refuses the name on other data', async () => {
    const storage = `sqlite:${join(dir, 'studies.db')}`;
    const first = await optimize(smaCross, bars, { sampler: 'tpe', trials: 8, storage, name: 'resume', seed: 2, space, overfitting: false, ...quiet });
    const second = await optimize(smaCross, bars, { sampler: 'tpe', trials: 14, storage, name: 'resume', seed: 2, space, overfitting: false, ...quiet });
    expect(second.ran).toBe(6);
    expect(second.trials.slice(0, 8)).toEqual(first.trials);
    await expect(optimize(smaCross, sliceBars(bars, 100), { trials: 2, storage, name: 'resume', space, ...quiet })).rejects.toThrow(/study 'resume' in sqlite:.* was defined differently[^]*data\.bars: stored 6000, given 5900/);
  });

  it('several objectives (return up, drawdown down) with NSGA-II: the Pareto front', async () => {
    const r = await optimize(smaCross, bars, { objective: ['totalReturn', 'maxDrawdown'], trials: 40, seed: 5, space, ...quiet });
    expect(r.sampler).toBe('nsga2');
    expect(r.directions).toEqual(['maximize', 'minimize']);
    expect(r.best).toBeNull();
    expect(r.bestTrials.length).toBeGreaterThan(0);
    for (const a of r.bestTrials) for (const b of r.trials) expect(dominates(minimised(b, r.directions), minimised(a, r.directions))).toBe(false);
  });

  it('folds + median pruner: per-fold values reported, unpromising trials pruned', async () => {
    const r = await optimize(smaCross, bars, { sampler: 'random', trials: 30, folds: 4, pruner: 'median', seed: 11, space, overfitting: false, ...quiet });
    const pruned = r.trials.filter((t) => t.state === 'pruned');
    expect(pruned.length).toBeGreaterThan(2);
    const complete = r.trials.find((t) => t.state === 'complete')!;
    expect(Object.keys(complete.intermediate).length).toBe(4);
    expect(complete.values![0]).toBeCloseTo(complete.intermediate[3]!, 12); // the last running mean is the value
  });

  it('says what is wrong: unknown objective, parameter, fixed parameter', async () => {
    await expect(optimize(smaCross, bars, { objective: 'profit' as never, ...quiet })).rejects.toThrow(/objective: expected one of finalEquity, totalReturn, sharpe, .*found "profit"/);
    await expect(optimize(smaCross, bars, { space: { fats: int(1, 2) }, ...quiet })).rejects.toThrow(/strategy 'sma-cross' has no parameter 'fats'; it has fast, slow/);
    await expect(optimize(smaCross, bars, { fixed: { x: 1 }, ...quiet })).rejects.toThrow(/fixed parameter 'x' is not a parameter of 'sma-cross'/);
  });
});
