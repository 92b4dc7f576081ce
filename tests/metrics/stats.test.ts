import { describe, expect, it } from 'vitest';
import {
  alphaBeta,
  annualVolatility,
  barReturns,
  computeStats,
  formatStats,
  moments,
  omegaRatio,
  priceReturns,
  returnFigures,
  sharpeRatio,
  sortinoRatio,
  statsText,
} from '../../lib/metrics';
import { btc1h } from '../helpers/datasets';

describe('computeStats', () => {
  it('by hand on a four-bar curve', () => {
    const ts = Float64Array.from([0, 1, 2, 3], (i) => Date.UTC(2024, 0, 1) + i * 86_400_000);
    const s = computeStats({
      equity: Float64Array.of(110, 99, 121, 121),
      initialCash: 100,
      ts,
      timeframe: '1d',
      benchmark: Float64Array.of(10, 11, 10, 12),
      exposedBars: 3,
      commissions: 1.5,
      trades: { pnl: Float64Array.of(10, -11, 22), returns: Float64Array.of(0.1, -0.1, 0.22), barsHeld: Int32Array.of(1, 1, 1) },
    });
    expect(s.start).toBe('2024-01-01T00:00:00Z');
    expect(s.durationDays).toBe(4);
    expect(s.barsPerYear).toBe(365);
    expect(s.exposure).toBe(0.75);
    expect(s.totalReturn).toBeCloseTo(0.21, 14);
    expect(s.buyHoldReturn).toBeCloseTo(0.2, 14);
    expect(s.peakEquity).toBe(121);
    expect(s.maxDrawdown).toBeCloseTo(0.1, 14);
    expect(s.annualReturn).toBeCloseTo(1.21 ** (365 / 4) - 1, 6);
    expect(s.cagr).toBeCloseTo(1.21 ** (365 / 4) - 1, 6);
    // returns 0.1, -0.1, 2/9, 0
    const r = [0.1, -0.1, 2 / 9, 0];
    const m = r.reduce((a, x) => a + x, 0) / 4;
    const sd = Math.sqrt(r.reduce((a, x) => a + (x - m) ** 2, 0) / 3);
    expect(s.sharpe).toBeCloseTo((m / sd) * Math.sqrt(365), 10);
    expect(s.omega).toBeCloseTo((0.1 + 2 / 9) / 0.1, 12);
    expect(s.winRate).toBeCloseTo(2 / 3, 14);
    expect(s.profitFactor).toBeCloseTo(32 / 11, 14);
  });

  it('the fused figures equal the one-by-one metric functions on real data', () => {
    const b = btc1h();
    // a buy & hold curve with a fee: equity ∝ close
    const eq = Float64Array.from(b.close, (c) => (c / b.close[0]!) * 9990);
    const r = barReturns(eq, 10_000);
    const f = returnFigures(r, b.close, 8760, 0.03);
    const mo = moments(r);
    const ab = alphaBeta(r, priceReturns(b.close), 8760);
    const close = (a: number, w: number) => expect(Math.abs(a - w)).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(w)));
    close(f.sharpe, sharpeRatio(r, 8760, 0.03));
    close(f.sortino, sortinoRatio(r, 8760, 0.03));
    close(f.omega, omegaRatio(r));
    close(f.annualVolatility, annualVolatility(r, 8760));
    close(f.skew, mo.skew);
    close(f.kurtosis, mo.kurtosis);
    close(f.beta, ab.beta);
    close(f.alpha, ab.alpha);
    expect(f.beta).toBeCloseTo(1, 6); // equity ∝ benchmark
  });

  it('formats a display table', () => {
    const s = computeStats({
      equity: Float64Array.of(101, 102),
      initialCash: 100,
      ts: Float64Array.of(0, 3_600_000),
      timeframe: '1h',
      benchmark: Float64Array.of(1, 2),
      exposedBars: 2,
      commissions: 0,
      trades: { pnl: Float64Array.of(2), returns: Float64Array.of(0.02), barsHeld: Int32Array.of(5) },
    });
    const rows = Object.fromEntries(formatStats(s));
    expect(rows['Return']).toBe('2.00 %');
    expect(rows['Max. trade duration']).toBe('0d 05:00 (5 bars)');
    expect(statsText(s).split('\n').length).toBe(formatStats(s).length);
  });
});
