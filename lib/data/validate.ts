import { isoTime, type ErrorCode } from '../core';
import type { RawOhlcv } from './raw';

/** One problem found in a file: where it is (row, file line, bar time), what was expected and what was found. */
export interface Finding {
  code: ErrorCode;
  /** 1-based data row. */
  row: number;
  /** 1-based file line (CSV) or row (JSON/Parquet). */
  line: number;
  time: string;
  message: string;
}

/** A run of missing bars: open times of the first and last missing bar, and how many are missing. */
export interface Gap {
  from: number;
  to: number;
  missing: number;
}

export interface ValidationReport {
  file: string;
  layout: string;
  rows: number;
  timeframe: string;
  first: string;
  last: string;
  /** Problems that stop a load unless an option handles them. */
  errors: Finding[];
  /** How many findings there were per code (errors may be capped at `maxFindings` per code). */
  counts: Partial<Record<ErrorCode, number>>;
  /** Missing bars (reported, never filled unless asked). */
  gaps: Gap[];
  missingBars: number;
  zeroVolumeBars: number;
  /** What the loader changed on request (sorting, dropping duplicates, filling gaps); empty by default. */
  actions: string[];
  /** Where the timeframe came from: 'option', 'metadata', 'file name' or 'inferred from spacing'. */
  timeframeSource: string;
  /** How the time column was read: 'ISO-8601 text', 'epoch milliseconds (by magnitude)', 'TIMESTAMP_MILLIS (schema)'… */
  timeUnit: string;
  /** Findings that do not stop the load (times before 2009 or in the future, overridden timeframe hints), each naming the file and row. */
  warnings: string[];
  ok: boolean;
}

export interface ValidateOptions {
  file: string;
  timeframeMs: number;
  timeframe: string;
  /** Keep at most this many findings per code in `errors` (all are counted). Default 50. */
  maxFindings?: number;
}

const WEEK_ANCHOR = 4 * 86_400_000; // 1970-01-05, a Monday: weekly bars open on Mondays (UTC)

/** Open-time grid offset for a timeframe: weeks are anchored on Monday, everything else on the epoch. */
export const gridAnchor = (tfMs: number): number => (tfMs % 604_800_000 === 0 ? WEEK_ANCHOR : 0);

/**
 * Checks raw OHLCV columns: order and duplicates, the timeframe grid, finite positive prices, non-negative
 * volume, high >= max(open, close), low <= min(open, close); lists gaps. Returns the report; never throws.
 */
