import { describe, expect, it } from 'vitest';
import { simulate } from '../../lib/backtest';
import { ind } from '../../lib/strategy';
import { asMatrix, dataset, features, labels, modelHash, pastReturn, signalTargets, train, walkForwardModel } from '../../lib/ml';
import { take, takeRows } from '../../lib/ml/matrix';
import { sharedBars } from '../helpers/datasets';

describe('walk-forward retraining', () => {
  const bars = sharedBars('binance_BTCUSDT_1d.csv');
  const specs = { rsi: ind.rsi(14), r5: pastReturn(5), r20: pastReturn(20) };
  const lab = labels.forwardReturn(bars, 10, { kind: 'sign' });
  const wf = walkForwardModel(bars, { features: specs, labels: lab, kind: 'gbdt', options: { rounds: 20 }, every: '60d', window: '540d' });

  it('segments tile the bars after the warm-up; each is predicted by its own model', () => {
    const first = features(bars, specs).index[0]!;
    expect(wf.segments[0]!.from).toBe(first + 540);
    for (let i = 1; i < wf.segments.length; i++) expect(wf.segments[i]!.from).toBe(wf.segments[i - 1]!.to);
    expect(wf.segments[wf.segments.length - 1]!.to).toBe(bars.close.length);
    expect(new Set(wf.segments.map((s) => s.modelHash)).size).toBe(wf.segments.length);
    for (let t = 0; t < wf.segments[0]!.from; t++) expect(Number.isNaN(wf.predictions[t]!)).toBe(true);
    for (let t = wf.segments[0]!.from; t < bars.close.length; t++) expect(wf.predictions[t]! >= 0 && wf.predictions[t]! <= 1).toBe(true);
  });

  it('a segment equals a model trained by hand on the rows whose labels ended before it (no look-ahead)', () => {
    const d = dataset(features(bars, specs), lab);
    const s = wf.segments[5]!;
    const rows: number[] = [];
    for (let i = 0; i < d.X.rows; i++) if (d.start[i]! >= s.from - 540 && d.end[i]! < s.from) rows.push(i);
    expect(rows.length).toBe(s.rows);
    expect(rows.length).toBe(540 - 10); // the last 10 rows' labels reach into the segment: purged
    const M = asMatrix(d.X);
    const m = train('gbdt', takeRows(M, rows), take(d.y, rows), { rounds: 20 });
    expect(modelHash(m)).toBe(s.modelHash);
    const f = features(bars, specs);
    const p = m.predictProba(f);
    for (let r = 0; r < f.rows; r++) {
      const t = f.index[r]!;
      if (t >= s.from && t < s.to) expect(wf.predictions[t]).toBe(p[r]);
    }
  });

  it('changing labels after a segment starts does not change its model (trained on the past only)', () => {
    const s = wf.segments[3]!;
    const y = lab.y.slice();
    for (let t = s.from - 5; t < bars.close.length; t++) if (!Number.isNaN(y[t]!)) y[t] = 1 - y[t]!;
    const flipped = { ...lab, y };
    const wf2 = walkForwardModel(bars, { features: specs, labels: flipped, kind: 'gbdt', options: { rounds: 20 }, every: '60d', window: '540d' });
    expect(wf2.segments[3]!.modelHash).toBe(s.modelHash);
    expect(wf2.segments[4]!.modelHash).not.toBe(wf.segments[4]!.modelHash);
  });

  it('anchored windows grow from bar 0; the stitched predictions backtest', () => {
    const a = walkForwardModel(bars, { features: specs, labels: lab, kind: 'logistic', options: { standardize: true }, every: 90, window: 'anchored', warmup: 365 });
    expect(a.segments.every((s) => s.trainFrom === 0)).toBe(true);
    expect(a.segments[1]!.rows).toBe(a.segments[0]!.rows + 90);
    const sim = simulate(bars, signalTargets(a.predictions, { entry: 0.52, exit: 0.48 }), { fill: 'next-open' });
    expect(sim.trades.length).toBeGreaterThan(3);
    expect(sim.trades.entryBar[0]!).toBeGreaterThanOrEqual(a.segments[0]!.from);
  });

  it('refuses impossible windows and mismatched labels', () => {
    expect(() => walkForwardModel(bars, { features: specs, labels: lab, kind: 'gbdt', every: 0, window: 100 })).toThrow(/every to be a whole number of bars/);
    expect(() => walkForwardModel(bars, { features: specs, labels: lab, kind: 'gbdt', every: 10, window: 10 ** 6 })).toThrow(/no segment fits/);
    expect(() => walkForwardModel(bars, { features: specs, labels: labels.forwardReturn(sharedBars('binance_ETHUSDT_1d.csv'), 5), kind: 'gbdt', every: 10, window: 100 })).toThrow(/labels cover/);
    expect(() => walkForwardModel(bars, { features: specs, labels: lab, kind: 'gbdt', every: '2x', window: 100 })).toThrow(/timeframe/);
  });
});
