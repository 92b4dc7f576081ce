import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { QuantlabError, withSummary, type Bars } from '../core';
import { capJobs, createStudy, gridPoints, openStorage, progressBar, samplerFrom, shareBars, workerPool, type Objective, type StudyRun, type WorkerPool } from '../optimizer';
import { inProcessEvaluator, runInBatches } from '../optimizer/batch-run';
import { backtest, BUILTIN_STRATEGIES, getStrategy, type AnyStrategy, type IndicatorCache } from '../strategy';
import { objectiveDirection, strategyObjectiveFor, type ObjectiveName, type ScoreSpec } from './objectives';
import type { OptimizeOptions } from './options';
import { overfittingReport } from './overfitting';
import type { BestTrial, OptimizeResult } from './result';
import { strategyConstraint, strategySpace } from './space';

const here = (file: string): string => {
  for (const ext of ['.js', '.ts']) {
    const f = join(__dirname, file + ext);
    if (existsSync(f)) return f;
  }
  throw new QuantlabError('NOT_FOUND', `optimize: ${file}.ts not found next to ${__dirname}`);
};

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
 * @example
 * const bars = await ql.loadDataset('BTCUSDT', '1h');
 * const r = await optimize(ql.smaCross, bars, { sampler: 'tpe', trials: 40, objective: 'sharpe', jobs: 2, storage: 'sqlite:experiments/studies.db', name: 'btc-sma', seed: 7 });
 * r.trials.length // 40
 */
export async function optimize(strategyOrName: AnyStrategy | string, bars: Bars, options: OptimizeOptions = {}): Promise<OptimizeResult> {
  const strategy = typeof strategyOrName === 'string' ? getStrategy(strategyOrName) : strategyOrName;
  const objectives = (Array.isArray(options.objective) ? options.objective : [options.objective ?? 'sharpe']) as ObjectiveName[];
  if (!objectives.length) throw new QuantlabError('BAD_ARGUMENT', 'optimize: expected at least one objective, found none');
  const directions = objectives.map(objectiveDirection);
  const space = strategySpace(strategy, options);
  const constraint = strategyConstraint(strategy, options.fixed, options.constraint);
  const sampler = samplerFrom(options.sampler, directions.length > 1 ? 'nsga2' : 'tpe');
  const isGrid = sampler.name === 'grid';
  const points = isGrid ? gridPoints(space, constraint, options.gridPoints ?? 10) : null;
  const target = options.trials ?? (points ? points.length : 100);
  const jobs = capJobs(options.jobs ?? 1, 'optimize');
  // a plain grid (no pruning, no per-fold reports) runs in batches: one message per chunk of trials, not per trial
  const batched = points !== null && typeof options.sampler === 'string' && !options.pruner && !options.folds;
  const name = options.name ?? `${strategy.name}-${bars.symbol || 'bars'}-${bars.timeframe || 'tf'}`;
  const storage = typeof options.storage === 'object' ? options.storage : openStorage(options.storage ?? 'memory:');
  const ownsStorage = typeof options.storage !== 'object';
  const spec: ScoreSpec = { objectives, backtest: options.backtest ?? {}, fixed: options.fixed, folds: options.folds };
  let pool: WorkerPool | null = null;
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
    let objective: Objective | WorkerPool;
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
    const run: StudyRun = batched
      ? await runInBatches(study, points!, typeof objective === 'function' ? inProcessEvaluator(objective) : objective, { trials: target, onProgress: progress, timeout: options.timeout })
      : await study.optimize(objective, { trials: target, jobs, onProgress: progress, timeout: options.timeout });
    await pool?.close(); // the threads' memory back before the best trial's full backtest
    pool = null;
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
    return withSummary({
      studyName: name,
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
    }, 'optimize');
  } finally {
    await pool?.close();
    if (ownsStorage) await storage.close();
  }
}
