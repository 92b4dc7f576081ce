import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parquetMetadata } from 'hyparquet';
import { isoTime, parseTimeframe, QuantlabError, type Bars } from '../core';
import { loadBars, type LoadOptions, type Loaded } from './load';

/** One shipped dataset file. */
export interface DatasetEntry {
  /** Path relative to the repository root, e.g. datasets/binance_BTCUSDT_1h.parquet. */
  file: string;
  /** 'binance' (spot) or 'binanceusdm' (USDT-M perpetual futures). */
  exchange: string;
  market: 'spot' | 'futures';
  symbol: string;
  timeframe: string;
  rows: number;
  first: string;
  last: string;
  /** calendar days from the first bar's open to the last bar's close. */
  days: number;
  /** what the dataset covers, in one line: '2017-08-17 → 2025-03-31 (66,677 bars, 7.6 years)'. */
  span: string;
  bytes: number;
}

function spanText(first: number, last: number, rows: number, days: number): string {
  const length = days >= 730 ? `${(days / 365.25).toFixed(1)} years` : days >= 60 ? `${(days / 30.44).toFixed(1)} months` : `${Math.round(days)} days`;
  return `${isoTime(first).slice(0, 10)} → ${isoTime(last).slice(0, 10)} (${rows.toLocaleString('en-US')} bars, ${length})`;
}

/** The experiments folder: `dir` when given, else $QUANTLAB_EXPERIMENTS, else <project>/experiments. */
export const experimentsRoot = (dir?: string): string => resolve(dir ?? process.env.QUANTLAB_EXPERIMENTS ?? join(projectRoot(), 'experiments'));

/** The repository root: the nearest folder above this module (or the working directory) holding datasets/. */
export function projectRoot(): string {
  const starts = [typeof __dirname === 'string' ? __dirname : '', process.cwd()].filter(Boolean);
  for (const s of starts) {
    let d = resolve(s);
    for (;;) {
      if (existsSync(join(d, 'datasets')) && existsSync(join(d, 'package.json'))) return d;
      const up = dirname(d);
      if (up === d) break;
      d = up;
    }
  }
  throw new QuantlabError('NOT_FOUND', `cannot find the quantlab folder (one with datasets/ and package.json) above ${starts.join(' or ')}`);
}

/** Folder of the shipped datasets (QUANTLAB_DATASETS overrides it). */
export const datasetsDir = (): string => process.env.QUANTLAB_DATASETS ?? join(projectRoot(), 'datasets');

const NAME = /^(binance|binanceusdm)_([A-Z0-9]+)_(\d+[smhdw])\.parquet$/;

/**
 * Lists the shipped Parquet datasets with their row counts and time spans (read from the file footers).
 * @example
 * const btc = listDatasets().find((d) => d.symbol === 'BTCUSDT' && d.timeframe === '1h' && d.market === 'spot')!;
 * btc.span // '2017-08-17 → 2025-03-31 (66,677 bars, 7.6 years)'
 */
export function listDatasets(): DatasetEntry[] {
  const dir = datasetsDir();
  const out: DatasetEntry[] = [];
  for (const f of readdirSync(dir).sort()) {
    const m = NAME.exec(f);
    if (!m) continue;
    const path = join(dir, f);
    const bytes = readFileSync(path);
    const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const tsStats = meta.row_groups.map((g) => g.columns[0]?.meta_data?.statistics);
    const num = (v: unknown) => (typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.getTime() : Number(v));
    const first = Math.min(...tsStats.map((s) => num(s?.min_value ?? s?.min)));
    const last = Math.max(...tsStats.map((s) => num(s?.max_value ?? s?.max)));
    const rows = Number(meta.num_rows);
    const days = (last + parseTimeframe(m[3]!).ms - first) / 86_400_000;
    out.push({
      file: `datasets/${f}`,
      exchange: m[1]!,
      market: m[1] === 'binanceusdm' ? 'futures' : 'spot',
      symbol: m[2]!,
      timeframe: m[3]!,
      rows,
      first: isoTime(first),
      last: isoTime(last),
      days,
      span: spanText(first, last, rows, days),
      bytes: statSync(path).size,
    });
  }
  return out;
}

/** Path of the shipped dataset for a symbol ('BTCUSDT' or 'BTC/USDT') and timeframe; throws NOT_FOUND listing what exists. */
export function datasetPath(symbol: string, timeframe: string, market: 'spot' | 'futures' = 'spot'): string {
  const sym = symbol.replace(/[/:_-]/g, '').toUpperCase();
  const exchange = market === 'futures' ? 'binanceusdm' : 'binance';
  const path = join(datasetsDir(), `${exchange}_${sym}_${timeframe}.parquet`);
  if (!existsSync(path)) {
    const have = listDatasets().map((d) => `${d.symbol} ${d.timeframe}${d.market === 'futures' ? ' (futures)' : ''}`);
    throw new QuantlabError('NOT_FOUND', `no shipped dataset for ${sym} ${timeframe} (${market}); available: ${have.join(', ')}`);
  }
  return path;
}

/** Loads a shipped dataset by symbol and timeframe, validated (see loadBars). Returns bars and report. */
export function loadDatasetWithReport(symbol: string, timeframe: string, options: LoadOptions & { market?: 'spot' | 'futures' } = {}): Promise<Loaded> {
  return loadBars(datasetPath(symbol, timeframe, options.market), options);
}

/** Loads a shipped dataset by symbol and timeframe: `await loadDataset('BTCUSDT', '1h')`. */
export async function loadDataset(symbol: string, timeframe: string, options: LoadOptions & { market?: 'spot' | 'futures' } = {}): Promise<Bars> {
  return (await loadDatasetWithReport(symbol, timeframe, options)).bars;
}
