import type { Constraint, ParamDecl, Params, Progress, Pruner, PrunerName, Sampler, SamplerName, Storage } from '../optimizer';
import type { Bars } from '../core';
import type { BacktestOptions, InputGaps } from '../strategy';
import type { ObjectiveSpec, ResultConstraints } from './objectives';

/** Options of `optimize` (and, narrowed, of `sweep` and `walkForwardOptimize`). */
export interface OptimizeOptions {
  /** 'tpe' (default), 'tpe-multivariate', 'random', 'grid', 'cmaes', 'nsga2', or a Sampler. */
  sampler?: SamplerName | Sampler;
  /** Finished trials the study should hold. Default 100; with the grid sampler, the whole grid. */
  trials?: number;
  /**
   * What a trial scores: a named objective ('sharpe', 'dailySharpe', 'calmar', 'returnOverDrawdown',
   * 'tradePenalizedSharpe', 'deflatedSharpe' …), a function of the trial's result (maximised:
   * `(r) => r.stats.sharpe * Math.sqrt(r.stats.trades)`), `{ name, direction, value }`, or several of these
   * (multi-objective, e.g. ['totalReturn', 'maxDrawdown']). Functions run in this thread, from the statistics
   * worker threads send back. Default 'sharpe'.
   */
  objective?: ObjectiveSpec | ObjectiveSpec[];
  /**
   * Rules on each trial's result (`{ minTrades: 30, maxDrawdown: 0.4 }`, or `check: (r) => true | 'reason'`):
   * a trial that breaks one is recorded as infeasible with its reason, never the best.
   */
  constraints?: ResultConstraints;
  /**
   * Delete a stored study of this name and start it over. Without it, resuming a study defined differently
   * (strategy, space, objective, constraints, backtest options, fixed parameters, data) is refused.
   */
  restart?: boolean;
  /** @internal How a STUDY_MISMATCH refusal names the start-over option (the CLI says --restart). */
  restartHint?: string;
  /** Worker threads. Default 1 (in-process). */
  jobs?: number;
  /**
   * Where the study lives: 'sqlite:experiments/studies.db', 'postgres://…', a Storage, or false / 'memory'
   * (this process only). Default: in a notebook, `<experiments>/studies.db` under a name derived from what
   * defines the study (so re-running the cell resumes it and returns at once); elsewhere memory.
   */
  storage?: string | Storage | false;
  /**
   * Study name; an existing study of that name in the storage is resumed. Default '<strategy>-<symbol>-<tf>';
   * in a notebook without `storage`, 'nb-<strategy>-<hash>' (a hash of the study's identity, sampler, seed and
   * trial count: any change to the call is another study).
   */
  name?: string;
  seed?: number;
  /** Narrow or replace parameter declarations of the strategy (same shapes: int, float, logFloat, choice). */
  space?: Record<string, ParamDecl>;
  /** Parameters held fixed (not searched). */
  fixed?: Params;
  /** Extra rule over parameter sets; the strategy's own check always applies. */
  constraint?: Constraint;
  pruner?: Pruner | PrunerName;
  /** Score each trial on this many consecutive folds of the bars (reported one by one, for pruners). */
  folds?: number;
  /** Backtest options (fee, fill, cash, slippage, leverage, stops …). */
  backtest?: Omit<BacktestOptions, 'cache' | 'inputs'>;
  /** Bars of the other symbols the strategy declares as `inputs` ({ btc: btcBars }), at the bars' timeframe. */
  inputs?: Readonly<Record<string, Bars>>;
  /** What a bar without an input bar at the same time shows: 'hold' (default), 'nan' or 'error' (see backtest). */
  inputGaps?: InputGaps;
  /** Points per continuous parameter for the grid sampler. Default 10. */
  gridPoints?: number;
  /** true: progress bar (terminal) or progress lines (notebook); false: silent; or your own callback. Default true. */
  progress?: boolean | ((p: Progress) => void);
  /** Overfitting statistics after the study (single objective). Default true. */
  overfitting?: boolean | OverfittingOptions;
  /** A file exporting the strategy, so that worker threads can load a strategy that is not built in. */
  strategyFile?: string;
  /** Stop asking for new trials after this many seconds. */
  timeout?: number;
}

/** Options of the overfitting statistics (`overfitting: {...}` of optimize, or `overfittingReport`). */
export interface OverfittingOptions {
  /** Configurations (distinct complete trials) re-run for PBO; a seeded sample when there are more. Default 100. */
  pboConfigs?: number;
  /** CSCV blocks (even, ≤ 20). Default 16. */
  blocks?: number;
  /** Grid steps around the best parameters for the stability check. Default 1. */
  radius?: number;
}
