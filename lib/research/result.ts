import type { Direction, Params, PboResult, Stability, StudySharpe, TrialRecord } from '../optimizer';
import type { Stats } from '../metrics';

export interface BestTrial {
  number: number;
  /** Every parameter, the fixed ones included. */
  params: Params;
  value: number;
  values: number[];
  /** Full statistics of the best parameters on all the bars. */
  stats: Stats;
}

/** What `optimize` and `sweep` return. */
export interface OptimizeResult {
  /** Name of the study in its storage (resume with `name: studyName`). */
  studyName: string;
  storage: string;
  strategy: string;
  sampler: string;
  /** The objectives' names (a function's name for an objective function). */
  objectives: string[];
  directions: Direction[];
  /** Every trial of the study, by number. `trialColumns(result.trials)` gives table columns. */
  trials: TrialRecord[];
  best: BestTrial | null;
  /** Pareto front (several objectives); [best] for one. */
  bestTrials: TrialRecord[];
  /** Trials this call ran. */
  ran: number;
  seconds: number;
  overfitting: OverfittingReport | null;
}

/** The overfitting statistics of a single-objective study. */
export interface OverfittingReport {
  /** Finished trials of the study (complete + pruned): the count the deflated Sharpe uses. */
  trials: number;
  /** Annualised Sharpe of the best parameters. */
  sharpe: number;
  /** Deflated Sharpe of the best parameters (per-bar figures inside). */
  deflated: StudySharpe;
  /** Probability of backtest overfitting (CSCV); null with fewer than 4 distinct configurations. */
  pbo: PboResult | null;
  /** Objective in the best parameters' neighbourhood. */
  stability: Stability;
}
