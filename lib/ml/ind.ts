import { ind as indicatorSpecs } from '../strategy/ind';
import { modelIndicator } from './indicator';

/** What `ind` adds once models exist: `ind.model(model, featureSpecs, options?)`. */
export interface IndModel {
  /** A trained model's output per bar as an indicator spec: see {@link modelIndicator}. */
  model: typeof modelIndicator;
}

/**
 * The `ind` of `import { ind } from 'quantlab'`: every indicator and composition operator of lib/strategy's
 * `ind`, plus `ind.model` — a trained model as a spec (whole-array and streaming, so `defineStrategy`,
 * `checkBias` and the runner treat it like any indicator). It lives here because models sit above strategies.
 * @example
 * import { ind } from 'quantlab';
 * const bars = await ql.loadDataset('BTCUSDT', '1d');
 * const specs = { rsi: ind.rsi(14), r5: ql.ml.pastReturn(5) };
 * const d = ql.ml.dataset(ql.ml.features(bars, specs), ql.ml.labels.forwardReturn(bars, 5, { kind: 'sign' }));
 * const p = ind.model(ql.ml.train('logistic', d.X, d.y, { standardize: true }), specs);
 * p.key.startsWith('model(') // true
 * p.compute(bars)[14] > 0 // true
 */
export const ind: typeof indicatorSpecs & IndModel = Object.freeze({ ...indicatorSpecs, model: modelIndicator });
