export * from './figure';
export * from './downsample';
export * from './candles';
export * from './performance';
export * from './table';
export * from './notebook';
export * from './html';
export * from './optimization';
