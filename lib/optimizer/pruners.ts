import { QuantlabError } from '../core';
import type { Direction, TrialRecord } from './trial';

/**
 * Pruners stop unpromising trials early from their intermediate values (one per walk-forward fold, say).
 * They read plain trial records only: the trial being judged and the study's other trials.
 */
export interface PruneContext {
  /** The trial being judged, with the value just reported at `step` in its intermediate values. */
  readonly trial: TrialRecord;
  readonly step: number;
  /** The study's other trials (any state). */
  readonly trials: readonly TrialRecord[];
  readonly direction: Direction;
}

export interface Pruner {
  readonly name: string;
  prune(ctx: PruneContext): boolean;
}

/** Never prunes. */
export const nopPruner = (): Pruner => ({ name: 'none', prune: () => false });

export interface PercentileOptions {
  /** No pruning until this many trials completed. Default 5. */
  startupTrials?: number;
  /** No pruning before this step. Default 0. */
  warmupSteps?: number;
  /** Judge every k-th step after the warm-up. Default 1. */
  intervalSteps?: number;
  /** At least this many completed trials must have a value at the step. Default 1. */
  minTrials?: number;
}

/**
 * Prunes when the trial's best intermediate value so far is worse than the given percentile of the completed
 * trials' values at the same step (percentile 50 = median). For maximisation, "worse than the p-th
 * percentile" means below the (100 − p)-th.
 */
export function percentilePruner(percentile: number, options: PercentileOptions = {}): Pruner {
  if (!(percentile >= 0 && percentile <= 100)) throw new QuantlabError('BAD_ARGUMENT', `percentilePruner: expected percentile in [0, 100], found ${percentile}`);
  const { startupTrials = 5, warmupSteps = 0, intervalSteps = 1, minTrials = 1 } = options;
  if (!(intervalSteps >= 1)) throw new QuantlabError('BAD_ARGUMENT', `percentilePruner: expected intervalSteps >= 1, found ${intervalSteps}`);
  return {
    name: percentile === 50 ? 'median' : `percentile(${percentile})`,
    prune({ trial, step, trials, direction }) {
      const complete = trials.filter((t) => t.state === 'complete' && t.number !== trial.number);
      if (complete.length < startupTrials) return false;
      if (step < warmupSteps) return false;
      if ((step - warmupSteps) % intervalSteps !== 0) return false;
      const maximize = direction === 'maximize';
      let best = NaN;
      for (const k of Object.keys(trial.intermediate)) {
        const s = Number(k);
        if (s > step) continue;
        const v = trial.intermediate[s]!;
        if (v !== v) continue;
        if (best !== best || (maximize ? v > best : v < best)) best = v;
      }
      if (best !== best) return true;
      const others: number[] = [];
      for (const t of complete) {
        const v = t.intermediate[step];
        if (v !== undefined && v === v) others.push(v);
      }
      if (others.length < minTrials || others.length === 0) return false;
      const p = percentileOf(others, maximize ? 100 - percentile : percentile);
      return maximize ? best < p : best > p;
    },
  };
}

/** Median pruner: {@link percentilePruner} at 50. */
export const medianPruner = (options: PercentileOptions = {}): Pruner => percentilePruner(50, options);

/** Linear-interpolated percentile (the usual definition, p in [0, 100]). */
export function percentileOf(values: readonly number[], p: number): number {
  const xs = [...values].sort((a, b) => a - b);
  const h = ((xs.length - 1) * p) / 100;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return xs[lo]! + (h - lo) * (xs[hi]! - xs[lo]!);
}

export interface SuccessiveHalvingOptions {
  /** Steps a trial runs before its first judgement (rung 0). Default 1. */
  minResource?: number;
  /** Keep the best 1/η at each rung. Default 4. */
  reductionFactor?: number;
  /** Shift of the rung schedule: rung r sits at minResource·η^(s + r). Default 0. */
  minEarlyStoppingRate?: number;
}

/**
 * Asynchronous successive halving (Li et al., ASHA): rung r sits at step minResource·η^(s + r). When a trial's
 * report crosses a rung, it continues only if its value there is within the best 1/η of all trials that
 * reached that rung (at least the best one always continues). Rung values are read from the records: a
 * trial's value at a rung is its first reported value at or after the rung's step.
 */
export function successiveHalvingPruner(options: SuccessiveHalvingOptions = {}): Pruner {
  const { minResource = 1, reductionFactor = 4, minEarlyStoppingRate = 0 } = options;
  if (!(minResource > 0)) throw new QuantlabError('BAD_ARGUMENT', `successiveHalvingPruner: expected minResource > 0, found ${minResource}`);
  if (!(reductionFactor >= 2)) throw new QuantlabError('BAD_ARGUMENT', `successiveHalvingPruner: expected reductionFactor >= 2, found ${reductionFactor}`);
  if (!(minEarlyStoppingRate >= 0)) throw new QuantlabError('BAD_ARGUMENT', `successiveHalvingPruner: expected minEarlyStoppingRate >= 0, found ${minEarlyStoppingRate}`);
  const rungStep = (r: number): number => minResource * reductionFactor ** (minEarlyStoppingRate + r);
  const rungValue = (t: TrialRecord, at: number): number | undefined => {
    let bestStep = Infinity;
    for (const k of Object.keys(t.intermediate)) {
      const s = Number(k);
      if (s >= at && s < bestStep) bestStep = s;
    }
    return bestStep === Infinity ? undefined : t.intermediate[bestStep];
  };
  return {
    name: 'successive-halving',
    prune({ trial, step, trials, direction }) {
      const value = trial.intermediate[step];
      if (value === undefined) return false;
      let prev = -Infinity;
      for (const k of Object.keys(trial.intermediate)) {
        const s = Number(k);
        if (s < step && s > prev) prev = s;
      }
      for (let r = 0; rungStep(r) <= step; r++) {
        const at = rungStep(r);
        if (at <= prev) continue; // crossed by an earlier report: judged then
        if (value !== value) return true;
        const competing: number[] = [value];
        for (const t of trials) {
          if (t.number === trial.number) continue;
          const v = rungValue(t, at);
          if (v !== undefined && v === v) competing.push(v);
        }
        competing.sort((a, b) => (direction === 'minimize' ? a - b : b - a));
        const idx = Math.max(0, Math.floor(competing.length / reductionFactor) - 1);
        const cut = competing[idx]!;
        if (direction === 'minimize' ? value > cut : value < cut) return true;
      }
      return false;
    },
  };
}

export type PrunerName = 'none' | 'median' | 'successive-halving';

/** A pruner from its name (CLI and string options). */
export function prunerFrom(p: Pruner | PrunerName | undefined): Pruner {
  if (p === undefined) return nopPruner();
  if (typeof p !== 'string') return p;
  switch (p) {
    case 'none':
      return nopPruner();
    case 'median':
      return medianPruner();
    case 'successive-halving':
      return successiveHalvingPruner();
    default:
      throw new QuantlabError('BAD_ARGUMENT', `pruner: expected 'none', 'median' or 'successive-halving', found ${JSON.stringify(p)}`);
  }
}
