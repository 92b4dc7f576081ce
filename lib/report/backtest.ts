import { join } from 'node:path';
import { isoTime, QuantlabError, sliceBars, type Bars } from '../core';
import { EXIT_REASONS } from '../backtest';
import { formatStats } from '../metrics';
import {
  candlestickFigure,
  durationReturnFigure,
  equityFigure,
  equityInput,
  monthlyReturnsFigure,
  saveReport,
  tradeReturnsFigure,
  type Figure,
  type ReportBlock,
} from '../plot';
import type { BacktestResult } from '../strategy';

/** Equity of buying `cash` worth at the first close and holding (no fees), per bar: the benchmark line. */
export function buyAndHoldEquity(bars: Bars, cash: number): Float64Array {
  const c = bars.close;
  const k = cash / c[0]!;
  return Float64Array.from(c, (v) => v * k);
}

/** The bars of a result: the ones given, else the ones it carries (backtest() results do). */
export function resultBars(result: BacktestResult, bars?: Bars, where = 'backtestFigures'): Bars {
  const b = bars ?? result.bars;
  if (!b) throw new QuantlabError('BAD_ARGUMENT', `${where}: expected a result of backtest() (it carries its bars) or the bars as the second argument, found neither`);
  if (b.close.length !== result.equity.length) {
    throw new QuantlabError('BAD_ARGUMENT', `${where}: the bars have ${b.close.length} rows but the result has ${result.equity.length}; pass the bars the backtest ran on`);
  }
  return b;
}

/** The statistics of a backtest as display rows (label, formatted value). */
export function statsRows(result: BacktestResult): Array<{ statistic: string; value: string }> {
  return formatStats(result.stats).map(([statistic, value]) => ({ statistic, value }));
}

/**
 * The trades of a backtest as display rows, one per trade: times as ISO text, side as long/short, exit reasons by
 * name, prices, size, fees, pnl and return as numbers (tables round them per column for reading).
 */
export function tradeRows(result: BacktestResult): Array<Record<string, string | number>> {
  const t = result.trades;
  const multi = result.symbols.length > 1;
  const rows: Array<Record<string, string | number>> = [];
  for (let i = 0; i < t.length; i++) {
    const r: Record<string, string | number> = {};
    r.trade = i + 1;
    if (multi) r.symbol = result.symbols[t.asset[i]!] ?? String(t.asset[i]);
    r.side = t.side[i]! < 0 ? 'short' : 'long';
    r.entryTime = isoTime(t.entryTs[i]!);
    r.exitTime = isoTime(t.exitTs[i]!);
    r.entryPrice = t.entryPrice[i]!;
    r.exitPrice = t.exitPrice[i]!;
    r.size = t.size[i]!;
    r.fees = t.fees[i]!;
    if (t.funding[i] !== 0) r.funding = t.funding[i]!;
    r.pnl = t.pnl[i]!;
    r.returnPct = t.returns[i]! * 100;
    r.barsHeld = t.barsHeld[i]!;
    r.exitReason = EXIT_REASONS[t.exitReason[i]!] ?? String(t.exitReason[i]);
    rows.push(r);
  }
  return rows;
}

/** How much of a long history the trades-on-price chart draws: the last `window` bars (default 2000) or 'all'. */
export interface TradesChartOptions {
  window?: number | 'all';
}

const isBars = (x: unknown): x is Bars => typeof x === 'object' && x !== null && (x as Bars).close instanceof Float64Array;

/** `(result, bars?, options?)` or `(result, options?)`: the bars (given or carried) and the options. */
function barsAndOptions<O extends object>(result: BacktestResult, a: Bars | O | undefined, b: O | undefined, where: string): { bars: Bars; options: O } {
  const given = isBars(a) ? a : undefined;
  const options = (given ? b : ((a as O | undefined) ?? b)) ?? ({} as O);
  return { bars: resultBars(result, given, where), options };
}

/**
 * Trades on price. A long history is windowed by default to its last 2000 bars, drawn candle by candle with the
 * markers of the trades in that window, so both stay readable; the title says how many trades it shows and how to
 * see every one: `tradesFigure(result, { window: 'all' })` draws the whole history (candles merged for display)
 * with a marker for every trade. `tradesFigure(result, bars, options)` for results that do not carry their bars.
 *
 * @example
 * const bars = await ql.loadDataset('BTCUSDT', '1h');
 * const r = ql.backtest('sma-cross', bars, { fast: 10, slow: 50 });
 * const entries = (f: ql.Figure) => f.data.filter((d) => String(d.name).startsWith('entry')).reduce((a, d) => a + (d.x as unknown[]).length, 0);
 * entries(tradesFigure(r, { window: 'all' })) // 921
 * entries(tradesFigure(r)) < 921 // true
 */
