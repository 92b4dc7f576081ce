import { readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { makeBars, parseTimeframe, QuantlabError, timeframeName, type Bars } from '../core';
import { parseOhlcvCsv } from './csv';
import { parseOhlcvJson } from './json';
import { readParquetOhlcv } from './parquet';
import type { RawOhlcv } from './raw';
import { dropDuplicateRows, forwardFillGaps, sortRaw } from './repair';
import { formatReport, validateRaw, type ValidationReport } from './validate';

export interface LoadOptions {
  /** Symbol to record on the bars; default: from the file's metadata or name (e.g. BTCUSDT), else ''. */
  symbol?: string;
  /** Bar length ('1h'); default: from the file's metadata or name, else the most common spacing of its times. */
  timeframe?: string;
  /** Sort rows by time instead of failing on unsorted input. Default false. */
  sort?: boolean;
  /** Drop rows that repeat the previous row's time, keeping the first or last copy. Default false (duplicates are errors). */
  dropDuplicates?: false | 'first' | 'last';
  /** Insert flat bars (OHLC = previous close, volume 0) for missing times. Default false (gaps are reported only). */
  fillGaps?: false | 'ffill';
  /** 'throw' (default): any error stops the load with a QuantlabError. 'report': return the bars and the report anyway. */
  onError?: 'throw' | 'report';
}

export interface Loaded {
  bars: Bars;
  report: ValidationReport;
}

/**
 * Loads OHLCV bars from a CSV, JSON or Parquet file and validates them. Returns the bars and the validation
 * report (gaps, zero-volume bars, anything changed on request). By default any error (unsorted or duplicate
 * times, off-grid times, bad prices or volumes, high/low inconsistent with the body) throws a QuantlabError
 * whose code is the first problem's code, whose message names the file, row and values, and whose
 * `details` is the full report.
 */
export async function loadBars(path: string, options: LoadOptions = {}): Promise<Loaded> {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new QuantlabError('NOT_FOUND', `${path}: no such file`);
  }
  if (size === 0) throw new QuantlabError('EMPTY_FILE', `${path}: the file is empty`);
  const ext = extname(path).toLowerCase();
  let raw: RawOhlcv;
  let meta: { symbol?: string; timeframe?: string } = {};
  if (ext === '.parquet' || ext === '.pq') {
    const r = await readParquetOhlcv(path);
    raw = r.raw;
    meta = r.info;
  } else if (ext === '.json') {
    raw = parseOhlcvJson(readFileSync(path, 'utf8'), path);
  } else {
    raw = parseOhlcvCsv(readFileSync(path, 'utf8'), path);
  }
  const fromName = nameHints(path);
  const tfText = options.timeframe ?? meta.timeframe ?? fromName.timeframe ?? inferTimeframe(raw.ts, path);
  const tf = parseTimeframe(tfText);
  const symbol = options.symbol ?? meta.symbol ?? fromName.symbol ?? '';
  return finishLoad(raw, { ...options, file: path, timeframe: tf.name, timeframeMs: tf.ms, symbol });
}

/** Validates raw rows, applies the requested repairs, and builds Bars (shared by every loader). */
export function finishLoad(
  raw: RawOhlcv,
  o: LoadOptions & { file: string; timeframe: string; timeframeMs: number; symbol: string },
): Loaded {
  const actions: string[] = [];
  if (o.sort) {
    let unsorted = 0;
    for (let i = 1; i < raw.ts.length; i++) if (raw.ts[i]! < raw.ts[i - 1]!) unsorted++;
    if (unsorted) {
      raw = sortRaw(raw);
      actions.push(`sorted by time (${unsorted} rows were out of order)`);
    }
  }
  if (o.dropDuplicates) {
    const d = dropDuplicateRows(raw, o.dropDuplicates);
    if (d.identical + d.conflicting) {
      raw = d.raw;
      actions.push(
        `dropped ${d.identical + d.conflicting} duplicate-time rows, keeping the ${o.dropDuplicates} copy (${d.identical} identical, ${d.conflicting} conflicting${d.examples.length ? `: ${d.examples.join(', ')}` : ''})`,
      );
    }
  }
  let report = validateRaw(raw, { file: o.file, timeframe: o.timeframe, timeframeMs: o.timeframeMs });
  if (o.fillGaps === 'ffill' && report.missingBars > 0 && report.ok) {
    const f = forwardFillGaps(raw, o.timeframeMs);
    raw = f.raw;
    const gaps = report.gaps;
    report = validateRaw(raw, { file: o.file, timeframe: o.timeframe, timeframeMs: o.timeframeMs });
    report.gaps = gaps; // keep the list of what was missing in the source
    report.missingBars = f.filled;
    actions.push(`filled ${f.filled} missing bars in ${gaps.length} gaps by carrying the previous close forward (volume 0)`);
  }
  report.actions = actions;
  if (!report.ok && (o.onError ?? 'throw') === 'throw') {
    const first = report.errors[0]!;
    throw new QuantlabError(first.code, `${first.message}\n${formatReport(report)}`, report);
  }
  const bars = makeBars(raw, o.symbol, o.timeframe);
  return { bars, report };
}

/** Symbol and timeframe guessed from a file name: binance_BTCUSDT_1h.csv, BTC_USDT-1h.json, BTCUSDT-1m-2024-01.csv. */
export function nameHints(path: string): { symbol?: string; timeframe?: string } {
  const stem = basename(path).replace(/\.[^.]+$/, '');
  const tokens = stem.split(/[_\-.\s]+/);
  const timeframe = tokens.find((t) => /^\d+[smhdw]$/.test(t));
  const pair = /(?:^|[_\-.])([A-Z0-9]{2,10})[_/]?(USDT|USDC|BUSD|FDUSD|USD|BTC|ETH|EUR)(?=$|[_\-.])/.exec(stem);
  return { symbol: pair ? `${pair[1]}${pair[2]}` : undefined, timeframe };
}

/** The most common spacing between consecutive times, as a timeframe name; throws when there is none. */
export function inferTimeframe(ts: Float64Array, file: string): string {
  const counts = new Map<number, number>();
  const m = Math.min(ts.length, 5000);
  for (let i = 1; i < m; i++) {
    const d = ts[i]! - ts[i - 1]!;
    if (d > 0) counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = 0;
  for (const [d, c] of counts) if (c > bestCount) [best, bestCount] = [d, c];
  if (!best) throw new QuantlabError('BAD_TIMEFRAME', `${file}: cannot infer the timeframe (fewer than two distinct times); pass { timeframe: '1h' }`);
  return timeframeName(best);
}
