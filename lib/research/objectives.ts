import { sliceBars, QuantlabError, type Bars } from '../core';
import { barReturns, drawdownStats, sharpeRatio, sortinoRatio, type Stats } from '../metrics';
import type { Direction, Objective, Params, ScoredValue } from '../optimizer';
import { backtest, backtestSummary, type AnyStrategy, type BacktestOptions, type BacktestResult, type IndicatorCache } from '../strategy';
import { functionHash } from './hash'; // not ./identity: worker threads load this file, and identity loads the storages

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
/**
 * Research objectives over the full backtest:
 * - dailySharpe: Sharpe ratio of daily returns (equity at each UTC day's last bar), annualised with √365;
 * - returnOverDrawdown: totalReturn / maxDrawdown (NaN, scored worst, without a drawdown and a gain);
 * - tradePenalizedSharpe: sharpe × √(min(trades, 30) / 30) when positive (fewer than 30 trades shrink it), else sharpe.
 * (calmar and deflatedSharpe above: deflatedSharpe per trial uses the backtest option `trials`, default 1.)
 */
const RESEARCH = { dailySharpe: 'maximize', returnOverDrawdown: 'maximize', tradePenalizedSharpe: 'maximize' } as const;

export type SummaryObjective = keyof typeof SUMMARY;
export type StatsObjective = keyof typeof STATS | keyof typeof RESEARCH;
export type ObjectiveName = SummaryObjective | StatsObjective;
export const OBJECTIVE_NAMES: readonly ObjectiveName[] = [
  ...(Object.keys(SUMMARY) as SummaryObjective[]),
  ...(Object.keys(STATS) as StatsObjective[]),
  ...(Object.keys(RESEARCH) as StatsObjective[]),
];

/** The direction a named objective is optimised in. */
export function objectiveDirection(name: string): Direction {
  const d = (SUMMARY as Record<string, Direction>)[name] ?? (STATS as Record<string, Direction>)[name] ?? (RESEARCH as Record<string, Direction>)[name];
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
  /** Append every statistic of the full backtest (STAT_FIELDS order) to the values: for objective functions and constraints evaluated in the main thread. */
  withStats?: boolean;
}

/** The numeric statistics a trial sends back (in this order) when objective functions or constraints need them. */
export const STAT_FIELDS = [
  'durationDays', 'bars', 'barMs', 'barsPerYear', 'exposure', 'finalEquity', 'peakEquity', 'commissions', 'totalReturn', 'buyHoldReturn',
  'annualReturn', 'annualVolatility', 'cagr', 'sharpe', 'sortino', 'calmar', 'alpha', 'beta', 'maxDrawdown', 'avgDrawdown', 'maxDrawdownBars',
  'avgDrawdownBars', 'longestUnderwaterBars', 'trades', 'winRate', 'bestTrade', 'worstTrade', 'avgTrade', 'maxTradeBars', 'avgTradeBars',
  'profitFactor', 'expectancy', 'sqn', 'kelly', 'omega', 'var95', 'cvar95', 'maxWinStreak', 'maxLossStreak', 'skew', 'kurtosis',
  'probabilisticSharpe', 'deflatedSharpe',
] as const satisfies readonly (keyof Stats)[];

/** The statistics an objective function or a constraint sees (every numeric field of the backtest's stats). */
export type TrialStats = Pick<Stats, (typeof STAT_FIELDS)[number]>;

/** What an objective function sees of a trial: its full parameters and the statistics of its backtest. */
export interface TrialResult {
  params: Params;
  stats: TrialStats;
}

/** An objective written as a function of the trial's result, maximised: `(r) => r.stats.sharpe * Math.sqrt(r.stats.trades)`. */
export type ObjectiveFunction = (r: TrialResult) => number;

/** A named objective function with its direction (default 'maximize'). */
export interface ObjectiveDefinition {
  name: string;
  direction?: Direction;
  value: ObjectiveFunction;
}

/** One objective: a name from the library, a function of the trial's result, or a named function with a direction. */
export type ObjectiveSpec = ObjectiveName | ObjectiveFunction | ObjectiveDefinition;

/**
 * Rules a trial's result must meet; a trial that breaks one is infeasible: recorded (complete, with its
 * values and the reason), never the best, and seen by samplers as the worst.
 */
export interface ResultConstraints {
  /** At least this many trades. */
  minTrades?: number;
  /** Maximum drawdown at most this fraction (0.4 = 40 %). */
  maxDrawdown?: number;
  /** Time in the market at least this fraction. */
  minExposure?: number;
  /** Your own rule: true, or false / a message saying what is wrong. */
  check?: (r: TrialResult) => boolean | string;
}

