/**
 * alignBars: the common span, then the times every asset has (intersection) or any asset has (union, gaps
 * filled only when asked), checked against a naive set computation; the report says what was cut per asset;
 * the aligned bars feed backtestPortfolio directly.
 */
import { describe, expect, it } from 'vitest';
import { isoTime, makeBars, sliceBars, type Bars } from '../../lib/core';
import { alignBars, loadDataset } from '../../lib/data';
import { backtestPortfolio } from '../../lib/strategy';

const H = 3_600_000;

/** Hourly bars at hours `hours` (from an epoch origin) with close = base + hour. */
function hourly(symbol: string, hours: number[], base: number): Bars {
  const ts = Float64Array.from(hours, (h) => h * H);
  const close = Float64Array.from(hours, (h) => base + h);
  return makeBars({ ts, open: close.slice(), high: close.map((c) => c + 1), low: close.map((c) => c - 1), close, volume: close.map(() => 10) }, symbol, '1h');
}

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

describe('alignBars', () => {
  const a = hourly('AAA', range(0, 50).filter((h) => h !== 20 && h !== 21), 100); // starts first, two missing hours
  const b = hourly('BBB', range(10, 60).filter((h) => h !== 30), 500); // starts later, ends later, one missing hour

  it('intersection: the times both have inside the common span — a naive set intersection — and what was cut', () => {
    const { bars, report } = alignBars([a, b]);
    const inB = new Set(b.ts);
    const expected = Array.from(a.ts).filter((t) => inB.has(t));
    expect(Array.from(bars[0]!.ts)).toEqual(expected);
    expect(Array.from(bars[1]!.ts)).toEqual(expected);
    for (const [i, src] of [a, b].entries()) {
      for (let j = 0; j < expected.length; j++) {
        const k = src.ts.indexOf(expected[j]!);
        expect([bars[i]!.open[j], bars[i]!.high[j], bars[i]!.low[j], bars[i]!.close[j], bars[i]!.volume[j]]).toEqual([src.open[k], src.high[k], src.low[k], src.close[k], src.volume[k]]);
      }
    }
    expect(report).toMatchObject({ mode: 'intersection', from: isoTime(10 * H), to: isoTime(49 * H), bars: expected.length });
    expect(report.assets).toEqual([
      { symbol: 'AAA', given: 48, cutBefore: 10, cutAfter: 0, droppedInside: 1, filled: 0 }, // hour 30 (BBB has none)
      { symbol: 'BBB', given: 49, cutBefore: 0, cutAfter: 10, droppedInside: 2, filled: 0 }, // hours 20, 21
    ]);
    expect(report.summary).toBe(
      'AAA: 48 bars, cut 10 before and 0 after the common span, 1 dropped inside\nBBB: 49 bars, cut 0 before and 10 after the common span, 2 dropped inside',
    );
  });

  it("union: every time in the common span; a missing bar is the previous close, flat, volume 0 — only with gaps: 'ffill'", () => {
    const { bars, report } = alignBars([a, b], { mode: 'union', gaps: 'ffill' });
    expect(Array.from(bars[0]!.ts)).toEqual(range(10, 50).map((h) => h * H));
    const at = (x: Bars, h: number) => x.ts.indexOf(h * H);
    const a20 = at(bars[0]!, 20);
    expect([bars[0]!.open[a20], bars[0]!.high[a20], bars[0]!.low[a20], bars[0]!.close[a20], bars[0]!.volume[a20]]).toEqual([119, 119, 119, 119, 0]);
    expect(bars[0]!.close[at(bars[0]!, 21)]).toBe(119);
    expect(bars[0]!.close[at(bars[0]!, 22)]).toBe(122);
    expect(bars[1]!.close[at(bars[1]!, 30)]).toBe(529);
    expect(report.assets.map((x) => x.filled)).toEqual([2, 1]);
    expect(report.assets.map((x) => x.droppedInside)).toEqual([0, 0]);

    // a gap at the very start of the span is filled from the asset's bar before the span
    const c = hourly('CCC', range(0, 40).filter((h) => h !== 10), 900);
    const u = alignBars([c, b], { mode: 'union', gaps: 'ffill' });
    expect(u.bars[0]!.close[0]).toBe(909);
  });

  it('refuses what it cannot do honestly', () => {
    expect(() => alignBars([a, b], { mode: 'union' })).toThrow(/mode 'union' needs a gap policy: gaps: 'ffill'/);
    expect(() => alignBars([a, b], { mode: 'union', gaps: 'error' })).toThrow(/AAA has no bar at 1970-01-01T20:00:00Z, where another asset has one/);
    expect(() => alignBars([a, hourly('LATE', range(100, 110), 1)])).toThrow(/share no time span/);
    const daily = makeBars({ ts: Float64Array.of(0), open: Float64Array.of(1), high: Float64Array.of(1), low: Float64Array.of(1), close: Float64Array.of(1), volume: Float64Array.of(1) }, 'D', '1d');
    expect(() => alignBars([a, daily])).toThrow(expect.objectContaining({ code: 'TIMEFRAME_MISMATCH' }));
    expect(() => alignBars([])).toThrow(/expected a list of Bars/);
  });

  it('shipped datasets of different histories go straight into backtestPortfolio', async () => {
    const btc = await loadDataset('BTCUSDT', '1h');
    const sol = await loadDataset('SOLUSDT', '1h');
    const { bars, report } = alignBars([btc, sol]);
    expect(report.from).toBe(isoTime(sol.ts[0]!));
    expect(report.assets[0]!.cutBefore).toBe(btc.ts.indexOf(sol.ts[0]!));
    const r = backtestPortfolio('sma-cross', bars, { fast: 10, slow: 50 });
    // the hand-cut window it replaces gives the same run
    const i0 = btc.ts.indexOf(bars[0]!.ts[0]!);
    const j0 = sol.ts.indexOf(bars[1]!.ts[0]!);
    const n = bars[0]!.ts.length;
    const hand = backtestPortfolio('sma-cross', [sliceBars(btc, i0, i0 + n), sliceBars(sol, j0, j0 + n)], { fast: 10, slow: 50 });
    expect(r.finalEquity).toBe(hand.finalEquity);
  });
});
