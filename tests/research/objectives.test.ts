import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { QuantlabError, sliceBars, type Bars } from '../../lib/core';
import { SqliteStorage } from '../../lib/optimizer';
import { OBJECTIVE_NAMES, type TrialResult } from '../../lib/research/objectives';
import { optimize } from '../../lib/research/optimize';
import { sweep } from '../../lib/research/sweep';
import { optimizeSummary, trialColumns } from '../../lib/report/study-text';
import { backtest, int, smaCross } from '../../lib/strategy';
import { btc1h } from '../helpers/datasets';

const all = btc1h();
const bars = sliceBars(all, all.close.length - 3000);
const quiet = { progress: false, overfitting: false } as const;
const space = { fast: int(2, 40), slow: int(20, 200) };
const dir = mkdtempSync(join(tmpdir(), 'ql-objectives-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const statsOf = (p: Record<string, unknown>) => backtest(smaCross, bars, p).stats;
const sqrtTrades = (r: TrialResult) => r.stats.sharpe * Math.sqrt(r.stats.trades);

/** Sharpe of daily returns written out plainly: last equity of each UTC day, returns, mean / sample std · √365. */
function naiveDailySharpe(b: Bars, p: Record<string, unknown>): number {
  const r = backtest(smaCross, b, p);
  const lastOfDay = new Map<number, number>();
  for (let i = 0; i < b.ts.length; i++) lastOfDay.set(Math.floor(b.ts[i]! / 86_400_000), r.equity[i]!);
  const eq = [r.initialCash, ...lastOfDay.values()];
  const rets = eq.slice(1).map((e, i) => e / eq[i]! - 1);
  const m = rets.reduce((a, x) => a + x, 0) / rets.length;
  const sd = Math.sqrt(rets.reduce((a, x) => a + (x - m) ** 2, 0) / (rets.length - 1));
  return (m / sd) * Math.sqrt(365);
}

describe('objective as a function of the trial result', () => {
  it('in-process: each value is the function of that trial’s backtest statistics', async () => {
    const r = await optimize(smaCross, bars, { sampler: 'random', trials: 6, seed: 4, space, objective: sqrtTrades, ...quiet });
    expect(r.objectives).toEqual(['sqrtTrades']);
    expect(r.directions).toEqual(['maximize']);
    for (const t of r.trials) {
      const s = statsOf(t.params);
      expect(t.values![0]).toBeCloseTo(s.sharpe * Math.sqrt(s.trades), 10);
    }
    expect(r.best!.value).toBe(Math.max(...r.trials.map((t) => t.values![0]!)));
  });

  it('jobs: 2 (TPE, one trial per message) gives the same values: the function runs here on the statistics workers send back', async () => {
    const one = await optimize(smaCross, bars, { sampler: 'random', trials: 6, seed: 4, space, objective: sqrtTrades, ...quiet });
    const two = await optimize(smaCross, bars, { sampler: 'random', trials: 6, seed: 4, space, objective: sqrtTrades, jobs: 2, ...quiet });
    const byParams = new Map(one.trials.map((t) => [JSON.stringify(t.params), t.values![0]]));
    for (const t of two.trials) {
      const s = statsOf(t.params);
      expect(t.values![0]).toBeCloseTo(s.sharpe * Math.sqrt(s.trades), 10);
      if (byParams.has(JSON.stringify(t.params))) expect(t.values![0]).toBe(byParams.get(JSON.stringify(t.params)));
    }
  });

  it('jobs: 2 grid sweep (batches) with a named function and direction, and constraints', async () => {
    const dd = { name: 'drawdown', direction: 'minimize' as const, value: (r: TrialResult) => r.stats.maxDrawdown };
    const r = await sweep(smaCross, bars, { grid: { fast: [5, 10, 20], slow: [50, 100] }, objective: dd, constraints: { minTrades: 40 }, jobs: 2, ...quiet });
    expect(r.directions).toEqual(['minimize']);
    expect(r.trials).toHaveLength(6);
    for (const t of r.trials) {
      const s = statsOf(t.params);
      expect(t.values![0]).toBe(s.maxDrawdown);
      expect(t.infeasible ?? null).toBe(s.trades < 40 ? `trades ${s.trades} < minTrades 40` : null);
    }
  });

  it('a function that throws fails the study with its error; folds with a function are refused', async () => {
    const boom = () => {
      throw new Error('no such statistic');
    };
    await expect(optimize(smaCross, bars, { trials: 2, space, objective: boom, ...quiet })).rejects.toThrow(/no such statistic/);
    await expect(optimize(smaCross, bars, { trials: 2, space, objective: sqrtTrades, folds: 3, ...quiet })).rejects.toThrow(/folds work with named objectives only/);
    const typo = (r: TrialResult) => (r.stats as unknown as Record<string, number>).sharp;
    await expect(optimize(smaCross, bars, { trials: 2, space, objective: typo, ...quiet })).rejects.toThrow(/objective 'typo': expected a number for \{"fast":\d+,"slow":\d+\}, found undefined/);
  });
});

describe('constraints: infeasible trials are recorded with their reason, never best', () => {
  const constraints = { minTrades: 60, maxDrawdown: 0.3 };

  it('marks exactly the trials that break a rule (checked against each trial’s own backtest), and the best is feasible', async () => {
    const r = await optimize(smaCross, bars, { sampler: 'random', trials: 24, seed: 11, space, objective: 'sharpe', constraints, ...quiet });
    let infeasible = 0;
    for (const t of r.trials) {
      const s = statsOf(t.params);
      const why = s.trades < 60 ? `trades ${s.trades} < minTrades 60` : s.maxDrawdown > 0.3 ? `max drawdown ${(s.maxDrawdown * 100).toFixed(1)}% > maxDrawdown 30.0%` : null;
      expect(t.infeasible ?? null).toBe(why);
      expect(t.state).toBe('complete'); // recorded with its value, counted as finished
      expect(t.values![0]).toBeCloseTo(s.sharpe, 10);
      if (why) infeasible++;
    }
    expect(infeasible).toBeGreaterThan(0);
    expect(infeasible).toBeLessThan(24);
    const feasible = r.trials.filter((t) => !t.infeasible);
    expect(r.best!.value).toBe(Math.max(...feasible.map((t) => t.values![0]!)));
    expect(r.best!.stats.trades).toBeGreaterThanOrEqual(60);
    expect(r.best!.stats.maxDrawdown).toBeLessThanOrEqual(0.3);
    const text = optimizeSummary(r);
    expect(text).toContain(`24 complete (${infeasible} infeasible)`);
    expect(text).toMatch(/infeasible \(never best\): .*(minTrades|maxDrawdown)/);
    expect(trialColumns(r.trials).infeasible).toEqual(r.trials.map((t) => t.infeasible ?? null));
  });

  it('when every trial is infeasible there is no best, and the text says so', async () => {
    const r = await optimize(smaCross, bars, { sampler: 'random', trials: 4, seed: 2, space, constraints: { minTrades: 1e6 }, ...quiet });
    expect(r.trials.every((t) => t.infeasible?.startsWith('trades '))).toBe(true);
    expect(r.best).toBeNull();
    expect(optimizeSummary(r)).toContain('no feasible trial: every complete trial breaks a constraint');
  });

  it('a check of your own: its message is the reason', async () => {
    const check = (x: TrialResult) => (x.params.fast as number) >= 10 || `fast ${String(x.params.fast)} < 10`;
    const r = await optimize(smaCross, bars, { sampler: 'random', trials: 8, seed: 5, space, constraints: { check }, ...quiet });
    for (const t of r.trials) expect(t.infeasible ?? null).toBe((t.params.fast as number) >= 10 ? null : `fast ${String(t.params.fast)} < 10`);
  });

  it('persist in SQLite (reason read back after reopening) and resume with the same objective and constraints', async () => {
    const path = join(dir, 'c.db');
    const storage = `sqlite:${path}`;
    const objective = (x: TrialResult) => x.stats.totalReturn / Math.max(x.stats.maxDrawdown, 0.01);
    const a = await optimize(smaCross, bars, { sampler: 'tpe', trials: 8, seed: 3, space, objective, constraints, storage, name: 'c', ...quiet });
    const b = await optimize(smaCross, bars, { sampler: 'tpe', trials: 12, seed: 3, space, objective, constraints, storage, name: 'c', ...quiet });
    expect(b.ran).toBe(4);
    const s = new SqliteStorage(path);
    const stored = await s.getTrials('c');
    await s.close();
    expect(stored.map((t) => t.infeasible ?? null)).toEqual(b.trials.map((t) => t.infeasible ?? null));
    expect(stored.slice(0, 8).map((t) => t.infeasible ?? null)).toEqual(a.trials.map((t) => t.infeasible ?? null));
    expect(stored.some((t) => t.infeasible)).toBe(true);
  });

  it('says what is wrong with a constraint', async () => {
    await expect(optimize(smaCross, bars, { trials: 1, constraints: { minTrade: 3 } as never, ...quiet })).rejects.toThrow(/constraint 'minTrade' unknown; expected one of minTrades, maxDrawdown, minExposure, check/);
    await expect(optimize(smaCross, bars, { trials: 1, constraints: { maxDrawdown: -1 }, ...quiet })).rejects.toThrow(QuantlabError);
  });
});

describe('named research objectives', () => {
  it('are listed with the others', () => {
    for (const n of ['dailySharpe', 'calmar', 'returnOverDrawdown', 'tradePenalizedSharpe', 'deflatedSharpe']) expect(OBJECTIVE_NAMES).toContain(n);
  });

  it('values match independent computations from each trial’s backtest', async () => {
    const names = ['dailySharpe', 'calmar', 'returnOverDrawdown', 'tradePenalizedSharpe', 'deflatedSharpe'] as const;
    const r = await optimize(smaCross, bars, { sampler: 'nsga2', trials: 5, seed: 8, space, objective: [...names], ...quiet });
    expect(r.objectives).toEqual([...names]);
    for (const t of r.trials) {
      const s = statsOf(t.params);
      const [daily, calmar, rod, tps, dsr] = t.values!;
      expect(daily).toBeCloseTo(naiveDailySharpe(bars, t.params), 9);
      expect(calmar).toBe(s.calmar);
      expect(rod).toBeCloseTo(s.totalReturn / s.maxDrawdown, 12);
      expect(tps).toBeCloseTo(s.sharpe > 0 ? s.sharpe * Math.sqrt(Math.min(s.trades, 30) / 30) : s.sharpe, 12);
      expect(dsr).toBe(s.deflatedSharpe);
    }
  });

  it('the trade-count penalty shrinks a positive Sharpe of few trades (and only then)', async () => {
    // two months of a rising market (from the 20,000th hour of BTCUSDT 1h) and slow averages: few trades, positive Sharpe
    const few = sliceBars(all, 20_000, 21_500);
    const r = await sweep(smaCross, few, { grid: { fast: [5, 20, 30], slow: [100, 150] }, objective: ['sharpe', 'tradePenalizedSharpe', 'trades'], ...quiet });
    let shrunk = 0;
    for (const t of r.trials) {
      const [sh, tps, n] = t.values!;
      if (sh! > 0 && n! < 30) {
        expect(tps).toBeLessThan(sh!);
        shrunk++;
      } else expect(tps).toBe(sh);
    }
    expect(shrunk).toBeGreaterThan(0);
  });
});
