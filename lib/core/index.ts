export * from './errors';
export * from './timeframe';
export * from './bars';
export * from './stream';
export * from './files';
export * from './inspect';
