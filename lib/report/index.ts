export * from './backtest';
export * from './study';
export * from './study-text';
