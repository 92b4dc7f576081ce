/**
 * quantlab's live layer as one entry, `quantlab/live` (it loads ccxt, so it is not part of `quantlab`):
 * promote a validated strategy, run a paper session against the local replay exchange, reconcile a session
 * against the backtest of the same bars, and the run-script entry promoted run.ts files call. The runner's
 * parts (state store, ledger, paper broker, ccxt adapter, sizing) stay internal.
 */
export { promote, barsHash, type PromoteOptions, type PromotedStrategy, type SearchResult, type StudyLike, type ValidationEvidence, type ValidationInput } from './promote';
export { readStoredStudy, type SearchEvidence, type StoredStudy } from './evidence';
export { promotedDir, promotedNames, promotedStrategy, readPromoted } from './promoted';
export { paperSession, replaySession, type ReplaySessionOptions, type ReplaySessionResult } from './session';
export { reconcilePromoted, type ReconcilePromotedOptions } from './reconcile-promoted';
export { reconcileSession, reconcileText, type ReconcileOptions, type ReconcileReport, type ReconcileRow } from './reconcile';
export { reconcileFigure, saveReconcileReport } from './reconcile-report';
export { runPromoted, type RunPromotedOptions } from './main';
export { readConfig, type ExecutionOptions, type RiskLimits, type RunnerConfig } from './config';
export type { RunMode, RunnerEvent, StopInfo } from './runner';
export { startReplayExchange, type ReplayExchange, type ReplayExchangeOptions } from '../replay-exchange';
