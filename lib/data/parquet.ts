import { readFileSync, writeFileSync, mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { parquetMetadata, parquetRead } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { QuantlabError, type Bars } from '../core';
import { allocRaw, epochToMs, mapHeader, parseTimeCell, type RawOhlcv } from './raw';

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
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, new Uint8Array(buf));
  renameSync(tmp, path);
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
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, new Uint8Array(buf));
  renameSync(tmp, path);
}

/**
 * Reads an OHLCV Parquet file (quantlab's own, or any with a time column and open/high/low/close/volume
 * columns in any case; time as TIMESTAMP, INT64 epoch, DOUBLE epoch or ISO text). Snappy, gzip, zstd, brotli and
 * lz4 pages are supported. Returns raw columns (line = 1-based row) and the file's metadata.
 */
export async function readParquetOhlcv(path: string): Promise<{ raw: RawOhlcv; info: ParquetInfo }> {
  const bytes = readFileSync(path);
  if (bytes.length === 0) throw new QuantlabError('EMPTY_FILE', `${path}: the file is empty (expected Parquet)`);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  let meta: ReturnType<typeof parquetMetadata>;
  try {
    meta = parquetMetadata(file);
  } catch (e) {
    throw new QuantlabError('PARSE_ERROR', `${path}: not a readable Parquet file (${(e as Error).message})`);
  }
  const names = meta.schema.slice(1).map((s) => s.name);
  const idx = mapHeader(names, path);
  const n = Number(meta.num_rows);
  if (n === 0) throw new QuantlabError('EMPTY_FILE', `${path}: the Parquet file has no rows`);
  const raw = allocRaw(n, 'parquet');
  const target: Record<string, Float64Array> = {
    [names[idx.ts]!]: raw.ts,
    [names[idx.open]!]: raw.open,
    [names[idx.high]!]: raw.high,
    [names[idx.low]!]: raw.low,
    [names[idx.close]!]: raw.close,
    [names[idx.volume]!]: raw.volume,
  };
  const tsName = names[idx.ts]!;
  const tsSchema = meta.schema[idx.ts + 1]!;
  const tsIsTimestamp = /TIMESTAMP/.test(String(tsSchema.converted_type ?? '')) || tsSchema.logical_type?.type === 'TIMESTAMP';
  await parquetRead({
    file,
    metadata: meta,
    columns: Object.keys(target),
    compressors,
    parsers: { timestampFromMilliseconds: (v: bigint) => Number(v), timestampFromMicroseconds: (v: bigint) => Number(v / 1000n), timestampFromNanoseconds: (v: bigint) => Number(v / 1_000_000n) },
    onChunk({ columnName, columnData, rowStart, rowEnd }) {
      const out = target[columnName];
      if (!out) return;
      const isTs = columnName === tsName;
      const m = Math.min(rowEnd, n) - rowStart;
      if (!isTs && columnData instanceof Float64Array) {
        out.set(columnData.subarray(0, m), rowStart);
        return;
      }
      for (let i = 0; i < m; i++) {
        const v = columnData[i] as unknown;
        out[rowStart + i] = isTs ? timeValue(v, tsIsTimestamp) : v === null || v === undefined ? NaN : Number(v);
      }
    },
  });
  for (let i = 0; i < n; i++) raw.line[i] = i + 1;
  const kv = new Map((meta.key_value_metadata ?? []).map((e) => [e.key, e.value ?? '']));
  return {
    raw,
    info: { symbol: kv.get('quantlab.symbol') || undefined, timeframe: kv.get('quantlab.timeframe') || undefined, source: kv.get('quantlab.source') || undefined },
  };
}

/** A time cell as epoch ms: TIMESTAMP columns arrive as ms already (see the parsers above); plain numbers are read by magnitude. */
function timeValue(v: unknown, isTimestamp: boolean): number {
  if (typeof v === 'number') return isTimestamp ? v : epochToMs(v);
  if (typeof v === 'bigint') return epochToMs(Number(v));
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'string') return parseTimeCell(v);
  return NaN;
}
