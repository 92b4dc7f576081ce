import { QuantlabError } from '../core';
import { deflatedSharpe, expectedMaxSharpe, moments, probabilisticSharpe } from '../metrics';
import type { Direction } from './trial';

/**
 * Overfitting statistics for a study: the deflated Sharpe ratio of the best trial given how many were tried,
 * the probability of backtest overfitting by combinatorially symmetric cross-validation (CSCV), and how the
 * objective holds up in the best parameters' neighbourhood.
 */

/**
 * Per-block sufficient statistics of a return series split into `blocks` equal consecutive blocks (the first
 * length mod blocks returns are dropped): [count, Σr, Σr²] per block. 3·blocks numbers stand in for the
 * whole series in {@link pboFromBlocks}, so a study need not keep every trial's returns.
 */
export function blockStats(returns: Float64Array, blocks: number, out: Float64Array = new Float64Array(3 * blocks)): Float64Array {
  const T = returns.length;
  const size = Math.floor(T / blocks);
  if (size < 2) throw new QuantlabError('BAD_ARGUMENT', `blockStats: expected at least ${2 * blocks} returns for ${blocks} blocks, found ${T}`);
  const skip = T - size * blocks;
  for (let b = 0; b < blocks; b++) {
    let s = 0;
    let ss = 0;
    for (let i = skip + b * size, e = i + size; i < e; i++) {
      const r = returns[i]!;
      s += r;
      ss += r * r;
    }
    out[3 * b] = size;
    out[3 * b + 1] = s;
    out[3 * b + 2] = ss;
  }
  return out;
}

export interface PboResult {
  /** Probability of backtest overfitting: share of splits where the in-sample best ranks at or below the out-of-sample median. */
  pbo: number;
  /** Number of in-sample/out-of-sample splits evaluated: C(S, S/2). */
  combinations: number;
  /** logit of the in-sample best's relative out-of-sample rank, per split. */
  logits: Float64Array;
  /** Share of splits where the in-sample best has a negative out-of-sample Sharpe. */
  probOosLoss: number;
  /** Least-squares slope of out-of-sample on in-sample Sharpe of the in-sample best across splits (performance degradation). */
  degradationSlope: number;
  configurations: number;
  blocks: number;
}

function sharpeOf(n: number, s: number, ss: number): number {
  if (n < 2) return NaN;
  const m = s / n;
  const v = (ss - n * m * m) / (n - 1);
  return v > 0 ? m / Math.sqrt(v) : m > 0 ? Infinity : m < 0 ? -Infinity : 0;
}

/**
 * PBO by CSCV (Bailey, Borwein, López de Prado & Zhu, 2015) from per-configuration block statistics
 * ({@link blockStats}); the performance measure is the Sharpe ratio over the union of blocks. For every way
 * of choosing S/2 of the S blocks as in-sample: take the configuration with the best in-sample Sharpe, find
 * its relative rank ω among all configurations out of sample (rank / (N + 1), ties shared), and λ = ln(ω/(1−ω)).
 * PBO = share of splits with λ ≤ 0.
 */
export function pboFromBlocks(stats: readonly Float64Array[], blocks: number): PboResult {
  const N = stats.length;
  const S = blocks;
  if (N < 2) throw new QuantlabError('BAD_ARGUMENT', `pbo: expected at least 2 configurations, found ${N}`);
  if (!(Number.isInteger(S) && S >= 2 && S % 2 === 0 && S <= 20)) throw new QuantlabError('BAD_ARGUMENT', `pbo: expected an even number of blocks in [2, 20], found ${S}`);
  for (const st of stats) if (st.length !== 3 * S) throw new QuantlabError('BAD_ARGUMENT', `pbo: expected ${3 * S} block statistics per configuration, found ${st.length}`);
  const half = S / 2;
  const masks: number[] = [];
  for (let m = 0; m < 1 << S; m++) {
    let c = 0;
    for (let x = m; x; x &= x - 1) c++;
    if (c === half) masks.push(m);
  }
  const logits = new Float64Array(masks.length);
  const isSr = new Float64Array(N);
  const oosSr = new Float64Array(N);
  let below = 0;
  let loss = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  let pairs = 0;
  masks.forEach((mask, c) => {
    for (let j = 0; j < N; j++) {
      const st = stats[j]!;
      let ni = 0;
      let si = 0;
      let ssi = 0;
      let no = 0;
      let so = 0;
      let sso = 0;
      for (let b = 0; b < S; b++) {
        if (mask & (1 << b)) {
          ni += st[3 * b]!;
          si += st[3 * b + 1]!;
          ssi += st[3 * b + 2]!;
        } else {
          no += st[3 * b]!;
          so += st[3 * b + 1]!;
          sso += st[3 * b + 2]!;
        }
      }
      isSr[j] = sharpeOf(ni, si, ssi);
      oosSr[j] = sharpeOf(no, so, sso);
    }
    let best = 0;
    for (let j = 1; j < N; j++) if (isSr[j]! > isSr[best]! || (isSr[best] !== isSr[best] && isSr[j] === isSr[j])) best = j;
    const v = oosSr[best]!;
    let worse = 0;
    let ties = 0;
    for (let j = 0; j < N; j++) {
      if (j === best) continue;
      if (oosSr[j]! < v) worse++;
      else if (oosSr[j] === v) ties++;
    }
    const w = (1 + worse + 0.5 * ties) / (N + 1);
    const lambda = Math.log(w / (1 - w));
    logits[c] = lambda;
    if (lambda <= 0) below++;
    if (v < 0) loss++;
    const x = isSr[best]!;
    if (Number.isFinite(x) && Number.isFinite(v)) {
      sx += x;
      sy += v;
      sxx += x * x;
      sxy += x * v;
      pairs++;
    }
  });
  const slope = pairs > 1 ? (pairs * sxy - sx * sy) / (pairs * sxx - sx * sx) : NaN;
  return { pbo: below / masks.length, combinations: masks.length, logits, probOosLoss: loss / masks.length, degradationSlope: slope, configurations: N, blocks: S };
}

