import { QuantlabError } from '../core';
import { allocRaw, epochToMs, mapHeader, parseTimeCell, type RawOhlcv } from './raw';

/**
 * Parses freqtrade-style JSON: an array of `[time, open, high, low, close, volume]` rows (time in epoch ms/s
 * or ISO text), or an array of objects with those fields. `line` holds the 1-based row index.
 */
export function parseOhlcvJson(text: string, file: string): RawOhlcv {
  if (text.trim() === '') throw new QuantlabError('EMPTY_FILE', `${file}: the file is empty (expected a JSON array of [time,open,high,low,close,volume] rows)`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new QuantlabError('PARSE_ERROR', `${file}: not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(data)) throw new QuantlabError('UNKNOWN_LAYOUT', `${file}: expected a JSON array of rows, found ${typeof data}`);
  if (data.length === 0) throw new QuantlabError('EMPTY_FILE', `${file}: the JSON array has no rows`);
  const objects = !Array.isArray(data[0]);
  const raw = allocRaw(data.length, objects ? 'json objects' : 'json arrays [time,open,high,low,close,volume]');
  let idx: ReturnType<typeof mapHeader> | undefined;
  let keys: string[] = [];
  if (objects) {
    keys = Object.keys(data[0] as object);
    idx = mapHeader(keys, file);
  }
  for (let i = 0; i < data.length; i++) {
    const row = data[i] as unknown;
    const cells: unknown[] = objects ? keys.map((k) => (row as Record<string, unknown>)[k]) : (row as unknown[]);
    if (!Array.isArray(cells) || cells.length < 6) {
      throw new QuantlabError('PARSE_ERROR', `${file} row ${i + 1}: expected [time, open, high, low, close, volume], found ${JSON.stringify(row)?.slice(0, 120)}`);
    }
    const at = idx ?? { ts: 0, open: 1, high: 2, low: 3, close: 4, volume: 5 };
    const t = cells[at.ts];
    const ms = typeof t === 'number' ? epochToMs(t) : parseTimeCell(String(t));
    if (!Number.isFinite(ms)) throw new QuantlabError('PARSE_ERROR', `${file} row ${i + 1}: time ${JSON.stringify(t)} is not an epoch number or ISO-8601 time`);
    raw.ts[i] = ms;
    raw.open[i] = toNum(cells[at.open], file, i, 'open');
    raw.high[i] = toNum(cells[at.high], file, i, 'high');
    raw.low[i] = toNum(cells[at.low], file, i, 'low');
    raw.close[i] = toNum(cells[at.close], file, i, 'close');
    raw.volume[i] = toNum(cells[at.volume], file, i, 'volume');
    raw.line[i] = i + 1;
  }
  return raw;
}

function toNum(v: unknown, file: string, i: number, column: string): number {
  if (v === null || v === undefined) return NaN;
  const x = typeof v === 'number' ? v : Number(v);
  if (Number.isNaN(x) && !(typeof v === 'string' && /^nan$/i.test(v))) {
    throw new QuantlabError('PARSE_ERROR', `${file} row ${i + 1}: ${column} ${JSON.stringify(v)} is not a number`);
  }
  return x;
}
