import { makeBars, parseTimeframe, QuantlabError, type Bars } from '../core';
import { gridAnchor } from './validate';

export interface ResampleOptions {
  /** 'keep' (default): a bucket missing some source bars is still emitted (and counted in `incomplete`). 'drop': it is left out. */
  incomplete?: 'keep' | 'drop';
}

export interface Resampled {
  bars: Bars;
  /** Source bars that went into each output bar. */
  counts: Int32Array;
  /** Source bars a complete output bar holds (e.g. 60 for 1m → 1h). */
  perBar: number;
  /** Output bars built from fewer than `perBar` source bars (kept or dropped, per the option). */
  incomplete: number;
}

/**
 * Aggregates bars to a coarser timeframe: open = first open, high = max, low = min, close = last close,
 * volume = sum, bucketed by UTC open time (days start 00:00 UTC, weeks on Monday). A bucket with no source
 * bars is not created (a gap stays a gap). `to` must be a whole multiple of the source timeframe.
 */
export function resampleWithCounts(bars: Bars, to: string, options: ResampleOptions = {}): Resampled {
  const from = parseTimeframe(bars.timeframe || '');
  const target = parseTimeframe(to);
  if (target.ms < from.ms || target.ms % from.ms !== 0) {
    throw new QuantlabError('BAD_TIMEFRAME', `resample: target ${target.name} must be a whole multiple of the source timeframe ${from.name}`);
  }
  const { ts, open, high, low, close, volume } = bars;
  const n = ts.length;
  const tf = target.ms;
  const anchor = gridAnchor(tf);
  const bucketOf = (t: number) => t - ((((t - anchor) % tf) + tf) % tf);
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (i > 0 && ts[i]! <= ts[i - 1]!) throw new QuantlabError('UNSORTED', `resample: bars must be sorted and unique; bar ${i} (${new Date(ts[i]!).toISOString()}) is not after bar ${i - 1}`);
    if (i === 0 || bucketOf(ts[i]!) !== bucketOf(ts[i - 1]!)) m++;
  }
  const cols = { ts: new Float64Array(m), open: new Float64Array(m), high: new Float64Array(m), low: new Float64Array(m), close: new Float64Array(m), volume: new Float64Array(m) };
  const counts = new Int32Array(m);
  let j = -1;
  let cur = NaN;
  for (let i = 0; i < n; i++) {
    const b = bucketOf(ts[i]!);
    if (b !== cur) {
      j++;
      cur = b;
      cols.ts[j] = b;
      cols.open[j] = open[i]!;
      cols.high[j] = high[i]!;
      cols.low[j] = low[i]!;
      cols.volume[j] = 0;
    }
    if (high[i]! > cols.high[j]!) cols.high[j] = high[i]!;
    if (low[i]! < cols.low[j]!) cols.low[j] = low[i]!;
    cols.close[j] = close[i]!;
    cols.volume[j]! += volume[i]!;
    counts[j]!++;
  }
  const perBar = tf / from.ms;
  let incomplete = 0;
  for (let k = 0; k < m; k++) if (counts[k]! < perBar) incomplete++;
  if (options.incomplete === 'drop' && incomplete > 0) {
    const keep: number[] = [];
    for (let k = 0; k < m; k++) if (counts[k] === perBar) keep.push(k);
    const pickCol = (c: Float64Array) => Float64Array.from(keep, (k) => c[k]!);
    return {
      bars: makeBars({ ts: pickCol(cols.ts), open: pickCol(cols.open), high: pickCol(cols.high), low: pickCol(cols.low), close: pickCol(cols.close), volume: pickCol(cols.volume) }, bars.symbol, target.name),
      counts: Int32Array.from(keep, (k) => counts[k]!),
      perBar,
      incomplete,
    };
  }
  return { bars: makeBars(cols, bars.symbol, target.name), counts, perBar, incomplete };
}

/** {@link resampleWithCounts} returning only the bars. */
export const resample = (bars: Bars, to: string, options: ResampleOptions = {}): Bars => resampleWithCounts(bars, to, options).bars;
