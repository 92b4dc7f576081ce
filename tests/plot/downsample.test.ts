import { describe, expect, it } from 'vitest';
import { downsampleLine, downsampleOhlc, lttbIndices } from '../../lib/plot';
import { btc1h } from '../helpers/datasets';

/** Deterministic random walk with one deep trough and one spike placed at known positions. */
function walk(n: number): { x: Float64Array; y: Float64Array; lo: number; hi: number } {
  const x = new Float64Array(n), y = new Float64Array(n);
  let s = 12345, v = 100;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    v += (s / 2147483648 - 0.5) * 0.1;
    x[i] = i * 60_000;
    y[i] = v;
  }
  const lo = Math.floor(n * 0.37), hi = Math.floor(n * 0.81);
  y[lo] = -1e6;
  y[hi] = 1e6;
  return { x, y, lo, hi };
}

describe('LTTB downsampling', () => {
  it('a 1,000,000-point series yields at most the configured number of points and keeps the global min and max', () => {
    const { x, y, lo, hi } = walk(1_000_000);
    for (const threshold of [500, 2000, 5000]) {
      const idx = lttbIndices(x, y, threshold);
      expect(idx.length).toBeLessThanOrEqual(threshold);
      expect(idx.length).toBeGreaterThan(threshold * 0.99);
      expect(Array.from(idx)).toContain(lo);
      expect(Array.from(idx)).toContain(hi);
      expect(idx[0]).toBe(0);
      expect(idx[idx.length - 1]).toBe(999_999);
      for (let k = 1; k < idx.length; k++) expect(idx[k]!).toBeGreaterThan(idx[k - 1]!);
    }
  });

  it('keeps min and max on real data (BTCUSDT 1h close) and returns everything when short', () => {
    const b = btc1h();
    const l = downsampleLine(b.ts, b.close, 1000);
    expect(l.y.length).toBeLessThanOrEqual(1000);
    expect(Math.max(...(l.y as number[]))).toBe(Math.max(...b.close));
    expect(Math.min(...(l.y as number[]))).toBe(Math.min(...b.close));
    expect(lttbIndices([0, 1, 2], [5, 6, 7], 10).length).toBe(3);
  });

  it('NaN values become nulls (plotly gaps) and are never picked as extremes', () => {
    const y = Float64Array.from({ length: 100 }, (_, i) => (i < 10 ? NaN : i));
    const l = downsampleLine(Float64Array.from({ length: 100 }, (_, i) => i), y, 20);
    expect(l.y[0]).toBeNull();
    expect(l.y).toContain(99);
  });
});

describe('OHLC downsampling', () => {
  it('merges consecutive bars exactly (first open, max high, min low, last close, summed volume)', () => {
    const b = btc1h();
    const d = downsampleOhlc(b, 3000);
    expect(d.ts.length).toBeLessThanOrEqual(3000);
    expect(d.group).toBe(Math.ceil(b.ts.length / 3000));
    const g = d.group;
    expect(d.open[1]).toBe(b.open[g]);
    expect(d.close[1]).toBe(b.close[2 * g - 1]);
    expect(d.high[1]).toBe(Math.max(...b.high.subarray(g, 2 * g)));
    expect(d.low[1]).toBe(Math.min(...b.low.subarray(g, 2 * g)));
    expect(d.volume[1]).toBeCloseTo(b.volume.subarray(g, 2 * g).reduce((a, v) => a + v, 0), 6);
    expect(Math.max(...d.high)).toBe(Math.max(...b.high));
    expect(Math.min(...d.low)).toBe(Math.min(...b.low));
  });
});
