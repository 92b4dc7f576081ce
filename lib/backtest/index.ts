export * from './options';
export * from './columns';
export * from './engine';
export * from './events';
export * from './order';
export * from './range-table';
export * from './fast';
export * from './simulate';
