import { isoTime, makeBars, OHLCV, QuantlabError, type Bars } from '../core';

/** How alignBars joins the assets' bar times. */
export interface AlignOptions {
  /**
   * 'intersection' (default): only the times every asset has a bar at. 'union': every time any asset has a bar
   * at, inside the span all of them cover; an asset's missing bars are then filled as `gaps` says.
   */
  mode?: 'intersection' | 'union';
  /**
   * What a missing bar becomes in 'union' mode — required there, so nothing is invented silently: 'ffill' repeats
   * the previous close as a flat bar with volume 0; 'error' refuses, naming the first missing bar.
   */
  gaps?: 'ffill' | 'error';
}

/** What alignBars kept and cut, per asset. */
export interface AlignedAsset {
  symbol: string;
  /** bars given. */
  given: number;
  /** bars before the common span (an asset whose history starts earlier). */
  cutBefore: number;
  /** bars after the common span. */
  cutAfter: number;
  /** bars inside the span dropped because another asset has no bar then (intersection). */
  droppedInside: number;
  /** bars filled because this asset has none then (union with gaps: 'ffill'). */
  filled: number;
}

export interface AlignReport {
  mode: 'intersection' | 'union';
  /** first and last bar open time of the aligned bars (ISO), and their count. */
  from: string;
  to: string;
  bars: number;
  assets: AlignedAsset[];
  /** one line per asset: 'BTCUSDT: 66677 bars, cut 14000 before, 0 after, dropped 3 inside'. */
  summary: string;
}

const describe = (a: AlignedAsset) =>
  `${a.symbol || '(no symbol)'}: ${a.given} bars, cut ${a.cutBefore} before and ${a.cutAfter} after the common span, ${a.droppedInside} dropped inside${a.filled ? `, ${a.filled} filled` : ''}`;

/**
 * Aligns several assets' bars on one time axis for `backtestPortfolio`: their common span (from the latest
 * first bar to the earliest last bar), then the times all of them have (intersection, the default) or any of
 * them has (union, with an explicit gap policy). Returns the aligned bars, in the order given, and a report of
 * what was cut per asset. Bars of different timeframes are refused.
 * @example
 * const btc = await ql.loadDataset('BTCUSDT', '1h');
 * const sol = await ql.loadDataset('SOLUSDT', '1h');
 * const { bars, report } = alignBars([btc, sol]);
 * bars[0].ts.length === bars[1].ts.length // true
 * report.from // '2020-08-11T06:00:00Z' (SOL's first bar; BTC's earlier history is cut)
 */
export function alignBars(list: readonly Bars[], options: AlignOptions = {}): { bars: Bars[]; report: AlignReport } {
  const mode = options.mode ?? 'intersection';
  if (mode !== 'intersection' && mode !== 'union') throw new QuantlabError('BAD_ARGUMENT', `alignBars: mode: expected 'intersection' or 'union', found ${JSON.stringify(mode)}`);
  if (mode === 'union' && options.gaps !== 'ffill' && options.gaps !== 'error') {
    throw new QuantlabError('BAD_ARGUMENT', `alignBars: mode 'union' needs a gap policy: gaps: 'ffill' (repeat the previous close, volume 0) or 'error'; found ${JSON.stringify(options.gaps)}`);
  }
  if (!Array.isArray(list) || list.length === 0) throw new QuantlabError('BAD_ARGUMENT', 'alignBars: expected a list of Bars, found none');
  const tfs = [...new Set(list.map((b) => b.timeframe).filter(Boolean))];
  if (tfs.length > 1) throw new QuantlabError('TIMEFRAME_MISMATCH', `alignBars: expected bars of one timeframe, found ${list.map((b) => `${b.symbol || '?'} ${b.timeframe}`).join(', ')}; resample first`);
  const empty = list.find((b) => b.ts.length === 0);
  if (empty) throw new QuantlabError('BAD_ARGUMENT', `alignBars: ${empty.symbol || 'an asset'} has no bars`);
  const start = Math.max(...list.map((b) => b.ts[0]!));
  const end = Math.min(...list.map((b) => b.ts[b.ts.length - 1]!));
  if (start > end) {
    throw new QuantlabError('BAD_ARGUMENT', `alignBars: the assets share no time span: ${list.map((b) => `${b.symbol || '?'} ${isoTime(b.ts[0]!)} → ${isoTime(b.ts[b.ts.length - 1]!)}`).join('; ')}`);
  }

  // the times of the aligned axis: counted per time across assets (each asset's ts is sorted and unique)
  const counts = new Map<number, number>();
  for (const b of list) {
    for (let i = 0; i < b.ts.length; i++) {
      const t = b.ts[i]!;
      if (t < start || t > end) continue;
      counts.set(t, (counts.get(t) ?? 0) + 1);
    }
  }
  const k = list.length;
  const axis = Float64Array.from([...counts].filter(([, c]) => mode === 'union' || c === k).map(([t]) => t)).sort();

  if (!axis.length) throw new QuantlabError('BAD_ARGUMENT', `alignBars: no time in ${isoTime(start)} → ${isoTime(end)} has a bar in every asset (mode 'intersection'); try mode 'union' with a gap policy`);
  const out: Bars[] = [];
  const assets: AlignedAsset[] = [];
  for (const b of list) {
    const n = axis.length;
    const cols = { ts: new Float64Array(axis), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
    let i = 0;
    while (i < b.ts.length && b.ts[i]! < start) i++;
    const cutBefore = i;
    let kept = 0;
    let filled = 0;
    for (let j = 0; j < n; j++) {
      const t = axis[j]!;
      while (i < b.ts.length && b.ts[i]! < t) i++; // bars of this asset at times not on the axis are dropped
      if (i < b.ts.length && b.ts[i] === t) {
        for (const c of OHLCV) cols[c][j] = b[c][i]!;
        kept++;
        i++;
        continue;
      }
      if (options.gaps === 'error') {
        throw new QuantlabError('BAD_ARGUMENT', `alignBars: ${b.symbol || 'an asset'} has no bar at ${isoTime(t)}, where another asset has one (gaps: 'error'); use gaps: 'ffill' or mode 'intersection'`);
      }
      // union + ffill: the previous close (at the span's start, this asset's last bar before it: its history starts no later)
      const prev = j > 0 ? cols.close[j - 1]! : b.close[i - 1]!;
      cols.open[j] = cols.high[j] = cols.low[j] = cols.close[j] = prev;
      cols.volume[j] = 0;
      filled++;
    }
    let after = 0;
    for (let x = b.ts.length - 1; x >= 0 && b.ts[x]! > end; x--) after++;
    assets.push({ symbol: b.symbol, given: b.ts.length, cutBefore, cutAfter: after, droppedInside: b.ts.length - cutBefore - after - kept, filled });
    out.push(makeBars(cols, b.symbol, b.timeframe));
  }
  const report: AlignReport = {
    mode,
    from: isoTime(axis[0]!),
    to: isoTime(axis[axis.length - 1]!),
    bars: axis.length,
    assets,
    summary: assets.map(describe).join('\n'),
  };
  return { bars: out, report };
}
