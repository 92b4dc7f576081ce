import { getHeapStatistics } from 'node:v8';
import { QuantlabError } from '../core';
import { numberCell } from './cells';
import { mb } from './columns';
import { describeValue, excerpt } from './excerpt';
import { refuseBinary } from './file';
import { allocRaw, mapHeader, type ColumnIndex, type RawOhlcv } from './raw';
import { TimeColumn, type TimeUnit } from './time-unit';

export interface JsonOptions {
  /** Unit of epoch-number times; default: decided from the column's magnitudes (one unit for the whole column). */
  timeUnit?: TimeUnit;
}

/**
 * The largest JSON file read: JSON is parsed whole, and its rows cost several times their text in heap, so
 * the limit is 1/16 of the JavaScript heap (about 270 MB with Node's defaults), at most 256 MB.
 */
export function jsonByteLimit(): number {
  return Math.min(256 * 2 ** 20, Math.floor(getHeapStatistics().heap_size_limit / 16));
}

/** Checks the size of a JSON file before it is read; TOO_LARGE names the size and the limit. */
export function checkJsonSize(file: string, size: number): void {
  const limit = jsonByteLimit();
  if (size > limit) {
    throw new QuantlabError('TOO_LARGE', `${file}: a ${mb(size)} JSON file; JSON is parsed whole and the limit is ${mb(limit)}. Convert it to CSV (read in chunks) or Parquet`, { size, limit });
  }
}

const NAMES = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;

/**
 * Parses freqtrade-style JSON: an array of `[time, open, high, low, close, volume, …]` rows (every row as long
 * as the first), or an array of objects with those fields. Times are epoch numbers (one unit for the column)
 * or ISO-8601 strings; prices and volumes are JSON numbers or numeric strings in plain decimal form (null is a
 * missing value that validation reports). Booleans, arrays, objects, hex strings are refused (TYPE_MISMATCH)
 * with the row, the field, what was expected and what was found. `line` holds the 1-based row index.
 */
export function parseOhlcvJson(input: string | Uint8Array, file: string, options: JsonOptions = {}): RawOhlcv {
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    refuseBinary(input, file, 'JSON file');
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      throw new QuantlabError('NOT_TEXT', `${file}: invalid UTF-8; expected a UTF-8 JSON file`);
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw new QuantlabError('EMPTY_FILE', `${file}: the file is empty (expected a JSON array of [time,open,high,low,close,volume] rows)`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new QuantlabError('PARSE_ERROR', `${file}: not valid JSON (${excerpt((e as Error).message, 120)})`);
  }
  if (!Array.isArray(data)) throw new QuantlabError('UNKNOWN_LAYOUT', `${file}: expected a JSON array of rows, found ${describeValue(data, 40)}`);
  if (data.length === 0) throw new QuantlabError('EMPTY_FILE', `${file}: the JSON array has no rows`);
  const first = data[0] as unknown;
  const objects = !Array.isArray(first);
  if (objects && (first === null || typeof first !== 'object')) {
    throw new QuantlabError('UNKNOWN_LAYOUT', `${file} row 1: expected [time, open, high, low, close, volume] or an object with those fields, found ${describeValue(first)}`);
  }
  const raw = allocRaw(data.length, objects ? 'json objects' : 'json arrays [time,open,high,low,close,volume]');
  let idx: ColumnIndex = { ts: 0, open: 1, high: 2, low: 3, close: 4, volume: 5 };
  let keys: string[] = [];
  const width = objects ? 0 : (first as unknown[]).length;
  if (objects) {
    keys = Object.keys(first as object);
    idx = mapHeader(keys, file);
  } else if (width < 6) {
    throw new QuantlabError('PARSE_ERROR', `${file} row 1: expected [time, open, high, low, close, volume], found ${describeValue(first, 120)}`);
  }
  const time = new TimeColumn(options.timeUnit);
  const cols = [raw.ts, raw.open, raw.high, raw.low, raw.close, raw.volume];
  const at = [idx.ts, idx.open, idx.high, idx.low, idx.close, idx.volume];
  for (let i = 0; i < data.length; i++) {
    const row = data[i] as unknown;
    let cells: unknown[];
    if (objects) {
      if (row === null || typeof row !== 'object' || Array.isArray(row)) {
        throw new QuantlabError('PARSE_ERROR', `${file} row ${i + 1}: expected an object like row 1, found ${describeValue(row)}`);
      }
      const o = row as Record<string, unknown>;
      cells = keys.map((k) => o[k]);
      for (let k = 0; k < 6; k++) {
        if (!(keys[at[k]!]! in o)) throw new QuantlabError('PARSE_ERROR', `${file} row ${i + 1}: no '${excerpt(keys[at[k]!]!, 40)}' field (expected the fields of row 1: ${excerpt(keys.join(', '), 120)})`);
      }
    } else {
      if (!Array.isArray(row) || row.length !== width) {
        throw new QuantlabError(
          'PARSE_ERROR',
          `${file} row ${i + 1}: expected [time, open, high, low, close, volume]${width > 6 ? ` with ${width} values like row 1` : ''}, found ${Array.isArray(row) ? `${row.length} values: ` : ''}${describeValue(row, 120)}`,
        );
      }
      cells = row;
    }
    const t = cells[at[0]!];
    let ms: number;
    if (typeof t === 'number') ms = time.number(t, i);
    else if (typeof t === 'string') ms = time.text(t.trim(), i);
    else throw new QuantlabError('TYPE_MISMATCH', `${file} row ${i + 1}: time: expected an epoch number or an ISO-8601 string, found ${describeValue(t)}`);
    if (ms !== ms) throw new QuantlabError('PARSE_ERROR', `${file} row ${i + 1}: time ${describeValue(t)} is not an epoch number or ISO-8601 time`);
    raw.ts[i] = ms;
    for (let k = 1; k < 6; k++) cols[k]![i] = toNum(cells[at[k]!], file, i, NAMES[k]!);
    raw.line[i] = i + 1;
  }
  const t = time.finish(raw.ts, file, (i) => `row ${i + 1}`);
  raw.timeUnit = t.timeUnit;
  raw.warnings = t.warnings;
  return raw;
}

function toNum(v: unknown, file: string, i: number, column: string): number {
  if (typeof v === 'number') return v;
  if (v === null) return NaN;
  if (typeof v === 'string') {
    const x = numberCell(v.trim());
    if (x !== undefined) return x;
    throw new QuantlabError('TYPE_MISMATCH', `${file} row ${i + 1}: ${column}: expected a number or a numeric string in plain decimal form, found ${describeValue(v)}`);
  }
  throw new QuantlabError('TYPE_MISMATCH', `${file} row ${i + 1}: ${column}: expected a number or a numeric string, found ${describeValue(v)}`);
}
