import { describe, expect, it } from 'vitest';
import { sliceBars as sliceBarsOf, type Bars } from '../../lib/core';
import { ind, onTimeframe } from '../../lib/strategy';
import { featureStream, features, field, hour, lag, pastReturn, weekday, toRows } from '../../lib/ml';
import { btc1h, sharedBars } from '../helpers/datasets';

/** Feeds every bar of `bars` to a fresh feature stream; the vector of each bar, or null. */
function streamRows(bars: Bars, specs: Parameters<typeof featureStream>[0]): (number[] | null)[] {
  const s = featureStream(specs);
  return Array.from(bars.close, (_, t) => {
    const v = s.update({ ts: bars.ts[t]!, open: bars.open[t]!, high: bars.high[t]!, low: bars.low[t]!, close: bars.close[t]!, volume: bars.volume[t]! });
    return v ? Array.from(v) : null;
  });
}

describe('ml.features', () => {
  const bars = btc1h();
  const specs = {
    rsi: ind.rsi(14),
    bb: ind.bbands(20, 2),
    macd: ind.macd(),
    atr: ind.atr(14),
    up: field(ind.bbands(20, 2), 'upper'),
    r1: pastReturn(1),
    r24: pastReturn(24),
    lagRsi: lag(ind.rsi(14), 3),
    hour: hour(),
    weekday: weekday(),
  };

  it('names columns after the specs (name.field for multi-series) and drops warm-up rows explicitly', () => {
    const f = features(bars, specs);
    expect(f.names).toEqual(['rsi', 'bb.upper', 'bb.middle', 'bb.lower', 'macd.macd', 'macd.signal', 'macd.hist', 'atr', 'up', 'r1', 'r24', 'lagRsi', 'hour', 'weekday']);
    // naive: the first bar where every column is a number, by scanning the raw indicator arrays
    const raw = [ind.rsi(14).compute(bars), ...Object.values(ind.bbands(20, 2).compute(bars)), ...Object.values(ind.macd().compute(bars)), ind.atr(14).compute(bars)];
    let first = 0;
    while (raw.some((c) => Number.isNaN(c[first]!)) || first < 24 || first < 17) first++;
    expect(f.dropped.warmup).toBe(first);
    expect(f.dropped.other).toBe(0);
    expect(f.rows).toBe(bars.close.length - first);
    expect(f.index[0]).toBe(first);
    expect(f.columns.every((c) => c.length === f.rows && c.every((v) => Number.isFinite(v)))).toBe(true);
  });

  it('values equal a naive computation: past return, lag, UTC hour and weekday', () => {
    const f = features(bars, specs);
    const col = (n: string) => f.columns[f.names.indexOf(n)]!;
    const rsi = ind.rsi(14).compute(bars);
    for (const r of [0, 1, 500, f.rows - 1]) {
      const t = f.index[r]!;
      expect(col('r24')[r]).toBe(bars.close[t]! / bars.close[t - 24]! - 1);
      expect(col('lagRsi')[r]).toBe(rsi[t - 3]);
      const d = new Date(bars.ts[t]!);
      expect(col('hour')[r]).toBe(d.getUTCHours());
      expect(col('weekday')[r]).toBe(d.getUTCDay());
      expect(col('up')[r]).toBe(col('bb.upper')[r]);
    }
    expect(new Set(col('hour')).size).toBe(24);
    expect(new Set(col('weekday')).size).toBe(7);
  });

  it('rows with a NaN after the warm-up are dropped and counted apart', () => {
    const holes = { ...bars, close: bars.close.slice() } as Bars;
    holes.close[1000] = NaN; // r1 is NaN at 1000 and 1001
    const f = features(holes, { r1: pastReturn(1) });
    expect(f.dropped).toEqual({ warmup: 1, other: 2 });
    expect(Array.from(f.index.subarray(998, 1000))).toEqual([999, 1002]);
  });

  it('the streaming twin gives the same vector on every bar (train = serve), bit for bit', () => {
    const d1 = sharedBars('binance_ETHUSDT_1d.csv');
    for (const b of [bars, d1]) {
      const f = features(b, specs);
      const rows = streamRows(b, specs);
      expect(rows.filter((r) => r !== null).length).toBe(f.rows);
      for (let r = 0; r < f.rows; r++) {
        const got = rows[f.index[r]!]!;
        for (let j = 0; j < f.names.length; j++) if (!Object.is(got[j], f.columns[j]![r])) throw new Error(`row ${r} (${f.names[j]}): stream ${got[j]} vs batch ${f.columns[j]![r]}`);
      }
    }
  });

  it('features across two timeframes (a daily indicator on hourly bars) stream exactly as computed', () => {
    const two = { rsi: ind.rsi(14), dayRsi: onTimeframe(ind.rsi(14), '1d'), daySma: onTimeframe(ind.sma(20), '1d') };
    const b = sliceBarsOf(bars, 0, 20000);
    const f = features(b, two);
    expect(f.names).toEqual(['rsi', 'dayRsi', 'daySma']);
    expect(f.dropped.warmup).toBeGreaterThan(24 * 14); // the daily RSI needs 14 finished days
    const rows = streamRows(b, two);
    for (let r = 0; r < f.rows; r++) {
      const got = rows[f.index[r]!]!;
      for (let j = 0; j < 3; j++) if (!Object.is(got[j], f.columns[j]![r])) throw new Error(`row ${r} (${f.names[j]}): stream ${got[j]} vs batch ${f.columns[j]![r]}`);
    }
    expect(new Set(f.columns[1]!.subarray(0, 500)).size).toBeLessThan(60); // the daily value changes once a day
  });

  it('a stream can be reset and replayed', () => {
    const b = sharedBars('binance_BTCUSDT_1d.csv');
    const s = featureStream(specs);
    const feed = () => Array.from(b.close, (_, t) => Array.from(s.update({ ts: b.ts[t]!, open: b.open[t]!, high: b.high[t]!, low: b.low[t]!, close: b.close[t]!, volume: b.volume[t]! }) ?? [NaN]));
    const a = feed();
    s.reset();
    expect(feed()).toEqual(a);
  });

  it('toRows gives plain rows', () => {
    const f = features(bars, { r1: pastReturn(1), hour: hour() });
    const rows = toRows(f);
    expect(rows.length).toBe(f.rows);
    expect(rows[5]).toEqual([f.columns[0]![5], f.columns[1]![5]]);
  });

  it('refuses what is not a spec, naming it', () => {
    expect(() => features(bars, {})).toThrow(/expected specs/);
    expect(() => features(bars, { x: 5 as never })).toThrow(/'x' is not an indicator spec/);
    expect(() => lag(ind.sma(5), 0)).toThrow(/integer >= 1, found 0/);
    expect(() => pastReturn(-1)).toThrow(/found -1/);
    expect(() => field(ind.bbands(20), 'top' as never)).toThrow(/fields upper, middle, lower, found 'top'/);
  });
});

describe('featureStream', () => {
  it('refuses a multi-series spec without declared fields (its names would be unknown to the runner)', () => {
    const two = { key: 'two()', compute: (b: Bars) => ({ a: b.close, b: b.open }), stream: () => ({ update: (x: { close: number; open: number }) => ({ a: x.close, b: x.open }), reset: () => {} }) };
    const s = featureStream({ two: two as never });
    expect(() => s.update({ ts: 0, open: 1, high: 1, low: 1, close: 1, volume: 1 })).toThrow(/streams several series but declares no fields/);
  });
});