export function tradesFigure(result: BacktestResult, barsOrOptions?: Bars | TradesChartOptions, maybeOptions?: TradesChartOptions): Figure {
  const { bars: b, options } = barsAndOptions(result, barsOrOptions, maybeOptions, 'tradesFigure');
  const t = result.trades;
  const n = b.ts.length;
  const w = options.window ?? 2000;
  const start = w === 'all' || n <= w ? 0 : n - w;
  const view = start ? sliceBars(b, start) : b;
  const entryIndex = Int32Array.from(t.entryBar, (v) => v - start);
  const exitIndex = Int32Array.from(t.exitBar, (v) => v - start);
  let shown = 0;
  for (let i = 0; i < t.length; i++) if (t.exitBar[i]! >= start) shown++;
  const what = start ? `, last ${n - start} of ${n} bars (${shown} of ${t.length} trades; tradesFigure(result, { window: 'all' }) for all)` : ` (${t.length} trades)`;
  return candlestickFigure(view, {
    title: `${b.symbol} ${b.timeframe}: trades${what}`,
    trades: { entryIndex, exitIndex, entryPrice: t.entryPrice, exitPrice: t.exitPrice, pnl: t.pnl, side: t.side },
    volume: false,
  });
}

/**
 * The charts of a backtest: equity + drawdown vs buy & hold (log scale when it spans > 3×), trades on price (the
 * last 2000 bars by default), monthly returns, trade returns, duration vs return. `bars` is needed only for
 * results that do not carry their own (backtest() results do).
 */
export function backtestFigures(
  result: BacktestResult,
  barsOrOptions?: Bars | TradesChartOptions,
  maybeOptions?: TradesChartOptions,
): { equity: Figure; trades: Figure; monthly: Figure; tradeReturns: Figure; durations: Figure } {
  const { bars: b, options } = barsAndOptions(result, barsOrOptions, maybeOptions, 'backtestFigures');
  const t = result.trades;
  return {
    equity: equityFigure(equityInput(result, b)),
    trades: tradesFigure(result, b, options),
    monthly: monthlyReturnsFigure(b.ts, result.equity),
    tradeReturns: tradeReturnsFigure(t.returns),
    durations: durationReturnFigure(t.barsHeld, t.returns),
  };
}

/**
 * Writes a self-contained HTML report of a backtest (statistics, equity/drawdown vs buy & hold, trades on price,
 * monthly returns, trade charts, every trade in a paged table) and returns its path: by default
 * experiments/reports/<strategy>-<symbol>-<timeframe>.html under the working folder.
 * `backtestReport(result)` or, for results without their bars, `backtestReport(result, bars)`.
 */
export function backtestReport(result: BacktestResult, barsOrOptions?: Bars | { path?: string; title?: string }, maybeOptions?: { path?: string; title?: string }): string {
  const { bars, options } = barsAndOptions(result, barsOrOptions, maybeOptions, 'backtestReport');
  const f = backtestFigures(result, bars);
  const path = options.path ?? join('experiments', 'reports', `${result.strategy}-${bars.symbol || 'data'}-${bars.timeframe || 'bars'}.html`);
  const blocks: ReportBlock[] = [
    { text: `${result.strategy} with ${JSON.stringify(result.params)} on ${bars.symbol} ${bars.timeframe}, ${isoTime(bars.ts[0]!)} .. ${isoTime(bars.ts[bars.ts.length - 1]!)}; options ${JSON.stringify(result.options)}` },
    { heading: 'Statistics' },
    { table: statsRows(result) },
    { heading: 'Equity and drawdown' },
    { figure: f.equity },
    { heading: 'Trades on price' },
    { figure: f.trades },
    { text: 'Every trade is in the table at the end of this page.' },
    { heading: 'Monthly returns' },
    { figure: f.monthly },
    { heading: 'Trades' },
    { figure: f.tradeReturns },
    { figure: f.durations },
    { text: `All ${result.trades.length} trades, 50 per page (the last page first).` },
    { table: tradeRows(result), pageSize: 50 },
  ];
  if (result.ambiguousTrades > 0) {
    blocks.splice(3, 0, { text: `${result.ambiguousTrades} trades ended in a bar that touched both the stop and the target: final equity ${result.pessimisticFinalEquity.toFixed(2)} (pessimistic, reported) to ${result.optimisticFinalEquity.toFixed(2)} (optimistic).` });
  }
  return saveReport(path, options.title ?? `Backtest: ${result.strategy} on ${bars.symbol} ${bars.timeframe}`, blocks);
}
