import { QuantlabError, parseTimeframe, type Bars } from '../core';
import type { IndicatorSpecs } from '../strategy/indicator';
import { dataset } from './dataset';
import { features } from './features';
import type { Labels } from './labels';
import { asMatrix, take, takeRows } from './matrix';
import type { ModelKind } from './models/model';
import { modelHash, train, type TrainOptions } from './train';

export interface WalkForwardModelOptions<K extends ModelKind> {
  /** The features the model reads (indicator specs, as for `features`). */
  features: IndicatorSpecs;
  /** Labels on the same bars (`labels.forwardReturn(bars, …)` / `tripleBarrier`). */
  labels: Labels;
  kind: K;
  options?: TrainOptions[K];
  /** Retrain every this many bars, or a duration ('30d'). */
  every: number | string;
  /** Train on the last this many bars (a number or a duration such as '365d'), or 'anchored' (everything before). */
  window: number | string | 'anchored';
  /** Bars (or a duration) of training data needed before the first segment. Default: `window` (or `every` when anchored). */
  warmup?: number | string;
  /** 'proba' (P(y = 1)) or 'predict'. Default 'proba' when the model gives it. */
  output?: 'proba' | 'predict';
}

export interface RetrainSegment {
  /** Bars [from, to) predicted by this segment's model. */
  from: number;
  to: number;
  /** Training rows: features at bars [trainFrom, trainTo), every label ending before `from`. */
  trainFrom: number;
  trainTo: number;
  rows: number;
  modelHash: string;
}

export interface WalkForwardModel {
  /** One prediction per bar, NaN before the first segment and where features warm up: stitched out of sample. */
  predictions: Float64Array;
  segments: RetrainSegment[];
}

function toBars(bars: Bars, v: number | string, name: string): number {
  if (typeof v === 'number') {
    if (!(Number.isInteger(v) && v >= 1)) throw new QuantlabError('BAD_ARGUMENT', `walkForwardModel: expected ${name} to be a whole number of bars >= 1 or a duration like '30d', found ${v}`);
    return v;
  }
  const step = bars.ts.length > 1 ? bars.ts[1]! - bars.ts[0]! : NaN;
  const tf = bars.timeframe ? parseTimeframe(bars.timeframe).ms : step;
  const ms = parseTimeframe(v).ms;
  if (!(tf > 0)) throw new QuantlabError('BAD_ARGUMENT', `walkForwardModel: ${name} '${v}' needs the bars' timeframe, which is unknown`);
  return Math.max(1, Math.round(ms / tf));
}

/**
 * Walk-forward retraining: the bars are cut into segments of `every` bars; the model of each segment is
 * trained only on rows whose labels ended before the segment's first bar (and, unless anchored, whose
 * features lie in the `window` before it), then predicts the segment's bars. The stitched predictions are
 * out of sample everywhere, the honest input for a backtest (`signalTargets` + `simulate`).
 * @example
 * import { ind } from 'quantlab';
 * const bars = await ql.loadDataset('BTCUSDT', '1d');
 * const specs = { rsi: ind.rsi(14), r5: ql.ml.pastReturn(5) };
 * const wf = walkForwardModel(bars, { features: specs, labels: ql.ml.labels.forwardReturn(bars, 5, { kind: 'sign' }), kind: 'logistic', options: { standardize: true }, every: '90d', window: '730d' });
 * wf.segments[0].from - wf.segments[0].trainFrom // 730
 * Number.isNaN(wf.predictions[wf.segments[0].from - 1]) && wf.predictions[wf.segments[0].from] > 0 // true
 */
export function walkForwardModel<K extends ModelKind>(bars: Bars, o: WalkForwardModelOptions<K>): WalkForwardModel {
  if (!o || !o.features || !o.labels || !o.kind) throw new QuantlabError('BAD_ARGUMENT', 'walkForwardModel: expected { features, labels, kind, every, window }');
  const n = bars.close.length;
  if (o.labels.y.length !== n) throw new QuantlabError('BAD_ARGUMENT', `walkForwardModel: labels cover ${o.labels.y.length} bars, the bars are ${n}; compute them on the same bars`);
  const every = toBars(bars, o.every, 'every');
  const anchored = o.window === 'anchored';
  const window = anchored ? Infinity : toBars(bars, o.window as number | string, 'window');
  const warm = o.warmup !== undefined ? toBars(bars, o.warmup, 'warmup') : anchored ? every : window;
  const X = features(bars, o.features);
  const d = dataset(X, o.labels);
  const all = asMatrix(X);
  const Md = asMatrix(d.X);
  const firstRow = X.rows ? X.index[0]! : n;
  const predictions = new Float64Array(n).fill(NaN);
  const segments: RetrainSegment[] = [];
  // bar -> row of the full feature matrix (features exist), for predicting every bar of a segment
  const rowOf = new Int32Array(n).fill(-1);
  for (let r = 0; r < X.rows; r++) rowOf[X.index[r]!] = r;
  for (let from = firstRow + warm; from < n; from += every) {
    const to = Math.min(n, from + every);
    const trainFrom = anchored ? 0 : from - window;
    const rows: number[] = [];
    for (let i = 0; i < d.X.rows; i++) if (d.start[i]! >= trainFrom && d.end[i]! < from) rows.push(i);
    if (rows.length < 2) throw new QuantlabError('BAD_ARGUMENT', `walkForwardModel: the segment at bar ${from} has ${rows.length} training rows; give a longer window or warmup`);
    const model = train(o.kind, takeRows(Md, rows), take(d.y, rows), o.options);
    const output = o.output ?? (model.probaRow ? 'proba' : 'predict');
    const rule = output === 'proba' ? model.probaRow : model.predictRow;
    if (!rule) throw new QuantlabError('BAD_ARGUMENT', `walkForwardModel: a ${model.kind} ${model.task} model gives no probability; use output 'predict'`);
    for (let t = from; t < to; t++) {
      const r = rowOf[t]!;
      if (r >= 0) predictions[t] = rule(all.data.subarray(r * all.cols, (r + 1) * all.cols));
    }
    segments.push({ from, to, trainFrom: Math.max(trainFrom, 0), trainTo: from, rows: rows.length, modelHash: modelHash(model) });
  }
  if (!segments.length) throw new QuantlabError('BAD_ARGUMENT', `walkForwardModel: no segment fits: the first features are at bar ${firstRow}, warm-up ${warm} bars, ${n} bars in all`);
  return { predictions, segments };
}
