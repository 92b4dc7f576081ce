import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { barsPerYear, QuantlabError, sliceBars, type Bars } from '../core';
import { barReturns, type Stats } from '../metrics';
import {
  blockStats,
  checkSpace,
  createStudy,
  gridPoints,
  neighbourhoodStability,
  neighbours,
  openStorage,
  pboFromBlocks,
  progressBar,
  rng,
  samplerFrom,
  shareBars,
  studyDeflatedSharpe,
  walkForward,
  walkForwardSplits,
  workerPool,
  type Constraint,
  type Direction,
  type Objective,
  type ParamDecl,
  type Params,
  type PboResult,
  type Progress,
  type Pruner,
  type PrunerName,
  type Sampler,
  type SamplerName,
  type SearchSpace,
  type SplitOptions,
  type Stability,
  type Storage,
  type StudySharpe,
  type TrialRecord,
  type WalkForwardResult,
} from '../optimizer';
import { backtest, backtestSummary, BUILTIN_STRATEGIES, getStrategy, type AnyStrategy, type BacktestOptions, type IndicatorCache } from '../strategy';
import { objectiveDirection, objectiveFromEquity, strategyObjectiveFor, type ObjectiveName, type ScoreSpec } from './objectives';

export interface OptimizeOptions {
  /** 'tpe' (default), 'tpe-multivariate', 'random', 'grid', 'cmaes', 'nsga2', or a Sampler. */
  sampler?: SamplerName | Sampler;
  /** Finished trials the study should hold. Default 100; with the grid sampler, the whole grid. */
  trials?: number;
  /** A named objective, or several (multi-objective, e.g. ['totalReturn', 'maxDrawdown']). Default 'sharpe'. */
  objective?: ObjectiveName | ObjectiveName[];
  /** Worker threads. Default 1 (in-process). */
  jobs?: number;
  /** 'memory:' (default), 'sqlite:experiments/studies.db', 'postgres://…', or a Storage. */
  storage?: string | Storage;
  /** Study name; an existing study of that name in the storage is resumed. Default '<strategy>-<symbol>-<tf>'. */
  name?: string;
  seed?: number;
  /** Narrow or replace parameter declarations of the strategy (same shapes: int, float, logFloat, choice). */
  space?: Record<string, ParamDecl>;
  /** Parameters held fixed (not searched). */
  fixed?: Params;
  /** Extra rule over parameter sets; the strategy's own check always applies. */
  constraint?: Constraint;
  pruner?: Pruner | PrunerName;
  /** Score each trial on this many consecutive folds of the bars (reported one by one, for pruners). */
  folds?: number;
  /** Backtest options (fee, fill, cash, slippage, leverage, stops …). */
  backtest?: Omit<BacktestOptions, 'cache'>;
  /** Points per continuous parameter for the grid sampler. Default 10. */
  gridPoints?: number;
  /** true: progress bar (terminal) or progress lines (notebook); false: silent; or your own callback. Default true. */
  progress?: boolean | ((p: Progress) => void);
  /** Overfitting statistics after the study (single objective). Default true. */
  overfitting?: boolean | OverfittingOptions;
  /** A file exporting the strategy, so that worker threads can load a strategy that is not built in. */
  strategyFile?: string;
  /** Stop asking for new trials after this many seconds. */
  timeout?: number;
}

export interface OverfittingOptions {
  /** Configurations (distinct complete trials) re-run for PBO; a seeded sample when there are more. Default 100. */
  pboConfigs?: number;
  /** CSCV blocks (even, ≤ 20). Default 16. */
  blocks?: number;
  /** Grid steps around the best parameters for the stability check. Default 1. */
  radius?: number;
}

export interface BestTrial {
  number: number;
  /** Every parameter, the fixed ones included. */
  params: Params;
  value: number;
  values: number[];
  /** Full statistics of the best parameters on all the bars. */
  stats: Stats;
}

export interface OverfittingReport {
  /** Finished trials of the study (complete + pruned): the count the deflated Sharpe uses. */
  trials: number;
  /** Annualised Sharpe of the best parameters. */
  sharpe: number;
  /** Deflated Sharpe of the best parameters (per-bar figures inside). */
  deflated: StudySharpe;
  /** Probability of backtest overfitting (CSCV); null with fewer than 4 distinct configurations. */
  pbo: PboResult | null;
  /** Objective in the best parameters' neighbourhood. */
  stability: Stability;
}

