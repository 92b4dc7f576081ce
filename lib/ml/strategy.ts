import { QuantlabError } from '../core';
import { float } from '../params/declare';
import { defineStrategy, type Strategy } from '../strategy/define';
import type { IndicatorSpec, IndicatorSpecs } from '../strategy/indicator';
import type { Series } from '../core';
import { modelIndicator, type ModelIndicatorOptions } from './indicator';
import type { Model } from './models/model';

export interface MlStrategyOptions extends ModelIndicatorOptions {
  /** Registry name. Default 'ml-<model kind>'. */
  name?: string;
  model: Model;
  /** The feature specs the model was trained on (same names and order as its training matrix). */
  features: IndicatorSpecs;
  /** Default entry threshold: target `long` when the model's output is above it. Default 0.55. */
  entry?: number;
  /** Default exit threshold: target `flat` (or −1 with `short`) when the output is below it. Default 0.45. */
  exit?: number;
  /** Go short (−1) instead of flat below the exit threshold. Default false. */
  short?: boolean;
}

/** The one decision rule: above entry → 1, below exit → 0 or −1, else hold (NaN). */
const rule = (p: number, entry: number, exit: number, low: number): number => (p > entry ? 1 : p < exit ? low : NaN);

/**
 * Targets from a signal series by mlStrategy's rule (above entry → 1, below exit → 0 or −1 with `short`,
 * else NaN = hold), e.g. for the stitched predictions of `walkForwardModel`.
 * @example Array.from(signalTargets(Float64Array.from([0.6, 0.5, 0.4, NaN]), { entry: 0.55, exit: 0.45 })) // [1, NaN, 0, NaN]
 */
export function signalTargets(signal: Float64Array, o: { entry?: number; exit?: number; short?: boolean } = {}): Float64Array {
  const entry = o.entry ?? 0.55;
  const exit = o.exit ?? 0.45;
  if (!(exit <= entry)) throw new QuantlabError('BAD_ARGUMENT', `signalTargets: exit (${exit}) must be <= entry (${entry})`);
  const low = o.short ? -1 : 0;
  return signal.map((p) => rule(p, entry, exit, low));
}

/**
 * A strategy driven by a model's output (P(y = 1) by default): long above `entry`, flat (or short) below
 * `exit`, hold in between and while the features warm up. Defined through `defineStrategy`, so backtests,
 * sweeps over the thresholds, the runner and promotion treat it like any built-in.
 * @example
 * import { ind } from 'quantlab';
 * const bars = await ql.loadDataset('BTCUSDT', '1d');
 * const specs = { rsi: ind.rsi(14), r5: ql.ml.pastReturn(5) };
 * const d = ql.ml.dataset(ql.ml.features(bars, specs), ql.ml.labels.forwardReturn(bars, 5, { kind: 'sign' }));
 * const s = mlStrategy({ model: ql.ml.train('logistic', d.X, d.y, { standardize: true }), features: specs });
 * s.name // 'ml-logistic'
 */
export function mlStrategy(o: MlStrategyOptions): Strategy<{ entry: ReturnType<typeof float>; exit: ReturnType<typeof float> }, { signal: IndicatorSpec<Series> }> {
  if (!o || !o.model) throw new QuantlabError('BAD_ARGUMENT', 'mlStrategy: expected { model, features }');
  const signal = modelIndicator(o.model, o.features, { output: o.output });
  const low = o.short ? -1 : 0;
  const proba = (o.output ?? (o.model.probaRow ? 'proba' : 'predict')) === 'proba';
  const [lo, hi] = proba ? [0, 1] : [-1e9, 1e9];
  return defineStrategy({
    name: o.name ?? `ml-${o.model.kind}`,
    description: `Long when the ${o.model.kind} model's ${proba ? 'P(y = 1)' : 'prediction'} is above entry, ${o.short ? 'short' : 'flat'} below exit.`,
    params: { entry: float(lo, hi, { default: o.entry ?? 0.55 }), exit: float(lo, hi, { default: o.exit ?? 0.45 }) },
    check: (p) => p.exit <= p.entry || `exit (${p.exit}) must be <= entry (${p.entry})`,
    indicators: () => ({ signal }),
    decide: (bar, { params }) => rule(bar.signal, params.entry, params.exit, low),
    targets: (_bars, ind, p, out) => {
      const s = ind.signal;
      for (let t = 0; t < s.length; t++) out[t] = rule(s[t]!, p.entry, p.exit, low);
      return out;
    },
  });
}
