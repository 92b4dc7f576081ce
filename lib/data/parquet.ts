import { parquetMetadata, parquetRead } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { QuantlabError, writeFileAtomic, type Bars } from '../core';
import { checkRows, defaultMemoryLimit } from './columns';
import { describeValue, excerpt } from './excerpt';
import { readWhole, shownPath } from './file';
import { allocRaw, mapHeader, type RawOhlcv } from './raw';
import { TimeColumn, type TimeUnit } from './time-unit';

/** Key-value metadata quantlab writes into its Parquet files. */
export interface ParquetInfo {
  symbol?: string;
  timeframe?: string;
  source?: string;
}

/**
 * Writes bars as Parquet (Snappy-compressed): `ts` as INT64 TIMESTAMP_MILLIS (UTC open time), OHLCV as DOUBLE,
 * symbol/timeframe as file metadata. The write goes to a temporary file first and is renamed into place, so a
 * crash never leaves a half-written file under the target name.
 */
export function saveParquet(bars: Bars, path: string, info: ParquetInfo = {}): void {
  const n = bars.ts.length;
  const ts = new BigInt64Array(n);
  for (let i = 0; i < n; i++) ts[i] = BigInt(bars.ts[i]!);
  const kv = [
    { key: 'quantlab.symbol', value: info.symbol ?? bars.symbol },
    { key: 'quantlab.timeframe', value: info.timeframe ?? bars.timeframe },
    ...(info.source ? [{ key: 'quantlab.source', value: info.source }] : []),
  ];
  const buf = parquetWriteBuffer({
    columnData: [
      { name: 'ts', data: ts, type: 'TIMESTAMP', nullable: false },
      { name: 'open', data: bars.open, type: 'DOUBLE', nullable: false },
      { name: 'high', data: bars.high, type: 'DOUBLE', nullable: false },
      { name: 'low', data: bars.low, type: 'DOUBLE', nullable: false },
      { name: 'close', data: bars.close, type: 'DOUBLE', nullable: false },
      { name: 'volume', data: bars.volume, type: 'DOUBLE', nullable: false },
    ],
    codec: 'SNAPPY',
    rowGroupSize: 1_000_000,
    kvMetadata: kv,
    createdBy: 'quantlab',
  });
  writeFileAtomic(path, new Uint8Array(buf), 'parquet');
}

/**
 * Writes any table of columns as Parquet (Snappy): columns named `ts` or ending in `Ts` as TIMESTAMP_MILLIS,
 * string columns as STRING, Float64Array as DOUBLE, other numeric columns as INT32. Temporary file + rename.
 * For results (trades, equity curves, trials); bars go through {@link saveParquet}.
 */
export function saveColumnsParquet(path: string, cols: Record<string, ArrayLike<unknown>>): void {
  const column = (name: string, data: ArrayLike<unknown>) => {
    if (name.endsWith('Ts') || name === 'ts') return { name, data: BigInt64Array.from(data as ArrayLike<number>, (x) => BigInt(x)), type: 'TIMESTAMP' as const, nullable: false };
    if (typeof data[0] === 'string' || Array.isArray(data)) return { name, data: Array.from(data) as string[], type: 'STRING' as const, nullable: false };
    if (data instanceof Float64Array) return { name, data, type: 'DOUBLE' as const, nullable: false };
    return { name, data: Int32Array.from(data as ArrayLike<number>), type: 'INT32' as const, nullable: false };
  };
  const buf = parquetWriteBuffer({ columnData: Object.entries(cols).map(([k, v]) => column(k, v)), codec: 'SNAPPY', createdBy: 'quantlab' });
  writeFileAtomic(path, new Uint8Array(buf), 'parquet');
}