export interface OptimizeResult {
  study: string;
  storage: string;
  strategy: string;
  sampler: string;
  objectives: ObjectiveName[];
  directions: Direction[];
  /** Every trial of the study, by number. `trialColumns(result.trials)` gives table columns. */
  trials: TrialRecord[];
  best: BestTrial | null;
  /** Pareto front (several objectives); [best] for one. */
  bestTrials: TrialRecord[];
  /** Trials this call ran. */
  ran: number;
  seconds: number;
  overfitting: OverfittingReport | null;
}

const here = (file: string): string => {
  for (const ext of ['.js', '.ts']) {
    const f = join(__dirname, file + ext);
    if (existsSync(f)) return f;
  }
  throw new QuantlabError('NOT_FOUND', `optimize: ${file}.ts not found next to ${__dirname}`);
};

/** The strategy's declarations, overridden by `space` and without the `fixed` ones. */
export function strategySpace(strategy: AnyStrategy, options: Pick<OptimizeOptions, 'space' | 'fixed'> = {}): SearchSpace {
  const out: Record<string, ParamDecl> = {};
  const declared = strategy.params as Record<string, ParamDecl>;
  for (const k of Object.keys(options.space ?? {})) {
    if (!(k in declared)) throw new QuantlabError('BAD_ARGUMENT', `optimize: strategy '${strategy.name}' has no parameter '${k}'; it has ${Object.keys(declared).join(', ')}`);
  }
  for (const k of Object.keys(options.fixed ?? {})) {
    if (!(k in declared)) throw new QuantlabError('BAD_ARGUMENT', `optimize: fixed parameter '${k}' is not a parameter of '${strategy.name}'; it has ${Object.keys(declared).join(', ')}`);
  }
  for (const [k, d] of Object.entries(declared)) {
    if (options.fixed && k in options.fixed) continue;
    out[k] = options.space?.[k] ?? d;
  }
  checkSpace(out, `strategy '${strategy.name}' search space`);
  return out;
}

function constraintFor(strategy: AnyStrategy, fixed: Params | undefined, extra: Constraint | undefined): Constraint {
  return (p) => {
    const full = { ...fixed, ...p };
    if (strategy.check) {
      const r = strategy.check(full as never);
      if (r !== true) return typeof r === 'string' ? r : `${JSON.stringify(full)} fails the check of '${strategy.name}'`;
    }
    return extra ? extra(full) : true;
  };
}

const dataMeta = (bars: Bars) => ({
  symbol: bars.symbol,
  timeframe: bars.timeframe,
  bars: bars.close.length,
  from: bars.ts.length ? bars.ts[0] : null,
  to: bars.ts.length ? bars.ts[bars.ts.length - 1] : null,
});

/**
 * Optimises a strategy's parameters on bars: a study (resumable by name in its storage) whose trials run
 * backtests, in worker threads when `jobs` > 1 (bars shared, not copied). Returns the trials, the best
 * parameters with their full statistics, and the overfitting statistics beside them.
 * @example const r = await optimize(smaCross, bars, { sampler: 'tpe', trials: 300, objective: 'sharpe', jobs: 2, storage: 'sqlite:experiments/studies.db', name: 'btc-sma' })
 */
