import type { Constraint, ParamDecl, Params, Progress, Pruner, PrunerName, Sampler, SamplerName, Storage } from '../optimizer';
import type { BacktestOptions } from '../strategy';
import type { ObjectiveName } from './objectives';

/** Options of `optimize` (and, narrowed, of `sweep` and `walkForwardOptimize`). */
export interface OptimizeOptions {
  /** 'tpe' (default), 'tpe-multivariate', 'random', 'grid', 'cmaes', 'nsga2', or a Sampler. */
  sampler?: SamplerName | Sampler;
  /** Finished trials the study should hold. Default 100; with the grid sampler, the whole grid. */
  trials?: number;
  /** A named objective, or several (multi-objective, e.g. ['totalReturn', 'maxDrawdown']). Default 'sharpe'. */
  objective?: ObjectiveName | ObjectiveName[];
  /** Worker threads. Default 1 (in-process). */
  jobs?: number;
  /** 'memory:' (default), 'sqlite:experiments/studies.db', 'postgres://…', or a Storage. */
  storage?: string | Storage;
  /** Study name; an existing study of that name in the storage is resumed. Default '<strategy>-<symbol>-<tf>'. */
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
  backtest?: Omit<BacktestOptions, 'cache'>;
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
