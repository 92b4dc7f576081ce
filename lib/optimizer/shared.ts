import type { Bars } from '../core';

/**
 * Bars in one SharedArrayBuffer: worker threads read the same memory instead of a copy each. Posting a
 * SharedBars to a worker shares the buffer (structured clone keeps SharedArrayBuffers shared).
 */
export interface SharedBars {
  readonly buffer: SharedArrayBuffer;
  readonly length: number;
  readonly symbol: string;
  readonly timeframe: string;
}

const COLUMNS = ['ts', 'open', 'high', 'low', 'close', 'volume'] as const;

/** Copies the columns into one SharedArrayBuffer (once). Bars already backed by one are returned as they are. */
export function shareBars(bars: Bars): SharedBars {
  const n = bars.ts.length;
  const buf = bars.ts.buffer;
  if (buf instanceof SharedArrayBuffer && COLUMNS.every((c, i) => bars[c].buffer === buf && bars[c].byteOffset === i * n * 8 && bars[c].length === n)) {
    return { buffer: buf, length: n, symbol: bars.symbol, timeframe: bars.timeframe };
  }
  const buffer = new SharedArrayBuffer(COLUMNS.length * n * 8);
  COLUMNS.forEach((c, i) => new Float64Array(buffer, i * n * 8, n).set(bars[c]));
  return { buffer, length: n, symbol: bars.symbol, timeframe: bars.timeframe };
}

/** Bars viewing the shared memory (no copy). */
export function sharedBarsView(s: SharedBars): Bars {
  const n = s.length;
  const col = (i: number) => new Float64Array(s.buffer, i * n * 8, n);
  return { ts: col(0), open: col(1), high: col(2), low: col(3), close: col(4), volume: col(5), symbol: s.symbol, timeframe: s.timeframe };
}