export async function optimize(strategyOrName: AnyStrategy | string, bars: Bars, options: OptimizeOptions = {}): Promise<OptimizeResult> {
  const strategy = typeof strategyOrName === 'string' ? getStrategy(strategyOrName) : strategyOrName;
  const objectives = (Array.isArray(options.objective) ? options.objective : [options.objective ?? 'sharpe']) as ObjectiveName[];
  if (!objectives.length) throw new QuantlabError('BAD_ARGUMENT', 'optimize: expected at least one objective, found none');
  const directions = objectives.map(objectiveDirection);
  const space = strategySpace(strategy, options);
  const constraint = constraintFor(strategy, options.fixed, options.constraint);
  const sampler = samplerFrom(options.sampler, directions.length > 1 ? 'nsga2' : 'tpe');
  const isGrid = sampler.name === 'grid';
  const target = options.trials ?? (isGrid ? gridPoints(space, constraint, options.gridPoints ?? 10).length : 100);
  const jobs = options.jobs ?? 1;
  if (!(Number.isInteger(jobs) && jobs >= 1)) throw new QuantlabError('BAD_ARGUMENT', `optimize: expected jobs to be an integer >= 1, found ${jobs}`);
  const name = options.name ?? `${strategy.name}-${bars.symbol || 'bars'}-${bars.timeframe || 'tf'}`;
  const storage = typeof options.storage === 'object' ? options.storage : openStorage(options.storage ?? 'memory:');
  const ownsStorage = typeof options.storage !== 'object';
  const spec: ScoreSpec = { objectives, backtest: options.backtest ?? {}, fixed: options.fixed, folds: options.folds };
  let pool: ReturnType<typeof workerPool> | null = null;
  try {
    const existing = await storage.getStudy(name);
    const data = dataMeta(bars);
    if (existing?.meta?.data && JSON.stringify(existing.meta.data) !== JSON.stringify(data)) {
      throw new QuantlabError(
        'BAD_ARGUMENT',
        `optimize: study '${name}' in ${storage.url} was run on other data (${JSON.stringify(existing.meta.data)}); found ${JSON.stringify(data)} — pick another name`,
      );
    }
    const study = await createStudy({
      name,
      storage,
      space,
      directions,
      constraint,
      sampler,
      pruner: options.pruner,
      seed: options.seed,
      meta: { strategy: strategy.name, objectives, data, backtest: spec.backtest, fixed: options.fixed ?? {}, folds: options.folds ?? 0 },
    });
    const progress = options.progress === false ? undefined : typeof options.progress === 'function' ? options.progress : progressBar({ label: name });
    let objective: Objective | ReturnType<typeof workerPool>;
    if (jobs > 1) {
      const builtin = BUILTIN_STRATEGIES.includes(strategy);
      if (!builtin && !options.strategyFile) {
        throw new QuantlabError(
          'BAD_ARGUMENT',
          `optimize: strategy '${strategy.name}' is not built in, so worker threads cannot load it; pass strategyFile: '<file exporting it>' or use jobs: 1`,
        );
      }
      pool = workerPool(
        {
          module: here('objective-worker'),
          exportName: 'strategyObjective',
          init: { strategy: strategy.name, strategyFile: options.strategyFile ? resolve(options.strategyFile) : undefined, bars: shareBars(bars), spec },
        },
        jobs,
      );
      objective = pool;
    } else objective = strategyObjectiveFor(strategy, bars, spec);
    const run = await study.optimize(objective, { trials: target, jobs, onProgress: progress, timeout: options.timeout });
    const cache: IndicatorCache = new Map();
    let best: BestTrial | null = null;
    if (run.best) {
      const params = { ...options.fixed, ...run.best.params };
      best = { number: run.best.number, params, value: run.best.values![0]!, values: run.best.values!, stats: backtest(strategy, bars, params, { ...spec.backtest, cache }).stats };
    }
    const doOverfit = options.overfitting !== false && directions.length === 1 && best !== null;
    const overfitting = doOverfit
      ? await overfittingReport(strategy, bars, run.trials, {
          ...(typeof options.overfitting === 'object' ? options.overfitting : {}),
          space,
          constraint,
          spec,
          best: best!,
          direction: directions[0]!,
          seed: study.seed,
          cache,
        })
      : null;
    return {
      study: name,
      storage: storage.url,
      strategy: strategy.name,
      sampler: sampler.name,
      objectives,
      directions,
      trials: run.trials,
      best,
      bestTrials: directions.length === 1 ? (run.best ? [run.best] : []) : run.bestTrials,
      ran: run.ran,
      seconds: run.seconds,
      overfitting,
    };
  } finally {
    await pool?.close();
    if (ownsStorage) await storage.close();
  }
}

/**
 * The overfitting statistics of a finished single-objective study: deflated Sharpe of the best parameters
 * using the study's real trial count and the spread of the trials' Sharpe ratios; PBO by CSCV over (a seeded
 * sample of) the distinct complete trials, re-run for their per-bar returns; the objective around the best
 * parameters (±radius grid steps, one parameter at a time).
 */
