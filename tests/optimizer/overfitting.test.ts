import { describe, expect, it } from 'vitest';
import { deflatedSharpe, probabilisticSharpe } from '../../lib/metrics';
import { blockStats, neighbourhoodStability, pbo, pboFromBlocks, studyDeflatedSharpe } from '../../lib/optimizer/overfitting';
import { rng } from '../../lib/optimizer/rng';

const noise = (seed: number, T: number, mu = 0, sd = 0.01) => {
  const r = rng(seed);
  return Float64Array.from({ length: T }, () => mu + sd * r.normal());
};

/** CSCV computed the slow, obvious way: concatenate the chosen blocks and compute Sharpe ratios directly. */
function naivePbo(series: Float64Array[], S: number): { pbo: number; logits: number[] } {
  const T = series[0]!.length;
  const size = Math.floor(T / S);
  const skip = T - size * S;
  const sharpe = (x: number[]) => {
    const m = x.reduce((a, b) => a + b, 0) / x.length;
    const v = x.reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - 1);
    return m / Math.sqrt(v);
  };
  const logits: number[] = [];
  const choose = (start: number, left: number, acc: number[]): void => {
    if (left === 0) {
      const inIs = (b: number) => acc.includes(b);
      const part = (x: Float64Array, is: boolean) => {
        const out: number[] = [];
        for (let b = 0; b < S; b++) if (inIs(b) === is) for (let i = 0; i < size; i++) out.push(x[skip + b * size + i]!);
        return out;
      };
      const isS = series.map((x) => sharpe(part(x, true)));
      const oos = series.map((x) => sharpe(part(x, false)));
      const best = isS.indexOf(Math.max(...isS));
      const worse = oos.filter((v, j) => j !== best && v < oos[best]!).length;
      const ties = oos.filter((v, j) => j !== best && v === oos[best]!).length;
      const w = (1 + worse + 0.5 * ties) / (series.length + 1);
      logits.push(Math.log(w / (1 - w)));
      return;
    }
    for (let b = start; b < S; b++) choose(b + 1, left - 1, [...acc, b]);
  };
  choose(0, S / 2, []);
  return { pbo: logits.filter((l) => l <= 0).length / logits.length, logits };
}

describe('PBO by CSCV', () => {
  it('equals the naive computation on concatenated blocks (8 blocks, 7 configurations)', () => {
    const series = Array.from({ length: 7 }, (_, j) => noise(j + 1, 803, 0.0003 * (j % 3)));
    const fast = pbo(series, { blocks: 8 });
    const slow = naivePbo(series, 8);
    expect(fast.combinations).toBe(70);
    expect(fast.pbo).toBe(slow.pbo);
    // same multiset of logits (the two enumerate the splits in different orders)
    const a = Array.from(fast.logits).sort((x, y) => x - y);
    const b = [...slow.logits].sort((x, y) => x - y);
    for (let c = 0; c < 70; c++) expect(a[c]).toBeCloseTo(b[c]!, 9);
  });

  it('pure noise: PBO near one half; one configuration with a real edge among noise: PBO near 0', () => {
    const noiseOnly = Array.from({ length: 40 }, (_, j) => noise(100 + j, 2000));
    const p0 = pbo(noiseOnly, { blocks: 10 });
    expect(p0.pbo).toBeGreaterThan(0.25);
    expect(p0.pbo).toBeLessThan(0.75);
    const withEdge = [...noiseOnly.slice(1), noise(7, 2000, 0.003)];
    const p1 = pbo(withEdge, { blocks: 10 });
    expect(p1.pbo).toBeLessThan(0.05);
    expect(p1.probOosLoss).toBe(0);
  });

  it('block statistics: count, sum and sum of squares per block, the first T mod S values dropped', () => {
    const x = Float64Array.of(9, 1, 2, 3, 4, 5, 6);
    expect(Array.from(blockStats(x, 3))).toEqual([2, 3, 5, 2, 7, 25, 2, 11, 61]);
    expect(() => blockStats(x, 4)).toThrow(/expected at least 8 returns for 4 blocks, found 7/);
    expect(() => pboFromBlocks([blockStats(x, 3)], 3)).toThrow(/expected at least 2 configurations/);
    expect(() => pboFromBlocks([blockStats(x, 3), blockStats(x, 3)], 3)).toThrow(/expected an even number of blocks in \[2, 20\], found 3/);
  });
});

describe('deflated Sharpe of a study', () => {
  it('uses lib/metrics with the real trial count and the variance of the trials’ Sharpe ratios', () => {
    const best = noise(3, 3000, 0.0008);
    const others = Array.from({ length: 50 }, (_, j) => noise(200 + j, 3000, 0.0002));
    const srs = others.map((x) => {
      const m = x.reduce((a, b) => a + b, 0) / x.length;
      return m / Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - 1));
    });
    const d = studyDeflatedSharpe(best, srs, 300);
    const mu = srs.reduce((a, b) => a + b, 0) / srs.length;
    const variance = srs.reduce((a, b) => a + (b - mu) ** 2, 0) / (srs.length - 1);
    expect(d.variance).toBeCloseTo(variance, 15);
    // recompute with the metrics functions directly
    const m = best.reduce((a, b) => a + b, 0) / best.length;
    const sd = Math.sqrt(best.reduce((a, b) => a + (b - m) ** 2, 0) / (best.length - 1));
    const m2 = best.reduce((a, b) => a + (b - m) ** 2, 0) / best.length;
    const skew = best.reduce((a, b) => a + (b - m) ** 3, 0) / best.length / m2 ** 1.5;
    const kurt = best.reduce((a, b) => a + (b - m) ** 4, 0) / best.length / m2 ** 2;
    expect(d.sharpe).toBeCloseTo(m / sd, 12);
    expect(d.deflatedSharpe).toBeCloseTo(deflatedSharpe(m / sd, best.length, skew, kurt, 300, variance), 10);
    expect(d.probabilisticSharpe).toBeCloseTo(probabilisticSharpe(m / sd, best.length, skew, kurt), 10);
    // more trials → a higher bar → a lower deflated Sharpe
    expect(studyDeflatedSharpe(best, srs, 3000).deflatedSharpe).toBeLessThan(d.deflatedSharpe);
    expect(d.deflatedSharpe).toBeLessThan(d.probabilisticSharpe);
  });
});

describe('neighbourhood stability', () => {
  it('relative drops against the best, for either direction', () => {
    const s = neighbourhoodStability(2, [1.8, 1.5, 2.1], 'maximize');
    expect(s.count).toBe(3);
    expect(s.meanDrop).toBeCloseTo((0.1 + 0.25 - 0.05) / 3, 12);
    expect(s.worstDrop).toBeCloseTo(0.25, 12);
    expect(s.within20).toBeCloseTo(2 / 3, 12);
    expect(s.worst).toBe(1.5);
    const m = neighbourhoodStability(1, [1.1, 1.5], 'minimize');
    expect(m.worstDrop).toBeCloseTo(0.5, 12);
    expect(m.worst).toBe(1.5);
  });
});
