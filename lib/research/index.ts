/** Research glue: strategies meet the optimiser (studies, sweeps, walk-forward, overfitting statistics). */
export * from './objectives';
export * from './optimize';
export type { StrategyObjectiveInit } from './objective-worker';
