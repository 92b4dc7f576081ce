import { QuantlabError } from '../core';
import { rng } from '../optimizer/rng';
import type { Split } from './cv';
import type { Dataset } from './dataset';
import { asMatrix, take, takeRows, type Matrix, type MatrixLike } from './matrix';
import { accuracy, logLoss, meanSquaredError, rocAuc } from './metrics';
import type { Model, ModelKind } from './models/model';
import { train, type TrainOptions } from './train';

/** A score of a model on rows: higher is better unless the name says loss/error. */
export type Scorer = (model: Model, X: Matrix, y: Float64Array) => number;

export const SCORERS: Record<string, Scorer> = {
  accuracy: (m, X, y) => accuracy(y, m.predict(X)),
  logLoss: (m, X, y) => logLoss(y, m.predictProba(X)),
  auc: (m, X, y) => rocAuc(y, m.predictProba(X)),
  mse: (m, X, y) => meanSquaredError(y, m.predict(X)),
};

const lowerIsBetter = (name: string) => name === 'logLoss' || name === 'mse';

export interface FoldScore {
  fold: number;
  trainRows: number;
  testRows: number;
  purged: number;
  embargoed: number;
  scores: Record<string, number>;
}

export interface CrossValidation {
  kind: ModelKind;
  folds: FoldScore[];
  /** Mean of each score over the folds. */
  mean: Record<string, number>;
}

/**
 * Trains `kind` on each split's training rows and scores it on its test rows.
 * @example
 * import { ind } from 'quantlab';
 * const bars = await ql.loadDataset('BTCUSDT', '1d');
 * const d = ql.ml.dataset(ql.ml.features(bars, { rsi: ind.rsi(14), r: ql.ml.pastReturn(5) }), ql.ml.labels.forwardReturn(bars, 5, { kind: 'sign' }));
 * const cv = crossValidate('logistic', d, ql.ml.purgedKFold(d, { folds: 4 }), { options: { standardize: true } });
 * cv.folds.length // 4
 * cv.mean.accuracy > 0.4 && cv.mean.accuracy < 0.6 // true
 */
export function crossValidate<K extends ModelKind>(
  kind: K,
  data: Pick<Dataset, 'X' | 'y'>,
  splits: readonly Split[],
  o: { options?: TrainOptions[K]; scores?: string[] } = {},
): CrossValidation {
  const X = asMatrix(data.X, 'crossValidate: X');
  const names = o.scores ?? (kind === 'ridge' ? ['mse'] : ['accuracy', 'logLoss', 'auc']);
  for (const s of names) if (!SCORERS[s]) throw new QuantlabError('BAD_ARGUMENT', `crossValidate: unknown score '${s}', expected one of ${Object.keys(SCORERS).join(', ')}`);
  if (!splits.length) throw new QuantlabError('BAD_ARGUMENT', 'crossValidate: expected at least one split');
  const folds = splits.map((s) => {
    const model = train(kind, takeRows(X, s.train), take(data.y, s.train), o.options);
    const Xt = takeRows(X, s.test);
    const yt = take(data.y, s.test);
    const scores = Object.fromEntries(names.map((n) => [n, SCORERS[n]!(model, Xt, yt)]));
    return { fold: s.fold, trainRows: s.train.length, testRows: s.test.length, purged: s.purged, embargoed: s.embargoed, scores };
  });
  const mean = Object.fromEntries(names.map((n) => [n, folds.reduce((a, f) => a + f.scores[n]!, 0) / folds.length]));
  return { kind, folds, mean };
}

/**
 * Permutation importance on held-out rows: how much the score worsens when one feature's column is shuffled
 * (mean over `repeats` seeded shuffles). Positive = the model relies on the feature.
 */
export function permutationImportance(
  model: Model,
  X: MatrixLike,
  y: ArrayLike<number>,
  options: { score?: string; repeats?: number; seed?: number } = {},
): { name: string; importance: number; std: number }[] {
  const M = asMatrix(X, 'permutationImportance: X');
  const Y = Float64Array.from(y);
  const score = options.score ?? (model.task === 'regression' ? 'mse' : 'accuracy');
  const f = SCORERS[score];
  if (!f) throw new QuantlabError('BAD_ARGUMENT', `permutationImportance: unknown score '${score}', expected one of ${Object.keys(SCORERS).join(', ')}`);
  const repeats = options.repeats ?? 5;
  const sign = lowerIsBetter(score) ? -1 : 1;
  const base = f(model, M, Y);
  const names = model.featureNames ?? (X as { names?: string[] }).names ?? Array.from({ length: M.cols }, (_, j) => `x${j}`);
  const out: { name: string; importance: number; std: number }[] = [];
  for (let j = 0; j < M.cols; j++) {
    const drops: number[] = [];
    for (let rep = 0; rep < repeats; rep++) {
      const r = rng(options.seed ?? 0, j, rep);
      const data = M.data.slice();
      const perm = Int32Array.from({ length: M.rows }, (_, i) => i);
      for (let i = M.rows - 1; i > 0; i--) {
        const k = r.int(i + 1);
        const t = perm[i]!;
        perm[i] = perm[k]!;
        perm[k] = t;
      }
      for (let i = 0; i < M.rows; i++) data[i * M.cols + j] = M.data[perm[i]! * M.cols + j]!;
      drops.push(sign * (base - f(model, { rows: M.rows, cols: M.cols, data }, Y)));
    }
    const m = drops.reduce((a, b) => a + b, 0) / repeats;
    const sd = Math.sqrt(drops.reduce((a, b) => a + (b - m) ** 2, 0) / repeats);
    out.push({ name: names[j]!, importance: m, std: sd });
  }
  return out;
}
