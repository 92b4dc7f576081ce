import { QuantlabError } from '../core';
import { paramsKey, type Params } from './space';
import { isRefusal } from './storage';
import { scoredParts, type Objective, type ObjectiveValue, type Progress, type Study, type StudyRun } from './study';
import { paretoFront, sortBest, type TrialRecord, type TrialState } from './trial';

/** One trial of a batch: its number in the study (already claimed) and its parameters. */
export interface BatchItem {
  number: number;
  params: Params;
}

/** What a batch of trials gave. */
export interface BatchResult {
  /** Objective values per trial (width per trial, trial-major); NaN where not run. */
  values: Float64Array;
  width: number;
  /** When each trial ended (epoch ms); NaN where not run. */
  end: Float64Array;
  /** Index of the trial that threw (the ones after it did not run), or -1. */
  failedAt: number;
  error?: Error;
  /** Per trial: why it is infeasible (a constraint its result breaks), or null. */
  infeasible?: (string | null)[];
}

/** Runs batches of trials: a worker pool (see workerPool), or in-process (`inProcessEvaluator`). */
export interface BatchEvaluator {
  /** Batches it runs at once. */
  readonly size: number;
  /** Batches it takes at once (queued ones included); defaults to size. */
  readonly concurrency?: number;
  evaluate(batch: readonly BatchItem[]): Promise<BatchResult>;
}

const noReport = async (): Promise<void> => undefined;
const noPrune = async (): Promise<boolean> => false;

/** A BatchEvaluator in this thread (report() and shouldPrune() are no-ops: batches are not pruned). */
export function inProcessEvaluator(objective: Objective): BatchEvaluator {
  return {
    size: 1,
    async evaluate(batch) {
      const n = batch.length;
      const end = new Float64Array(n).fill(NaN);
      let values = new Float64Array(0);
      let width = 0;
      const infeasible: (string | null)[] = new Array(n).fill(null);
      for (let i = 0; i < n; i++) {
        const t = batch[i]!;
        let v: ObjectiveValue;
        try {
          v = await objective({ number: t.number, params: t.params, report: noReport, shouldPrune: noPrune, pruned: () => new Error(`trial ${t.number} pruned`) });
        } catch (e) {
          return { values, width, end, failedAt: i, error: e as Error, infeasible };
        }
        const parts = scoredParts(v);
        const k = parts.values.length;
        if (i === 0) {
          width = k;
          values = new Float64Array(n * k).fill(NaN);
        } else if (k !== width) {
          return { values, width, end, failedAt: i, error: new Error(`trial ${t.number}: expected ${width} objective value(s) like the batch's first trial, found ${k}`), infeasible };
        }
        for (let j = 0; j < k; j++) values[i * k + j] = parts.values[j]!;
        infeasible[i] = parts.infeasible;
        end[i] = Date.now();
      }
      return { values, width, end, failedAt: -1, infeasible };
    },
  };
}

const compareValues = (a: unknown, b: unknown): number =>
  typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;

/**
 * The points in blocks of neighbours: each parameter's values are cut into runs of `side` consecutive values
 * (side ≈ size^(1/parameters)), and the points are ordered block by block, in grid order inside a block. A
 * batch of about `size` points then holds few distinct values of each parameter, so the indicators a trial
 * needs were mostly computed by the trials before it in the same batch (and fit a bounded cache).
 */
export function blockOrder(points: readonly Params[], size: number): Params[] {
  if (points.length < 2) return [...points];
  const names = Object.keys(points[0]!);
  const ranks = names.map((n) => {
    const distinct = [...new Set(points.map((p) => p[n]))].sort(compareValues);
    return new Map(distinct.map((v, i) => [v, i]));
  });
  const dims = ranks.filter((r) => r.size > 1).length || 1;
  const side = Math.max(1, Math.round(size ** (1 / dims)));
  const keyed = points.map((p, i) => {
    const r = names.map((n, d) => ranks[d]!.get(p[n])!);
    return { p, i, key: [...r.map((x) => Math.floor(x / side)), ...r] };
  });
  keyed.sort((a, b) => {
    for (let j = 0; j < a.key.length; j++) if (a.key[j] !== b.key[j]) return a.key[j]! - b.key[j]!;
    return a.i - b.i;
  });
  return keyed.map((x) => x.p);
}