export async function overfittingReport(
  strategy: AnyStrategy,
  bars: Bars,
  trials: readonly TrialRecord[],
  o: OverfittingOptions & { space: SearchSpace; constraint: Constraint; spec: ScoreSpec; best: BestTrial; direction: Direction; seed: number; cache?: IndicatorCache },
): Promise<OverfittingReport> {
  const cache = o.cache ?? new Map();
  const P = bars.timeframe ? barsPerYear(bars.timeframe) : 1;
  const finished = trials.filter((t) => t.state === 'complete' || t.state === 'pruned').length;
  const seen = new Set<string>();
  const distinct: TrialRecord[] = [];
  for (const t of trials) {
    if (t.state !== 'complete') continue;
    const key = JSON.stringify(t.params);
    if (!seen.has(key)) {
      seen.add(key);
      distinct.push(t);
    }
  }
  const opts = { ...o.spec.backtest, cache };
  const full = (p: Params) => ({ ...o.spec.fixed, ...p });
  // per-bar Sharpe of every distinct trial (the summary kernel's annualised Sharpe / √P)
  const trialSharpes = distinct.map((t) => backtestSummary(strategy, bars, full(t.params), opts).sharpe / Math.sqrt(P));
  const bestRun = backtest(strategy, bars, o.best.params, opts);
  const bestReturns = barReturns(bestRun.equity, bestRun.initialCash);
  const deflated = studyDeflatedSharpe(bestReturns, trialSharpes, Math.max(finished, 1));
  // PBO over a seeded sample of the distinct trials (the best always in)
  const maxConfigs = o.pboConfigs ?? 100;
  const blocks = o.blocks ?? 16;
  let sample = distinct;
  if (distinct.length > maxConfigs) {
    const r = rng(o.seed, 0x70626f);
    const idx = Array.from(distinct.keys());
    for (let i = idx.length - 1; i > 0; i--) {
      const j = r.int(i + 1);
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    const bestIdx = distinct.findIndex((t) => t.number === o.best.number);
    const chosen = new Set(idx.slice(0, maxConfigs - 1));
    if (bestIdx >= 0) chosen.add(bestIdx);
    sample = [...chosen].sort((a, b) => a - b).slice(0, maxConfigs).map((i) => distinct[i]!);
  }
  let pbo: PboResult | null = null;
  if (sample.length >= 4 && bars.close.length >= 2 * blocks) {
    const stats = sample.map((t) => {
      const r = backtest(strategy, bars, full(t.params), opts);
      return blockStats(barReturns(r.equity, r.initialCash), blocks);
    });
    pbo = pboFromBlocks(stats, blocks);
  }
  // neighbourhood: the study's objective at ±radius steps of each parameter
  const objective = strategyObjectiveFor(strategy, bars, { ...o.spec, folds: undefined });
  const searched: Params = {};
  for (const k of Object.keys(o.space)) if (k in o.best.params) searched[k] = o.best.params[k]!;
  const around = neighbours(o.space, searched, o.constraint, o.radius ?? 1);
  const values: number[] = [];
  for (const p of around) {
    const v = await objective({ number: -1, params: p, report: async () => undefined, shouldPrune: async () => false, pruned: () => new Error('pruned') });
    values.push(typeof v === 'number' ? v : v[0]!);
  }
  return {
    trials: finished,
    sharpe: bestRun.stats.sharpe,
    deflated,
    pbo,
    stability: neighbourhoodStability(o.best.value, values, o.direction),
  };
}

/** Columns of the trial records for a table (`aq.table(trialColumns(r.trials))`): number, state, value(s), one column per parameter. */
export function trialColumns(trials: readonly TrialRecord[]): Record<string, unknown[]> {
  const names = [...new Set(trials.flatMap((t) => Object.keys(t.params)))];
  const k = Math.max(1, ...trials.map((t) => t.values?.length ?? 0));
  const cols: Record<string, unknown[]> = { number: [], state: [] };
  for (let j = 0; j < k; j++) cols[k === 1 ? 'value' : `value${j}`] = [];
  for (const n of names) cols[n] = [];
  cols.seconds = [];
  for (const t of trials) {
    cols.number!.push(t.number);
    cols.state!.push(t.state);
    for (let j = 0; j < k; j++) cols[k === 1 ? 'value' : `value${j}`]!.push(t.values?.[j] ?? null);
    for (const n of names) cols[n]!.push(t.params[n] ?? null);
    cols.seconds!.push(t.datetimeComplete === null ? null : (t.datetimeComplete - t.datetimeStart) / 1000);
  }
  return cols;
}

/** A text block: the best parameters and their figures, with the overfitting statistics beside them. */
export function optimizeSummary(r: OptimizeResult): string {
  const lines: string[] = [];
  const done = r.trials.filter((t) => t.state === 'complete').length;
  const pruned = r.trials.filter((t) => t.state === 'pruned').length;
  const failed = r.trials.filter((t) => t.state === 'fail').length;
  lines.push(`study ${r.study} (${r.storage}): ${r.strategy}, sampler ${r.sampler}, ${done} complete, ${pruned} pruned, ${failed} failed, ${r.seconds.toFixed(1)} s`);
  if (!r.best) {
    if (r.bestTrials.length) lines.push(`Pareto front: ${r.bestTrials.length} trials (${r.objectives.join(', ')})`);
    return lines.join('\n');
  }
  const b = r.best;
  const s = b.stats;
  const f4 = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : String(x));
  const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : String(x));
  const left = [
    `best trial #${b.number}: ${JSON.stringify(b.params)}`,
    `${r.objectives[0]} ${f4(b.value)}`,
    `sharpe ${f4(s.sharpe)}  return ${pct(s.totalReturn)}`,
    `max drawdown ${pct(s.maxDrawdown)}  trades ${s.trades}`,
  ];
  const o = r.overfitting;
  const right = o
    ? [
        `overfitting checks (${o.trials} trials)`,
        `deflated Sharpe ${f4(o.deflated.deflatedSharpe)} (PSR ${f4(o.deflated.probabilisticSharpe)})`,
        o.pbo ? `PBO ${pct(o.pbo.pbo)} (CSCV, ${o.pbo.configurations} configs, ${o.pbo.blocks} blocks)` : 'PBO n/a (too few configurations)',
        `neighbours: ${o.stability.count}, mean drop ${pct(o.stability.meanDrop)}, ${pct(o.stability.within20)} within 20%`,
      ]
    : [];
  const w = Math.max(...left.map((x) => x.length)) + 4;
  for (let i = 0; i < Math.max(left.length, right.length); i++) lines.push(`${(left[i] ?? '').padEnd(w)}${right[i] ?? ''}`.trimEnd());
  return lines.join('\n');
}

