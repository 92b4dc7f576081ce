import { isoTime, parseTimeframe } from '../core';
import { drawdownStats } from './drawdown';
import { moments } from './moments';
import { annualReturn, annualVolatility, cagr, calmarRatio, omegaRatio, sharpeRatio, sortinoRatio } from './ratios';
import { alphaBeta } from './regression';
import { barReturns, priceReturns } from './returns';
import { deflatedSharpe, probabilisticSharpe } from './sharpe-tests';
import { tailRisk } from './tail';
import { tradeStats } from './trades';

/** What {@link computeStats} needs: an equity curve at each bar's close and the trade columns. */
export interface StatsInput {
  equity: Float64Array;
  initialCash: number;
  /** bar open times (epoch ms), the length of `equity`. */
  ts: Float64Array;
  /** the bars' timeframe ('1h'); when empty, the bar length is taken from ts[1] − ts[0]. */
  timeframe?: string;
  /** a price (or index) series for buy & hold, beta and alpha; usually the bars' close. */
  benchmark: Float64Array;
  /** bars that closed with an open position. */
  exposedBars: number;
  /** total fees paid (rate fees + fixed fees). */
  commissions: number;
  trades: { pnl: Float64Array; returns: Float64Array; barsHeld: ArrayLike<number> };
  /** annual risk-free rate for Sharpe and Sortino (default 0). */
  riskFreeRate?: number;
  /** number of strategy variants tried, for the deflated Sharpe (default 1: DSR = PSR). */
  trials?: number;
  /** variance of the per-bar Sharpe ratios across those trials (default: this estimate's own variance). */
  sharpeVariance?: number;
}

/**
 * Backtest statistics. Fractions, not percent (0.25 = 25 %); durations in bars (`barMs` converts them);
 * ratios annualised with P = bars per 365-day year of the timeframe.
 */
export interface Stats {
  start: string;
  end: string;
  /** calendar days covered: (last open − first open + one bar) / 1 day. */
  durationDays: number;
  bars: number;
  barMs: number;
  barsPerYear: number;
  /** fraction of bars that closed holding a position. */
  exposure: number;
  finalEquity: number;
  peakEquity: number;
  commissions: number;
  /** final / initial − 1. */
  totalReturn: number;
  /** benchmark[last] / benchmark[first] − 1. */
  buyHoldReturn: number;
  annualReturn: number;
  annualVolatility: number;
  cagr: number;
  sharpe: number;
  sortino: number;
  calmar: number;
  alpha: number;
  beta: number;
  maxDrawdown: number;
  avgDrawdown: number;
  maxDrawdownBars: number;
  avgDrawdownBars: number;
  longestUnderwaterBars: number;
  trades: number;
  winRate: number;
  bestTrade: number;
  worstTrade: number;
  avgTrade: number;
  maxTradeBars: number;
  avgTradeBars: number;
  profitFactor: number;
  expectancy: number;
  sqn: number;
  kelly: number;
  omega: number;
  var95: number;
  cvar95: number;
  maxWinStreak: number;
  maxLossStreak: number;
  /** skewness and kurtosis (not excess) of per-bar returns. */
  skew: number;
  kurtosis: number;
  probabilisticSharpe: number;
  deflatedSharpe: number;
}

/** Computes every {@link Stats} figure from an equity curve, its bars' times, a benchmark and the trades. */
export function computeStats(input: StatsInput, scratch?: Float64Array): Stats {
  const { equity, initialCash: cash0, ts, benchmark } = input;
  const n = equity.length;
  const barMs = input.timeframe ? parseTimeframe(input.timeframe).ms : n > 1 ? ts[1]! - ts[0]! : NaN;
  const P = (365 * 86_400_000) / barMs;
  const rf = input.riskFreeRate ?? 0;
  const r = barReturns(equity, cash0, scratch && scratch.length >= n ? scratch.subarray(0, n) : undefined);
  const final = n ? equity[n - 1]! : cash0;
  const spanMs = n ? ts[n - 1]! - ts[0]! + barMs : 0;
  const dd = drawdownStats(equity, cash0);
  const mo = moments(r);
  const ann = annualReturn(cash0, final, n, P);
  const { alpha, beta } = alphaBeta(r, priceReturns(benchmark), P);
  const tr = tradeStats(input.trades.pnl, input.trades.returns, input.trades.barsHeld);
  const srBar = mo.std > 0 ? (mo.mean - rf / P) / mo.std : NaN;
  const tail = tailRisk(r, 0.95);
  return {
    start: n ? isoTime(ts[0]!) : '',
    end: n ? isoTime(ts[n - 1]!) : '',
    durationDays: spanMs / 86_400_000,
    bars: n,
    barMs,
    barsPerYear: P,
    exposure: n ? input.exposedBars / n : NaN,
    finalEquity: final,
    peakEquity: dd.peakEquity,
    commissions: input.commissions,
    totalReturn: final / cash0 - 1,
    buyHoldReturn: n ? benchmark[n - 1]! / benchmark[0]! - 1 : NaN,
    annualReturn: ann,
    annualVolatility: annualVolatility(r, P),
    cagr: cagr(cash0, final, spanMs),
    sharpe: sharpeRatio(r, P, rf),
    sortino: sortinoRatio(r, P, rf),
    calmar: calmarRatio(ann, dd.maxDrawdown),
    alpha,
    beta,
    maxDrawdown: dd.maxDrawdown,
    avgDrawdown: dd.avgDrawdown,
    maxDrawdownBars: dd.maxDrawdownBars,
    avgDrawdownBars: dd.avgDrawdownBars,
    longestUnderwaterBars: dd.longestUnderwaterBars,
    trades: tr.trades,
    winRate: tr.winRate,
    bestTrade: tr.bestTrade,
    worstTrade: tr.worstTrade,
    avgTrade: tr.avgTrade,
    maxTradeBars: tr.maxTradeBars,
    avgTradeBars: tr.avgTradeBars,
    profitFactor: tr.profitFactor,
    expectancy: tr.expectancy,
    sqn: tr.sqn,
    kelly: tr.kelly,
    omega: omegaRatio(r),
    var95: tail.var,
    cvar95: tail.cvar,
    maxWinStreak: tr.maxWinStreak,
    maxLossStreak: tr.maxLossStreak,
    skew: mo.skew,
    kurtosis: mo.kurtosis,
    probabilisticSharpe: probabilisticSharpe(srBar, n, mo.skew, mo.kurtosis),
    deflatedSharpe: deflatedSharpe(srBar, n, mo.skew, mo.kurtosis, input.trials ?? 1, input.sharpeVariance),
  };
}
