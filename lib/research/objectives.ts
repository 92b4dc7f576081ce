import { sliceBars, QuantlabError, type Bars } from '../core';
import { barReturns, drawdownStats, sharpeRatio, sortinoRatio, type Stats } from '../metrics';
import type { Direction, Objective, Params } from '../optimizer';
import { backtest, backtestSummary, type AnyStrategy, type BacktestOptions, type IndicatorCache } from '../strategy';

type SimSummary = ReturnType<typeof backtestSummary>;

/**
 * Named objectives for strategy studies. The fast ones come from the one-pass summary kernel (what a sweep
 * needs); the others from the full statistics of a backtest (about 6× slower per trial).
 */
const SUMMARY = { finalEquity: 'maximize', totalReturn: 'maximize', sharpe: 'maximize', maxDrawdown: 'minimize', trades: 'maximize', exposure: 'maximize' } as const;
const STATS = {
  sortino: 'maximize',
  calmar: 'maximize',
  cagr: 'maximize',
  annualReturn: 'maximize',
  annualVolatility: 'minimize',
  profitFactor: 'maximize',
  winRate: 'maximize',
  expectancy: 'maximize',
  sqn: 'maximize',
  omega: 'maximize',
  avgDrawdown: 'minimize',
  probabilisticSharpe: 'maximize',
  deflatedSharpe: 'maximize',
} as const;

export type SummaryObjective = keyof typeof SUMMARY;
export type StatsObjective = keyof typeof STATS;
export type ObjectiveName = SummaryObjective | StatsObjective;
export const OBJECTIVE_NAMES: readonly ObjectiveName[] = [...(Object.keys(SUMMARY) as SummaryObjective[]), ...(Object.keys(STATS) as StatsObjective[])];

/** The direction a named objective is optimised in. */
export function objectiveDirection(name: string): Direction {
  const d = (SUMMARY as Record<string, Direction>)[name] ?? (STATS as Record<string, Direction>)[name];
  if (!d) throw new QuantlabError('BAD_ARGUMENT', `objective: expected one of ${OBJECTIVE_NAMES.join(', ')}, found ${JSON.stringify(name)}`);
  return d;
}

export const isSummaryObjective = (name: string): name is SummaryObjective => name in SUMMARY;

/** What a trial's backtest is scored on: named objectives (one or several), optionally averaged over folds. */
export interface ScoreSpec {
  objectives: readonly ObjectiveName[];
  backtest: Omit<BacktestOptions, 'cache'>;
  /** Parameters fixed for every trial (not searched). */
  fixed?: Params;
  /** Split the bars into this many consecutive folds, report the running mean per fold (for pruners). */
  folds?: number;
}

/**
 * A no-trade run gives NaN Sharpe-like figures: scored as the worst value instead (so that the study goes on
 * and samplers learn to avoid it) — −Infinity when maximising, +Infinity when minimising.
 */
const orWorst = (v: number, d: Direction): number => (v === v ? v : d === 'maximize' ? -Infinity : Infinity);

/** Scores one parameter set on bars (the cache must belong to these bars). */
export function score(strategy: AnyStrategy, bars: Bars, params: Params, spec: ScoreSpec, cache: IndicatorCache): number[] {
  const opts = { ...spec.backtest, cache };
  if (spec.objectives.every(isSummaryObjective)) {
    const s: SimSummary = backtestSummary(strategy, bars, params, opts);
    return spec.objectives.map((o) => orWorst(s[o as SummaryObjective], objectiveDirection(o)));
  }
  const st = backtest(strategy, bars, params, opts).stats as Stats & SimSummary;
  return spec.objectives.map((o) => orWorst((st as unknown as Record<string, number>)[o]!, objectiveDirection(o)));
}

/** Bytes an indicator result holds (typed arrays, or an object of them). */
function bytesOf(v: unknown): number {
  if (ArrayBuffer.isView(v)) return v.byteLength;
  let n = 64;
  if (v && typeof v === 'object') for (const x of Object.values(v)) if (ArrayBuffer.isView(x)) n += x.byteLength;
  return n;
}

