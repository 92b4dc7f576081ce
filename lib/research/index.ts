/** Research glue: strategies meet the optimiser (studies, sweeps, walk-forward, overfitting statistics). */
export * from './objectives';
export * from './options';
export * from './result';
export * from './space';
export * from './optimize';
export * from './sweep';
export * from './walk-forward';
export * from './overfitting';
export type { StrategyObjectiveInit } from './objective-worker';
