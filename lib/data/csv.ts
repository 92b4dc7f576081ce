import { QuantlabError } from '../core';
import { numberCell } from './cells';
import { RawBuilder, checkRows, defaultMemoryLimit } from './columns';
import { CsvTokenizer } from './csv-tokenizer';
import { excerpt, quoted } from './excerpt';
import { readChunks, refuseBinary, shownPath } from './file';
import { mapHeader, type ColumnIndex, type RawOhlcv } from './raw';
import { TimeColumn, type TimeUnit } from './time-unit';

export interface CsvOptions {
  /** Unit of epoch-number times; default: decided from the column's magnitudes (one unit for the whole column). */
  timeUnit?: TimeUnit;
  /** Thousands separator to accept inside numbers (`'1,234.5'` with ','); default none: such a cell is refused. */
  thousands?: string;
  /** Refuse a file whose parsed columns would exceed this many bytes; default half the machine's memory. */
  maxMemoryBytes?: number;
}

const NAMES = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;
const ROLES = ['ts', 'open', 'high', 'low', 'close', 'volume'] as const;
const CHUNK = 4 << 20;

/**
 * Reads OHLCV rows from CSV records one at a time (see {@link parseOhlcvCsv} for the layouts), into growable
 * columns. Every refusal names the file, the line and the column, with what was expected and what was found.
 */
class OhlcvCsvReader {
  private idx!: ColumnIndex;
  private width = 0;
  private layout = '';
  private header = '';
  private rows = 0;
  private readonly time: TimeColumn;
  private readonly cols: RawBuilder;

  constructor(
    private readonly file: string,
    private readonly o: CsvOptions,
    capacity: number,
  ) {
    this.time = new TimeColumn(o.timeUnit);
    this.cols = new RawBuilder(capacity, file, o.maxMemoryBytes ?? defaultMemoryLimit());
  }

  readonly record = (f: string[], line: number): void => {
    if (!this.width) return this.first(f, line);
    if (f.length !== this.width) {
      throw new QuantlabError(
        'PARSE_ERROR',
        `${this.file} line ${line}: ${f.length} fields, expected ${this.width} (${this.header}); found ${quoted(f.join(','), 80)}`,
      );
    }
    const r = this.rows;
    this.cols.ensure(r);
    const raw = this.cols.raw;
    const idx = this.idx;
    const tcell = trim(f[idx.ts]!);
    const t = this.time.text(tcell, r);
    if (t !== t) throw new QuantlabError('PARSE_ERROR', `${this.file} line ${line}: time ${quoted(tcell, 40)} is not an ISO-8601 time or an epoch number (column ${idx.ts + 1})`);
    raw.ts[r] = t;
    raw.open[r] = this.num(f, idx.open, line, 1);
    raw.high[r] = this.num(f, idx.high, line, 2);
    raw.low[r] = this.num(f, idx.low, line, 3);
    raw.close[r] = this.num(f, idx.close, line, 4);
    raw.volume[r] = this.num(f, idx.volume, line, 5);
    raw.line[r] = line;
    this.rows = r + 1;
  };

