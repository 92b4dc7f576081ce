import { inspect } from 'node:util';
import type { Bars } from '../core';
import { candlestickFigure, equityFigure, figureHtml, historyFigure, notebookDisplay, tableHtml, walkForwardFigure, type Figure, type SessionLike } from '../plot';
import type { OptimizeResult, StrategyWalkForward } from '../research';
import type { BacktestResult } from '../strategy';
import { backtestFigures, statsRows } from './backtest';
import { backtestText, barsText, walkForwardText } from './inspect';
import { optimizeSummary } from './study-text';

/** A danfojs DataFrame as show() reads it (columns and row values; danfojs itself is not imported here). */
interface FrameLike {
  columns: string[];
  values: unknown[][];
  shape: [number, number];
}

type Rows = ReadonlyArray<object>;

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;
const isFigure = (x: unknown): x is Figure => isObj(x) && Array.isArray(x.data) && isObj(x.layout);
const isBars = (x: unknown): x is Bars => isObj(x) && x.close instanceof Float64Array && x.ts instanceof Float64Array && typeof x.timeframe === 'string';
const isBacktest = (x: unknown): x is BacktestResult => isObj(x) && isObj(x.stats) && x.equity instanceof Float64Array && isObj(x.trades) && typeof x.strategy === 'string';
const isStudy = (x: unknown): x is OptimizeResult => isObj(x) && Array.isArray(x.trials) && typeof x.studyName === 'string';
const isWalkForward = (x: unknown): x is StrategyWalkForward => isObj(x) && x.oosEquity instanceof Float64Array && Array.isArray(x.folds);
const isSession = (x: unknown): x is SessionLike & { trades: unknown[]; parity?: { summary?: string } } =>
  isObj(x) && isObj(x.equity) && (x.equity as Record<string, unknown>).run instanceof Float64Array && Array.isArray(x.trades);
const isFrame = (x: unknown): x is FrameLike => isObj(x) && Array.isArray(x.columns) && Array.isArray(x.values) && Array.isArray(x.shape);
const hasHtml = (x: unknown): x is { toHTML(o?: { limit?: number }): string } => isObj(x) && typeof x.toHTML === 'function';

const pre = (s: string) => `<pre style="margin:2px 0 6px">${s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</pre>`;

/** Rows of a danfojs DataFrame (first `limit`), each a plain object keyed by column. */
export function frameRows(df: FrameLike, limit = 50): Array<Record<string, unknown>> {
  return df.values.slice(0, limit).map((row) => Object.fromEntries(df.columns.map((c, j) => [c, (row as unknown[])[j]])));
}

/**
 * The HTML that show() displays for `x` (exported for reports and tests): a figure draws; rows, an arquero table
 * or a danfojs DataFrame become a table; a backtest result its summary, statistics and equity chart; a study
 * (ql.optimize / ql.sweep) its best trial and history chart; a walk-forward result its folds and out-of-sample
 * equity beside buy & hold; a paper session its equity beside the backtest and its last trades; Bars a candlestick chart; a string preformatted text; anything else its inspect form.
 */
export function showHtml(x: unknown, options: { limit?: number } = {}): string {
  const limit = options.limit ?? 50;
  if (typeof x === 'string') return pre(x);
  if (isFigure(x)) return figureHtml(x);
  if (isBacktest(x)) {
    const parts = [pre(backtestText(x)), tableHtml(statsRows(x), 60)];
    if (x.bars && x.bars.close.length === x.equity.length) parts.push(figureHtml(backtestFigures(x).equity));
    return parts.join('\n');
  }
  if (isStudy(x)) {
    const parts = [pre(optimizeSummary(x))];
    if (x.best) parts.push(tableHtml([{ trial: x.best.number, ...x.best.params, [x.objectives[0] ?? 'objective']: x.best.value }]));
    if (x.objectives.length === 1) parts.push(figureHtml(historyFigure(x.trials, { direction: x.directions[0] === 'minimize' ? 'minimize' : 'maximize', objective: x.objectives[0] })));
    return parts.join('\n');
  }
  if (isWalkForward(x)) {
    const folds = x.folds.map((f) => ({ fold: f.fold, params: JSON.stringify(f.params), inSample: f.inSample, outOfSample: f.outOfSample, oosAnnualReturn: f.outOfSampleAnnualReturn }));
    return [pre(walkForwardText(x)), tableHtml(folds, limit), figureHtml(walkForwardFigure(x.folds, { objective: x.objective })), figureHtml(equityFigure(x))].join('\n');
  }
  if (isSession(x)) {
    const head = `${x.mode ?? 'paper'} session: ${x.trades.length} trades${x.parity?.summary ? `; parity: ${x.parity.summary}` : ''}`;
    const parts = [pre(head)];
    if (x.equity.ts.length) parts.push(figureHtml(equityFigure(x)));
    if (x.trades.length) parts.push(tableHtml(x.trades.slice(-limit) as Rows, limit));
    return parts.join('\n');
  }
  if (isBars(x)) return [pre(barsText(x)), figureHtml(candlestickFigure(x))].join('\n');
  if (isFrame(x)) {
    const more = x.shape[0] > limit ? `<p>DataFrame ${x.shape[0]} × ${x.shape[1]}; first ${limit} rows</p>` : `<p>DataFrame ${x.shape[0]} × ${x.shape[1]}</p>`;
    return tableHtml(frameRows(x, limit), limit) + more;
  }
  if (Array.isArray(x) && x.every((r) => isObj(r) && !Array.isArray(r))) return tableHtml(x as Rows, limit);
  if (hasHtml(x)) return x.toHTML({ limit });
  return pre(inspect(x, { depth: 2, maxArrayLength: 20, breakLength: 120 }));
}

/**
 * Displays anything worth looking at in the notebook, in one call: a figure, rows, an arquero table, a danfojs
 * DataFrame, a backtest result (statistics + equity chart), a study (best + history chart), a walk-forward
 * result, a paper session, Bars, or a string. `limit` caps table rows (default 50).
 *
 * @example
 * const html = showHtml([{ side: -1, entryTs: Date.UTC(2024, 5, 7, 10), price: 1234.5678 }]);
 * html.includes('short') && html.includes('2024-06-07T10:00:00Z') // true
 */
export function show(x: unknown, options: { limit?: number } = {}): void {
  notebookDisplay().html(showHtml(x, options));
}
