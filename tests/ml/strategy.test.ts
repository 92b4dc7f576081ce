import { describe, expect, it } from 'vitest';
import { simulate } from '../../lib/backtest';
import { sliceBars } from '../../lib/core';
import { backtest, checkBias, createDecider, customIndicator, ind, strategyTargets, streamTargets } from '../../lib/strategy';
import { dataset, features, fromJSON, hour, labels, lag, mlStrategy, modelIndicator, pastReturn, train, type Model } from '../../lib/ml';
import { btc1h } from '../helpers/datasets';

function firstDiff(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return -2;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe('a model as an indicator spec and as a strategy: stream = batch', () => {
  const all = btc1h();
  const trainBars = sliceBars(all, 30000, 45000);
  const testBars = sliceBars(all, 45000, 55000); // out of sample: the model never saw these bars
  const specs = { rsi: ind.rsi(14), bb: ind.bbands(20, 2), macd: ind.macd(), r1: pastReturn(1), r24: pastReturn(24), lagR: lag(pastReturn(1), 2), hour: hour() };
  const d = dataset(features(trainBars, specs), labels.forwardReturn(trainBars, 12, { kind: 'sign' }));
  const models: [string, Model][] = [
    ['logistic', train('logistic', d.X, d.y, { standardize: true })],
    ['random-forest', train('random-forest', d.X, d.y, { trees: 15, seed: 3 })],
    ['gbdt', train('gbdt', d.X, d.y, { rounds: 40 })],
  ];

  it.each(models)('%s: the indicator streamed bar by bar equals its whole-array form, bit for bit', (_k, model) => {
    const spec = modelIndicator(model, specs);
    const batch = spec.compute(testBars);
    const s = spec.stream();
    const streamed = Float64Array.from(testBars.close, (_, t) => s.update({ ts: testBars.ts[t]!, open: testBars.open[t]!, high: testBars.high[t]!, low: testBars.low[t]!, close: testBars.close[t]!, volume: testBars.volume[t]! }));
    expect(firstDiff(streamed, batch)).toBe(-1);
    expect(batch.filter((v) => !Number.isNaN(v)).length).toBe(testBars.close.length - 33); // macd warm-up
    // and equals predicting the feature matrix
    const f = features(testBars, specs);
    const p = model.predictProba(f);
    for (let r = 0; r < f.rows; r += 101) expect(batch[f.index[r]!]).toBe(p[r]);
  });

  it.each(models)('%s: mlStrategy passes the three-form parity check (vector = decide loop = streaming twins) and trades alike', (_k, model) => {
    const strategy = mlStrategy({ model, features: specs, entry: 0.52, exit: 0.48 });
    const vector = strategyTargets(strategy, testBars, {});
    const looped = strategyTargets(strategy, testBars, {}, { useDecide: true });
    const streamed = streamTargets(strategy, testBars, {});
    expect(firstDiff(looped, vector)).toBe(-1);
    expect(firstDiff(streamed, vector)).toBe(-1);
    expect(vector.filter((x) => x === 1).length).toBeGreaterThan(10);
    expect(vector.filter((x) => x === 0).length).toBeGreaterThan(10);
    const a = simulate(testBars, vector, { fill: 'next-open' });
    const b = simulate(testBars, streamed, { fill: 'next-open' });
    expect(Array.from(b.trades.entryBar)).toEqual(Array.from(a.trades.entryBar));
    expect(b.finalEquity).toBe(a.finalEquity);
    expect(a.trades.length).toBeGreaterThan(5);
  });

  it('a model reloaded from JSON drives the strategy identically (what promotion would freeze)', () => {
    const model = models[2]![1];
    const back = fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
    const a = streamTargets(mlStrategy({ model, features: specs }), testBars, {});
    const b = streamTargets(mlStrategy({ model: back, features: specs }), testBars, {});
    expect(firstDiff(a, b)).toBe(-1);
    expect(modelIndicator(model, specs).key).toBe(modelIndicator(back, specs).key);
  });

  it('backtest() runs it like any strategy; thresholds are parameters; short goes −1', () => {
    const strategy = mlStrategy({ model: models[0]![1], features: specs, short: true });
    const r = backtest(strategy, testBars, { entry: 0.51, exit: 0.49 });
    expect(r.trades.length).toBeGreaterThan(0);
    expect(strategyTargets(strategy, testBars, { entry: 0.51, exit: 0.49 }).some((v) => v === -1)).toBe(true);
    expect(() => strategy.resolveParams({ entry: 0.4, exit: 0.6 })).toThrow(/exit \(0.6\) must be <= entry \(0.4\)/);
    const d2 = createDecider(strategy, {});
    expect(Number.isNaN(d2.update({ ts: 0, open: 1, high: 1, low: 1, close: 1, volume: 1 }))).toBe(true); // warming up: hold
  });

  it('refuses features that are not the ones the model was trained on', () => {
    const model = models[0]![1];
    expect(() => modelIndicator(model, { rsi: ind.rsi(14) })).toThrow(/takes 11 features, the specs give 1/);
    const { rsi, ...rest } = specs;
    expect(() => modelIndicator(model, { ...rest, rsi2: rsi })).toThrow(/expected the features the model was trained on/);
    expect(() => modelIndicator(train('ridge', d.X, d.y), specs, { output: 'proba' })).toThrow(/gives no probability/);
  });
});

describe('checkBias covers model strategies', () => {
  const bars = sliceBars(btc1h(), 40000, 50000);
  const specs = { rsi: ind.rsi(14), r24: pastReturn(24), hour: hour() };
  const lab = labels.forwardReturn(bars, 12, { kind: 'sign' });

  it.each(['logistic', 'gbdt'] as const)('an honest %s strategy passes look-ahead, warm-up and parity', (kind) => {
    const d = dataset(features(bars, specs), lab);
    const model = kind === 'gbdt' ? train('gbdt', d.X, d.y, { rounds: 30 }) : train('logistic', d.X, d.y, { standardize: true });
    const r = checkBias(mlStrategy({ model, features: specs, entry: 0.52, exit: 0.48 }), bars, {});
    expect(r.failed).toEqual([]);
  }, 60_000);

  it('a model fed a feature that reads the future fails the look-ahead check', () => {
    const future = customIndicator<Float64Array>('future(12)', (b) => Float64Array.from(b.close, (c, t) => (t + 12 < b.close.length ? b.close[t + 12]! / c - 1 : NaN)), () => ({ update: () => NaN, reset: () => {} }));
    const leaky = { ...specs, future };
    const d = dataset(features(bars, leaky), lab);
    const r = checkBias(mlStrategy({ model: train('logistic', d.X, d.y, { standardize: true }), features: leaky, entry: 0.52, exit: 0.48 }), bars, {});
    expect(r.failed).toContain('look-ahead');
  }, 60_000);
});
