import type { Bars } from '../core';
import { agrees, cutBars, flattenOutputs } from './bias-series';
import { computeIndicators } from './compute';
import { streamTargets } from './cursor';
import type { AnyStrategy } from './define';
import type { IndicatorSpecs } from './indicator';

/** How much history one indicator (or the targets) needs. */
export interface WarmupEntry {
  /** the strategy's name for the indicator ('fast'), or 'targets'. */
  name: string;
  /** the spec's key; absent for the targets. */
  key?: string;
  /** bars of history after which the value agrees with the full-history value (the largest over its fields and starts). */
  bars: number;
  /**
   * false when the values started late did not settle on the full-history ones within the data: a cumulative
   * or path-dependent indicator (what it shows depends on where its history starts), or too few bars to show
   * the warm-up. `bars` is then a lower bound.
   */
  converged: boolean;
}

/** Below this many bars a late start cannot tell a slow warm-up from one that never ends: unsettled targets are flagged, not failed. */
export const WARMUP_CONCLUSIVE_BARS = 2000;

export interface WarmupReport {
  /**
   * the targets settled (a runner started with `bars` of history trades what the backtest shows), or the data
   * is too short to say they never do (`conclusive` false).
   */
  ok: boolean;
  /** the data has at least WARMUP_CONCLUSIVE_BARS bars: targets that do not settle fail the check. */
  conclusive: boolean;
  /** relative tolerance of "agrees" (default 1e-9). */
  tolerance: number;
  /** the history a runner needs at startup: the largest of the settled indicators' and the targets' (at least 1). */
  bars: number;
  /** the bar indices the late starts began at. */
  starts: number[];
  indicators: WarmupEntry[];
  /** the runner's form (streaming twins + decide()) started late against started at bar 0. */
  targets: WarmupEntry;
}

/**
 * Bars needed from `start`: one more than the last bar where the late-started values `late` (index 0 is
 * bar `start`) disagree with `full`; converged when they then agree for at least as long (or half the rest).
 */
function needed(late: ArrayLike<number>, full: ArrayLike<number>, start: number, tol: number): { bars: number; converged: boolean } {
  const len = late.length;
  let last = -1;
  for (let i = len - 1; i >= 0; i--) {
    if (!agrees(late[i]!, full[start + i]!, tol)) {
      last = i;
      break;
    }
  }
  const bars = last + 2;
  const tail = len - 1 - last;
  return { bars: Math.min(bars, len), converged: last < 0 || tail >= Math.min(bars, Math.floor(len / 2)) };
}

/**
 * The warm-up check: every indicator (and the runner's targets) computed again from eight late starts — 5 %,
 * 15 %, … 75 % into the data — and compared with the values computed from bar 0; an entry needs as many bars as it
 * takes for the late values to agree to `tolerance` (relative: |a − b| ≤ tol · max(1, |b|)) from then on,
 * the largest over the starts (how fast a recursive indicator forgets depends a little on the prices it forgets).
 */
export function checkWarmup(
  strategy: AnyStrategy,
  bars: Bars,
  params: Record<string, unknown>,
  options: { tolerance?: number } = {},
  full?: { computed: Record<string, unknown>; stream: Float64Array },
): WarmupReport {
  const tol = options.tolerance ?? 1e-9;
  const n = bars.close.length;
  const specs = strategy.indicators(params as never) as IndicatorSpecs;
  const computed = full?.computed ?? (computeIndicators(specs, bars) as Record<string, unknown>);
  const fullTargets = full?.stream ?? streamTargets(strategy, bars, params);
  const fullSeries = flattenOutputs(specs, computed);
  /** What the late start `s` needs, from bars s .. end − 1: one entry per indicator (its worst field) and the targets. */
  const measure = (s: number, end: number): { entries: WarmupEntry[]; targets: WarmupEntry } => {
    const late = cutBars(bars, s, end);
    const c = computeIndicators(specs, late) as Record<string, unknown>;
    const byName = new Map(flattenOutputs(specs, c).map((x) => [x.name, x.values]));
    const out = new Map<string, WarmupEntry>();
    for (const f of fullSeries) {
      const name = f.indicator;
      const v = byName.get(f.name);
      const r = v ? needed(v, f.values, s, tol) : { bars: end - s, converged: false };
      const e = out.get(name);
      if (!e) out.set(name, { name, key: f.key, ...r });
      else {
        e.bars = Math.max(e.bars, r.bars);
        e.converged &&= r.converged;
      }
    }
    return { entries: [...out.values()], targets: { name: 'targets', ...needed(streamTargets(strategy, late, params), fullTargets, s, 0) } };
  };
  const starts = [...new Set(Array.from({ length: 8 }, (_, k) => Math.floor(n * (0.05 + 0.1 * k))))].filter((s) => s >= 1 && s < n - 1);
  const window = Math.max(2048, Math.ceil(n / 8));
  const entries = new Map<string, WarmupEntry>();
  let targets: WarmupEntry = { name: 'targets', bars: 1, converged: true };
  const merge = (e: WarmupEntry) => {
    const was = entries.get(e.name);
    if (!was) entries.set(e.name, e);
    else {
      was.bars = Math.max(was.bars, e.bars);
      was.converged &&= e.converged;
    }
  };
  for (const s of starts) {
    // a window first; the rest of the data when something has not settled inside it
    let found = measure(s, Math.min(n, s + window));
    if (s + window < n && [...found.entries, found.targets].some((e) => !e.converged)) found = measure(s, n);
    found.entries.forEach(merge);
    targets = { name: 'targets', bars: Math.max(targets.bars, found.targets.bars), converged: targets.converged && found.targets.converged };
  }
  const indicators = [...entries.values()];
  const settled = [...indicators.filter((e) => e.converged), targets];
  const conclusive = n >= WARMUP_CONCLUSIVE_BARS;
  return {
    ok: targets.converged || !conclusive,
    conclusive,
    tolerance: tol,
    bars: Math.max(1, ...settled.map((e) => e.bars)),
    starts,
    indicators,
    targets,
  };
}