  private num(f: string[], col: number, line: number, role: number): number {
    const s = trim(f[col]!);
    const v = numberCell(s, this.o.thousands);
    if (v !== undefined) return v;
    const hint = /^[+-]?\d{1,3}([,.' _]\d{3})+([.,]\d+)?$/.test(s) && !this.o.thousands ? `; thousands separators are read only when asked: { thousands: '${/\d([,.' _])\d{3}/.exec(s)![1]}' }` : '';
    throw new QuantlabError(
      'PARSE_ERROR',
      `${this.file} line ${line}: ${NAMES[role]} ${quoted(s, 40)} is not a number (column ${col + 1}; expected a plain decimal number such as 1234.5${hint})`,
    );
  }

  /** The first record: a header, or the first row of a header-less 6- or 12-column file. */
  private first(f: string[], line: number): void {
    const t0 = new TimeColumn().text(trim(f[0]!), 0);
    const looksLikeRow = t0 === t0 && f.length >= 5 && f.slice(1, 5).every((c) => trim(c) !== '' && numberCell(trim(c)) !== undefined);
    if (looksLikeRow) {
      if (f.length !== 6 && f.length !== 12) {
        throw new QuantlabError(
          'UNKNOWN_LAYOUT',
          `${this.file} line ${line}: no header, and ${f.length} columns; expected 6 (time,open,high,low,close,volume) or Binance's 12-column kline layout`,
        );
      }
      this.idx = { ts: 0, open: 1, high: 2, low: 3, close: 4, volume: 5 };
      this.width = f.length;
      this.layout = f.length === 12 ? 'binance-kline (12 columns, no header)' : 'time,open,high,low,close,volume (no header)';
      this.header = `as the first row, which has no header`;
      this.record(f, line);
      return;
    }
    const names = f.map(trim);
    this.idx = mapHeader(names, this.file);
    this.width = names.length;
    const shown = names.map((h) => excerpt(h, 30)).join(',');
    this.layout = names.length === 12 && /open_?time/i.test(names[0]!) ? 'binance-kline (12 columns, header)' : `header: ${excerpt(shown, 200)}`;
    this.header = `the header on line ${line} has ${names.length}: ${excerpt(shown, 120)}`;
  }

  finish(): RawOhlcv {
    if (!this.width) throw new QuantlabError('EMPTY_FILE', `${this.file}: the file is empty (expected a header and OHLCV rows)`);
    if (!this.rows) throw new QuantlabError('EMPTY_FILE', `${this.file}: the file has a header but no rows`);
    const raw = this.cols.finish(this.rows, this.layout);
    const line = raw.line;
    const t = this.time.finish(raw.ts, this.file, (i) => `row ${i + 1} (line ${line[i]})`);
    raw.timeUnit = t.timeUnit;
    raw.warnings = t.warnings;
    return raw;
  }
}

/** Spaces and tabs around a cell are not part of it. */
function trim(s: string): string {
  const n = s.length;
  if (n === 0) return s;
  const a = s.charCodeAt(0), b = s.charCodeAt(n - 1);
  return a === 32 || a === 9 || b === 32 || b === 9 || a === 13 ? s.trim() : s;
}

/**
 * Parses OHLCV text in any of the layouts quantlab accepts:
 * - a header row naming a time column and open/high/low/close/volume (any order, any case; extra columns ignored),
 *   with ISO times, epoch seconds, milliseconds or microseconds (one unit per column);
 * - Binance's 12-column kline CSV, with or without its header (open_time in ms or µs);
 * - a header-less 6-column `time,open,high,low,close,volume` file.
 * Quoting follows RFC 4180 (see CsvTokenizer). Every row must have as many fields as the header. Returns raw
 * columns with the file line of every row. Throws EMPTY_FILE, MISSING_COLUMN, UNKNOWN_LAYOUT, PARSE_ERROR or
 * MIXED_UNITS naming the file and line.
 */
export function parseOhlcvCsv(text: string, file: string, options: CsvOptions = {}): RawOhlcv {
  const shown = shownPath(file);
  const reader = new OhlcvCsvReader(shown, options, Math.max(16, text.length / 40));
  const tok = new CsvTokenizer(shown, reader.record);
  tok.push(text);
  tok.end();
  return reader.finish();
}

/**
 * Reads an OHLCV CSV file in 4 MB chunks (never the whole text at once) into growable columns: memory is
 * proportional to the parsed columns (52 bytes a row). Refuses binary files (NOT_TEXT), invalid UTF-8
 * anywhere (NOT_TEXT, with the byte offset), and files whose columns would pass `maxMemoryBytes` (TOO_LARGE,
 * estimated from the file size before parsing). Same layouts and errors as {@link parseOhlcvCsv}.
 */
export function readOhlcvCsvFile(path: string, size: number, options: CsvOptions = {}): RawOhlcv {
  const shown = shownPath(path);
  const limit = options.maxMemoryBytes ?? defaultMemoryLimit();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let reader: OhlcvCsvReader | undefined;
  let tok: CsvTokenizer | undefined;
  readChunks(path, CHUNK, (bytes, offset) => {
    let text: string;
    if (offset === 0) refuseBinary(bytes, path, 'CSV');
    try {
      text = decoder.decode(bytes, { stream: true });
    } catch {
      throw new QuantlabError('NOT_TEXT', `${shown}: invalid UTF-8 between bytes ${offset} and ${offset + bytes.length}; expected a UTF-8 text CSV`);
    }
    if (!reader) {
      // estimate the rows from the first chunk's line length, to size the columns (and refuse early)
      let lines = 0;
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
      const perLine = lines ? bytes.length / lines : bytes.length;
      const estimate = size / perLine;
      checkRows(shown, estimate * 0.9, limit, `is ${(size / 2 ** 20).toFixed(0)} MB, about`);
      reader = new OhlcvCsvReader(shown, { ...options, maxMemoryBytes: limit }, Math.min(estimate * 1.05 + 16, limit / 52));
      tok = new CsvTokenizer(shown, reader.record);
    }
    tok!.push(text);
  });
  try {
    const tail = decoder.decode();
    if (tail) tok!.push(tail);
  } catch {
    throw new QuantlabError('NOT_TEXT', `${shown}: the file ends inside a UTF-8 character; expected a UTF-8 text CSV`);
  }
  tok!.end();
  return reader!.finish();
}