/** PBO by CSCV from each configuration's per-bar returns (all the same length). Default 16 blocks. */
export function pbo(returns: readonly Float64Array[], options: { blocks?: number } = {}): PboResult {
  const blocks = options.blocks ?? 16;
  const T = returns[0]?.length ?? 0;
  for (const r of returns) if (r.length !== T) throw new QuantlabError('BAD_ARGUMENT', `pbo: expected every return series to have ${T} values, found ${r.length}`);
  return pboFromBlocks(returns.map((r) => blockStats(r, blocks)), blocks);
}

export interface StudySharpe {
  /** Per-bar Sharpe of the best trial's returns. */
  sharpe: number;
  /** Probabilistic Sharpe (against 0). */
  probabilisticSharpe: number;
  /** Deflated Sharpe: PSR against the expected maximum Sharpe of `trials` unskilled trials. */
  deflatedSharpe: number;
  /** That expected maximum (per bar). */
  expectedMaxSharpe: number;
  trials: number;
  /** Variance of the per-bar Sharpe ratios across the trials used. */
  variance: number;
}

/**
 * Deflated Sharpe ratio of a study's best trial (Bailey & López de Prado, 2014), using the study's real
 * trial count and the variance of the trials' per-bar Sharpe ratios, via lib/metrics.
 * `trialSharpes` are per-bar (not annualised) Sharpe ratios of the trials; `trials` defaults to their number.
 */
export function studyDeflatedSharpe(bestReturns: Float64Array, trialSharpes: ArrayLike<number>, trials = trialSharpes.length): StudySharpe {
  const m = moments(bestReturns);
  const sr = m.std > 0 ? m.mean / m.std : NaN;
  const finite = Array.from(trialSharpes).filter(Number.isFinite);
  let variance = NaN;
  if (finite.length >= 2) {
    const mu = finite.reduce((a, b) => a + b, 0) / finite.length;
    variance = finite.reduce((a, b) => a + (b - mu) ** 2, 0) / (finite.length - 1);
  }
  const v = variance === variance ? variance : undefined;
  return {
    sharpe: sr,
    probabilisticSharpe: probabilisticSharpe(sr, m.n, m.skew, m.kurtosis),
    deflatedSharpe: deflatedSharpe(sr, m.n, m.skew, m.kurtosis, trials, v),
    expectedMaxSharpe: expectedMaxSharpe(trials, v ?? ((1 - m.skew * sr + ((m.kurtosis - 1) / 4) * sr * sr) / (m.n - 1))),
    trials,
    variance,
  };
}

export interface Stability {
  /** Neighbours evaluated. */
  count: number;
  best: number;
  mean: number;
  worst: number;
  /** Mean relative loss against the best: (best − v)/|best| when maximising, (v − best)/|best| when minimising. */
  meanDrop: number;
  worstDrop: number;
  /** Share of neighbours within 20 % of the best. */
  within20: number;
}

/** How the objective holds up next to the best parameters (see `neighbours` in space.ts for the neighbour sets). */
export function neighbourhoodStability(best: number, values: readonly number[], direction: Direction): Stability {
  const vs = values.filter((v) => v === v);
  const s = direction === 'maximize' ? 1 : -1;
  const scale = Math.abs(best) || 1;
  const drops = vs.map((v) => (s * (best - v)) / scale);
  const mean = vs.reduce((a, b) => a + b, 0) / vs.length;
  const worst = vs.length ? (direction === 'maximize' ? Math.min(...vs) : Math.max(...vs)) : NaN;
  return {
    count: vs.length,
    best,
    mean: vs.length ? mean : NaN,
    worst,
    meanDrop: vs.length ? drops.reduce((a, b) => a + b, 0) / vs.length : NaN,
    worstDrop: vs.length ? Math.max(...drops) : NaN,
    within20: vs.length ? drops.filter((d) => d <= 0.2).length / vs.length : NaN,
  };
}
