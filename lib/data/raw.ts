import { QuantlabError } from '../core';
import { isoCell, isPlainDecimal } from './cells';
import { excerpt } from './excerpt';

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
  /** How the time column was read: 'ISO-8601 text', 'epoch milliseconds (by magnitude)', 'TIMESTAMP_MILLIS (schema)'… */
  timeUnit?: string;
  /** Things worth knowing that do not stop the load (e.g. times before 2009), each naming the first row concerned. */
  warnings?: string[];
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

export type ColumnIndex = Record<'ts' | 'open' | 'high' | 'low' | 'close' | 'volume', number>;

/**
 * Maps a header to column positions. Returns indexes for ts/open/high/low/close/volume; throws MISSING_COLUMN
 * naming the file, the missing names and the columns found, and UNKNOWN_LAYOUT when two columns could be the
 * same one (`open` and `Open`, `volume` and `vol`, `timestamp` and `date`): nothing is picked silently.
 */
export function mapHeader(names: string[], file: string): ColumnIndex {
  const lower = names.map((s) => s.trim().toLowerCase());
  const shown = () => names.map((s) => excerpt(s.trim(), 40)).join(', ');
  const roles: Array<[keyof ColumnIndex, string[]]> = [['ts', TIME_NAMES], ...Object.entries(COLUMN_ALIASES).map(([k, v]) => [k, v] as [keyof ColumnIndex, string[]])];
  const idx = {} as ColumnIndex;
  const missing: string[] = [];
  for (const [role, cands] of roles) {
    const at: number[] = [];
    lower.forEach((s, i) => cands.includes(s) && at.push(i));
    if (at.length > 1) {
      const what = role === 'ts' ? 'the time column' : `'${role}'`;
      throw new QuantlabError(
        'UNKNOWN_LAYOUT',
        `${file}: header columns ${at.map((i) => `${i + 1} '${excerpt(names[i]!.trim(), 40)}'`).join(' and ')} could each be ${what}; expected exactly one (rename or drop the others). Columns found: ${shown()}`,
        { duplicate: role, columns: at.map((i) => i + 1) },
      );
    }
    idx[role] = at.length ? at[0]! : -1;
    if (!at.length) missing.push(role === 'ts' ? `a time column (${TIME_NAMES.slice(0, 5).join('/')}…)` : role);
  }
  if (missing.length) {
    throw new QuantlabError('MISSING_COLUMN', `${file}: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; found columns: ${shown()}`, {
      missing,
      found: names.map((s) => excerpt(s, 40)),
    });
  }
  return idx;
}

/**
 * Converts one time cell to epoch ms: ISO-8601 text (checked field by field; no zone = UTC), or an epoch number
 * read by magnitude (< 1e11 seconds, < 1e14 ms, < 1e17 µs, else ns). Returns NaN when the cell is not a time.
 * Loaders do not use it cell by cell: they decide the unit once per column (see TimeColumn).
 */
export function parseTimeCell(cell: string): number {
  const s = cell.trim();
  if (s === '') return NaN;
  if (isPlainDecimal(s)) return epochToMs(Number(s));
  return isoCell(s);
}

/** Epoch seconds/ms/µs/ns → ms, by magnitude (see {@link parseTimeCell}). */
export function epochToMs(v: number): number {
  const a = Math.abs(v);
  if (a < 1e11) return v * 1000;
  if (a < 1e14) return v;
  if (a < 1e17) return Math.floor(v / 1000);
  return Math.floor(v / 1e6);
}
