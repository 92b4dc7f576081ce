import { join } from 'node:path';
import { isoTime, type Bars } from '../core';
import { columnsToRows, tradeTableColumns } from '../backtest';
import { drawdownSeries, formatStats } from '../metrics';
import {
  candlestickFigure,
  durationReturnFigure,
  equityFigure,
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

/** The statistics of a backtest as display rows (label, formatted value). */
export function statsRows(result: BacktestResult): Array<{ statistic: string; value: string }> {
  return formatStats(result.stats).map(([statistic, value]) => ({ statistic, value }));
}

/** The trades of a backtest as display rows: times as ISO text, exit reasons by name. */
export function tradeRows(result: BacktestResult): Array<Record<string, string | number>> {
  const rows = columnsToRows({ ...tradeTableColumns(result.trades, result.symbols), length: result.trades.length }) as Array<Record<string, unknown>>;
  return rows.map((r) => {
    const out: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(r)) out[k === 'entryTs' || k === 'exitTs' ? k.replace('Ts', 'Time') : k] = k.endsWith('Ts') ? isoTime(v as number) : (v as string | number);
    return out;
  });
}

/** The charts of a backtest: equity + drawdown vs buy & hold, trades on price, monthly returns, trade returns, duration vs return. */
export function backtestFigures(result: BacktestResult, bars: Bars): { equity: Figure; trades: Figure; monthly: Figure; tradeReturns: Figure; durations: Figure } {
  const t = result.trades;
  return {
    equity: equityFigure({
      ts: bars.ts,
      equity: result.equity,
      drawdown: drawdownSeries(result.equity, result.initialCash),
      benchmark: buyAndHoldEquity(bars, result.initialCash),
      title: `${result.strategy} ${JSON.stringify(result.params)} on ${bars.symbol} ${bars.timeframe}`,
    }),
    trades: candlestickFigure(bars, {
      title: `${bars.symbol} ${bars.timeframe}: trades`,
      trades: { entryIndex: t.entryBar, exitIndex: t.exitBar, entryPrice: t.entryPrice, exitPrice: t.exitPrice, pnl: t.pnl, side: t.side },
      volume: false,
    }),
    monthly: monthlyReturnsFigure(bars.ts, result.equity),
    tradeReturns: tradeReturnsFigure(t.returns),
    durations: durationReturnFigure(t.barsHeld, t.returns),
  };
}

/**
 * Writes a self-contained HTML report of a backtest (statistics, equity/drawdown vs buy & hold, trades on price,
 * monthly returns, trade charts, the trade list) and returns its path: by default
 * experiments/reports/<strategy>-<symbol>-<timeframe>.html under the working folder.
 */
export function backtestReport(result: BacktestResult, bars: Bars, options: { path?: string; title?: string } = {}): string {
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
    { heading: 'Monthly returns' },
    { figure: f.monthly },
    { heading: 'Trades' },
    { figure: f.tradeReturns },
    { figure: f.durations },
    { table: tradeRows(result).slice(-200) },
  ];
  if (result.ambiguousTrades > 0) {
    blocks.splice(3, 0, { text: `${result.ambiguousTrades} trades ended in a bar that touched both the stop and the target: final equity ${result.pessimisticFinalEquity.toFixed(2)} (pessimistic, reported) to ${result.optimisticFinalEquity.toFixed(2)} (optimistic).` });
  }
  return saveReport(path, options.title ?? `Backtest: ${result.strategy} on ${bars.symbol} ${bars.timeframe}`, blocks);
}
