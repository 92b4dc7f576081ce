import { normalCdf, normalInv } from './normal';

const EULER_GAMMA = 0.5772156649015329;

/**
 * Variance of a per-bar Sharpe estimate: (1 − γ3·SR + (γ4 − 1)/4·SR²) / (n − 1) (Mertens / Lo, non-normal returns),
 * γ3 skewness, γ4 kurtosis (not excess), n the number of returns.
 */
export const sharpeVariance = (sr: number, n: number, skew: number, kurtosis: number): number =>
  (1 - skew * sr + ((kurtosis - 1) / 4) * sr * sr) / (n - 1);

/**
 * Probabilistic Sharpe ratio: PSR = Φ((SR − SR*)·√(n − 1) / √(1 − γ3·SR + (γ4 − 1)/4·SR²)), with SR the
 * per-bar (not annualised) Sharpe, SR* the benchmark per-bar Sharpe (0 by default). Bailey & López de Prado (2012).
 */
export function probabilisticSharpe(sr: number, n: number, skew: number, kurtosis: number, benchmark = 0): number {
  const v = 1 - skew * sr + ((kurtosis - 1) / 4) * sr * sr;
  if (!(n > 1) || !(v > 0) || sr !== sr) return NaN;
  return normalCdf(((sr - benchmark) * Math.sqrt(n - 1)) / Math.sqrt(v));
}

/**
 * Expected maximum per-bar Sharpe of `trials` unskilled trials: SR* = √V·((1 − γ)Φ⁻¹(1 − 1/N) + γΦ⁻¹(1 − 1/(N·e))),
 * γ the Euler–Mascheroni constant, V the variance of the trials' Sharpe ratios. 0 for N ≤ 1.
 */
export function expectedMaxSharpe(trials: number, variance: number): number {
  if (!(trials > 1)) return 0;
  return Math.sqrt(variance) * ((1 - EULER_GAMMA) * normalInv(1 - 1 / trials) + EULER_GAMMA * normalInv(1 - 1 / (trials * Math.E)));
}

/**
 * Deflated Sharpe ratio: DSR = PSR(SR* = expectedMaxSharpe(trials, V)), Bailey & López de Prado (2014).
 * V defaults to {@link sharpeVariance} of this estimate; pass the variance across your trials when you have it.
 */
export function deflatedSharpe(sr: number, n: number, skew: number, kurtosis: number, trials: number, variance?: number): number {
  const v = variance ?? sharpeVariance(sr, n, skew, kurtosis);
  return probabilisticSharpe(sr, n, skew, kurtosis, expectedMaxSharpe(trials, v));
}