export interface SweepOptions extends Omit<OptimizeOptions, 'sampler' | 'trials' | 'space'> {
  /** Values per parameter: a list, or a declaration; parameters not given keep their default (fixed). */
  grid: Record<string, readonly (number | string | boolean)[] | ParamDecl>;
}

/**
 * Exhaustive grid over the given values (the strategy's check and any constraint skip invalid combinations),
 * in grid order; a study like any other (resumable, several jobs).
 * @example await sweep('sma-cross', bars, { grid: { fast: range(2, 50), slow: range(10, 200, 2) }, objective: 'finalEquity' })
 */
export async function sweep(strategyOrName: AnyStrategy | string, bars: Bars, options: SweepOptions): Promise<OptimizeResult> {
  const strategy = typeof strategyOrName === 'string' ? getStrategy(strategyOrName) : strategyOrName;
  const declared = strategy.params as Record<string, ParamDecl & { default?: unknown }>;
  const space: Record<string, ParamDecl> = {};
  const fixed: Params = { ...options.fixed };
  for (const [k, v] of Object.entries(options.grid)) {
    if (!(k in declared)) throw new QuantlabError('BAD_ARGUMENT', `sweep: strategy '${strategy.name}' has no parameter '${k}'; it has ${Object.keys(declared).join(', ')}`);
    space[k] = Array.isArray(v) ? { kind: 'choice', choices: [...v] } : (v as ParamDecl);
  }
  for (const [k, d] of Object.entries(declared)) {
    if (!(k in space) && !(k in fixed)) fixed[k] = (d.default as Params[string] | undefined) ?? (d.kind === 'choice' ? d.choices[0]! : d.low);
  }
  const { grid: _g, ...rest } = options;
  void _g;
  return optimize(strategy, bars, { overfitting: false, ...rest, sampler: 'grid', space, fixed });
}

