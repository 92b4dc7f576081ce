/**
 * Real data for tests. Reads the raw CSVs in ../shared/datasets (the source of the shipped Parquet
 * files) with a deliberately tiny parser, so indicator and backtest tests do not depend on lib/data.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeBars, type Bars } from '../../lib/core';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedDatasets = resolve(repoRoot, '../shared/datasets');

const cache = new Map<string, Bars>();

/** Loads `../shared/datasets/<file>` (our timestamp,open,high,low,close,volume layout) as Bars. */
export function sharedBars(file: string): Bars {
  const hit = cache.get(file);
  if (hit) return hit;
  const lines = readFileSync(resolve(sharedDatasets, file), 'utf8').trim().split('\n');
  const n = lines.length - 1;
  const cols = Array.from({ length: 6 }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const f = (lines[i + 1] as string).split(',');
    cols[0]![i] = Date.parse(f[0] as string);
    for (let j = 1; j < 6; j++) cols[j]![i] = Number(f[j]);
  }
  const [, symbol, tf] = /_([A-Z]+)_(\w+)\.csv$/.exec(file) ?? [];
  const bars = makeBars(
    { ts: cols[0]!, open: cols[1]!, high: cols[2]!, low: cols[3]!, close: cols[4]!, volume: cols[5]! },
    symbol ?? '',
    tf ?? '',
  );
  cache.set(file, bars);
  return bars;
}

/** Binance spot BTCUSDT 1h, 66,677 bars (2017-08-17 .. 2025-03-31). */
export const btc1h = (): Bars => sharedBars('binance_BTCUSDT_1h.csv');
