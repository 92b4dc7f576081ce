/**
 * The optimiser: search spaces, samplers (grid, random, TPE, CMA-ES, NSGA-II), pruners (median, successive
 * halving), studies with ask/tell, storages (memory, SQLite, PostgreSQL), worker threads, walk-forward
 * analysis and overfitting statistics. Roles share only plain trial records.
 */
export * from './space';
export * from './rng';
export * from './trial';
export * from './storage';
export { MemoryStorage } from './storage-memory';
export { SqliteStorage } from './storage-sqlite';
export { PostgresStorage } from './storage-postgres';
export { openStorage } from './open';
export * from './samplers';
export * from './pruners';
export * from './study';
export * from './identity';
export * from './shared';
export * from './workers';
export * from './progress';
export * from './walk-forward';
export * from './overfitting';