/** Parses '2:50:1' (low:high:step) or '5,10,20' (a list) into grid values. */
export function parseGridText(name: string, text: string): number[] | string[] {
  const m = /^\s*(-?[\d.e+-]+)\s*:\s*(-?[\d.e+-]+)\s*(?::\s*([\d.e+-]+))?\s*$/i.exec(text);
  if (m) {
    const lo = Number(m[1]);
    const hi = Number(m[2]);
    const step = m[3] === undefined ? 1 : Number(m[3]);
    if (![lo, hi, step].every(Number.isFinite) || !(step > 0) || hi < lo) {
      throw new QuantlabError('BAD_ARGUMENT', `--grid ${name}=${text}: expected low:high[:step] with low <= high and step > 0`);
    }
    const out: number[] = [];
    const count = Math.floor((hi - lo) / step + 1e-9);
    for (let i = 0; i <= count; i++) out.push(Number((lo + i * step).toPrecision(12)));
    return out;
  }
  const parts = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (!parts.length) throw new QuantlabError('BAD_ARGUMENT', `--grid ${name}=${text}: expected low:high[:step] or a comma-separated list`);
  return parts.every((p) => p !== '' && Number.isFinite(Number(p))) ? parts.map(Number) : parts;
}

export interface WalkForwardOptions extends Omit<OptimizeOptions, 'objective' | 'name' | 'overfitting'>, SplitOptions {
  /** One named objective. Default 'sharpe'. */
  objective?: ObjectiveName;
  /** Study name prefix; fold k is '<name>-fold<k>'. */
  name?: string;
}

export interface StrategyWalkForward extends WalkForwardResult {
  strategy: string;
  objective: ObjectiveName;
  /** Bar open times of oosEquity. */
  oosTs: Float64Array;
}

/**
 * Walk-forward analysis of a strategy: on each fold, optimise on the train window (a study per fold), then
 * evaluate the winner on the train window (in-sample) and the following test window (out-of-sample). Each
 * window is backtested from the start of its fold's train window so that indicators are warmed up, and its
 * equity is rebased at the window's first bar. Returns the folds, the stitched out-of-sample equity and WFE.
 */
export async function walkForwardOptimize(strategyOrName: AnyStrategy | string, bars: Bars, options: WalkForwardOptions): Promise<StrategyWalkForward> {
  const strategy = typeof strategyOrName === 'string' ? getStrategy(strategyOrName) : strategyOrName;
  const objective = options.objective ?? 'sharpe';
  const folds = walkForwardSplits(bars.close.length, options);
  const P = bars.timeframe ? barsPerYear(bars.timeframe) : 1;
  const prefix = options.name ?? `${strategy.name}-${bars.symbol || 'bars'}-${bars.timeframe || 'tf'}-wf`;
  const { train: _t, test: _s, mode: _m, step: _st, gap: _g, folds: _f, ...opt } = options;
  void [_t, _s, _m, _st, _g, _f];
  const full = (p: Params) => ({ ...options.fixed, ...p });
  const result = await walkForward({
    folds,
    barsPerYear: P,
    optimize: async (train, fold) => {
      const r = await optimize(strategy, sliceBars(bars, train.start, train.end), { ...opt, objective, name: `${prefix}-fold${fold.fold}`, overfitting: false });
      if (!r.best) throw new QuantlabError('BAD_ARGUMENT', `walk-forward fold ${fold.fold}: no trial completed`);
      return r.best.params;
    },
    evaluate: (params, window, fold) => {
      const from = fold.train.start;
      // a fresh slice each time: no indicator cache (cache keys do not include the bars)
      const r = backtest(strategy, sliceBars(bars, from, window.end), full(params), options.backtest ?? {});
      const off = window.start - from;
      const initial = off === 0 ? r.initialCash : r.equity[off - 1]!;
      const equity = r.equity.slice(off);
      return { value: objectiveFromEquity(objective, equity, initial, P), equity, initial };
    },
  });
  return { ...result, strategy: strategy.name, objective, oosTs: Float64Array.from(result.oosIndex, (i) => bars.ts[i]!) };
}
