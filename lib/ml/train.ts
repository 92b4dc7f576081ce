import { QuantlabError } from '../core';
import type { MatrixLike } from './matrix';
import { forestFromJSON, trainForest, type ForestOptions } from './models/forest';
import { gbdtFromJSON, trainGbdt, type GbdtOptions } from './models/gbdt';
import { kmeansFromJSON, trainKMeans, type KMeansOptions } from './models/kmeans';
import { gmmFromJSON, trainGmm, type GmmOptions } from './models/gmm';
import { mlpFromJSON, trainMlp, type MlpOptions } from './models/mlp';
import { logisticFromJSON, ridgeFromJSON, trainLogistic, trainRidge, type LogisticOptions, type RidgeOptions } from './models/linear';
import type { Model, ModelJSON, ModelKind } from './models/model';

export interface TrainOptions {
  logistic: LogisticOptions;
  ridge: RidgeOptions;
  'decision-tree': ForestOptions;
  'random-forest': ForestOptions;
  gbdt: GbdtOptions;
  kmeans: KMeansOptions;
  gmm: GmmOptions;
  mlp: MlpOptions;
}

export const MODEL_KINDS: readonly ModelKind[] = ['logistic', 'ridge', 'decision-tree', 'random-forest', 'gbdt', 'kmeans', 'gmm', 'mlp'];

/**
 * Trains a model of `kind` on X (a feature matrix, `number[][]` or Matrix) and y (ignored by 'kmeans' and 'gmm').
 * Every kind is deterministic for its options (seeded where random).
 * @example
 * const m = train('logistic', [[0], [1], [2], [3]], [0, 0, 1, 1]);
 * m.kind // 'logistic'
 * fromJSON(JSON.parse(JSON.stringify(m.toJSON()))).predictProba([[1.5]])[0] === m.predictProba([[1.5]])[0] // true
 */
export function train<K extends ModelKind>(kind: K, X: MatrixLike, y?: ArrayLike<number>, options?: TrainOptions[K]): Model {
  const needY = () => {
    if (!y) throw new QuantlabError('BAD_ARGUMENT', `train '${kind}': expected labels y (one per row of X), found none`);
    return y;
  };
  switch (kind) {
    case 'logistic':
      return trainLogistic(X, needY(), options as LogisticOptions);
    case 'ridge':
      return trainRidge(X, needY(), options as RidgeOptions);
    case 'decision-tree':
      return trainForest(X, needY(), options as ForestOptions, 'decision-tree');
    case 'random-forest':
      return trainForest(X, needY(), options as ForestOptions, 'random-forest');
    case 'gbdt':
      return trainGbdt(X, needY(), options as GbdtOptions);
    case 'kmeans':
      return trainKMeans(X, options as KMeansOptions);
    case 'gmm':
      return trainGmm(X, options as GmmOptions);
    case 'mlp':
      return trainMlp(X, needY(), options as MlpOptions);
    default:
      throw new QuantlabError('BAD_ARGUMENT', `train: expected kind ${MODEL_KINDS.map((k) => `'${k}'`).join(', ')}, found ${JSON.stringify(kind)}`);
  }
}

/** A model back from its `toJSON()` (or the parsed JSON text); predictions equal the original's bit for bit. */
export function fromJSON(json: ModelJSON | unknown): Model {
  const kind = (json as { kind?: unknown })?.kind;
  switch (kind) {
    case 'logistic':
      return logisticFromJSON(json);
    case 'ridge':
      return ridgeFromJSON(json);
    case 'decision-tree':
    case 'random-forest':
      return forestFromJSON(json);
    case 'gbdt':
      return gbdtFromJSON(json);
    case 'kmeans':
      return kmeansFromJSON(json);
    case 'gmm':
      return gmmFromJSON(json);
    case 'mlp':
      return mlpFromJSON(json);
    default:
      throw new QuantlabError('BAD_ARGUMENT', `fromJSON: expected a model with kind ${MODEL_KINDS.map((k) => `'${k}'`).join(', ')}, found ${JSON.stringify(kind)}`);
  }
}

/** A short content hash of a model (FNV-1a 64 over its JSON text, hex): equal hashes mean equal models. */
export function modelHash(model: Model): string {
  const s = JSON.stringify(model.toJSON());
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h1 >>> 13);
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}
