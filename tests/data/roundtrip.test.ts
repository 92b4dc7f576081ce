import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromDataFrame, fromTable, loadBars, readParquetOhlcv, saveParquet, toDataFrame, toTable, type Bars } from '../../lib';
import { sharedDatasets } from '../helpers/datasets';

const dir = mkdtempSync(join(tmpdir(), 'quantlab-rt-'));
const COLS = ['ts', 'open', 'high', 'low', 'close', 'volume'] as const;
const expectSameBars = (a: Bars, b: Bars) => {
  for (const k of COLS) expect(Buffer.from(a[k].buffer, a[k].byteOffset, a[k].byteLength).equals(Buffer.from(b[k].buffer, b[k].byteOffset, b[k].byteLength))).toBe(true);
  expect(a.symbol).toBe(b.symbol);
  expect(a.timeframe).toBe(b.timeframe);
};

describe('round trips are exact (bit for bit)', async () => {
  const { bars } = await loadBars(join(sharedDatasets, 'binance_ETHUSDT_1h.csv'));

  it('CSV → Bars → Parquet → Bars', async () => {
    const p = join(dir, 'eth.parquet');
    saveParquet(bars, p);
    const back = await loadBars(p);
    expect(back.bars.ts.length).toBe(55_712);
    expectSameBars(back.bars, bars);
    expect(back.report.gaps.length).toBe(28);
  });

  it('Parquet keeps symbol and timeframe in its metadata and is compressed', async () => {
    const p = join(dir, 'no-hints-in-this-name.parquet');
    saveParquet(bars, p);
    const { info } = await readParquetOhlcv(p);
    expect(info).toMatchObject({ symbol: 'ETHUSDT', timeframe: '1h' });
    const { statSync } = await import('node:fs');
    expect(statSync(p).size).toBeLessThan(bars.ts.length * 48 * 0.75);
  });

  it('arquero table ↔ Bars', () => {
    const t = toTable(bars);
    expect(t.numRows()).toBe(bars.ts.length);
    expect(t.columnNames()).toEqual([...COLS]);
    expectSameBars(fromTable(t, bars.symbol, bars.timeframe), bars);
    const withTime = toTable(bars, { time: true });
    expect(withTime.columnNames()[0]).toBe('time');
    expect((withTime.get('time', 0) as Date).toISOString()).toBe('2017-08-17T04:00:00.000Z');
  });

  it('danfojs DataFrame ↔ Bars', () => {
    const small = { ...bars, ts: bars.ts.subarray(0, 500), open: bars.open.subarray(0, 500), high: bars.high.subarray(0, 500), low: bars.low.subarray(0, 500), close: bars.close.subarray(0, 500), volume: bars.volume.subarray(0, 500) };
    const df = toDataFrame(small);
    expect(df.columns).toEqual([...COLS]);
    expectSameBars(fromDataFrame(df, small.symbol, small.timeframe), small);
  });

  it('fromTable names missing columns', () => {
    const t = toTable(bars).select('ts', 'open', 'close');
    expect(() => fromTable(t)).toThrow(/missing column\(s\) high, low, volume; found: ts, open, close/);
  });
});
