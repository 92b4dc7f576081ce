import { QuantlabError } from '../core';
import type { FeatureMatrix } from './features';
import type { Labels } from './labels';

/**
 * Features and labels aligned by bar: the rows where every feature and the label exist. `start` is each
 * row's bar (features known at its close), `end` the last bar its label reads; cross-validation purges with
 * both.
 */
export interface Dataset {
  readonly X: FeatureMatrix;
  readonly y: Float64Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  /** Feature rows dropped because their label does not exist (the last bars, whose look-ahead runs past the data). */
  readonly droppedNoLabel: number;
}

/**
 * Aligns a feature matrix with labels computed on the same bars.
 * @example
 * import { ind } from 'quantlab';
 * const bars = await ql.loadDataset('BTCUSDT', '1d');
 * const d = dataset(ql.ml.features(bars, { rsi: ind.rsi(14) }), ql.ml.labels.forwardReturn(bars, 5, { kind: 'sign' }));
 * d.droppedNoLabel // 5
 * d.end[0] - d.start[0] // 5
 */
export function dataset(X: FeatureMatrix, labels: Labels): Dataset {
  if (!X || !(X.index instanceof Int32Array)) throw new QuantlabError('BAD_ARGUMENT', 'dataset: expected the result of ml.features(bars, specs) as X');
  if (!labels || !(labels.y instanceof Float64Array)) throw new QuantlabError('BAD_ARGUMENT', 'dataset: expected labels from ml.labels.forwardReturn / tripleBarrier');
  const last = X.rows ? X.index[X.rows - 1]! : -1;
  if (last >= labels.y.length) throw new QuantlabError('BAD_ARGUMENT', `dataset: features reach bar ${last} but the labels cover ${labels.y.length} bars; build both from the same bars`);
  const keep: number[] = [];
  for (let r = 0; r < X.rows; r++) if (!Number.isNaN(labels.y[X.index[r]!]!)) keep.push(r);
  const rows = keep.length;
  const index = Int32Array.from(keep, (r) => X.index[r]!);
  const columns = X.columns.map((c) => Float64Array.from(keep, (r) => c[r]!));
  const y = Float64Array.from(index, (t) => labels.y[t]!);
  const end = Int32Array.from(index, (t) => labels.end[t]!);
  return {
    X: { names: X.names, columns, rows, index, dropped: X.dropped },
    y,
    start: index,
    end,
    droppedNoLabel: X.rows - rows,
  };
}
