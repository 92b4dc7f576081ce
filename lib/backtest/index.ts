export * from './options';
export * from './columns';
export * from './engine';
export * from './events';
export * from './fast';
export * from './simulate';
