import * as aq from 'arquero';
import { makeBars, OHLCV, QuantlabError, type Bars } from '../core';

/** An arquero table (the type arquero's `table()` returns). */
export type Table = ReturnType<typeof aq.table>;

/**
 * Returns bars as an arquero table with columns ts (epoch ms), open, high, low, close, volume — the
 * typed arrays are shared, not copied. With `{ time: true }` a `time` column of JS Dates comes first, for display.
 */
export function toTable(bars: Bars, options: { time?: boolean } = {}): Table {
  const cols: Record<string, ArrayLike<unknown>> = {};
  if (options.time) cols.time = Array.from(bars.ts, (t) => new Date(t));
  cols.ts = bars.ts;
  for (const k of OHLCV) cols[k] = bars[k];
  return aq.table(cols);
}

/**
 * Builds bars from an arquero table with a time column (ts/timestamp/time/date: epoch ms numbers or Dates)
 * and open/high/low/close/volume. Throws MISSING_COLUMN naming what is missing and what was found.
 */
export function fromTable(table: Table, symbol = '', timeframe = ''): Bars {
  const names = table.columnNames();
  const lower = new Map(names.map((nm) => [nm.toLowerCase(), nm]));
  const timeName = ['ts', 'timestamp', 'time', 'date'].map((k) => lower.get(k)).find((x) => x !== undefined);
  const missing = [timeName ? '' : 'ts', ...OHLCV.filter((k) => !lower.has(k))].filter(Boolean);
  if (missing.length) throw new QuantlabError('MISSING_COLUMN', `fromTable: missing column(s) ${missing.join(', ')}; found: ${names.join(', ')}`);
  const n = table.numRows();
  const col = (name: string): Float64Array => {
    const out = new Float64Array(n);
    const src = table.array(name) as ArrayLike<unknown>;
    for (let i = 0; i < n; i++) {
      const v = src[i];
      out[i] = v instanceof Date ? v.getTime() : v === null || v === undefined ? NaN : Number(v);
    }
    return out;
  };
  return makeBars(
    { ts: col(timeName!), open: col(lower.get('open')!), high: col(lower.get('high')!), low: col(lower.get('low')!), close: col(lower.get('close')!), volume: col(lower.get('volume')!) },
    symbol,
    timeframe,
  );
}
