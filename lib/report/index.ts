export * from './backtest';
export * from './study';
export * from './study-text';
export * from './inspect';
export * from './show';
