/**
 * quantlab's public API: what notebooks and scripts import (`import * as ql from 'quantlab'`). The simulator's
 * internals (the Engine class, resolved-option codes, the order rule, the fast kernel, range tables) and the
 * indicator kernel helpers stay off it; the live layer is `quantlab/live`, the TA-Lib oracle `quantlab/testing`.
 */
export * from './core';
export * from './data';
export * from './indicators';
export {
  simulate,
  simulatePortfolio,
  simulateSummary,
  SIM_OPTION_NAMES,
  TargetEvents,
  EXIT_REASONS,
  columnsToRows,
  tradeTableColumns,
  orderTableColumns,
  type SimOptions,
  type SimResult,
  type SimSeries,
  type SimSummary,
  type AssetInput,
  type FillTiming,
  type StopSpec,
  type Sizing,
  type Slippage,
  type Funding,
  type ExitReason,
  type OrderColumns,
  type TradeColumns,
} from './backtest';
export * from './metrics';
export * from './params';
export * from './strategy';
export * as optimizer from './optimizer';
export * as ml from './ml';
export * from './research';
export * from './plot';
export * from './notebook';
export * from './report';
