import type { DataFrame } from 'danfojs-node';
import { makeBars, OHLCV, QuantlabError, type Bars } from '../core';

/**
 * The subset of danfojs' DataFrame that fromDataFrame reads (any DataFrame fits). danfojs-node is an optional
 * dependency: its types are imported as types only, its code is loaded on first use.
 */
export interface DataFrameLike {
  columns: string[];
  column(name: string): { values: ArrayLike<unknown> };
}

let danfo: { DataFrame: new (data: Record<string, unknown[]>) => DataFrame } | undefined;

/** Loads danfojs-node on first use only (it is heavy and optional); throws OPTIONAL_DEPENDENCY when it is not installed. */
function loadDanfo(): NonNullable<typeof danfo> {
  if (!danfo) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      danfo = require('danfojs-node');
    } catch (e) {
      throw new QuantlabError('OPTIONAL_DEPENDENCY', `toDataFrame/fromDataFrame need the optional package danfojs-node, which did not load (${(e as Error).message.split('\n')[0]}); run npm install`);
    }
  }
  return danfo!;
}

/**
 * Returns the bars as a danfojs `DataFrame` (typed: `df.shape`, `df.head()`, `df['close'].mean()` …) with
 * columns ts (epoch ms), open, high, low, close, volume (copied). Needs the optional package danfojs-node.
 * @example
 * const df = toDataFrame(await ql.loadDataset('BTCUSDT', '1d'));
 * df.shape // [2805, 6]
 * df.columns // ['ts', 'open', 'high', 'low', 'close', 'volume']
 */
export function toDataFrame(bars: Bars): DataFrame {
  const { DataFrame } = loadDanfo();
  const data: Record<string, unknown[]> = { ts: Array.from(bars.ts) };
  for (const k of OHLCV) data[k] = Array.from(bars[k]);
  return new DataFrame(data);
}

/** Builds bars from a danfojs DataFrame with a ts (epoch ms or Date) column and open/high/low/close/volume. */
export function fromDataFrame(df: DataFrameLike, symbol = '', timeframe = ''): Bars {
  const lower = new Map(df.columns.map((c) => [c.toLowerCase(), c]));
  const timeName = ['ts', 'timestamp', 'time', 'date'].map((k) => lower.get(k)).find((x) => x !== undefined);
  const missing = [timeName ? '' : 'ts', ...OHLCV.filter((k) => !lower.has(k))].filter(Boolean);
  if (missing.length) throw new QuantlabError('MISSING_COLUMN', `fromDataFrame: missing column(s) ${missing.join(', ')}; found: ${df.columns.join(', ')}`);
  const col = (name: string) => Float64Array.from(df.column(name).values as ArrayLike<unknown>, (v) => (v instanceof Date ? v.getTime() : Number(v)));
  return makeBars(
    { ts: col(timeName!), open: col(lower.get('open')!), high: col(lower.get('high')!), low: col(lower.get('low')!), close: col(lower.get('close')!), volume: col(lower.get('volume')!) },
    symbol,
    timeframe,
  );
}
