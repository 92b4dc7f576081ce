import { isoTime, parseTimeframe } from '../core';
import { drawdownStats } from './drawdown';
import { annualReturn, cagr, calmarRatio } from './ratios';
import { barReturns } from './returns';
import { deflatedSharpe, probabilisticSharpe } from './sharpe-tests';
import { tailRisk } from './tail';
import { tradeStats, type TradeStats } from './trades';

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
export interface Stats extends TradeStats {
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
  omega: number;
  var95: number;
  cvar95: number;
  /** skewness and kurtosis (not excess) of per-bar returns. */
  skew: number;
  kurtosis: number;
  probabilisticSharpe: number;
  deflatedSharpe: number;
}

/**
 * The per-bar-return figures of {@link computeStats} in two passes (what sharpeRatio, sortinoRatio, omegaRatio,
 * moments and alphaBeta compute one by one — tested equal). `benchmark` is a price series; its returns start at bar 1.
 */
export function returnFigures(r: Float64Array, benchmark: Float64Array, barsPerYear: number, riskFreeRate = 0) {
  const n = r.length;
  const P = barsPerYear;
  const rfb = riskFreeRate / P;
  let s = 0;
  let sm = 0;
  let sr1 = 0; // Σ r over bars 1.. (the regression's sample)
  const mret = new Float64Array(n); // benchmark returns, mret[0] unused
  for (let i = 0; i < n; i++) s += r[i]!;
  for (let i = 1; i < n; i++) {
    sr1 += r[i]!;
    const m = benchmark[i]! / benchmark[i - 1]! - 1;
    mret[i] = m;
    sm += m;
  }
  const mean = s / n;
  const mr = sr1 / (n - 1);
  const mm = sm / (n - 1);
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  let down = 0;
  let up0 = 0;
  let down0 = 0;
  let cov = 0;
  let vm = 0;
  for (let i = 0; i < n; i++) {
    const x = r[i]!;
    const d = x - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
    const e = x - rfb;
    if (e < 0) down += e * e;
    if (x > 0) up0 += x;
    else down0 -= x;
    if (i > 0) {
      const dm = mret[i]! - mm;
      cov += (x - mr) * dm;
      vm += dm * dm;
    }
  }
  const std = n >= 2 ? Math.sqrt(m2 / (n - 1)) : NaN;
  const p2 = m2 / n;
  const excess = mean - rfb;
  const beta = n - 1 >= 2 && vm > 0 ? cov / vm : NaN;
  return {
    mean,
    std,
    skew: p2 > 0 ? m3 / n / p2 ** 1.5 : NaN,
    kurtosis: p2 > 0 ? m4 / n / (p2 * p2) : NaN,
    annualVolatility: std * Math.sqrt(P),
    sharpe: std > 0 ? (excess / std) * Math.sqrt(P) : NaN,
    sortino: n === 0 ? NaN : down === 0 ? (excess > 0 ? Infinity : excess < 0 ? -Infinity : NaN) : (excess / Math.sqrt(down / n)) * Math.sqrt(P),
    omega: down0 > 0 ? up0 / down0 : up0 > 0 ? Infinity : NaN,
    beta,
    alpha: beta === beta ? (mr - beta * mm) * P : NaN,
  };
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
  const fig = returnFigures(r, benchmark, P, rf);
  const ann = annualReturn(cash0, final, n, P);
  const tr = tradeStats(input.trades.pnl, input.trades.returns, input.trades.barsHeld);
  const srBar = fig.std > 0 ? (fig.mean - rf / P) / fig.std : NaN;
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
    annualVolatility: fig.annualVolatility,
    cagr: cagr(cash0, final, spanMs),
    sharpe: fig.sharpe,
    sortino: fig.sortino,
    calmar: calmarRatio(ann, dd.maxDrawdown),
    alpha: fig.alpha,
    beta: fig.beta,
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
    omega: fig.omega,
    var95: tail.var,
    cvar95: tail.cvar,
    maxWinStreak: tr.maxWinStreak,
    maxLossStreak: tr.maxLossStreak,
    skew: fig.skew,
    kurtosis: fig.kurtosis,
    probabilisticSharpe: probabilisticSharpe(srBar, n, fig.skew, fig.kurtosis),
    deflatedSharpe: deflatedSharpe(srBar, n, fig.skew, fig.kurtosis, input.trials ?? 1, input.sharpeVariance),
  };
}
