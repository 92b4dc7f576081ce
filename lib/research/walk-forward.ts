import { attachHidden, barsPerYear, QuantlabError, sliceBars, withSummary, type Bars } from '../core';
import { walkForward, walkForwardSplits, type Params, type SplitOptions, type WalkForwardResult } from '../optimizer';
import { backtest, getStrategy, strategyBars, type AnyStrategy } from '../strategy';
import { objectiveFromEquity, type ObjectiveName } from './objectives';
import { optimize } from './optimize';
import type { OptimizeOptions } from './options';

export interface WalkForwardOptions extends Omit<OptimizeOptions, 'objective' | 'name' | 'overfitting'>, SplitOptions {
  /** One named objective. Default 'sharpe'. */
  objective?: ObjectiveName;
  /** Study name prefix; fold k is '<name>-fold<k>'. */
  name?: string;
}

export interface StrategyWalkForward extends WalkForwardResult {
  strategy: string;
  objective: ObjectiveName;
  /** Bar open times of oosEquity. */
  oosTs: Float64Array;
  /** The bars it ran on (oosIndex points into them), for buy & hold beside the equity; not enumerable. */
  readonly bars?: Bars;
}

/**
 * Walk-forward analysis of a strategy: on each fold, optimise on the train window (a study per fold), then
 * evaluate the winner on the train window (in-sample) and the following test window (out-of-sample). Each
 * window is backtested from the start of its fold's train window so that indicators are warmed up, and its
 * equity is rebased at the window's first bar. Returns the folds, the stitched out-of-sample equity and WFE.
 */
export async function walkForwardOptimize(strategyOrName: AnyStrategy | string, barsGiven: Bars, options: WalkForwardOptions): Promise<StrategyWalkForward> {
  const strategy = typeof strategyOrName === 'string' ? getStrategy(strategyOrName) : strategyOrName;
  const bars = strategyBars(strategy, barsGiven, options); // the strategy's inputs attached (slices keep them)
  const objective = options.objective ?? 'sharpe';
  const folds = walkForwardSplits(bars.close.length, options);
  const P = bars.timeframe ? barsPerYear(bars.timeframe) : 1;
  const prefix = options.name ?? `${strategy.name}-${bars.symbol || 'bars'}-${bars.timeframe || 'tf'}-wf`;
  const { train: _t, test: _s, mode: _m, step: _st, gap: _g, folds: _f, ...opt } = options;
  void [_t, _s, _m, _st, _g, _f];
  const full = (p: Params) => ({ ...options.fixed, ...p });
  const result = await walkForward({
    folds,
    barsPerYear: P,
    optimize: async (train, fold) => {
      const r = await optimize(strategy, sliceBars(bars, train.start, train.end), { ...opt, objective, name: `${prefix}-fold${fold.fold}`, overfitting: false });
      if (!r.best) {
        const infeasible = r.trials.filter((t) => t.infeasible).length;
        throw new QuantlabError(
          'BAD_ARGUMENT',
          `walk-forward fold ${fold.fold}: no ${infeasible ? 'feasible ' : ''}trial completed${infeasible ? ` (${infeasible} broke the constraints, e.g. ${r.trials.find((t) => t.infeasible)!.infeasible})` : ''}`,
        );
      }
      return r.best.params;
    },
    evaluate: (params, window, fold) => {
      const from = fold.train.start;
      // a fresh slice each time: no indicator cache (cache keys do not include the bars)
      const r = backtest(strategy, sliceBars(bars, from, window.end), full(params), options.backtest ?? {});
      const off = window.start - from;
      const initial = off === 0 ? r.initialCash : r.equity[off - 1]!;
      const equity = r.equity.slice(off);
      return { value: objectiveFromEquity(objective, equity, initial, P), equity, initial };
    },
  });
  const out: StrategyWalkForward = { ...result, strategy: strategy.name, objective, oosTs: Float64Array.from(result.oosIndex, (i) => bars.ts[i]!) };
  return withSummary(attachHidden(out, 'bars', bars), 'walk-forward');
}
