export * from './figure';
export * from './candles';
export * from './notebook';
