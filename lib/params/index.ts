/**
 * The parameter vocabulary: declarations (int, float, logFloat, choice, when), their validation, grids,
 * descriptions, canonical keys and ranges. One leaf module (imports only core) used by strategies, the
 * optimiser and research alike, as optuna's distributions are used by its trials, samplers and storages.
 */
export * from './declare';
export * from './describe';
export * from './validate';
export * from './grid';
export * from './values';
export * from './key';
export * from './range';
