export * from './backtest';
