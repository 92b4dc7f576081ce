import { mean, sampleStd } from './moments';

/** Sharpe = (mean(r) − rf/P) / std(r) · √P, r per-bar returns, std with n − 1, P bars per year. NaN if std is 0. */
export function sharpeRatio(r: Float64Array, barsPerYear: number, riskFreeRate = 0): number {
  const sd = sampleStd(r);
  if (!(sd > 0)) return NaN;
  return ((mean(r) - riskFreeRate / barsPerYear) / sd) * Math.sqrt(barsPerYear);
}

/** Sortino = (mean(r) − rf/P) / √(mean(min(r − rf/P, 0)²)) · √P over all bars. ±Infinity with no downside. */
export function sortinoRatio(r: Float64Array, barsPerYear: number, riskFreeRate = 0): number {
  const n = r.length;
  if (n === 0) return NaN;
  const rf = riskFreeRate / barsPerYear;
  let s = 0;
  let down = 0;
  for (let i = 0; i < n; i++) {
    const x = r[i]! - rf;
    s += x;
    if (x < 0) down += x * x;
  }
  const num = s / n;
  if (down === 0) return num > 0 ? Infinity : num < 0 ? -Infinity : NaN;
  return (num / Math.sqrt(down / n)) * Math.sqrt(barsPerYear);
}

/** Calmar = annual return / max drawdown. NaN when there is no drawdown. */
export function calmarRatio(annualReturn: number, maxDrawdown: number): number {
  return maxDrawdown > 0 ? annualReturn / maxDrawdown : NaN;
}

/** Omega(θ) = Σ max(r − θ, 0) / Σ max(θ − r, 0) over per-bar returns (θ = 0 by default). */
export function omegaRatio(r: Float64Array, threshold = 0): number {
  let up = 0;
  let down = 0;
  for (let i = 0; i < r.length; i++) {
    const x = r[i]! - threshold;
    if (x > 0) up += x;
    else down -= x;
  }
  return down > 0 ? up / down : up > 0 ? Infinity : NaN;
}

/** Annual volatility = std(r) · √P (sample std of per-bar returns). */
export const annualVolatility = (r: Float64Array, barsPerYear: number): number => sampleStd(r) * Math.sqrt(barsPerYear);

/** Annual return = (final / initial)^(P / n) − 1 over n bars (compounded per-bar growth, annualised). */
export const annualReturn = (initial: number, final: number, bars: number, barsPerYear: number): number =>
  bars > 0 ? (final / initial) ** (barsPerYear / bars) - 1 : NaN;

/** CAGR = (final / initial)^(365 days / span) − 1, span = calendar time the bars cover (last open − first open + one bar). */
export const cagr = (initial: number, final: number, spanMs: number): number =>
  spanMs > 0 ? (final / initial) ** ((365 * 86_400_000) / spanMs) - 1 : NaN;
