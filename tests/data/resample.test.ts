import { describe, expect, it } from 'vitest';
import { isoTime, loadDataset, makeBars, resample, resampleWithCounts, type Bars } from '../../lib';

/** Obviously-correct reference: group by floor(ts / step) with a Map, then aggregate each group. */
function naiveResample(b: Bars, stepMs: number): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < b.ts.length; i++) {
    const k = Math.floor(b.ts[i]! / stepMs) * stepMs;
    (groups.get(k) ?? groups.set(k, []).get(k)!).push(i);
  }
  const out = new Map<number, number[]>();
  for (const [k, idx] of groups) {
    out.set(k, [b.open[idx[0]!]!, Math.max(...idx.map((i) => b.high[i]!)), Math.min(...idx.map((i) => b.low[i]!)), b.close[idx[idx.length - 1]!]!, idx.reduce((s, i) => s + b.volume[i]!, 0), idx.length]);
  }
  return out;
}

describe('resample', async () => {
  const m1 = await loadDataset('BTCUSDT', '1m');
  const h1 = await loadDataset('BTCUSDT', '1h');

  it.each([['5m', 300_000], ['15m', 900_000], ['1h', 3_600_000], ['4h', 14_400_000], ['1d', 86_400_000]])('1m → %s equals a naive group-by', (tf, ms) => {
    const r = resampleWithCounts(m1, tf);
    const ref = naiveResample(m1, ms);
    expect(r.bars.ts.length).toBe(ref.size);
    expect(r.bars.timeframe).toBe(tf);
    for (let j = 0; j < r.bars.ts.length; j++) {
      const e = ref.get(r.bars.ts[j]!)!;
      expect([r.bars.open[j], r.bars.high[j], r.bars.low[j], r.bars.close[j], r.bars.volume[j], r.counts[j]]).toEqual(e);
    }
  });

  it('1m → 1h reproduces the shipped 1h bars on 711 of 714 complete hours; the 3 others are the Binance inconsistencies of 2021-04-22/23 (SOURCES.md)', () => {
    const r = resampleWithCounts(m1, '1h');
    const index = new Map(Array.from(h1.ts, (t, i) => [t, i]));
    let complete = 0;
    const mismatched: string[] = [];
    for (let j = 0; j < r.bars.ts.length; j++) {
      if (r.counts[j] !== 60) continue;
      complete++;
      const i = index.get(r.bars.ts[j]!)!;
      const same = r.bars.open[j] === h1.open[i] && r.bars.high[j] === h1.high[i] && r.bars.low[j] === h1.low[i] && r.bars.close[j] === h1.close[i] && Math.abs(r.bars.volume[j]! - h1.volume[i]!) <= 1e-6 * h1.volume[i]!;
      if (!same) mismatched.push(isoTime(r.bars.ts[j]!));
    }
    expect(complete).toBe(714);
    expect(mismatched.length).toBe(3);
    for (const t of mismatched) expect(t).toMatch(/^2021-04-2[23]T/);
  });

  it('gaps stay gaps: the 284-minute hole of 2021-04-25 makes short hours and no invented bars', () => {
    const r = resampleWithCounts(m1, '1h');
    const at = (iso: string) => r.bars.ts.indexOf(Date.parse(iso));
    expect(r.counts[at('2021-04-25T04:00:00Z')]).toBe(1); // 04:00 only; 04:01..08:44 missing
    expect(at('2021-04-25T05:00:00Z')).toBe(-1);
    expect(r.counts[at('2021-04-25T08:00:00Z')]).toBe(15); // 08:45..08:59
    const dropped = resampleWithCounts(m1, '1h', { incomplete: 'drop' });
    expect(dropped.bars.ts.length).toBe(714);
    expect(dropped.incomplete).toBe(r.incomplete);
  });

  it('1d bars start at 00:00 UTC; a target that is not a whole multiple is refused', () => {
    const d = resample(h1, '1d');
    expect(d.ts.every((t) => t % 86_400_000 === 0)).toBe(true);
    const b = makeBars({ ts: [0, 60_000], open: [1, 1], high: [1, 1], low: [1, 1], close: [1, 1], volume: [1, 1] }, 'X', '1m');
    expect(() => resample(b, '90s')).toThrow(/target 90s must be a whole multiple of the source timeframe 1m/);
  });

  it('weekly bars open on Mondays', () => {
    const w = resample(h1, '1w');
    expect(w.ts.every((t) => new Date(t).getUTCDay() === 1 || t === w.ts[0])).toBe(true);
  });
});
