import { describe, expect, it } from 'vitest';
import {
  alphaBeta,
  annualReturn,
  annualVolatility,
  barReturns,
  cagr,
  calmarRatio,
  mean,
  moments,
  omegaRatio,
  priceReturns,
  sampleStd,
  sharpeRatio,
  sortinoRatio,
} from '../../lib/metrics';

const r = Float64Array.of(0.01, -0.02, 0.03, 0.0, -0.01);
const P = 8760;

describe('returns and moments, by hand', () => {
  it('barReturns uses the initial equity for the first bar', () => {
    expect(Array.from(barReturns(Float64Array.of(110, 99, 99), 100))).toEqual([0.10000000000000009, -0.09999999999999998, 0]);
    expect(Array.from(priceReturns(Float64Array.of(10, 12, 9)))).toEqual([0, 0.19999999999999996, -0.25]);
  });
  it('mean, sample std, skew and kurtosis', () => {
    // mean = 0.01/5 = 0.002; deviations 0.008 -0.022 0.028 -0.002 -0.012
    const dev = [0.008, -0.022, 0.028, -0.002, -0.012];
    const m2 = dev.reduce((s, d) => s + d * d, 0);
    expect(mean(r)).toBeCloseTo(0.002, 15);
    expect(sampleStd(r)).toBeCloseTo(Math.sqrt(m2 / 4), 15);
    const mo = moments(r);
    const p2 = m2 / 5;
    const p3 = dev.reduce((s, d) => s + d ** 3, 0) / 5;
    const p4 = dev.reduce((s, d) => s + d ** 4, 0) / 5;
    expect(mo.skew).toBeCloseTo(p3 / p2 ** 1.5, 12);
    expect(mo.kurtosis).toBeCloseTo(p4 / p2 ** 2, 12);
    expect(Math.sqrt(m2 / 4)).toBeCloseTo(0.019235384061671343, 15);
  });
});

describe('ratios, by hand', () => {
  const sd = 0.019235384061671343;
  it('Sharpe = mean/std·√P', () => {
    expect(sharpeRatio(r, P)).toBeCloseTo((0.002 / sd) * Math.sqrt(P), 10);
    // with a 5% annual risk-free rate
    expect(sharpeRatio(r, P, 0.05)).toBeCloseTo(((0.002 - 0.05 / P) / sd) * Math.sqrt(P), 10);
    expect(sharpeRatio(Float64Array.of(0.01, 0.01), P)).toBeNaN();
  });
  it('Sortino uses the downside deviation over all bars', () => {
    const dd = Math.sqrt((0.02 ** 2 + 0.01 ** 2) / 5);
    expect(sortinoRatio(r, P)).toBeCloseTo((0.002 / dd) * Math.sqrt(P), 10);
    expect(sortinoRatio(Float64Array.of(0.01, 0), P)).toBe(Infinity);
  });
  it('Omega = gains / losses', () => {
    expect(omegaRatio(r)).toBeCloseTo(0.04 / 0.03, 14);
    expect(omegaRatio(r, 0.01)).toBeCloseTo(0.02 / (0.03 + 0.01 + 0.02), 14);
  });
  it('annual volatility, annual return, CAGR, Calmar', () => {
    expect(annualVolatility(r, P)).toBeCloseTo(sd * Math.sqrt(P), 12);
    // doubling over half a year of hourly bars = 300 % a year
    expect(annualReturn(100, 200, P / 2, P)).toBeCloseTo(3, 12);
    expect(cagr(100, 121, 2 * 365 * 86_400_000)).toBeCloseTo(0.1, 12);
    expect(calmarRatio(0.3, 0.15)).toBeCloseTo(2, 14);
    expect(calmarRatio(0.3, 0)).toBeNaN();
  });
  it('beta and alpha by regression on the benchmark', () => {
    // r = 0.001 + 2·m exactly -> beta 2, alpha 0.001·P
    const m = Float64Array.of(0, 0.01, -0.02, 0.005, 0.03);
    const s = Float64Array.from(m, (x) => 0.001 + 2 * x);
    const ab = alphaBeta(s, m, P);
    expect(ab.beta).toBeCloseTo(2, 12);
    expect(ab.alpha).toBeCloseTo(0.001 * P, 9);
  });
});