/** Options of {@link readParquetOhlcv}. */
export interface ParquetReadOptions {
  /** Unit of a plain-number time column (INT64/INT32/DOUBLE without a TIMESTAMP type); default: by magnitude, one unit per column. */
  timeUnit?: TimeUnit;
  /** Refuse a file whose parsed columns would exceed this many bytes; default half the machine's memory. */
  maxMemoryBytes?: number;
}

type SchemaElement = ReturnType<typeof parquetMetadata>['schema'][number];
type TimeKind = 'timestamp' | 'date' | 'number' | 'string';

const NUMERIC_PHYSICAL = new Set(['INT32', 'INT64', 'FLOAT', 'DOUBLE']);
const NOT_NUMBERS = new Set(['UTF8', 'ENUM', 'JSON', 'BSON', 'DATE', 'TIME_MILLIS', 'TIME_MICROS', 'TIMESTAMP_MILLIS', 'TIMESTAMP_MICROS', 'INTERVAL', 'MAP', 'LIST']);

/** A column's type as Parquet names it: `INT64 (TIMESTAMP MILLIS)`, `BYTE_ARRAY (STRING)`, `BOOLEAN`. */
function typeName(e: SchemaElement): string {
  const lt = e.logical_type as { type?: string; unit?: string } | undefined;
  const logical = lt?.type ? `${lt.type}${lt.unit ? ` ${lt.unit}` : ''}` : e.converted_type;
  if (e.num_children) return `a group of ${e.num_children} fields`;
  return `${e.type ?? '?'}${logical ? ` (${logical})` : ''}${e.repetition_type === 'REPEATED' ? ' REPEATED' : ''}`;
}

/** True for a numeric price/volume column: INT32/INT64/FLOAT/DOUBLE (plain or INTEGER) or DECIMAL. */
function isNumeric(e: SchemaElement): boolean {
  if (e.num_children || e.repetition_type === 'REPEATED') return false;
  const lt = (e.logical_type as { type?: string } | undefined)?.type;
  if (e.converted_type === 'DECIMAL' || lt === 'DECIMAL') return true;
  if (lt === 'FLOAT16') return e.type === 'FIXED_LEN_BYTE_ARRAY';
  if (!NUMERIC_PHYSICAL.has(String(e.type))) return false;
  if (e.converted_type && NOT_NUMBERS.has(e.converted_type)) return false;
  return !lt || lt === 'INTEGER';
}

/** How a time column is read, or undefined when its type cannot hold times. */
function timeKind(e: SchemaElement): { kind: TimeKind; unit: string } | undefined {
  if (e.num_children || e.repetition_type === 'REPEATED') return undefined;
  const lt = e.logical_type as { type?: string; unit?: string } | undefined;
  const ct = e.converted_type;
  if (lt?.type === 'TIMESTAMP') return { kind: 'timestamp', unit: `TIMESTAMP ${lt.unit ?? 'MILLIS'} (schema)` };
  if (ct === 'TIMESTAMP_MILLIS' || ct === 'TIMESTAMP_MICROS') return { kind: 'timestamp', unit: `${ct} (schema)` };
  if (e.type === 'INT96' && !ct) return { kind: 'timestamp', unit: 'INT96 timestamp (schema)' };
  if (lt?.type === 'DATE' || ct === 'DATE') return { kind: 'date', unit: 'DATE, days since 1970 (schema)' };
  if (lt?.type === 'STRING' || ct === 'UTF8') return { kind: 'string', unit: 'ISO-8601 text' };
  if (isNumeric(e) && ct !== 'DECIMAL' && lt?.type !== 'DECIMAL' && lt?.type !== 'FLOAT16') return { kind: 'number', unit: `${e.type} epoch numbers` };
  return undefined;
}

/** The top-level columns of a schema (groups are skipped with their children). */
function topLevel(schema: SchemaElement[]): SchemaElement[] {
  const out: SchemaElement[] = [];
  let i = 1;
  const skip = (): void => {
    const e = schema[i++]!;
    for (let k = 0; k < (e.num_children ?? 0) && i < schema.length; k++) skip();
  };
  while (i < schema.length) {
    out.push(schema[i]!);
    skip();
  }
  return out;
}

