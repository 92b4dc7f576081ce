import { QuantlabError } from '../core';
import { allocRaw, mapHeader, parseTimeCell, type RawOhlcv } from './raw';

/**
 * Parses OHLCV text in any of the layouts quantlab accepts:
 * - a header row naming a time column and open/high/low/close/volume (any order, any case; extra columns ignored),
 *   with ISO times, epoch seconds, milliseconds or microseconds;
 * - Binance's 12-column kline CSV, with or without its header (open_time in ms or µs);
 * - a header-less 6-column `time,open,high,low,close,volume` file.
 * Returns raw columns with the file line of every row. Throws EMPTY_FILE, MISSING_COLUMN or PARSE_ERROR naming the file and line.
 */
export function parseOhlcvCsv(text: string, file: string): RawOhlcv {
  const lines = text.split(/\r?\n/);
  let first = 0;
  while (first < lines.length && lines[first]!.trim() === '') first++;
  if (first >= lines.length) throw new QuantlabError('EMPTY_FILE', `${file}: the file is empty (expected a header and OHLCV rows)`);
  const delim = detectDelimiter(lines[first]!);
  const head = lines[first]!.split(delim);
  const headerless = Number.isFinite(parseTimeCell(head[0]!)) && head.slice(1, 5).every((c) => c.trim() !== '' && Number.isFinite(Number(c)));
  let idx: ReturnType<typeof mapHeader>;
  let layout: string;
  let start: number;
  if (headerless) {
    if (head.length !== 6 && head.length !== 12) {
      throw new QuantlabError(
        'UNKNOWN_LAYOUT',
        `${file} line ${first + 1}: no header, and ${head.length} columns; expected 6 (time,open,high,low,close,volume) or Binance's 12-column kline layout`,
      );
    }
    idx = { ts: 0, open: 1, high: 2, low: 3, close: 4, volume: 5 };
    layout = head.length === 12 ? 'binance-kline (12 columns, no header)' : 'time,open,high,low,close,volume (no header)';
    start = first;
  } else {
    idx = mapHeader(head, file);
    layout = head.length === 12 && /open_?time/i.test(head[0]!) ? 'binance-kline (12 columns, header)' : `header: ${head.map((h) => h.trim()).join(',')}`;
    start = first + 1;
  }
  let n = 0;
  for (let i = start; i < lines.length; i++) if (lines[i]!.trim() !== '') n++;
  if (n === 0) throw new QuantlabError('EMPTY_FILE', `${file}: the file has a header but no rows`);
  const raw = allocRaw(n, layout);
  const width = Math.max(idx.ts, idx.open, idx.high, idx.low, idx.close, idx.volume) + 1;
  let r = 0;
  for (let i = start; i < lines.length; i++) {
    const ln = lines[i]!;
    if (ln.trim() === '') continue;
    const f = ln.split(delim);
    const lineNo = i + 1;
    if (f.length < width) {
      throw new QuantlabError('PARSE_ERROR', `${file} line ${lineNo}: expected at least ${width} columns, found ${f.length}: '${ln.slice(0, 120)}'`);
    }
    const t = parseTimeCell(f[idx.ts]!);
    if (!Number.isFinite(t)) {
      throw new QuantlabError('PARSE_ERROR', `${file} line ${lineNo}: time '${f[idx.ts]!.trim()}' is not an ISO-8601 time or an epoch number`);
    }
    raw.ts[r] = t;
    raw.open[r] = num(f[idx.open]!, file, lineNo, 'open');
    raw.high[r] = num(f[idx.high]!, file, lineNo, 'high');
    raw.low[r] = num(f[idx.low]!, file, lineNo, 'low');
    raw.close[r] = num(f[idx.close]!, file, lineNo, 'close');
    raw.volume[r] = num(f[idx.volume]!, file, lineNo, 'volume');
    raw.line[r] = lineNo;
    r++;
  }
  return raw;
}

function detectDelimiter(header: string): string {
  const counts = [',', ';', '\t'].map((d) => [d, header.split(d).length] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0]![0];
}

/** A numeric cell; empty cells and text become NaN here and are reported by validation (never dropped). */
function num(cell: string, file: string, line: number, column: string): number {
  const s = cell.trim().replace(/^"|"$/g, '');
  if (s === '') return NaN;
  const v = Number(s);
  if (Number.isNaN(v) && !/^nan$/i.test(s)) {
    throw new QuantlabError('PARSE_ERROR', `${file} line ${line}: ${column} '${s}' is not a number`);
  }
  return v;
}
