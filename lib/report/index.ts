export * from './backtest';
export * from './study';
