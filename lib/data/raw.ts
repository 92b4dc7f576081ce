import { QuantlabError } from '../core';

/** OHLCV columns as parsed from a file, before validation. `line[i]` is the file line of row i (1-based; 0 when the format has no lines). */
export interface RawOhlcv {
  ts: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  line: Int32Array;
  /** Which layout was recognised, e.g. 'timestamp,open,high,low,close,volume (ISO)' or 'binance-kline (12 columns, no header)'. */
  layout: string;
}

export function allocRaw(n: number, layout: string): RawOhlcv {
  return {
    ts: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
    line: new Int32Array(n),
    layout,
  };
}

/** Names accepted for the time column (matched case-insensitively, after trimming). */
export const TIME_NAMES = ['timestamp', 'ts', 'time', 'date', 'datetime', 'open_time', 'opentime', 'open time', 'unix', 'date_time'];
const COLUMN_ALIASES: Record<string, string[]> = {
  open: ['open', 'o'],
  high: ['high', 'h'],
  low: ['low', 'l'],
  close: ['close', 'c'],
  volume: ['volume', 'v', 'vol', 'base_volume', 'volume_base'],
};

/**
 * Maps a header to column positions. Returns indexes for ts/open/high/low/close/volume;
 * throws MISSING_COLUMN naming the file, the missing names and the columns found.
 */
export function mapHeader(names: string[], file: string): Record<'ts' | 'open' | 'high' | 'low' | 'close' | 'volume', number> {
  const lower = names.map((s) => s.trim().replace(/^"|"$/g, '').toLowerCase());
  const find = (cands: string[]) => lower.findIndex((s) => cands.includes(s));
  const idx = {
    ts: find(TIME_NAMES),
    open: find(COLUMN_ALIASES.open!),
    high: find(COLUMN_ALIASES.high!),
    low: find(COLUMN_ALIASES.low!),
    close: find(COLUMN_ALIASES.close!),
    volume: find(COLUMN_ALIASES.volume!),
  };
  const missing = Object.entries(idx)
    .filter(([, i]) => i < 0)
    .map(([k]) => (k === 'ts' ? `a time column (${TIME_NAMES.slice(0, 5).join('/')}…)` : k));
  if (missing.length) {
    throw new QuantlabError(
      'MISSING_COLUMN',
      `${file}: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; found columns: ${names.map((s) => s.trim()).join(', ')}`,
      { missing, found: names },
    );
  }
  return idx;
}

/**
 * Converts one time cell to epoch ms. Numbers are read by magnitude: < 1e11 seconds, < 1e14 milliseconds,
 * < 1e17 microseconds, else nanoseconds. Text is read as ISO-8601; text without a zone is taken as UTC.
 * Returns NaN when the cell is not a time.
 */
export function parseTimeCell(cell: string): number {
  const s = cell.trim().replace(/^"|"$/g, '');
  if (s === '') return NaN;
  if (/^-?\d+(\.\d+)?$/.test(s)) return epochToMs(Number(s));
  let iso = s.includes('T') ? s : s.replace(' ', 'T');
  if (!/(Z|[+-]\d\d:?\d\d)$/i.test(iso)) iso += 'Z';
  return Date.parse(iso);
}

/** Epoch seconds/ms/µs/ns → ms, by magnitude (see {@link parseTimeCell}). */
export function epochToMs(v: number): number {
  const a = Math.abs(v);
  if (a < 1e11) return v * 1000;
  if (a < 1e14) return v;
  if (a < 1e17) return Math.floor(v / 1000);
  return Math.floor(v / 1e6);
}
