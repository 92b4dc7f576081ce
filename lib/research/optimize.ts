import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { QuantlabError, withSummary, type Bars } from '../core';
import {
  capJobs,
  createStudy,
  gridPoints,
  identityDifferences,
  progressBar,
  samplerFrom,
  shareBars,
  studyMismatch,
  workerPool,
  type Executor,
  type Objective,
  type ObjectiveValue,
  type Params,
  type Progress,
  type StudyRun,
  type WorkerPool,
} from '../optimizer';
import { inProcessEvaluator, runInBatches, type BatchEvaluator, type BatchResult } from '../optimizer/batch-run';
import type { SharedBars } from '../optimizer/shared';
import { backtest, BUILTIN_STRATEGIES, getStrategy, inputsOf, MULTI_INPUT_STRATEGIES, strategyBars, type AnyStrategy, type IndicatorCache, type InputGaps } from '../strategy';
import { strategyRulesHash } from './fingerprint';
import { checkStrategyFile, strategyStudyIdentity } from './identity';
import { cachedOverfitting, noticeOutput, notebookStudyName, openStudyStorage, overfittingKey, saveOverfitting, studyNotice, studyStorage, type NoticeOutput } from './notebook-default';
import { objectivePlan, strategyObjectiveFor, type ObjectivePlan, type ScoreSpec } from './objectives';
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

