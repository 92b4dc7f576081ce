/**
 * Hostile input files for the data-layer refusal tests (library and CLI): each is written into a fresh
 * temporary folder by the test that uses it. `plant()` returns the path.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';

export const HOSTILE_DIR = mkdtempSync(join(tmpdir(), 'quantlab-hostile-'));

export function plant(name: string, content: string | Uint8Array): string {
  const p = join(HOSTILE_DIR, name);
  writeFileSync(p, content);
  return p;
}

export function plantDir(name: string): string {
  const p = join(HOSTILE_DIR, name);
  mkdirSync(p, { recursive: true });
  return p;
}

const T0 = Date.parse('2024-01-01T00:00:00Z');
export const H = 3_600_000;

/** n good hourly bars as CSV lines `time,open,high,low,close,volume` with `time(i)` as the time cell. */
export function hourlyRows(n: number, time: (i: number) => string = (i) => new Date(T0 + i * H).toISOString()): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const o = 100 + i;
    out.push(`${time(i)},${o},${o + 2},${o - 1},${o + 1},${10 + i}`);
  }
  return out;
}

export const HEADER = 'timestamp,open,high,low,close,volume';

type Col = Parameters<typeof parquetWriteBuffer>[0]['columnData'][number];

/** A Parquet file from columns (time column first), written with hyparquet-writer. */
export function parquetBytes(cols: Col[], kv: Array<{ key: string; value: string }> = [], codec: 'SNAPPY' | 'UNCOMPRESSED' = 'SNAPPY'): Uint8Array {
  return new Uint8Array(parquetWriteBuffer({ columnData: cols, codec, kvMetadata: kv }));
}

/** Good OHLCV double columns for n hourly bars. */
export function ohlcvCols(n: number): Col[] {
  const f = (k: number) => Float64Array.from({ length: n }, (_, i) => 100 + i + k);
  return [
    { name: 'open', data: f(0), type: 'DOUBLE', nullable: false },
    { name: 'high', data: f(2), type: 'DOUBLE', nullable: false },
    { name: 'low', data: f(-1), type: 'DOUBLE', nullable: false },
    { name: 'close', data: f(1), type: 'DOUBLE', nullable: false },
    { name: 'volume', data: f(10), type: 'DOUBLE', nullable: false },
  ];
}

export const msTimes = (n: number): BigInt64Array => BigInt64Array.from({ length: n }, (_, i) => BigInt(T0 + i * H));

/** Bytes that are not text: an ANSI escape sequence, a terminal title change, NULs and random bytes. */
export function binaryGarbage(): Uint8Array {
  const b = new Uint8Array(4096);
  let x = 12345;
  for (let i = 0; i < b.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  const esc = new TextEncoder().encode('\x1b[2J\x1b]0;pwned\x07\x1b[31mRED');
  b.set(esc, 0);
  b[60] = 0;
  return b;
}

/** True when `s` holds a control character other than a line break (what a terminal could act on). */
export const hasControl = (s: string): boolean => /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(s);
