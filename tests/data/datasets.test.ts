import { describe, expect, it } from 'vitest';
import { barsBetween, isoTime, listDatasets, loadDataset, loadDatasetWithReport, QuantlabError } from '../../lib';

// Golden facts from datasets/SOURCES.md (rows and gaps per file, the first Binance kline, real-history markers).
const GOLDEN: Array<[string, string, 'spot' | 'futures', number, number, number]> = [
  // symbol, tf, market, rows, gaps, missing bars
  ['BTCUSDT', '1h', 'spot', 66_677, 28, 128],
  ['ETHUSDT', '1h', 'spot', 55_712, 28, 128],
  ['BNBUSDT', '1h', 'spot', 53_775, 27, 122],
  ['SOLUSDT', '1h', 'spot', 29_658, 10, 20],
  ['XRPUSDT', '1h', 'spot', 49_508, 25, 88],
  ['ADAUSDT', '1h', 'spot', 49_920, 25, 88],
  ['BTCUSDT', '1d', 'spot', 2_805, 2, 10],
  ['ETHUSDT', '1d', 'spot', 1_881, 0, 0],
  ['BTCUSDT', '1m', 'spot', 42_915, 1, 284],
  ['ETHUSDT', '1m', 'spot', 42_915, 1, 284],
  ['BTCUSDT', '1h', 'futures', 31_972, 0, 0],
  ['ETHUSDT', '1h', 'futures', 31_972, 0, 0],
];

describe('shipped datasets', () => {
  it('listDatasets finds every shipped file with rows and range from the Parquet footer', () => {
    const ds = listDatasets();
    expect(ds.length).toBe(GOLDEN.length);
    const btc = ds.find((d) => d.symbol === 'BTCUSDT' && d.timeframe === '1h' && d.market === 'spot')!;
    expect(btc).toMatchObject({ file: 'datasets/binance_BTCUSDT_1h.parquet', rows: 66_677, first: '2017-08-17T04:00:00Z', last: '2025-03-31T16:00:00Z' });
  });

  it.each(GOLDEN)('%s %s %s: %i rows, %i gaps, %i missing bars', async (symbol, tf, market, rows, gaps, missing) => {
    const { bars, report } = await loadDatasetWithReport(symbol, tf, { market });
    expect(bars.ts.length).toBe(rows);
    expect(report.gaps.length).toBe(gaps);
    expect(report.missingBars).toBe(missing);
    expect(report.ok).toBe(true);
    expect(bars.symbol).toBe(symbol);
    expect(bars.timeframe).toBe(tf);
  });

  it('the first Binance BTCUSDT 1h kline', async () => {
    const b = await loadDataset('BTC/USDT', '1h');
    expect(isoTime(b.ts[0]!)).toBe('2017-08-17T04:00:00Z');
    expect([b.open[0], b.high[0], b.low[0], b.close[0], b.volume[0]]).toEqual([4261.48, 4313.62, 4261.32, 4308.83, 47.181009]);
  });

  it('real-history markers on BTCUSDT 1h (UTC days)', async () => {
    const b = await loadDataset('BTCUSDT', '1h');
    const dayLow = (d: string) => Math.min(...barsBetween(b, `${d}T00:00:00Z`, Date.parse(`${d}T00:00:00Z`) + 86_400_000).low);
    const dayHigh = (d: string) => Math.max(...barsBetween(b, `${d}T00:00:00Z`, Date.parse(`${d}T00:00:00Z`) + 86_400_000).high);
    expect(dayLow('2020-03-13')).toBe(3782.13);
    expect(dayHigh('2021-11-10')).toBe(69000);
    expect(dayLow('2022-11-09')).toBe(15588);
    expect(dayHigh('2025-01-20')).toBe(109588);
    // the largest missing run is Binance's 2018-02-08 outage
    const { report } = await loadDatasetWithReport('BTCUSDT', '1h');
    const big = report.gaps.reduce((a, g) => (g.missing > a.missing ? g : a));
    expect([isoTime(big.from), isoTime(big.to), big.missing]).toEqual(['2018-02-08T01:00:00Z', '2018-02-09T09:00:00Z', 33]);
  });

  it('an unknown dataset is a NOT_FOUND error listing what exists', async () => {
    const e = await loadDataset('DOGEUSDT', '1h').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(QuantlabError);
    expect((e as QuantlabError).code).toBe('NOT_FOUND');
    expect((e as QuantlabError).message).toMatch(/no shipped dataset for DOGEUSDT 1h \(spot\); available: .*BTCUSDT 1h/);
  });
});
