import { QuantlabError, type Bar, type Series, type Stream } from '../core';
import type { IndicatorSpec, IndicatorSpecs } from '../strategy/indicator';
import { featureColumns, featureStream } from './features';
import type { Model } from './models/model';
import { modelHash } from './train';

export interface ModelIndicatorOptions {
  /** 'proba' (P(y = 1), binary classifiers) or 'predict' (class, value or cluster). Default 'proba' when the model has it. */
  output?: 'proba' | 'predict';
}

/**
 * A trained model as an indicator spec: its output per bar from the features `specs` (the ones it was
 * trained on, same names and order), NaN while any feature is warming up. The whole-array form computes the
 * features with their whole-array kernels; the streaming twin feeds the features' streaming twins bar by bar
 * — both call the model's one row rule, so a strategy using it passes the three-form parity check.
 * @example
 * import { ind } from 'quantlab';
 * const bars = await ql.loadDataset('BTCUSDT', '1d');
 * const specs = { rsi: ind.rsi(14), r5: ql.ml.pastReturn(5) };
 * const d = ql.ml.dataset(ql.ml.features(bars, specs), ql.ml.labels.forwardReturn(bars, 5, { kind: 'sign' }));
 * const p = modelIndicator(ql.ml.train('logistic', d.X, d.y, { standardize: true }), specs).compute(bars);
 * Number.isNaN(p[13]) && p[14] > 0 && p[14] < 1 // true
 */
export function modelIndicator(model: Model, specs: IndicatorSpecs, options: ModelIndicatorOptions = {}): IndicatorSpec<Series> {
  if (!model || typeof model.predictRow !== 'function') throw new QuantlabError('BAD_ARGUMENT', 'modelIndicator: expected a model from ml.train or ml.fromJSON');
  const { names } = featureStream(specs);
  if (names.length !== model.nFeatures) throw new QuantlabError('BAD_ARGUMENT', `modelIndicator: the model takes ${model.nFeatures} features, the specs give ${names.length} (${names.join(', ')})`);
  if (model.featureNames && model.featureNames.join() !== names.join()) {
    throw new QuantlabError('BAD_ARGUMENT', `modelIndicator: expected the features the model was trained on (${model.featureNames.join(', ')}), found ${names.join(', ')}`);
  }
  const output = options.output ?? (model.probaRow ? 'proba' : 'predict');
  if (output !== 'proba' && output !== 'predict') throw new QuantlabError('BAD_ARGUMENT', `modelIndicator: expected output 'proba' or 'predict', found ${JSON.stringify(output)}`);
  if (output === 'proba' && !model.probaRow) throw new QuantlabError('BAD_ARGUMENT', `modelIndicator: a ${model.kind} ${model.task} model gives no probability; use output 'predict'`);
  const rule = output === 'proba' ? model.probaRow!.bind(model) : model.predictRow.bind(model);
  const keys = Object.keys(specs).map((k) => `${k}=${specs[k]!.key}`);
  return {
    key: `model(${modelHash(model)},${output},${keys.join(';')})`,
    compute(bars) {
      const { series } = featureColumns(bars, specs);
      const n = bars.close.length;
      const out = new Float64Array(n).fill(NaN);
      const row = new Float64Array(series.length);
      for (let t = 0; t < n; t++) {
        let ok = true;
        for (let j = 0; j < series.length; j++) if (Number.isNaN((row[j] = series[j]![t]!))) ok = false;
        if (ok) out[t] = rule(row);
      }
      return out;
    },
    stream(): Stream<Bar, number> {
      const f = featureStream(specs);
      return {
        update(bar) {
          const x = f.update(bar);
          return x ? rule(x) : NaN;
        },
        reset: () => f.reset(),
      };
    },
  };
}