export interface BatchRunOptions {
  /** Target number of finished (complete or pruned) trials in the study, counting earlier runs and other processes. */
  trials: number;
  /** Trials per batch. Default: the points left split into about 8 batches per lane, 1 … 256. */
  batchSize?: number;
  /** Stop claiming new batches after this many seconds. */
  timeout?: number;
  /** Keep going when a trial throws (it is marked failed). Default false: mark failed and rethrow. */
  catch?: boolean;
  /** Called after each batch this process finishes (`last` is the batch's last trial). */
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

/**
 * Runs a fixed list of points (a grid) as trials of `study`, a batch at a time (batches of neighbouring
 * points, see blockOrder, so trial numbers follow blocks rather than grid order): each batch is
 * claimed in the storage (running, unique parameters, within the trial limit), evaluated in one go (one
 * message to a worker thread, not one per trial), then each trial is stored complete or failed. Points that
 * the study already holds (complete, pruned, or running elsewhere) are skipped, so several processes share a
 * grid and a resumed study runs only what is missing. A process killed mid-run leaves its in-flight batches
 * running; they are failed (by pid on this host, else by heartbeat) and run again on resume.
 */
export async function runInBatches(study: Study, points: readonly Params[], evaluator: BatchEvaluator, options: BatchRunOptions): Promise<StudyRun> {
  const { trials: target } = options;
  if (!(Number.isInteger(target) && target >= 0)) throw new QuantlabError('BAD_ARGUMENT', `study '${study.name}': expected trials to be an integer >= 0, found ${target}`);
  const storage = study.storage;
  const name = study.name;
  const started = performance.now();
  const deadline = options.timeout === undefined ? Infinity : started + options.timeout * 1000;
  const k = study.directions.length;

  const known = await study.refresh();
  const taken = new Set<string>();
  const counts: Record<TrialState, number> = { running: 0, complete: 0, pruned: 0, fail: 0 };
  let best: TrialRecord | null = null;
  const sign = study.directions[0] === 'minimize' ? 1 : -1;
  const consider = (t: TrialRecord) => {
    if (t.state === 'complete' && !t.infeasible && t.values && t.values[0]! === t.values[0]! && (!best || sign * t.values[0]! < sign * best.values![0]!)) best = t;
  };
  for (const t of known) {
    if (!t) continue;
    counts[t.state]++;
    if (t.state !== 'fail') taken.add(paramsKey(t.params));
    consider(t);
  }
  const left = points.filter((p) => !taken.has(paramsKey(p)));
  const lanes = Math.max(1, evaluator.concurrency ?? evaluator.size);
  const batchSize = options.batchSize ?? Math.min(256, Math.max(1, Math.ceil(left.length / (lanes * 8))));
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new QuantlabError('BAD_ARGUMENT', `study '${name}': expected batchSize to be an integer >= 1, found ${batchSize}`);
  const todo = blockOrder(left, batchSize);

  let cursor = 0;
  let full = false;
  let ran = 0;
  let error: unknown = null;
  let consecutiveFailures = 0;
  const inFlight = new Set<number>();
  const stop = () => error !== null || full || performance.now() > deadline || (options.signal?.aborted ?? false);
  const timer = setInterval(() => {
    if (inFlight.size) storage.heartbeat(name, [...inFlight], Date.now()).catch(() => undefined);
  }, study.heartbeatInterval);
  timer.unref();

  /** Claims up to batchSize points (skipping ones another process took meanwhile). */
  const claimBatch = async (): Promise<TrialRecord[]> => {
    const claimed: TrialRecord[] = [];
    while (claimed.length < batchSize && cursor < todo.length && !full) {
      const params = todo[cursor++]!;
      const res = await storage.claimTrial(name, { params, worker: study.worker, now: Date.now(), limit: target, unique: true });
      if (isRefusal(res)) {
        if (res.refused === 'limit') full = true;
        continue;
      }
      claimed.push(res);
      inFlight.add(res.number);
    }
    return claimed;
  };

  const finish = async (claimed: TrialRecord[], r: BatchResult | null, thrown: unknown): Promise<void> => {
    let last: TrialRecord | null = null;
    for (let i = 0; i < claimed.length; i++) {
      const t = claimed[i]!;
      let state: Exclude<TrialState, 'running'> = 'fail';
      let values: number[] | null = null;
      if (r && (r.failedAt < 0 || i < r.failedAt) && r.width === k) {
        values = Array.from(r.values.subarray(i * k, i * k + k));
        if (values.every((v) => v === v)) state = 'complete';
        else values = null;
      }
      const now = r && r.end[i] === r.end[i] ? r.end[i]! : Date.now();
      const infeasible = state === 'complete' ? (r?.infeasible?.[i] ?? null) : null;
      const ok = await storage.finishTrial(name, t.number, state, values, now, infeasible);
      inFlight.delete(t.number);
      ran++;
      const rec: TrialRecord = { ...t, state: ok ? state : 'fail', values: ok ? values : null, datetimeComplete: now };
      if (ok && infeasible) rec.infeasible = infeasible;
      counts[rec.state]++;
      consider(rec);
      last = rec;
      if (rec.state === 'fail') {
        consecutiveFailures++;
        const why = r && i === r.failedAt ? r.error : thrown;
        if (why != null && !options.catch && error === null) error = why;
        else if (r && r.width !== k && r.failedAt < 0 && error === null) {
          error = new QuantlabError('BAD_ARGUMENT', `study '${name}' trial ${t.number}: expected ${k} objective value(s) (directions ${study.directions.join(', ')}), found ${r.width}`);
        } else if (consecutiveFailures >= 100 && error === null) {
          error = new QuantlabError('BAD_ARGUMENT', `study '${name}': the objective failed ${consecutiveFailures} times in a row; last: ${why instanceof Error ? why.message : 'a NaN value'}`);
        }
      } else consecutiveFailures = 0;
    }
    if (last && options.onProgress) {
      const elapsed = (performance.now() - started) / 1000;
      options.onProgress({
        study: name,
        done: counts.complete + counts.pruned,
        total: target,
        running: inFlight.size,
        failed: counts.fail,
        pruned: counts.pruned,
        best: best ? best.values![0]! : NaN,
        bestParams: best ? best.params : null,
        elapsed,
        rate: elapsed > 0 ? ran / elapsed : 0,
        last,
      });
    }
  };

  const lane = async (): Promise<void> => {
    while (!stop()) {
      const claimed = await claimBatch();
      if (!claimed.length) return;
      let r: BatchResult | null = null;
      let thrown: unknown = null;
      try {
        r = await evaluator.evaluate(claimed.map((t) => ({ number: t.number, params: t.params })));
      } catch (e) {
        thrown = e;
      }
      await finish(claimed, r, thrown);
    }
  };
  try {
    await Promise.all(Array.from({ length: lanes }, lane));
  } finally {
    clearInterval(timer);
  }
  if (error !== null) throw error;
  const all = [...(await study.refresh())];
  const complete = all.filter((t) => t.state === 'complete');
  const sorted = k === 1 ? sortBest(complete, study.directions[0]!) : [];
  return {
    study: name,
    directions: study.directions,
    trials: all,
    best: k === 1 ? (sorted[0] ?? null) : null,
    bestTrials: k === 1 ? sorted.slice(0, 1) : paretoFront(complete, study.directions),
    ran,
    seconds: (performance.now() - started) / 1000,
  };
}
