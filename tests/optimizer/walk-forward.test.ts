import { describe, expect, it } from 'vitest';
import { walkForward, walkForwardSplits } from '../../lib/optimizer/walk-forward';

describe('walk-forward splits', () => {
  it('rolling: fixed-length train windows sliding by the test length, tests tiling the rest', () => {
    const f = walkForwardSplits(1000, { train: 500, test: 100 });
    expect(f.length).toBe(5);
    expect(f[0]).toEqual({ fold: 0, train: { start: 0, end: 500 }, test: { start: 500, end: 600 } });
    expect(f[4]).toEqual({ fold: 4, train: { start: 400, end: 900 }, test: { start: 900, end: 1000 } });
    for (let i = 1; i < f.length; i++) expect(f[i]!.test.start).toBe(f[i - 1]!.test.end);
  });

  it('anchored: training always starts at bar 0; gap and step honoured; folds keeps the last ones', () => {
    const f = walkForwardSplits(1000, { train: 300, test: 150, mode: 'anchored', gap: 10, step: 200 });
    // tests at 310, 510, 710; 910+150 > 1000
    expect(f.map((x) => [x.train.start, x.train.end, x.test.start, x.test.end])).toEqual([
      [0, 300, 310, 460],
      [0, 500, 510, 660],
      [0, 700, 710, 860],
    ]);
    expect(walkForwardSplits(1000, { train: 500, test: 100, folds: 2 }).map((x) => x.test.start)).toEqual([800, 900]);
  });

  it('says how many bars a fold needs', () => {
    expect(() => walkForwardSplits(100, { train: 80, test: 30 })).toThrow(/expected at least train \+ gap \+ test = 110 bars, found 100/);
    expect(() => walkForwardSplits(100, { train: 0, test: 30 })).toThrow(/expected train to be an integer >= 1, found 0/);
    expect(() => walkForwardSplits(100, { train: 10, test: 30, mode: 'expanding' as never })).toThrow(/expected mode 'rolling' or 'anchored'/);
  });
});

describe('walkForward', () => {
  it('stitches out-of-sample equity window after window and computes WFE from annualised returns', async () => {
    // a "market" whose per-bar growth is 1 + g[t]; evaluate() gives equity = cumulative product over the window
    const n = 700;
    const g = Float64Array.from({ length: n }, (_, t) => 0.001 * Math.sin(t / 17) + 0.0002);
    const folds = walkForwardSplits(n, { train: 300, test: 100 });
    const chosen: number[] = [];
    const r = await walkForward({
      folds,
      barsPerYear: 365,
      optimize: (train, f) => {
        chosen.push(f.fold);
        return { k: f.fold, lo: train.start };
      },
      evaluate: (params, w) => {
        const eq = new Float64Array(w.end - w.start);
        let e = 1000;
        for (let t = w.start; t < w.end; t++) eq[t - w.start] = e *= 1 + g[t]! * (1 + (params.k as number) * 0.1);
        return { value: eq[eq.length - 1]! / 1000 - 1, equity: eq, initial: 1000 };
      },
    });
    expect(chosen).toEqual([0, 1, 2, 3]);
    expect(r.oosEquity.length).toBe(400);
    expect(Array.from(r.oosIndex.subarray(0, 3))).toEqual([300, 301, 302]);
    // naive stitching: chain every test bar's growth with the fold's parameters
    let level = 1;
    for (const f of r.folds) {
      for (let t = f.test.start; t < f.test.end; t++) {
        level *= 1 + g[t]! * (1 + f.fold * 0.1);
        expect(r.oosEquity[r.oosIndex.indexOf(t)]).toBeCloseTo(level, 12);
      }
    }
    const oosAnnual = level ** (365 / 400) - 1;
    expect(r.oosAnnualReturn).toBeCloseTo(oosAnnual, 12);
    const isAnnual = r.folds.map((f) => {
      let e = 1;
      for (let t = f.train.start; t < f.train.end; t++) e *= 1 + g[t]! * (1 + f.fold * 0.1);
      return e ** (365 / 300) - 1;
    });
    expect(r.wfe).toBeCloseTo(oosAnnual / (isAnnual.reduce((a, b) => a + b, 0) / 4), 10);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(r.wfeObjective).toBeCloseTo(mean(r.folds.map((f) => f.outOfSample)) / mean(r.folds.map((f) => f.inSample)), 12);
  });

  it('checks the evaluation covers the test window', async () => {
    await expect(
      walkForward({
        folds: walkForwardSplits(50, { train: 30, test: 10 }),
        barsPerYear: 1,
        optimize: () => ({}),
        evaluate: () => ({ value: 0, equity: new Float64Array(3), initial: 1 }),
      }),
    ).rejects.toThrow(/fold 0: evaluate\(\) returned 3 equity values for a test window of 10 bars/);
  });
});
