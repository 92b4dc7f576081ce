/**
 * The planted leak. Labels: the sign of the next 24 bars' return on BTCUSDT 1h (last 12,000 bars), so
 * neighbouring labels overlap by up to 23 bars. Chance is AUC 0.5.
 *  - A feature that IS the future return: naive shuffled k-fold scores far above chance.
 *  - With that feature removed, a slowly varying feature (the 500-bar SMA, which identifies the time)
 *    still lets shuffled k-fold memorise the neighbours of each test row, whose labels overlap it: far above
 *    chance. Purged k-fold (purge + embargo from the label spans) removes those neighbours: chance.
 *  - Shuffled labels score chance under both.
 */
import { describe, expect, it } from 'vitest';
import { sliceBars } from '../../lib/core';
import { customIndicator, ind } from '../../lib/strategy';
import { rng } from '../../lib/optimizer/rng';
import { crossValidate, dataset, features, hour, kFold, labels, pastReturn, purgedKFold, type Dataset } from '../../lib/ml';
import { btc1h } from '../helpers/datasets';

const CHANCE = { lo: 0.44, hi: 0.575 }; // AUC band around 0.5 for ~2,400-row test folds of autocorrelated labels

describe('the planted leak: naive CV finds it, purged CV does not', () => {
  const all = btc1h();
  const bars = sliceBars(all, all.close.length - 12000);
  const lab = labels.forwardReturn(bars, 24, { kind: 'sign' });
  const leak = customIndicator('future-return(24)', () => lab.ret, () => ({ update: () => NaN, reset: () => {} }));
  const honest = { rsi: ind.rsi(14), r1: pastReturn(1), r24: pastReturn(24), hour: hour(), level: ind.sma(500) };
  const forest = { trees: 25, maxDepth: 12, minLeaf: 2, seed: 1 };
  const naive = (d: Dataset) => kFold(d.X.rows, { folds: 5, seed: 1 });
  const purged = (d: Dataset) => purgedKFold(d, { folds: 5 });
  const auc = (d: Dataset, split: (d: Dataset) => ReturnType<typeof kFold>) => crossValidate('random-forest', d, split(d), { options: forest, scores: ['auc'] }).mean.auc!;
  const shuffled = (d: Dataset): Dataset => {
    const y = d.y.slice();
    const r = rng(11);
    for (let i = y.length - 1; i > 0; i--) {
      const j = r.int(i + 1);
      const t = y[i]!;
      y[i] = y[j]!;
      y[j] = t;
    }
    return { ...d, y };
  };
  const withLeak = dataset(features(bars, { ...honest, leak }), lab);
  const noLeak = dataset(features(bars, honest), lab);

  it('the future-return feature: naive shuffled k-fold scores far above chance', () => {
    expect(auc(withLeak, naive)).toBeGreaterThan(0.95);
  }, 60_000);

  it('leak removed: shuffled k-fold still memorises overlapping neighbours; purged k-fold scores chance', () => {
    const n = auc(noLeak, naive);
    const p = auc(noLeak, purged);
    expect(n).toBeGreaterThan(0.62);
    expect(p).toBeGreaterThan(CHANCE.lo);
    expect(p).toBeLessThan(CHANCE.hi);
    expect(n - p).toBeGreaterThan(0.08);
  }, 60_000);

  it('shuffled-label control: chance under both splits', () => {
    const s = shuffled(noLeak);
    for (const split of [naive, purged]) {
      const a = auc(s, split);
      expect(a).toBeGreaterThan(0.47);
      expect(a).toBeLessThan(0.53);
    }
  }, 60_000);
});
