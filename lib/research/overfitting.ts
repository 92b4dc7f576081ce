import { barsPerYear, type Bars } from '../core';
import { barReturns } from '../metrics';
import {
  blockStats,
  neighbourhoodStability,
  neighbours,
  pboFromBlocks,
  rng,
  studyDeflatedSharpe,
  scoredParts,
  type Constraint,
  type Direction,
  type Objective,
  type Params,
  type PboResult,
  type SearchSpace,
  type TrialRecord,
} from '../optimizer';
import { backtest, backtestSummary, type AnyStrategy, type IndicatorCache } from '../strategy';
import { strategyObjectiveFor, type ScoreSpec } from './objectives';
import type { OverfittingOptions } from './options';
import type { BestTrial, OverfittingReport } from './result';

/** What `overfittingReport` needs besides its options: the study's space, rules and best trial. */
export interface OverfittingInput extends OverfittingOptions {
  space: SearchSpace;
  constraint: Constraint;
  spec: ScoreSpec;
  best: Pick<BestTrial, 'number' | 'params' | 'value'>;
  direction: Direction;
  seed: number;
  cache?: IndicatorCache;
  /** The study's objective for the neighbourhood check (default: the named objectives of `spec`). */
  objective?: Objective;
}

/**
 * The overfitting statistics of a finished single-objective study: deflated Sharpe of the best parameters
 * using the study's real trial count and the spread of the trials' Sharpe ratios; PBO by CSCV over (a seeded
 * sample of) the distinct complete trials, re-run for their per-bar returns; the objective around the best
 * parameters (±radius grid steps, one parameter at a time).
 */
export async function overfittingReport(
  strategy: AnyStrategy,
  bars: Bars,
  trials: readonly TrialRecord[],
  o: OverfittingInput,
): Promise<OverfittingReport> {
  const cache = o.cache ?? new Map();
  const P = bars.timeframe ? barsPerYear(bars.timeframe) : 1;
  const finished = trials.filter((t) => t.state === 'complete' || t.state === 'pruned').length;
  const seen = new Set<string>();
  const distinct: TrialRecord[] = [];
  for (const t of trials) {
    if (t.state !== 'complete') continue;
    const key = JSON.stringify(t.params);
    if (!seen.has(key)) {
      seen.add(key);
      distinct.push(t);
    }
  }
  const opts = { ...o.spec.backtest, cache };
  const full = (p: Params) => ({ ...o.spec.fixed, ...p });
  // per-bar Sharpe of every distinct trial (the summary kernel's annualised Sharpe / √P)
  const trialSharpes = distinct.map((t) => backtestSummary(strategy, bars, full(t.params), opts).sharpe / Math.sqrt(P));
  const bestRun = backtest(strategy, bars, o.best.params, opts);
  const bestReturns = barReturns(bestRun.equity, bestRun.initialCash);
  const deflated = studyDeflatedSharpe(bestReturns, trialSharpes, Math.max(finished, 1));
  // PBO over a seeded sample of the distinct trials (the best always in)
  const maxConfigs = o.pboConfigs ?? 100;
  const blocks = o.blocks ?? 16;
  let sample = distinct;
  if (distinct.length > maxConfigs) {
    const r = rng(o.seed, 0x70626f);
    const idx = Array.from(distinct.keys());
    for (let i = idx.length - 1; i > 0; i--) {
      const j = r.int(i + 1);
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    const bestIdx = distinct.findIndex((t) => t.number === o.best.number);
    const chosen = new Set(idx.slice(0, maxConfigs - 1));
    if (bestIdx >= 0) chosen.add(bestIdx);
    sample = [...chosen].sort((a, b) => a - b).slice(0, maxConfigs).map((i) => distinct[i]!);
  }
  let pbo: PboResult | null = null;
  if (sample.length >= 4 && bars.close.length >= 2 * blocks) {
    const stats = sample.map((t) => {
      const r = backtest(strategy, bars, full(t.params), opts);
      return blockStats(barReturns(r.equity, r.initialCash), blocks);
    });
    pbo = pboFromBlocks(stats, blocks);
  }
  // neighbourhood: the study's objective at ±radius steps of each parameter
  const objective = o.objective ?? strategyObjectiveFor(strategy, bars, { ...o.spec, folds: undefined });
  const searched: Params = {};
  for (const k of Object.keys(o.space)) if (k in o.best.params) searched[k] = o.best.params[k]!;
  const around = neighbours(o.space, searched, o.constraint, o.radius ?? 1);
  const values: number[] = [];
  for (const p of around) {
    const v = await objective({ number: -1, params: p, report: async () => undefined, shouldPrune: async () => false, pruned: () => new Error('pruned') });
    values.push(scoredParts(v).values[0]!);
  }
  return {
    trials: finished,
    sharpe: bestRun.stats.sharpe,
    deflated,
    pbo,
    stability: neighbourhoodStability(o.best.value, values, o.direction),
  };
}
