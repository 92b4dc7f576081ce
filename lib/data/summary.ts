import { isoTime, type Bars } from '../core';

/** One row per field describing bars: range, counts, price extremes with their times, volume, mean and spread of bar returns. */
export function summarize(bars: Bars): Array<{ field: string; value: string | number }> {
  const { ts, high, low, close, volume } = bars;
  const n = ts.length;
  if (n === 0) return [{ field: 'bars', value: 0 }];
  let hi = 0, lo = 0, vol = 0, s = 0, s2 = 0, m = 0;
  for (let i = 0; i < n; i++) {
    if (high[i]! > high[hi]!) hi = i;
    if (low[i]! < low[lo]!) lo = i;
    vol += volume[i]!;
    if (i > 0) {
      const r = close[i]! / close[i - 1]! - 1;
      s += r;
      s2 += r * r;
      m++;
    }
  }
  const mean = m ? s / m : NaN;
  const sd = m > 1 ? Math.sqrt((s2 - m * mean * mean) / (m - 1)) : NaN;
  return [
    { field: 'symbol', value: bars.symbol },
    { field: 'timeframe', value: bars.timeframe },
    { field: 'bars', value: n },
    { field: 'first open time', value: isoTime(ts[0]!) },
    { field: 'last open time', value: isoTime(ts[n - 1]!) },
    { field: 'first close', value: close[0]! },
    { field: 'last close', value: close[n - 1]! },
    { field: 'highest high', value: `${high[hi]} at ${isoTime(ts[hi]!)}` },
    { field: 'lowest low', value: `${low[lo]} at ${isoTime(ts[lo]!)}` },
    { field: 'total volume', value: vol },
    { field: 'mean bar return %', value: mean * 100 },
    { field: 'bar return std %', value: sd * 100 },
  ];
}

/** Bars as rows of plain objects (time as ISO text), for display. */
export function barRows(bars: Bars): Array<Record<string, string | number>> {
  return Array.from(bars.ts, (t, i) => ({ time: isoTime(t), open: bars.open[i]!, high: bars.high[i]!, low: bars.low[i]!, close: bars.close[i]!, volume: bars.volume[i]! }));
}
