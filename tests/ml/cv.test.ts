import { describe, expect, it } from 'vitest';
import { ind } from '../../lib/strategy';
import { dataset, features, kFold, labels, maxSpan, pastReturn, purgedKFold, walkForwardCV } from '../../lib/ml';
import { btc1h } from '../helpers/datasets';

describe('cross-validation splits', () => {
  const bars = btc1h();
  const d = dataset(features(bars, { rsi: ind.rsi(14), r: pastReturn(4) }), labels.tripleBarrier(bars, { takeProfit: 0.02, stopLoss: 0.02, horizon: 48 }));

  it('dataset: rows where both features and label exist, spans from the labels', () => {
    expect(d.droppedNoLabel).toBe(48);
    expect(d.X.rows).toBe(bars.close.length - 14 - 48);
    expect(maxSpan(d)).toBe(48);
    for (let i = 0; i < d.X.rows; i += 997) expect(d.end[i]! - d.start[i]!).toBeGreaterThanOrEqual(1);
  });

  it('purged k-fold: no training label span overlaps a test block, nor starts within the embargo after it', () => {
    const splits = purgedKFold(d, { folds: 6 });
    expect(splits.length).toBe(6);
    const covered = new Uint8Array(d.X.rows);
    for (const s of splits) {
      for (const i of s.test) covered[i]!++;
      const lo = d.start[s.test[0]!]!;
      const hi = Math.max(...Array.from(s.test, (i) => d.end[i]!));
      const test = new Set(s.test);
      const train = new Uint8Array(d.X.rows);
      for (const i of s.train) train[i] = 1;
      let kept = 0;
      for (let i = 0; i < d.X.rows; i++) {
        if (test.has(i)) continue;
        const overlaps = d.start[i]! <= hi && d.end[i]! >= lo;
        const embargoed = d.start[i]! > hi && d.start[i]! <= hi + 48;
        const inTrain = train[i] === 1;
        if (inTrain === (overlaps || embargoed)) throw new Error(`fold ${s.fold} row ${i}: in train ${inTrain}, overlaps ${overlaps}, embargoed ${embargoed}`);
        if (inTrain) kept++;
      }
      expect(kept + s.purged + s.embargoed + s.test.length).toBe(d.X.rows);
      if (s.fold > 0) expect(s.purged).toBeGreaterThan(0);
      if (s.fold < 5) expect(s.embargoed).toBeGreaterThan(0);
    }
    expect(covered.every((c) => c === 1)).toBe(true); // every row is tested exactly once
  });

  it('purged k-fold with embargo 0 only purges; the default embargo is the longest label span', () => {
    const a = purgedKFold(d, { folds: 4, embargo: 0 });
    const b = purgedKFold(d, { folds: 4 });
    expect(a.every((s) => s.embargoed === 0)).toBe(true);
    expect(b[1]!.embargoed).toBe(48);
  });

  it('walk-forward CV: the optimiser splitter over rows, training labels all known before the first test bar', () => {
    const splits = walkForwardCV(d, { train: 20000, test: 5000 });
    expect(splits.length).toBe(Math.floor((d.X.rows - 20000) / 5000));
    for (const s of splits) {
      const first = d.start[s.test[0]!]!;
      expect(Math.max(...Array.from(s.train, (i) => d.end[i]!))).toBeLessThan(first);
      expect(s.train.length + s.purged).toBe(20000);
      expect(s.purged).toBeGreaterThan(0);
      expect(s.test.length).toBe(5000);
    }
  });

  it('kFold: a seeded shuffled partition', () => {
    const a = kFold(1000, { folds: 5, seed: 3 });
    const b = kFold(1000, { folds: 5, seed: 3 });
    expect(a.map((s) => Array.from(s.test))).toEqual(b.map((s) => Array.from(s.test)));
    const all = a.flatMap((s) => Array.from(s.test)).sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(a[0]!.train.length + a[0]!.test.length).toBe(1000);
    expect(Array.from(a[0]!.test.subarray(0, 20))).not.toEqual(Array.from({ length: 20 }, (_, i) => i)); // shuffled
  });

  it('refuses bad arguments', () => {
    expect(() => purgedKFold(d, { folds: 1 })).toThrow(/folds to be an integer >= 2, found 1/);
    expect(() => purgedKFold({ start: new Int32Array([0, 2]), end: new Int32Array([1, 1]) })).toThrow(/row 1: label ends at bar 1, before its start 2/);
    expect(() => walkForwardCV(d, { train: 10 ** 6, test: 10 })).toThrow(/at least/);
  });
});
