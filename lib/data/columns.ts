import { totalmem } from 'node:os';
import { QuantlabError } from '../core';
import { allocRaw, type RawOhlcv } from './raw';

/** Bytes one parsed row costs: six Float64 columns and the Int32 file line. */
export const BYTES_PER_ROW = 6 * 8 + 4;

/**
 * How much memory the parsed columns of one load may take: `QUANTLAB_MAX_MEMORY_MB` when set, else half of
 * the machine's memory.
 */
export function defaultMemoryLimit(): number {
  const env = Number(process.env.QUANTLAB_MAX_MEMORY_MB);
  if (env > 0) return env * 2 ** 20;
  return Math.floor(totalmem() / 2);
}

export const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(bytes < 10 * 2 ** 20 ? 1 : 0)} MB`;

/** Throws TOO_LARGE when `rows` parsed rows would need more than `limit` bytes. */
export function checkRows(file: string, rows: number, limit: number, what: string): void {
  if (rows * BYTES_PER_ROW > limit) {
    throw new QuantlabError(
      'TOO_LARGE',
      `${file}: ${what} ${Math.round(rows).toLocaleString('en-US')} rows, whose columns need ${mb(rows * BYTES_PER_ROW)}; the limit is ${mb(limit)} (set { maxMemoryBytes } or QUANTLAB_MAX_MEMORY_MB to raise it, or load a smaller file)`,
      { rows, limit },
    );
  }
}

/**
 * Raw OHLCV columns that grow as rows arrive (capacity doubles; memory stays proportional to the rows),
 * trimmed to their length by {@link finish}. Write row `r` after `ensure(r)`.
 */
export class RawBuilder {
  raw: RawOhlcv;
  private cap: number;

  constructor(
    capacity: number,
    private readonly file: string,
    private readonly limit: number,
  ) {
    this.cap = Math.max(16, Math.ceil(capacity));
    checkRows(file, this.cap, limit, 'would hold about');
    this.raw = alloc(this.cap, '', file, limit);
  }

  /** Makes room for row `r`. */
  ensure(r: number): void {
    if (r < this.cap) return;
    let cap = Math.ceil(this.cap * 2);
    if (cap * BYTES_PER_ROW > this.limit) cap = Math.max(r + 1, Math.floor(this.limit / BYTES_PER_ROW));
    checkRows(this.file, r + 1, this.limit, 'has more than');
    const next = alloc(cap, this.raw.layout, this.file, this.limit);
    for (const k of ['ts', 'open', 'high', 'low', 'close', 'volume', 'line'] as const) (next[k] as Float64Array).set(this.raw[k] as Float64Array);
    this.raw = next;
    this.cap = cap;
  }

  /** The first `n` rows as exact-length columns (copied column by column when the capacity was larger). */
  finish(n: number, layout: string): RawOhlcv {
    const r = this.raw;
    r.layout = layout;
    if (n === this.cap) return r;
    // one column at a time, so the old buffer of each can go before the next is copied
    r.ts = r.ts.slice(0, n);
    r.open = r.open.slice(0, n);
    r.high = r.high.slice(0, n);
    r.low = r.low.slice(0, n);
    r.close = r.close.slice(0, n);
    r.volume = r.volume.slice(0, n);
    r.line = r.line.slice(0, n);
    return r;
  }
}

function alloc(n: number, layout: string, file: string, limit: number): RawOhlcv {
  try {
    return allocRaw(n, layout);
  } catch (e) {
    if (e instanceof RangeError) {
      throw new QuantlabError('TOO_LARGE', `${file}: could not allocate columns for ${n.toLocaleString('en-US')} rows (${mb(n * BYTES_PER_ROW)}; the limit is ${mb(limit)}): ${e.message}`);
    }
    throw e;
  }
}