const big = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : NaN);

/**
 * Reads an OHLCV Parquet file (quantlab's own, or any with a time column and open/high/low/close/volume
 * columns in any case). Prices and volumes must be numeric (INT32, INT64, FLOAT, DOUBLE, DECIMAL); the time
 * column TIMESTAMP (unit from the schema), DATE, INT96, plain INT64/INT32/DOUBLE epoch numbers (one unit for
 * the column, by magnitude unless `timeUnit` says) or ISO-8601 STRING. Anything else is TYPE_MISMATCH naming
 * the column, its type and what was expected; an unreadable footer or data page is PARSE_ERROR naming the file.
 * Snappy, gzip, zstd, brotli and lz4 pages are supported. Returns raw columns (line = 1-based row) and the
 * file's metadata.
 */
export async function readParquetOhlcv(path: string, options: ParquetReadOptions = {}): Promise<{ raw: RawOhlcv; info: ParquetInfo }> {
  const shown = shownPath(path);
  const bytes = readWhole(path);
  if (bytes.length === 0) throw new QuantlabError('EMPTY_FILE', `${shown}: the file is empty (expected Parquet)`);
  const magic = (o: number) => bytes[o] === 0x50 && bytes[o + 1] === 0x41 && bytes[o + 2] === 0x52 && bytes[o + 3] === 0x31;
  if (bytes.length < 12 || !magic(0) || !magic(bytes.length - 4)) {
    throw new QuantlabError('PARSE_ERROR', `${shown}: not a Parquet file (expected 'PAR1' at its start and end; ${bytes.length} bytes${magic(0) ? ', truncated?' : ''})`);
  }
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let meta: ReturnType<typeof parquetMetadata>;
  try {
    meta = parquetMetadata(file);
  } catch (e) {
    throw new QuantlabError('PARSE_ERROR', `${shown}: not a readable Parquet file (${excerpt((e as Error).message ?? String(e), 120)})`);
  }
  const cols = topLevel(meta.schema);
  const names = cols.map((s) => s.name);
  const idx = mapHeader(names, shown);
  const n = Number(meta.num_rows);
  if (!(n >= 0)) throw new QuantlabError('PARSE_ERROR', `${shown}: the footer gives ${excerpt(String(meta.num_rows), 30)} rows`);
  if (n === 0) throw new QuantlabError('EMPTY_FILE', `${shown}: the Parquet file has no rows`);
  checkRows(shown, n, options.maxMemoryBytes ?? defaultMemoryLimit(), 'has');
  const tsEl = cols[idx.ts]!;
  const tk = timeKind(tsEl);
  if (!tk) {
    throw new QuantlabError('TYPE_MISMATCH', `${shown}: time column '${excerpt(tsEl.name, 40)}' is ${typeName(tsEl)}; expected TIMESTAMP, DATE, INT64, INT32 or DOUBLE epoch numbers, or ISO-8601 STRING`);
  }
  for (const k of ['open', 'high', 'low', 'close', 'volume'] as const) {
    const e = cols[idx[k]]!;
    if (!isNumeric(e)) throw new QuantlabError('TYPE_MISMATCH', `${shown}: column '${excerpt(e.name, 40)}' (${k}) is ${typeName(e)}; expected a numeric type (INT32, INT64, FLOAT, DOUBLE or DECIMAL)`);
  }
  const raw = allocRaw(n, 'parquet');
  const target: Record<string, Float64Array> = {
    [names[idx.ts]!]: raw.ts,
    [names[idx.open]!]: raw.open,
    [names[idx.high]!]: raw.high,
    [names[idx.low]!]: raw.low,
    [names[idx.close]!]: raw.close,
    [names[idx.volume]!]: raw.volume,
  };
  const got: Record<string, number> = Object.fromEntries(Object.keys(target).map((k) => [k, 0]));
  const tsName = names[idx.ts]!;
  const time = new TimeColumn(tk.kind === 'number' ? options.timeUnit : undefined);
  const badTime = (row: number, v: unknown): never => {
    throw new QuantlabError('PARSE_ERROR', `${shown} row ${row + 1}: time ${v === null || v === undefined ? 'is missing (null)' : `${describeValue(v)} is not an ISO-8601 time or an epoch number`}`);
  };
  try {
    await parquetRead({
      file,
      metadata: meta,
      columns: Object.keys(target),
      compressors,
      parsers: {
        timestampFromMilliseconds: (v: bigint) => big(v),
        timestampFromMicroseconds: (v: bigint) => (typeof v === 'bigint' ? Number(v / 1000n) : NaN),
        timestampFromNanoseconds: (v: bigint) => (typeof v === 'bigint' ? Number(v / 1_000_000n) : NaN),
        dateFromDays: (d: number) => (typeof d === 'number' ? d * 86_400_000 : NaN),
      },
      onChunk({ columnName, columnData, rowStart, rowEnd }) {
        const out = target[columnName];
        if (!out) return;
        const m = Math.min(rowEnd, n) - rowStart;
        got[columnName]! += m;
        if (columnName !== tsName) {
          if (columnData instanceof Float64Array) out.set(columnData.subarray(0, m), rowStart);
          else for (let i = 0; i < m; i++) out[rowStart + i] = big(columnData[i]);
          return;
        }
        for (let i = 0; i < m; i++) {
          const v = columnData[i] as unknown;
          const r = rowStart + i;
          let t: number;
          if (tk.kind === 'string') t = typeof v === 'string' ? time.text(v.trim(), r) : NaN;
          else if (tk.kind === 'number') t = typeof v === 'number' || typeof v === 'bigint' ? time.number(Number(v), r) : NaN;
          else t = typeof v === 'number' ? time.ms(v, r) : v instanceof Date ? time.ms(v.getTime(), r) : NaN;
          if (t !== t) badTime(r, v);
          out[r] = t;
        }
      },
    });
  } catch (e) {
    if (e instanceof QuantlabError) throw e;
    throw new QuantlabError('PARSE_ERROR', `${shown}: corrupt Parquet data, the column pages cannot be decoded (${excerpt((e as Error)?.message ?? String(e), 120)})`);
  }
  for (const [name, count] of Object.entries(got)) {
    if (count < n) throw new QuantlabError('PARSE_ERROR', `${shown}: column '${excerpt(name, 40)}' has ${count} values, the footer promises ${n} rows (a truncated or corrupt file)`);
  }
  for (let i = 0; i < n; i++) raw.line[i] = i + 1;
  const t = time.finish(raw.ts, shown, (i) => `row ${i + 1}`, tk.kind === 'number' ? undefined : tk.unit);
  raw.timeUnit = tk.kind === 'number' ? `${t.timeUnit}, ${tk.unit}` : t.timeUnit;
  raw.warnings = t.warnings;
  const kv = new Map((meta.key_value_metadata ?? []).map((e) => [e.key, e.value ?? '']));
  const symbol = kv.get('quantlab.symbol') || undefined;
  if (symbol && !/^[A-Za-z0-9._:/-]{1,40}$/.test(symbol)) {
    raw.warnings.push(`${shown}: ignored the symbol in the file metadata, ${excerpt(symbol, 40)} (expected letters, digits and . _ : / - only)`);
  }
  return {
    raw,
    info: {
      symbol: symbol && /^[A-Za-z0-9._:/-]{1,40}$/.test(symbol) ? symbol : undefined,
      timeframe: kv.get('quantlab.timeframe') || undefined,
      source: kv.get('quantlab.source') ? excerpt(kv.get('quantlab.source')!, 200) : undefined,
    },
  };
}