/** The inputs attached to `bars`, shared for worker threads (they re-attach them: objective-worker). */
function shareInputs(bars: Bars): { inputs?: Record<string, SharedBars>; inputGaps?: InputGaps } {
  const a = inputsOf(bars);
  return a ? { inputs: Object.fromEntries(Object.entries(a.inputs).map(([k, b]) => [k, shareBars(b)])), inputGaps: a.gaps } : {};
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
 * @example
 * const bars = await ql.loadDataset('BTCUSDT', '1h');
 * const r = await optimize(ql.smaCross, bars, { sampler: 'tpe', trials: 40, objective: 'sharpe', jobs: 2, storage: 'sqlite:experiments/studies.db', name: 'btc-sma', seed: 7 });
 * r.trials.length // 40
 */
export async function optimize(strategyOrName: AnyStrategy | string, barsGiven: Bars, options: OptimizeOptions = {}): Promise<OptimizeResult> {
  const strategy = typeof strategyOrName === 'string' ? getStrategy(strategyOrName) : strategyOrName;
  const bars = strategyBars(strategy, barsGiven, options); // the strategy's inputs attached (and checked)
  const plan = objectivePlan(options.objective, options.constraints);
  const objectives = plan.labels;
  const directions = plan.directions;
  if (plan.withStats && options.folds) {
    throw new QuantlabError('BAD_ARGUMENT', 'optimize: folds work with named objectives only; objective functions and constraints are evaluated on the whole period (drop folds, or use a named objective)');
  }
  const space = strategySpace(strategy, options);
  const constraint = strategyConstraint(strategy, options.fixed, options.constraint);
  const sampler = samplerFrom(options.sampler, directions.length > 1 ? 'nsga2' : 'tpe');
  const isGrid = sampler.name === 'grid';
  const points = isGrid ? gridPoints(space, constraint, options.gridPoints ?? 10) : null;
  const target = options.trials ?? (points ? points.length : 100);
  const jobs = capJobs(options.jobs ?? 1, 'optimize');
  // a plain grid (no pruning, no per-fold reports) runs in batches: one message per chunk of trials, not per trial
  const batched = points !== null && typeof options.sampler === 'string' && !options.pruner && !options.folds;
  const label = `${strategy.name}-${bars.symbol || 'bars'}-${bars.timeframe || 'tf'}`;
  // in a notebook, no storage means <experiments>/studies.db under a name derived from the study's identity
  const choice = studyStorage(options.storage);
  const { storage, owns: ownsStorage } = openStudyStorage(choice);
  const spec: ScoreSpec = { objectives: plan.named, backtest: options.backtest ?? {}, fixed: options.fixed, folds: options.folds, ...(plan.withStats ? { withStats: true } : {}) };
  const restartHint = options.restartHint ?? 'restart: true';
  let pool: WorkerPool | null = null;
  try {
    if (jobs > 1 && options.strategyFile) await checkStrategyFile(strategy, options.strategyFile, bars);
    const identity = strategyStudyIdentity({
      strategy,
      bars,
      space,
      objectives: plan.ids,
      constraints: plan.constraintsId,
      backtest: spec.backtest,
      fixed: options.fixed ?? {},
      folds: options.folds ?? 0,
      paramConstraint: options.constraint,
    });
    const derived = choice.notebook && options.name === undefined;
    const pruner = typeof options.pruner === 'object' ? { ...options.pruner, name: options.pruner.name } : (options.pruner ?? null);
    const name = options.name ?? (derived ? notebookStudyName(strategy, { identity, directions, sampler: { ...sampler }, seed: options.seed ?? null, trials: target, pruner, gridPoints: options.gridPoints ?? null }) : label);
    const existing = await storage.getStudy(name);
    const data = dataMeta(bars);
    const meta = { strategy: strategy.name, objectives, data, backtest: spec.backtest, fixed: options.fixed ?? {}, folds: options.folds ?? 0, constraints: plan.constraintsId };
    if (existing && !existing.meta.identity && !options.restart) {
      // a study stored before studies recorded their identity: compare what it recorded
      const old = existing.meta as Record<string, unknown>;
      const given: Record<string, unknown> = { ...meta, directions };
      const stored: Record<string, unknown> = { directions: existing.directions };
      for (const k of Object.keys(given)) if (k in old) stored[k] = old[k];
      for (const k of Object.keys(given)) if (!(k in stored)) delete given[k];
      const diffs = identityDifferences(stored, given);
      if (diffs.length) throw studyMismatch(storage.url, name, diffs, restartHint);
    }
    const study = await createStudy({
      name,
      storage,
      space,
      directions,
      constraint,
      sampler,
      pruner: options.pruner,
      // a resumed study keeps the seed it was created with (trial n draws from rng(seed, n): resuming = uninterrupted)
      seed: options.seed ?? (existing && !options.restart && typeof existing.meta.seed === 'number' ? existing.meta.seed : undefined),
      meta,
      identity,
      restart: options.restart,
      restartHint,
    });
    let notice: NoticeOutput | null = null;
    if (choice.notebook) {
      const stored = existing && !options.restart ? (await storage.getTrials(name, { states: ['complete', 'pruned'] })).length : 0;
      notice = noticeOutput(studyNotice(`study ${name}`, existing && !options.restart ? `resumed: ${stored} of ${target} trials stored` : null));
      notice.show();
    }
    const progress =
      options.progress === false ? undefined : typeof options.progress === 'function' ? options.progress : progressBar({ label: derived ? label : name, ...(notice?.display ? { display: notice.display } : {}) });
    let objective: Objective | (Executor & BatchEvaluator);
    if (jobs > 1) {
      const builtin = BUILTIN_STRATEGIES.includes(strategy) || MULTI_INPUT_STRATEGIES.includes(strategy);
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
          init: { strategy: strategy.name, strategyFile: options.strategyFile ? resolve(options.strategyFile) : undefined, bars: shareBars(bars), spec, ...shareInputs(bars), ...(options.strategyFile ? { rules: strategyRulesHash(strategy) } : {}) },
        },
        jobs,
        // built-in strategies only: a user's strategy file would stay in a kept thread as it was first loaded
        { ...(batched ? { mainLane: strategyObjectiveFor(strategy, bars, spec) } : {}), reuse: !options.strategyFile },
      );
      objective = plan.withStats ? finishingPool(plan, pool, options.fixed) : pool;
    } else objective = plan.withStats ? finishing(plan, strategyObjectiveFor(strategy, bars, spec), options.fixed) : strategyObjectiveFor(strategy, bars, spec);
    let run: StudyRun;
    try {
      run = batched
        ? await runInBatches(study, points!, typeof objective === 'function' ? inProcessEvaluator(objective) : objective, { trials: target, onProgress: progress, timeout: options.timeout })
        : await study.optimize(objective, { trials: target, jobs, onProgress: progress, timeout: options.timeout });
    } catch (e) {
      // a worker thread's QuantlabError arrives as a plain Error that kept its name: keep the mismatch's code
      if (e instanceof Error && !(e instanceof QuantlabError) && e.name === 'QuantlabError' && e.message.startsWith('worker thread: strategy ')) throw new QuantlabError('STUDY_MISMATCH', e.message);
      throw e;
    }
    // a notebook study resumed with every trial done ran nothing: its progress line shows where it stands
    if (notice && run.ran === 0 && progress && run.trials.length) progress(finishedSnapshot(name, target, run));
    await pool?.close(); // the threads' memory back before the best trial's full backtest
    pool = null;
    const cache: IndicatorCache = new Map();
    let best: BestTrial | null = null;
    if (run.best) {
      const params = { ...options.fixed, ...run.best.params };
      best = { number: run.best.number, params, value: run.best.values![0]!, values: run.best.values!, stats: backtest(strategy, bars, params, { ...spec.backtest, cache }).stats };
    }
    const doOverfit = options.overfitting !== false && directions.length === 1 && best !== null;
    // a notebook study keeps its overfitting statistics beside it: re-running a finished study recomputes nothing
    const overfitKey = doOverfit && choice.notebook ? overfittingKey(run.trials, study.seed, options.overfitting) : null;
    const kept = overfitKey ? cachedOverfitting(name, overfitKey) : null;
    const overfitting = kept ?? (doOverfit
      ? await overfittingReport(strategy, bars, run.trials, {
          ...(typeof options.overfitting === 'object' ? options.overfitting : {}),
          space,
          constraint,
          spec,
          best: best!,
          direction: directions[0]!,
          seed: study.seed,
          cache,
          ...(plan.withStats ? { objective: finishing(plan, strategyObjectiveFor(strategy, bars, { ...spec, folds: undefined }), options.fixed) } : {}),
        })
      : null);
    if (overfitKey && overfitting && !kept) saveOverfitting(name, overfitKey, overfitting);
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

/** The progress snapshot of a study that had nothing left to run. */
function finishedSnapshot(name: string, total: number, run: StudyRun): Progress {
  const count = (s: string) => run.trials.filter((t) => t.state === s).length;
  return {
    study: name,
    done: count('complete') + count('pruned'),
    total,
    running: count('running'),
    failed: count('fail'),
    pruned: count('pruned'),
    best: run.best?.values?.[0] ?? NaN,
    bestParams: run.best?.params ?? null,
    elapsed: run.seconds,
    rate: 0,
    last: run.trials[run.trials.length - 1]!,
  };
}

const asVector = (v: ObjectiveValue): number[] => (typeof v === 'number' ? [v] : Array.isArray(v) ? (v as number[]) : []);

/** The objective whose raw values (named objectives + statistics) become the plan's values and infeasibility. */
function finishing(plan: ObjectivePlan, raw: Objective, fixed: Params | undefined): Objective {
  return async (trial) => plan.finish(asVector(await raw(trial)), { ...fixed, ...trial.params });
}

/** The worker pool with the plan applied in this thread to the statistics the workers send back. */
function finishingPool(plan: ObjectivePlan, pool: WorkerPool, fixed: Params | undefined): Executor & BatchEvaluator {
  const width = plan.directions.length;
  return {
    size: pool.size,
    concurrency: pool.concurrency,
    close: () => pool.close(),
    run: async (trial) => plan.finish(asVector(await pool.run(trial)), { ...fixed, ...trial.params }),
    async evaluate(batch): Promise<BatchResult> {
      const r = await pool.evaluate(batch);
      const n = batch.length;
      const values = new Float64Array(n * width).fill(NaN);
      const infeasible: (string | null)[] = new Array(n).fill(null);
      let failedAt = r.failedAt;
      let error = r.error;
      for (let i = 0; i < n && r.width > 0; i++) {
        if (failedAt >= 0 && i >= failedAt) break;
        try {
          const f = plan.finish(r.values.subarray(i * r.width, (i + 1) * r.width), { ...fixed, ...batch[i]!.params });
          const v = f.values as readonly number[];
          for (let j = 0; j < width; j++) values[i * width + j] = v[j]!;
          infeasible[i] = f.infeasible ?? null;
        } catch (e) {
          failedAt = i;
          error = e as Error;
          break;
        }
      }
      return { values, width, end: r.end, failedAt, error, infeasible };
    },
  };
}
