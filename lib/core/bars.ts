import { QuantlabError } from './errors';
import { withSummary } from './inspect';

/** A column of numbers the length of its bars; NaN is the only "missing / warming up" value. */
export type Series = Float64Array;

/** The OHLCV column names, in file order. */
export const OHLCV = ['open', 'high', 'low', 'close', 'volume'] as const;
export type OhlcvColumn = (typeof OHLCV)[number];

/** Candles as typed-array columns. `ts` is the bar's open time in UTC epoch milliseconds. */
export interface Bars {
  readonly ts: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  readonly symbol: string;
  readonly timeframe: string;
}

/** One bar's fields as numbers: a row of {@link Bars} (what strategy cursors carry and the runner stores). */
export interface BarFields {
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** Bar `i` of columns as one object. */
export function barAt(b: BarsColumns, i: number): BarFields {
  return { ts: b.ts[i]!, open: b.open[i]!, high: b.high[i]!, low: b.low[i]!, close: b.close[i]!, volume: b.volume[i]! };
}

export interface BarsColumns {
  ts: ArrayLike<number>;
  open: ArrayLike<number>;
  high: ArrayLike<number>;
  low: ArrayLike<number>;
  close: ArrayLike<number>;
  volume: ArrayLike<number>;
}

const toF64 = (x: ArrayLike<number>): Float64Array => (x instanceof Float64Array ? x : Float64Array.from(x));

/** Returns a Bars over the given columns (Float64Arrays are used as they are, other arrays copied). */
export function makeBars(cols: BarsColumns, symbol = '', timeframe = ''): Bars {
  const n = cols.ts.length;
  for (const k of OHLCV) {
    if (cols[k].length !== n) {
      throw new QuantlabError('BAD_ARGUMENT', `makeBars: column '${k}' has ${cols[k].length} values, expected ${n} (the length of ts)`);
    }
  }
  return withSummary({
    ts: toF64(cols.ts),
    open: toF64(cols.open),
    high: toF64(cols.high),
    low: toF64(cols.low),
    close: toF64(cols.close),
    volume: toF64(cols.volume),
    symbol,
    timeframe,
  }, 'bars');
}

/** Number of bars. */
export const barCount = (bars: Bars): number => bars.ts.length;

/** Returns bars [start, end) as views sharing memory with `bars` (no copy). */
export function sliceBars(bars: Bars, start: number, end = bars.ts.length): Bars {
  return withSummary({
    ts: bars.ts.subarray(start, end),
    open: bars.open.subarray(start, end),
    high: bars.high.subarray(start, end),
    low: bars.low.subarray(start, end),
    close: bars.close.subarray(start, end),
    volume: bars.volume.subarray(start, end),
    symbol: bars.symbol,
    timeframe: bars.timeframe,
  }, 'bars');
}

/** Returns the bars whose open time lies in [from, to) (epoch ms or ISO text), as views. */
export function barsBetween(bars: Bars, from?: number | string, to?: number | string): Bars {
  const t = (v: number | string | undefined, dflt: number) =>
    v === undefined ? dflt : typeof v === 'number' ? v : Date.parse(v);
  const lo = lowerBound(bars.ts, t(from, -Infinity));
  const hi = lowerBound(bars.ts, t(to, Infinity));
  return sliceBars(bars, lo, hi);
}

/** First index i with sorted[i] >= x. */
export function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