const CONSTRAINT_KEYS = ['minTrades', 'maxDrawdown', 'minExposure', 'check'];

/** How a study's objectives are computed: named ones where the backtest runs, functions in the main thread. */
export interface ObjectivePlan {
  /** One label per objective (the name, or the function's name). */
  labels: string[];
  directions: Direction[];
  /** What identifies each objective in a stored study: the name, or name + SHA-256 of the function's source. */
  ids: unknown[];
  /** Identity of the constraints (null when none). */
  constraintsId: unknown;
  /** Named objectives computed with the backtest (in worker threads when jobs > 1). */
  named: ObjectiveName[];
  /** True when the trials must send their statistics back (functions or constraints). */
  withStats: boolean;
  /** From a trial's values (named ones, then STAT_FIELDS) to its objective values and infeasibility. */
  finish(vector: ArrayLike<number>, params: Params): ScoredValue;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The reason a result breaks the constraints, or null. */
export function constraintViolation(c: ResultConstraints | undefined, r: TrialResult): string | null {
  if (!c) return null;
  const s = r.stats;
  if (c.minTrades !== undefined && !(s.trades >= c.minTrades)) return `trades ${s.trades} < minTrades ${c.minTrades}`;
  if (c.maxDrawdown !== undefined && !(s.maxDrawdown <= c.maxDrawdown)) return `max drawdown ${pct(s.maxDrawdown)} > maxDrawdown ${pct(c.maxDrawdown)}`;
  if (c.minExposure !== undefined && !(s.exposure >= c.minExposure)) return `exposure ${pct(s.exposure)} < minExposure ${pct(c.minExposure)}`;
  if (c.check) {
    const v = c.check(r);
    if (v !== true) return typeof v === 'string' && v ? v : 'check(r) returned false';
  }
  return null;
}

function checkConstraints(c: ResultConstraints | undefined): void {
  if (c === undefined) return;
  if (!c || typeof c !== 'object') throw new QuantlabError('BAD_ARGUMENT', `optimize: expected constraints to be an object { minTrades?, maxDrawdown?, minExposure?, check? }, found ${JSON.stringify(c)}`);
  for (const [k, v] of Object.entries(c)) {
    if (!CONSTRAINT_KEYS.includes(k)) throw new QuantlabError('BAD_ARGUMENT', `optimize: constraint '${k}' unknown; expected one of ${CONSTRAINT_KEYS.join(', ')}`);
    if (k === 'check') {
      if (v !== undefined && typeof v !== 'function') throw new QuantlabError('BAD_ARGUMENT', `optimize: constraint 'check' must be a function (r) => true | 'reason', found ${typeof v}`);
    } else if (v !== undefined && !(typeof v === 'number' && v >= 0 && Number.isFinite(v))) {
      throw new QuantlabError('BAD_ARGUMENT', `optimize: constraint '${k}' expected a number >= 0, found ${JSON.stringify(v)}`);
    }
  }
}

/** The plan for objectives given as names, functions or definitions, with optional result constraints. */
export function objectivePlan(given: ObjectiveSpec | readonly ObjectiveSpec[] | undefined, constraints?: ResultConstraints): ObjectivePlan {
  const list: ObjectiveSpec[] = given === undefined ? ['sharpe'] : Array.isArray(given) ? [...given] : [given as ObjectiveSpec];
  if (!list.length) throw new QuantlabError('BAD_ARGUMENT', 'optimize: expected at least one objective, found none');
  checkConstraints(constraints);
  const named: ObjectiveName[] = [];
  const labels: string[] = [];
  const directions: Direction[] = [];
  const ids: unknown[] = [];
  const steps: ({ kind: 'named'; at: number } | { kind: 'fn'; fn: ObjectiveFunction })[] = [];
  for (const o of list) {
    if (typeof o === 'string') {
      directions.push(objectiveDirection(o));
      labels.push(o);
      ids.push(o);
      steps.push({ kind: 'named', at: named.length });
      named.push(o);
    } else if (typeof o === 'function') {
      const label = o.name || 'objective function';
      directions.push('maximize');
      labels.push(label);
      ids.push({ function: label, direction: 'maximize', sha256: functionHash(o) });
      steps.push({ kind: 'fn', fn: o });
    } else if (o && typeof o === 'object' && typeof o.value === 'function' && typeof o.name === 'string') {
      const d = o.direction ?? 'maximize';
      if (d !== 'maximize' && d !== 'minimize') throw new QuantlabError('BAD_ARGUMENT', `objective '${o.name}': expected direction 'maximize' or 'minimize', found ${JSON.stringify(d)}`);
      directions.push(d);
      labels.push(o.name);
      ids.push({ function: o.name, direction: d, sha256: functionHash(o.value) });
      steps.push({ kind: 'fn', fn: o.value });
    } else {
      throw new QuantlabError('BAD_ARGUMENT', `objective: expected one of ${OBJECTIVE_NAMES.join(', ')}, a function (r) => number or { name, direction?, value }, found ${JSON.stringify(o)}`);
    }
  }
  const withStats = steps.some((s) => s.kind === 'fn') || constraints !== undefined;
  const constraintsId = constraints === undefined ? null : Object.fromEntries(Object.entries(constraints).map(([k, v]) => [k, typeof v === 'function' ? { sha256: functionHash(v) } : v]));
  const m = named.length;
  const finish = (vector: ArrayLike<number>, params: Params): ScoredValue => {
    const stats = {} as Record<string, number>;
    for (let i = 0; i < STAT_FIELDS.length; i++) stats[STAT_FIELDS[i]!] = vector[m + i]!;
    const r: TrialResult = { params, stats: stats as TrialStats };
    const values = steps.map((s, i) => {
      if (s.kind === 'named') return vector[s.at]!;
      const v = s.fn(r);
      if (typeof v !== 'number') {
        throw new QuantlabError('BAD_ARGUMENT', `objective '${labels[i]}': expected a number for ${JSON.stringify(params)}, found ${v === undefined || v === null ? String(v) : `${typeof v} ${JSON.stringify(v)}`}`);
      }
      return orWorst(v, directions[i]!); // NaN (no trades …) scores worst, as for named objectives
    });
    return { values, infeasible: constraintViolation(constraints, r) };
  };
  return { labels, directions, ids, constraintsId, named, withStats, finish };
}

/**
 * A no-trade run gives NaN Sharpe-like figures: scored as the worst value instead (so that the study goes on
 * and samplers learn to avoid it) — −Infinity when maximising, +Infinity when minimising.
 */
const orWorst = (v: number, d: Direction): number => (v === v ? v : d === 'maximize' ? -Infinity : Infinity);

/** Scores one parameter set on bars (the cache must belong to these bars). */
export function score(strategy: AnyStrategy, bars: Bars, params: Params, spec: ScoreSpec, cache: IndicatorCache): number[] {
  const opts = { ...spec.backtest, cache };
  if (!spec.withStats && spec.objectives.every(isSummaryObjective)) {
    const s: SimSummary = backtestSummary(strategy, bars, params, opts);
    return spec.objectives.map((o) => orWorst(s[o as SummaryObjective], objectiveDirection(o)));
  }
  const r = backtest(strategy, bars, params, opts);
  const st = r.stats as unknown as Record<string, number>;
  const out = spec.objectives.map((o) => orWorst(o in RESEARCH ? researchObjective(o, r, bars) : st[o]!, objectiveDirection(o)));
  if (spec.withStats) for (const f of STAT_FIELDS) out.push(st[f]!);
  return out;
}

/** Sharpe ratio of daily returns: equity at the last bar of each UTC day, annualised with √365. */
export function dailySharpe(equity: Float64Array, ts: Float64Array, initial: number): number {
  const daily: number[] = [];
  let prev = initial;
  for (let i = 0; i < equity.length; i++) {
    const day = Math.floor(ts[i]! / 86_400_000);
    if (i + 1 < equity.length && Math.floor(ts[i + 1]! / 86_400_000) === day) continue;
    daily.push(equity[i]! / prev - 1);
    prev = equity[i]!;
  }
  return sharpeRatio(Float64Array.from(daily), 365);
}

function researchObjective(name: string, r: BacktestResult, bars: Bars): number {
  const s = r.stats;
  switch (name) {
    case 'dailySharpe':
      return dailySharpe(r.equity, bars.ts, r.initialCash);
    case 'returnOverDrawdown':
      return s.maxDrawdown > 0 ? s.totalReturn / s.maxDrawdown : s.totalReturn > 0 ? Infinity : NaN;
    case 'tradePenalizedSharpe':
      return s.sharpe > 0 ? s.sharpe * Math.sqrt(Math.min(s.trades, 30) / 30) : s.sharpe;
    default:
      throw new QuantlabError('BAD_ARGUMENT', `objective '${name}': not a research objective`);
  }
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
