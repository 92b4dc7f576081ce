import { attachHidden, barsPerYear, QuantlabError, sliceBars, withSummary, type Bars } from '../core';
import { walkForward, walkForwardSplits, type Params, type SplitOptions, type WalkForwardResult } from '../optimizer';
import { backtest, getStrategy, inputsOf, strategyBars, type AnyStrategy } from '../strategy';
import { strategyRulesHash, strategySourceHash } from './identity';
import { noticeOutput, notebookStudyName, openStudyStorage, studyNotice, studyStorage } from './notebook-default';
import { objectiveFromEquity, type ObjectiveName } from './objectives';
import { optimize } from './optimize';
import type { OptimizeOptions } from './options';

export interface WalkForwardOptions extends Omit<OptimizeOptions, 'objective' | 'name' | 'overfitting'>, SplitOptions {
  /** One named objective. Default 'sharpe'. */
  objective?: ObjectiveName;
  /** Study name prefix; fold k is '<name>-fold<k>'. In a notebook without `storage`: 'nb-<strategy>-wf-<hash>' (a hash of the whole call). */
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
  const { train: _t, test: _s, mode: _m, step: _st, gap: _g, folds: _f, ...opt } = options;
  void [_t, _s, _m, _st, _g, _f];
  // in a notebook, no storage means <experiments>/studies.db, one study per fold, named from everything the call says
  const choice = studyStorage(options.storage);
  let prefix = options.name ?? `${strategy.name}-${bars.symbol || 'bars'}-${bars.timeframe || 'tf'}-wf`;
  if (choice.notebook && options.name === undefined) {
    const { progress: _p, jobs: _j, timeout: _to, strategyFile: _sf, restart: _r, restartHint: _rh, storage: _sg, inputs: _in, ...defining } = opt;
    void [_p, _j, _to, _sf, _r, _rh, _sg, _in];
    const attached = inputsOf(bars);
    prefix = notebookStudyName(
      strategy,
      { strategy: { name: strategy.name, source: strategySourceHash(strategy), rules: strategyRulesHash(strategy) }, bars, inputs: attached?.inputs ?? null, folds, objective, options: defining },
      'wf',
    );
  }
  const opened = choice.notebook ? openStudyStorage(choice) : null;
  if (opened) {
    opt.storage = opened.storage; // one open storage for every fold
    noticeOutput(studyNotice(`walk-forward studies ${prefix}-fold0…${folds.length - 1} (one per fold)`, null, true)).show();
  }
  try {
    return await runWalkForward(strategy, bars, options, opt, objective, folds, P, prefix);
  } finally {
    if (opened?.owns) await opened.storage.close();
  }
}

async function runWalkForward(
  strategy: AnyStrategy,
  bars: Bars,
  options: WalkForwardOptions,
  opt: Omit<WalkForwardOptions, keyof SplitOptions>,
  objective: ObjectiveName,
  folds: ReturnType<typeof walkForwardSplits>,
  P: number,
  prefix: string,
): Promise<StrategyWalkForward> {
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
