export * from './sma';
export * from './ema';
