/**
 * `ind.model` on the public entry: the same spec as `ml.modelIndicator`, usable inside `defineStrategy` next to
 * any other indicator, composable (`ind.sub(ind.model(...), 0.5)`), and checked by `checkBias` like the rest.
 */
import { describe, expect, it } from 'vitest';
import * as ql from '../../lib';
import { ind as strategyInd } from '../../lib/strategy';
import { sliceBars } from '../../lib/core';
import { btc1h } from '../helpers/datasets';

describe('ind.model', () => {
  const { ind, ml } = ql;
  const all = btc1h();
  const trainBars = sliceBars(all, 30000, 42000);
  const testBars = sliceBars(all, 42000, 48000);
  const specs = { rsi: ind.rsi(14), r24: ml.pastReturn(24), hour: ml.hour() };
  const d = ml.dataset(ml.features(trainBars, specs), ml.labels.forwardReturn(trainBars, 12, { kind: 'sign' }));
  const model = ml.train('logistic', d.X, d.y, { standardize: true });

  it('is ml.modelIndicator: same key, same values; every other ind member is the strategy layer one', () => {
    const a = ind.model(model, specs);
    const b = ml.modelIndicator(model, specs);
    expect(a.key).toBe(b.key);
    expect(Array.from(a.compute(testBars))).toEqual(Array.from(b.compute(testBars)));
    expect(Object.keys(ind).filter((k) => k !== 'model').sort()).toEqual(Object.keys(strategyInd).sort());
    expect(ind.sma).toBe(strategyInd.sma);
    expect(Object.isFrozen(ind)).toBe(true);
    expect(() => ind.model({} as never, specs)).toThrow(/expected a model from ml.train or ml.fromJSON/);
  });

  it('drives a defineStrategy, composed with other specs, and passes checkBias (look-ahead, warm-up, parity)', () => {
    const strategy = ql.defineStrategy({
      name: 'model-over-trend',
      params: { n: ql.int(20, 400, { default: 100 }) },
      indicators: (p) => ({ edge: ind.sub(ind.model(model, specs), 0.5), trend: ind.sma(p.n) }),
      decide: (bar) => (bar.edge > 0.01 && bar.close > bar.trend ? 1 : bar.edge < -0.01 ? 0 : NaN),
    });
    const r = ql.backtest(strategy, testBars);
    expect(r.trades.length).toBeGreaterThan(3);
    const bias = ql.checkBias(strategy, testBars, {});
    expect(bias.failed).toEqual([]);
    // the strategy's indicator equals the model's probability minus one half, bar by bar
    const p = ml.modelIndicator(model, specs).compute(testBars);
    const edge = ind.sub(ind.model(model, specs), 0.5).compute(testBars) as Float64Array;
    for (let t = 0; t < p.length; t += 97) expect(Object.is(edge[t], p[t]! - 0.5)).toBe(true);
  }, 60_000);
});
