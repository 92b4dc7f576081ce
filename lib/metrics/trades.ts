import { mean, sampleStd } from './moments';

/** Statistics of a trade list (pnl in cash, returns as fractions, durations in bars), in exit order. */
export interface TradeStats {
  trades: number;
  /** winners / trades, a winner having pnl > 0. */
  winRate: number;
  /** best, worst and mean (arithmetic) trade return. */
  bestTrade: number;
  worstTrade: number;
  avgTrade: number;
  /** longest and mean bars held. */
  maxTradeBars: number;
  avgTradeBars: number;
  /** Σ winning pnl / |Σ losing pnl|; Infinity with no losing trade, NaN with no trade. */
  profitFactor: number;
  /** mean pnl per trade, in cash. */
  expectancy: number;
  /** System quality number: √N · mean(pnl) / std(pnl). */
  sqn: number;
  /** Kelly fraction: W − (1 − W) / (mean winning pnl / mean |losing pnl|). */
  kelly: number;
  /** longest runs of consecutive winners (pnl > 0) and of consecutive non-winners. */
  maxWinStreak: number;
  maxLossStreak: number;
}

/** Returns {@link TradeStats} of the given columns (equal lengths). */
export function tradeStats(pnl: Float64Array, returns: Float64Array, barsHeld: ArrayLike<number>): TradeStats {
  const n = pnl.length;
  let wins = 0;
  let sumWin = 0;
  let sumLoss = 0;
  let losses = 0;
  let best = -Infinity;
  let worst = Infinity;
  let maxBars = 0;
  let sumBars = 0;
  let run = 0;
  let maxWin = 0;
  let maxLoss = 0;
  for (let i = 0; i < n; i++) {
    const p = pnl[i]!;
    if (p > 0) {
      wins++;
      sumWin += p;
      run = run > 0 ? run + 1 : 1;
      if (run > maxWin) maxWin = run;
    } else {
      if (p < 0) {
        losses++;
        sumLoss -= p;
      }
      run = run < 0 ? run - 1 : -1;
      if (-run > maxLoss) maxLoss = -run;
    }
    const r = returns[i]!;
    if (r > best) best = r;
    if (r < worst) worst = r;
    const b = barsHeld[i]!;
    if (b > maxBars) maxBars = b;
    sumBars += b;
  }
  const winRate = n ? wins / n : NaN;
  const sd = sampleStd(pnl);
  const avgWin = wins ? sumWin / wins : NaN;
  const avgLoss = losses ? sumLoss / losses : NaN;
  return {
    trades: n,
    winRate,
    bestTrade: n ? best : NaN,
    worstTrade: n ? worst : NaN,
    avgTrade: mean(returns),
    maxTradeBars: n ? maxBars : NaN,
    avgTradeBars: n ? sumBars / n : NaN,
    profitFactor: sumLoss > 0 ? sumWin / sumLoss : sumWin > 0 ? Infinity : NaN,
    expectancy: mean(pnl),
    sqn: sd > 0 ? (Math.sqrt(n) * mean(pnl)) / sd : NaN,
    kelly: wins && losses ? winRate - (1 - winRate) / (avgWin / avgLoss) : NaN,
    maxWinStreak: maxWin,
    maxLossStreak: maxLoss,
  };
}
