/**
 * Machine learning over bars (`ql.ml`): feature matrices from indicator specs, labels that record how far
 * they look ahead, purged cross-validation, models in plain TypeScript (logistic, ridge, trees, random
 * forest, gradient boosting, k-means, a Gaussian mixture, a small MLP) with exact JSON round trips, and models as indicator specs and
 * strategies, so a prediction made bar by bar equals the batch one.
 */
export * from './features';
export * as labels from './labels';
export type { Labels, ForwardReturnOptions, TripleBarrierOptions } from './labels';
export * from './dataset';
export * from './cv';
export * from './metrics';
export { asMatrix, type Matrix, type MatrixLike } from './matrix';
export type { Model, ModelJSON, ModelKind } from './models/model';
export type { LogisticOptions, RidgeOptions } from './models/linear';
export type { ForestOptions } from './models/forest';
export type { GbdtOptions } from './models/gbdt';
export type { KMeansOptions } from './models/kmeans';
export type { MlpOptions } from './models/mlp';
export type { GmmOptions } from './models/gmm';
export * from './train';
export * from './evaluate';
export * from './indicator';
export * from './strategy';
export * from './retrain';
export * from './regimes';
export * from './select';
export * from './bandit';
export * from './persist';