export function validateRaw(raw: RawOhlcv, opts: ValidateOptions): ValidationReport {
  const { ts, open, high, low, close, volume, line } = raw;
  const n = ts.length;
  const tf = opts.timeframeMs;
  const anchor = gridAnchor(tf);
  const cap = opts.maxFindings ?? 50;
  const errors: Finding[] = [];
  const counts: Partial<Record<ErrorCode, number>> = {};
  const add = (code: ErrorCode, i: number, what: string) => {
    const c = (counts[code] = (counts[code] ?? 0) + 1);
    if (c <= cap) {
      const where = raw.layout === 'parquet' || raw.layout.startsWith('json') ? `row ${i + 1}` : `row ${i + 1} (line ${line[i]})`;
      errors.push({ code, row: i + 1, line: line[i]!, time: isoTime(ts[i]!), message: `${opts.file} ${where}, ${isoTime(ts[i]!)}: ${what}` });
    }
  };
  const gaps: Gap[] = [];
  let missingBars = 0;
  let zeroVolumeBars = 0;
  for (let i = 0; i < n; i++) {
    const o = open[i]!, h = high[i]!, l = low[i]!, c = close[i]!, v = volume[i]!;
    if (!(o > 0 && h > 0 && l > 0 && c > 0 && o < Infinity && h < Infinity && l < Infinity && c < Infinity)) {
      const bad = [['open', o], ['high', h], ['low', l], ['close', c]].filter(([, x]) => !((x as number) > 0 && (x as number) < Infinity));
      add('BAD_PRICE', i, `expected finite prices > 0, found ${bad.map(([k, x]) => `${k} ${x}`).join(', ')}`);
    } else {
      if (h < Math.max(o, c)) add('HIGH_BELOW_BODY', i, `high ${h} < max(open ${o}, close ${c})`);
      if (l > Math.min(o, c)) add('LOW_ABOVE_BODY', i, `low ${l} > min(open ${o}, close ${c})`);
    }
    if (!Number.isFinite(v)) add('BAD_VOLUME', i, `expected a finite volume >= 0, found ${v}`);
    else if (v < 0) add('NEGATIVE_VOLUME', i, `expected volume >= 0, found ${v}`);
    else if (v === 0) zeroVolumeBars++;
    const t = ts[i]!;
    if ((((t - anchor) % tf) + tf) % tf !== 0) add('OFF_GRID', i, `open time is not on the ${opts.timeframe} grid (expected a multiple of ${opts.timeframe} since ${isoTime(anchor)})`);
    if (i > 0) {
      const p = ts[i - 1]!;
      if (t < p) add('UNSORTED', i, `time goes backwards: previous row is ${isoTime(p)}`);
      else if (t === p) {
        const same = open[i - 1] === o && high[i - 1] === h && low[i - 1] === l && close[i - 1] === c && volume[i - 1] === v;
        add('DUPLICATE_TIMESTAMP', i, `duplicate of the previous row's time (${same ? 'identical values' : `conflicting values: previous close ${close[i - 1]}, this close ${c}`})`);
      } else if (t - p > tf) {
        const missing = Math.round((t - p) / tf) - 1;
        if (missing > 0) {
          gaps.push({ from: p + tf, to: t - tf, missing });
          missingBars += missing;
        }
      }
    }
  }
  return {
    file: opts.file,
    layout: raw.layout,
    rows: n,
    timeframe: opts.timeframe,
    first: n ? isoTime(ts[0]!) : '',
    last: n ? isoTime(ts[n - 1]!) : '',
    errors,
    counts,
    gaps,
    missingBars,
    zeroVolumeBars,
    actions: [],
    timeframeSource: '',
    timeUnit: raw.timeUnit ?? '',
    warnings: [...(raw.warnings ?? [])],
    ok: errors.length === 0,
  };
}

/** One line per gap: `2018-02-08T01:00Z..2018-02-09T09:00Z (33)`, the style of datasets/SOURCES.md. */
export function formatGap(g: Gap): string {
  const f = (t: number) => isoTime(t).replace(/:00Z$/, 'Z');
  return g.missing === 1 ? `${f(g.from)} (1)` : `${f(g.from)}..${f(g.to)} (${g.missing})`;
}

/** A short human-readable summary of a report (the CLI prints it; notebooks display it). */
export function formatReport(r: ValidationReport): string {
  const lines = [
    `${r.file}: ${r.rows} rows, ${r.timeframe}${r.timeframeSource ? ` (${r.timeframeSource})` : ''}, ${r.first} .. ${r.last} (${r.layout}${r.timeUnit ? `; times: ${r.timeUnit}` : ''})`,
    `gaps: ${r.gaps.length} (${r.missingBars} missing bars); zero-volume bars: ${r.zeroVolumeBars}`,
  ];
  for (const w of r.warnings ?? []) lines.push(`warning: ${w}`);
  for (const a of r.actions) lines.push(`changed on request: ${a}`);
  if (r.ok) lines.push('no errors');
  else {
    const total = Object.values(r.counts).reduce((a, b) => a + (b ?? 0), 0);
    lines.push(`${total} error${total > 1 ? 's' : ''}: ${Object.entries(r.counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    for (const e of r.errors.slice(0, 20)) lines.push(`  ${e.code}: ${e.message}`);
    if (r.errors.length > 20) lines.push(`  … ${r.errors.length - 20} more listed in the report`);
  }
  return lines.join('\n');
}

/** The gaps of a report as display rows: first and last missing open time and the count. */
export function gapRows(r: ValidationReport): Array<{ first_missing: string; last_missing: string; missing_bars: number }> {
  return r.gaps.map((g) => ({ first_missing: isoTime(g.from), last_missing: isoTime(g.to), missing_bars: g.missing }));
}
