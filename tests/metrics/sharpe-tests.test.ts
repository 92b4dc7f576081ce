import { describe, expect, it } from 'vitest';
import { deflatedSharpe, expectedMaxSharpe, normalCdf, normalInv, probabilisticSharpe, sharpeVariance } from '../../lib/metrics';

/** Φ by Simpson integration of the density from 0 (an independent check). */
function cdfBySimpson(x: number): number {
  const m = 20000;
  const h = x / m;
  const f = (t: number) => Math.exp((-t * t) / 2) / Math.sqrt(2 * Math.PI);
  let s = f(0) + f(x);
  for (let i = 1; i < m; i++) s += f(i * h) * (i % 2 ? 4 : 2);
  return 0.5 + (s * h) / 3;
}

describe('normal distribution', () => {
  it('Φ matches known values and Simpson integration', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1)).toBeCloseTo(0.8413447460685429, 14);
    expect(normalCdf(-1.96)).toBeCloseTo(0.024997895148220435, 14);
    for (const x of [-5, -2.5, -0.3, 0.7, 1.5, 3, 6]) expect(Math.abs(normalCdf(x) - cdfBySimpson(x))).toBeLessThan(1e-13);
  });
  it('Φ⁻¹ inverts Φ', () => {
    expect(normalInv(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalInv(0.5)).toBeCloseTo(0, 14);
    for (const p of [1e-10, 0.001, 0.02, 0.3, 0.7, 0.99, 1 - 1e-9]) expect(normalCdf(normalInv(p))).toBeCloseTo(p, 13);
    expect(normalInv(0)).toBe(-Infinity);
    expect(normalInv(1.5)).toBeNaN();
  });
});

describe('probabilistic and deflated Sharpe', () => {
  it('PSR by hand', () => {
    // SR 0.1 per bar over 101 bars, skew -0.5, kurtosis 4: z = 0.1·10/√(1 + 0.05 + 0.0075)
    const z = (0.1 * 10) / Math.sqrt(1 + 0.05 + 0.0075);
    expect(probabilisticSharpe(0.1, 101, -0.5, 4)).toBeCloseTo(normalCdf(z), 14);
    expect(probabilisticSharpe(0.1, 101, -0.5, 4, 0.1)).toBe(0.5);
    expect(sharpeVariance(0.1, 101, -0.5, 4)).toBeCloseTo((1 + 0.05 + 0.0075) / 100, 15);
  });
  it('expected max Sharpe and DSR by hand', () => {
    const g = 0.5772156649015329;
    const want = Math.sqrt(0.01) * ((1 - g) * normalInv(1 - 1 / 100) + g * normalInv(1 - 1 / (100 * Math.E)));
    expect(expectedMaxSharpe(100, 0.01)).toBeCloseTo(want, 14);
    expect(expectedMaxSharpe(1, 0.01)).toBe(0);
    expect(deflatedSharpe(0.3, 101, 0, 3, 100, 0.01)).toBeCloseTo(probabilisticSharpe(0.3, 101, 0, 3, want), 14);
    expect(deflatedSharpe(0.3, 101, 0, 3, 1)).toBe(probabilisticSharpe(0.3, 101, 0, 3));
    // more trials -> lower DSR
    expect(deflatedSharpe(0.2, 500, 0, 3, 1000)).toBeLessThan(deflatedSharpe(0.2, 500, 0, 3, 10));
  });
});