/** Default bytes of indicator results one objective keeps (per thread): ~120 SMAs of 66k bars, ~15 of a year of minutes. */
export const OBJECTIVE_CACHE_BYTES = 64 * 2 ** 20;

/**
 * A cache bounded in bytes (oldest entries out first): a long study, or a sweep over long bars, would
 * otherwise keep every indicator array it ever computed.
 */
export function boundedCache(maxBytes: number, options: { collect?: () => void; collectEvery?: number } = {}): IndicatorCache {
  const m = new Map<string, unknown>();
  const sizes = new Map<string, number>();
  let total = 0;
  let evicted = 0;
  const every = options.collectEvery ?? maxBytes / 2;
  const set = m.set.bind(m);
  const del = m.delete.bind(m);
  m.delete = (k: string) => {
    const b = sizes.get(k) ?? 0;
    total -= b;
    sizes.delete(k);
    if (options.collect && (evicted += b) >= every) {
      evicted = 0;
      options.collect();
    }
    return del(k);
  };
  const clear = m.clear.bind(m);
  m.clear = () => {
    sizes.clear();
    total = 0;
    clear();
  };
  m.set = (k: string, v: unknown) => {
    m.delete(k);
    const b = bytesOf(v);
    while (m.size && total + b > maxBytes) m.delete(m.keys().next().value as string);
    sizes.set(k, b);
    total += b;
    return set(k, v);
  };
  return m;
}

/**
 * The objective of a strategy study: trial parameters (plus the fixed ones) → backtest → named objective(s).
 * With `folds`, each fold's value is reported (running mean) and the pruner may stop the trial.
 * The same function runs in-process and in worker threads (objective-worker.ts).
 */
export function strategyObjectiveFor(strategy: AnyStrategy, bars: Bars, spec: ScoreSpec, cacheOptions: { collect?: () => void } = {}): Objective {
  const k = spec.folds ?? 0;
  if (k && !(Number.isInteger(k) && k >= 2)) throw new QuantlabError('BAD_ARGUMENT', `optimize: expected folds to be an integer >= 2, found ${k}`);
  const n = bars.close.length;
  const parts = k ? Array.from({ length: k }, (_, i) => sliceBars(bars, Math.floor((i * n) / k), Math.floor(((i + 1) * n) / k))) : [bars];
  const caches = parts.map(() => boundedCache(OBJECTIVE_CACHE_BYTES / parts.length, cacheOptions));
  return async (trial) => {
    const params = { ...spec.fixed, ...trial.params };
    if (!k) return score(strategy, bars, params, spec, caches[0]!);
    const sums = new Float64Array(spec.objectives.length);
    for (let f = 0; f < k; f++) {
      const v = score(strategy, parts[f]!, params, spec, caches[f]!);
      for (let j = 0; j < v.length; j++) sums[j]! += v[j]!;
      if (spec.objectives.length === 1) {
        await trial.report(sums[0]! / (f + 1), f);
        if (f < k - 1 && (await trial.shouldPrune())) throw trial.pruned();
      }
    }
    return Array.from(sums, (s) => s / k);
  };
}

/** A named objective computed from an equity curve over a window (walk-forward evaluation). */
export function objectiveFromEquity(name: ObjectiveName, equity: Float64Array, initial: number, barsPerYear: number): number {
  const last = equity.length ? equity[equity.length - 1]! : initial;
  switch (name) {
    case 'finalEquity':
      return last;
    case 'totalReturn':
      return last / initial - 1;
    case 'sharpe':
      return orWorst(sharpeRatio(barReturns(equity, initial), barsPerYear), 'maximize');
    case 'sortino':
      return orWorst(sortinoRatio(barReturns(equity, initial), barsPerYear), 'maximize');
    case 'maxDrawdown':
      return drawdownStats(equity, initial).maxDrawdown;
    case 'annualReturn':
    case 'cagr':
      return equity.length ? (last / initial) ** (barsPerYear / equity.length) - 1 : NaN;
    default:
      throw new QuantlabError('BAD_ARGUMENT', `walk-forward: objective '${name}' cannot be computed from an equity window; use sharpe, sortino, totalReturn, finalEquity, maxDrawdown, annualReturn or cagr`);
  }
}
