/**
 * The printed forms of quantlab's results (what a notebook cell shows when a result is its last expression, and
 * what console.log prints): a few lines each, never the Float64Array contents. lib/core's withSummary tags the
 * objects where they are made; importing this file registers the texts.
 */
import { isoTime, registerSummary, type Bars } from '../core';
import type { StrategyWalkForward, OptimizeResult } from '../research';
import type { BacktestResult } from '../strategy';

const num = (v: number, d = 2): string => (Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : String(v));
const pct = (v: number, d = 1): string => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${(v * 100).toFixed(d)}%` : String(v));
const day = (ms: number | undefined): string => (ms === undefined || !Number.isFinite(ms) ? '?' : isoTime(ms).slice(0, 10));

/** `Bars BTCUSDT 1h: 66,677 bars, 2017-08-17 .. 2025-06-30, close 4,308.83 → 107,135.33`. */
export function barsText(b: Bars): string {
  const n = b.ts.length;
  const span = n ? `, ${day(b.ts[0])} .. ${day(b.ts[n - 1])}, close ${num(b.close[0]!)} → ${num(b.close[n - 1]!)}` : ' (empty)';
  return `Bars ${[b.symbol, b.timeframe].filter(Boolean).join(' ') || '(no symbol)'}: ${n.toLocaleString('en-US')} bars${span}\n  columns ts, open, high, low, close, volume (Float64Array); ql.show(ql.candlestickFigure(bars)) draws them`;
}

/** Strategy, parameters, data, final equity, return against buy & hold, trades, Sharpe and drawdown. */
export function backtestText(r: BacktestResult): string {
  const s = r.stats;
  const b = r.bars;
  const data = b ? ` on ${b.symbol} ${b.timeframe} (${b.ts.length.toLocaleString('en-US')} bars, ${day(b.ts[0])} .. ${day(b.ts[b.ts.length - 1])})` : '';
  return [
    `BacktestResult ${r.strategy} ${JSON.stringify(r.params)}${data}`,
    `  final equity ${num(r.finalEquity)} from ${num(r.initialCash)} (${pct(s.totalReturn)}; buy & hold ${pct(s.buyHoldReturn)})`,
    `  ${s.trades} trades, win rate ${pct(s.winRate).replace('+', '')}, Sharpe ${num(s.sharpe)}, max drawdown ${(Math.abs(s.maxDrawdown) * 100).toFixed(1)}%, exposure ${(s.exposure * 100).toFixed(0)}%`,
    `  ql.show(result): statistics and the equity chart; result.stats, .trades, .equity hold the numbers`,
  ].join('\n');
}

/** Study, sampler, trial count, time, best trial and the overfitting figures. */
export function optimizeText(r: OptimizeResult): string {
  const lines = [`OptimizeResult study '${r.studyName}' (${r.storage}): ${r.strategy}, sampler ${r.sampler}, ${r.trials.length} trials (${r.ran} run now in ${r.seconds.toFixed(1)} s), ${r.objectives.join(', ')} (${r.directions.join(', ')})`];
  if (r.best) lines.push(`  best #${r.best.number} ${JSON.stringify(r.best.params)}: ${r.objectives[0]} ${num(r.best.value, 4)}, final equity ${num(r.best.stats.finalEquity)}, ${r.best.stats.trades} trades`);
  else lines.push('  no trial completed');
  if (r.bestTrials.length > 1) lines.push(`  Pareto front: ${r.bestTrials.length} trials`);
  const o = r.overfitting;
  if (o) lines.push(`  deflated Sharpe ${num(o.deflated.deflatedSharpe, 3)} over ${o.trials} trials; PBO ${o.pbo ? num(o.pbo.pbo, 3) : 'n/a'}`);
  lines.push('  ql.show(study): best and the history chart; study.trials holds every trial');
  return lines.join('\n');
}

/** Folds, WFE and the chosen parameters per fold. */
export function walkForwardText(r: StrategyWalkForward): string {
  const lines = [
    `WalkForward ${r.strategy} (${r.objective}): ${r.folds.length} folds, out-of-sample ${r.oosEquity.length.toLocaleString('en-US')} bars; WFE ${num(r.wfe)}, objective ratio ${num(r.wfeObjective)}, OOS annual return ${pct(r.oosAnnualReturn)}`,
  ];
  for (const f of r.folds.slice(0, 8)) lines.push(`  fold ${f.fold}: ${JSON.stringify(f.params)} in-sample ${num(f.inSample, 3)}, out-of-sample ${num(f.outOfSample, 3)}`);
  if (r.folds.length > 8) lines.push(`  … ${r.folds.length - 8} more folds`);
  lines.push('  ql.show(wf): folds and the out-of-sample equity beside buy & hold');
  return lines.join('\n');
}

registerSummary<Bars>('bars', barsText);
registerSummary<BacktestResult>('backtest', backtestText);
registerSummary<OptimizeResult>('optimize', optimizeText);
registerSummary<StrategyWalkForward>('walk-forward', walkForwardText);
