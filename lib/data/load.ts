import { basename, extname } from 'node:path';
import { makeBars, parseTimeframe, QuantlabError, timeframeName, type Bars } from '../core';
import { readOhlcvCsvFile } from './csv';
import { excerpt } from './excerpt';
import { readWhole, shownPath, statDataFile } from './file';
import { checkJsonSize, parseOhlcvJson } from './json';
import { readParquetOhlcv } from './parquet';
import type { RawOhlcv } from './raw';
import { dropDuplicateRows, forwardFillGaps, sortRaw } from './repair';
import { modalSpacing, resolveTimeframe, type TimeframeSource } from './timeframe-source';
import { parseTimeUnit, type TimeUnit } from './time-unit';
import { formatReport, validateRaw, type ValidationReport } from './validate';

export interface LoadOptions {
  /** Symbol to record on the bars; default: from the file's metadata or name (e.g. BTCUSDT), else ''. */
  symbol?: string;
  /**
   * Bar length ('1h'). Default: from the file's metadata, its name and the spacing of its times, which must
   * agree (TIMEFRAME_MISMATCH otherwise). Given, it wins, and disagreements are warnings in the report.
   */
  timeframe?: string;
  /** Unit of epoch-number times ('s', 'ms', 'us', 'ns'). Default: decided once per column from the magnitudes (a mix is refused). */
  timeUnit?: TimeUnit | string;
  /** CSV: a thousands separator to accept inside numbers (',' reads "1,234.5" as 1234.5). Default none (such cells are refused). */
  thousands?: string;
  /** Refuse files whose parsed columns would take more bytes than this (TOO_LARGE). Default half the machine's memory (QUANTLAB_MAX_MEMORY_MB). */
  maxMemoryBytes?: number;
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
 * report (gaps, zero-volume bars, where the timeframe came from, how times were read, warnings, anything
 * changed on request). By default any error (unsorted or duplicate times, off-grid times, bad prices or
 * volumes, high/low inconsistent with the body) throws a QuantlabError whose code is the first problem's
 * code, whose message names the file, row and values, and whose `details` is the full report. A file that
 * cannot be read as data at all (missing, a directory, binary, too large, badly typed, corrupt) is a
 * QuantlabError too, never a stack trace; CSV files are read in chunks.
 */
export async function loadBars(path: string, options: LoadOptions = {}): Promise<Loaded> {
  const shown = shownPath(path);
  try {
    const size = statDataFile(path);
    const ext = extname(path).toLowerCase();
    const timeUnit = options.timeUnit === undefined ? undefined : parseTimeUnit(options.timeUnit);
    if (options.thousands !== undefined && !/^[,.' _]$/.test(options.thousands)) {
      throw new QuantlabError('BAD_ARGUMENT', `thousands: expected one of , . ' _ or a space, found '${excerpt(String(options.thousands), 10)}'`);
    }
    const tfOption = options.timeframe === undefined ? undefined : parseTimeframe(options.timeframe).name;
    let raw: RawOhlcv;
    let meta: { symbol?: string; timeframe?: string } = {};
    if (ext === '.parquet' || ext === '.pq') {
      const r = await readParquetOhlcv(path, { timeUnit, maxMemoryBytes: options.maxMemoryBytes });
      raw = r.raw;
      meta = r.info;
    } else if (ext === '.json') {
      checkJsonSize(shown, size);
      raw = parseOhlcvJson(readWhole(path), shown, { timeUnit });
    } else {
      raw = readOhlcvCsvFile(path, size, { timeUnit, thousands: options.thousands, maxMemoryBytes: options.maxMemoryBytes });
    }
    const symbol = options.symbol ?? meta.symbol ?? nameHints(path).symbol ?? '';
    return finishLoad(raw, { ...options, timeframe: tfOption, file: shown, nameForHints: path, metadataTimeframe: meta.timeframe, symbol });
  } catch (e) {
    throw asDataError(e, shown);
  }
}

/**
 * What any failure while loading `file` becomes: QuantlabErrors pass through; running out of memory is
 * TOO_LARGE; anything else (a bug, or a library failing on hostile input) is INTERNAL naming the file, with
 * the original error in `details` and control characters escaped from its message.
 */
export function asDataError(e: unknown, file: string): QuantlabError {
  if (e instanceof QuantlabError) return e;
  const err = e as Error;
  const msg = excerpt(err?.message ?? String(e), 160);
  if (e instanceof RangeError && /allocation|Invalid (typed )?array length|Array buffer|string length/i.test(err.message)) {
    return new QuantlabError('TOO_LARGE', `${file}: not enough memory to load this file (${msg})`, e);
  }
  return new QuantlabError('INTERNAL', `${file}: the file could not be loaded (${err?.name ?? 'Error'}: ${msg}); this is a quantlab bug, please report it with the file`, e);
}

/** What finishLoad needs besides the load options. */
export interface FinishOptions extends LoadOptions {
  /** The file as named in messages. */
  file: string;
  symbol: string;
  /** Bar length in ms when the caller knows it (then `timeframe` is its name and the report says where it came from). */
  timeframeMs?: number;
  timeframeSource?: TimeframeSource;
  /** The file's own timeframe (Parquet metadata), checked against the name and the spacing. */
  metadataTimeframe?: string;
  /** Path whose name may hold a timeframe token (default: none). */
  nameForHints?: string;
}

/** Applies the requested repairs, decides the timeframe, validates raw rows and builds Bars (shared by every loader). */
export function finishLoad(raw: RawOhlcv, o: FinishOptions): Loaded {
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
  let tfName: string;
  let tfMs: number;
  let source: TimeframeSource;
  const warnings = [...(raw.warnings ?? [])];
  if (o.timeframeMs !== undefined && o.timeframe !== undefined) {
    tfName = o.timeframe;
    tfMs = o.timeframeMs;
    source = o.timeframeSource ?? 'option';
  } else {
    const r = resolveTimeframe(raw.ts, o.nameForHints ?? '', o.file, o.timeframe, o.metadataTimeframe);
    tfName = r.tf.name;
    tfMs = r.tf.ms;
    source = r.source;
    warnings.push(...r.warnings);
  }
  const vo = { file: o.file, timeframe: tfName, timeframeMs: tfMs };
  let report = validateRaw(raw, vo);
  if (o.fillGaps === 'ffill' && report.missingBars > 0 && report.ok) {
    const f = forwardFillGaps(raw, tfMs);
    raw = f.raw;
    const gaps = report.gaps;
    report = validateRaw(raw, vo);
    report.gaps = gaps; // keep the list of what was missing in the source
    report.missingBars = f.filled;
    actions.push(`filled ${f.filled} missing bars in ${gaps.length} gaps by carrying the previous close forward (volume 0)`);
  }
  report.actions = actions;
  report.timeframeSource = source;
  report.timeUnit = raw.timeUnit ?? '';
  report.warnings = warnings;
  if (!report.ok && (o.onError ?? 'throw') === 'throw') {
    const first = report.errors[0]!;
    throw new QuantlabError(first.code, `${first.message}\n${formatReport(report)}`, report);
  }
  const bars = makeBars(raw, o.symbol, tfName);
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

/** The most common spacing between consecutive times, as a timeframe name; throws BAD_TIMEFRAME when there is none. */
export function inferTimeframe(ts: Float64Array, file: string): string {
  const sp = modalSpacing(ts);
  if (!sp) throw new QuantlabError('BAD_TIMEFRAME', `${file}: cannot infer the timeframe (fewer than two distinct times); pass { timeframe: '1h' }`);
  return timeframeName(sp.ms);
}
