import { hostname } from 'node:os';
import { QuantlabError } from '../core';
import { openStorage } from './open';
import { nopPruner, prunerFrom, type Pruner, type PrunerName } from './pruners';
import { randomSeed, rng } from './rng';
import { samplerFrom, type Sampler, type SamplerName } from './samplers';
import { checkSpace, constraintError, paramsError, type Constraint, type Params, type SearchSpace } from './space';
import { identityDifferences, studyMismatch, type StudyIdentity } from './identity';
import { isRefusal, type Storage } from './storage';
import { checkDirections, paretoFront, sortBest, type Direction, type StudyRecord, type TrialRecord, type TrialState } from './trial';

/** Thrown by an objective (or returned by `trial.prune()`) to stop a trial as pruned. */
export class TrialPruned extends Error {
  constructor(message = 'trial pruned') {
    super(message);
    this.name = 'TrialPruned';
  }
}

/**
 * What an objective returns: one value (or one per direction), or `{ values, infeasible }` where
 * `infeasible` (a reason) marks a trial whose result breaks a constraint: recorded with its values and
 * reason, seen by samplers as the worst value, never the best.
 */
export type ObjectiveValue = number | readonly number[] | ScoredValue;

export interface ScoredValue {
  values: number | readonly number[];
  /** Why the trial is infeasible (a constraint it breaks); absent or null when feasible. */
  infeasible?: string | null;
}

/** The values and infeasibility reason of an objective's answer. */
export function scoredParts(v: ObjectiveValue): { values: number[]; infeasible: string | null } {
  if (typeof v === 'number') return { values: [v], infeasible: null };
  if (Array.isArray(v)) return { values: [...(v as number[])], infeasible: null };
  const s = v as ScoredValue;
  return { values: typeof s.values === 'number' ? [s.values] : [...s.values], infeasible: s.infeasible ?? null };
}

/** What an objective sees of its trial (the same in-process and in a worker thread). */
export interface TrialLike {
  readonly number: number;
  readonly params: Params;
  /** Records the value at `step` (fold, epoch …). */
  report(value: number, step: number): Promise<void>;
  /** Whether the study's pruner would stop this trial now. */
  shouldPrune(): Promise<boolean>;
  /** A TrialPruned error to throw. */
  pruned(): Error;
}

/** The function a study minimises or maximises: parameters in, one value (or one per direction) out. */
export type Objective = (trial: TrialLike) => ObjectiveValue | Promise<ObjectiveValue>;

/** Runs trials somewhere else (worker threads); see `workerPool`. */
export interface Executor {
  /** Workers. */
  readonly size: number;
  /** Trials it takes at once (the study's default `jobs`); defaults to size. */
  readonly concurrency?: number;
  run(trial: Trial): Promise<ObjectiveValue>;
  close(): Promise<void>;
}

export interface StudyOptions {
  /** Study name; a study with this name in the storage is resumed. Default: 'study-<date>'. */
  name?: string;
  /** A Storage or a URL: 'memory:' (default), 'sqlite:PATH', 'postgres://…'. */
  storage?: Storage | string;
  /** Default 'minimize'. Use `directions` for several objectives. */
  direction?: Direction;
  directions?: Direction[];
  space: SearchSpace;
  /** Parameter sets that fail it are never sampled. */
  constraint?: Constraint;
  /** Default 'tpe' for one objective, 'nsga2' for several. */
  sampler?: Sampler | SamplerName;
  pruner?: Pruner | PrunerName;
  /** Seed of the samplers' random streams; same seed, sampler and objective ⇒ same parameters (one worker). */
  seed?: number;
  /** Stored with the study (strategy, objective, data …) and shown by `study show`. */
  meta?: Record<string, unknown>;
  /**
   * What else defines the study besides its directions and search space (always part of it): stored with
   * them in `meta.identity` when it is created. A study of this name stored with another identity is refused
   * (STUDY_MISMATCH naming each difference).
   */
  identity?: StudyIdentity;
  /** Delete a stored study of this name (every trial) and start it over. Default false. */
  restart?: boolean;
  /** How the mismatch error tells the user to start over. Default 'restart: true'. */
  restartHint?: string;
  /** How often running trials prove they are alive, ms. Default 5000. */
  heartbeatInterval?: number;
  /** A running trial whose heartbeat is older than this is marked failed, ms. Default 60000. */
  staleAfter?: number;
  /** Worker id written into trials. Default 'host:pid:tag'. */
  worker?: string;
}

export interface StudyRunOptions {
  /** Target number of finished (complete or pruned) trials in the study, counting earlier runs and other processes. */
  trials: number;
  /** Trials run at once by this process (async objectives; use an Executor for threads). Default 1, or the executor's size. */
  jobs?: number;
  /** Stop asking for new trials after this many seconds. */
  timeout?: number;
  /** Keep going when the objective throws (the trial is marked failed). Default false: mark failed and rethrow. */
  catch?: boolean;
  /** Called after each trial this process finishes. */
  onProgress?: (p: Progress) => void;
  /** Stop asking for new trials once aborted. */
  signal?: AbortSignal;
}

export interface Progress {
  study: string;
  /** Finished (complete + pruned) trials in the study. */
  done: number;
  total: number;
  running: number;
  failed: number;
  pruned: number;
  /** Best first-objective value so far (NaN when none). */
  best: number;
  bestParams: Params | null;
  /** Seconds since this optimize() call began. */
  elapsed: number;
  /** Trials finished per second by this call. */
  rate: number;
  last: TrialRecord;
}

export interface StudyRun {
  study: string;
  directions: Direction[];
  /** Every trial of the study, by number. */
  trials: TrialRecord[];
  /** Best complete trial (single objective), else null. */
  best: TrialRecord | null;
  /** Pareto front (several objectives), by number; the best trial alone for one objective. */
  bestTrials: TrialRecord[];
  /** Trials this call ran (any final state). */
  ran: number;
  seconds: number;
}

let tagCounter = 0;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Creates (or resumes, by name) a study. */
export async function createStudy(options: StudyOptions): Promise<Study> {
  const name = options.name ?? `study-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  checkSpace(options.space, `study '${name}'`);
  const directions = checkDirections(options.directions ?? [options.direction ?? 'minimize'], `study '${name}'`);
  // written so that tslab's TypeScript 5.0 narrows it too (it does not narrow through `??` here)
  const given = options.storage;
  const storage = given === undefined ? openStorage('memory:') : typeof given === 'string' ? openStorage(given) : given;
  const sampler = samplerFrom(options.sampler, directions.length > 1 ? 'nsga2' : 'tpe');
  const seed = options.seed ?? randomSeed();
  // at least the directions and the search space; callers add what else defines the study (strategy, data …)
  const identity: StudyIdentity = { directions, ...options.identity };
  if (!('space' in identity)) identity.space = options.space;
  const checkIdentity = (stored: Record<string, unknown> | undefined) => {
    if (!stored) return;
    const diffs = identityDifferences(stored, identity);
    if (diffs.length) throw studyMismatch(storage.url, name, diffs, options.restartHint);
  };
  const existing = await storage.getStudy(name);
  if (existing && options.restart) await storage.deleteStudy(name);
  else if (existing) checkIdentity(existing.meta.identity as Record<string, unknown> | undefined);
  const record = await storage.createStudy({
    name,
    directions,
    space: options.space,
    meta: { sampler: sampler.name, seed, ...options.meta, identity },
  });
  // another process may have created it meanwhile
  if (!existing || options.restart) checkIdentity(record.meta.identity as Record<string, unknown> | undefined);
  return new Study(record, storage, options, sampler, seed, typeof options.storage !== 'object');
}

/** A handle on one study in one storage: ask/tell, or optimize() to run an objective to a trial count. */
export class Study {
  readonly name: string;
  readonly directions: Direction[];
  readonly space: SearchSpace;
  readonly sampler: Sampler;
  readonly pruner: Pruner;
  readonly seed: number;
  readonly worker: string;
  readonly constraint?: Constraint;
  readonly heartbeatInterval: number;
  readonly staleAfter: number;
  /** records[number]; numbers are dense, so this is also the sorted list. */
  private readonly cache: TrialRecord[] = [];
  private finalBelow = 0;
  /** complete and pruned trials numbered below finalBelow (immutable), and how many trials there did not fail. */
  private readonly finalHistory: TrialRecord[] = [];
  private finalLive = 0;
  private lastSweep = -Infinity;
  private readonly mine = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  private askLock: Promise<unknown> = Promise.resolve();

  constructor(
    readonly record: StudyRecord,
    readonly storage: Storage,
    options: StudyOptions,
    sampler: Sampler,
    seed: number,
    private readonly ownsStorage: boolean,
  ) {
    this.name = record.name;
    this.directions = record.directions;
    this.space = options.space;
    this.constraint = options.constraint;
    this.sampler = sampler;
    this.pruner = prunerFrom(options.pruner) ?? nopPruner();
    this.seed = seed;
    this.worker = options.worker ?? `${hostname()}:${process.pid}:${(++tagCounter).toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
    this.heartbeatInterval = options.heartbeatInterval ?? 5000;
    this.staleAfter = options.staleAfter ?? 60_000;
    if (!(this.staleAfter > this.heartbeatInterval)) {
      throw new QuantlabError('BAD_ARGUMENT', `study '${this.name}': expected staleAfter > heartbeatInterval, found ${this.staleAfter} <= ${this.heartbeatInterval} ms`);
    }
  }

  /** Brings the local copy of the trial records up to date (final records are immutable, so only the tail is read). */
  async refresh(): Promise<TrialRecord[]> {
    const now = Date.now();
    if (now - this.lastSweep >= this.heartbeatInterval) {
      this.lastSweep = now;
      await this.storage.failStaleTrials(this.name, now - this.staleAfter, now);
      await this.failDeadLocalOwners(now);
    }
    const fresh = await this.storage.getTrials(this.name, { from: this.finalBelow });
    for (const t of fresh) this.cache[t.number] = t;
    while (this.finalBelow < this.cache.length && this.cache[this.finalBelow] && this.cache[this.finalBelow]!.state !== 'running') {
      const t = this.cache[this.finalBelow]!;
      if (t.state !== 'fail') {
        this.finalLive++;
        this.finalHistory.push(forSampler(t, this.directions));
      }
      this.finalBelow++;
    }
    return this.cache;
  }

  /** Running trials owned by a process on this host that no longer exists are failed at once (no need to wait for the heartbeat). */
  private async failDeadLocalOwners(now: number): Promise<void> {
    const host = hostname();
    for (const t of await this.storage.getTrials(this.name, { states: ['running'], from: this.finalBelow })) {
      const [h, pidText] = t.worker.split(':');
      const pid = Number(pidText);
      if (h !== host || !Number.isInteger(pid) || pid === process.pid) continue;
      if (!processAlive(pid)) await this.storage.finishTrial(this.name, t.number, 'fail', null, now);
    }
  }

  /** Every trial of the study, by number. */
  async trials(states?: readonly TrialState[]): Promise<TrialRecord[]> {
    const all = await this.refresh();
    return states ? all.filter((t) => states.includes(t.state)) : [...all];
  }

  /** The best complete trial (single objective). */
  async best(): Promise<TrialRecord | null> {
    if (this.directions.length > 1) {
      throw new QuantlabError('BAD_ARGUMENT', `study '${this.name}' has ${this.directions.length} objectives; use bestTrials() (the Pareto front)`);
    }
    return sortBest(await this.trials(['complete']), this.directions[0]!)[0] ?? null;
  }

  /** The Pareto front of complete trials. */
  async bestTrials(): Promise<TrialRecord[]> {
    return paretoFront(await this.trials(['complete']), this.directions);
  }

  /** Starts a new trial with sampled parameters (no trial limit). */
  async ask(): Promise<Trial> {
    const r = await this.claim(undefined);
    if (r === 'limit') throw new Error('unreachable');
    if (r === 'exhausted') throw new QuantlabError('BAD_ARGUMENT', `study '${this.name}': sampler '${this.sampler.name}' has no parameters left (grid exhausted)`);
    return r;
  }

  /**
   * Ends a trial: values (one per direction) make it complete; 'pruned' or 'fail' end it so. Throws when the
   * trial is no longer running (another process marked it failed after its heartbeat went stale).
   */
  async tell(trial: Trial | number, result: ObjectiveValue | 'pruned' | 'fail'): Promise<TrialRecord> {
    const number = typeof trial === 'number' ? trial : trial.number;
    let state: Exclude<TrialState, 'running'>;
    let values: number[] | null = null;
    let infeasible: string | null = null;
    if (result === 'pruned' || result === 'fail') state = result;
    else {
      ({ values, infeasible } = scoredParts(result));
      if (values.length !== this.directions.length) {
        throw new QuantlabError(
          'BAD_ARGUMENT',
          `study '${this.name}' trial ${number}: expected ${this.directions.length} objective value(s) (directions ${this.directions.join(', ')}), found ${values.length}`,
        );
      }
      state = values.some((v) => typeof v !== 'number' || v !== v) ? 'fail' : 'complete';
      if (state === 'fail') {
        values = null;
        infeasible = null;
      }
    }
    const now = Date.now();
    const ok = await this.storage.finishTrial(this.name, number, state, values, now, infeasible);
    this.mine.delete(number);
    if (!this.mine.size) this.stopHeartbeat();
    if (!ok) {
      throw new QuantlabError(
        'BAD_ARGUMENT',
        `study '${this.name}' trial ${number}: no longer running (marked failed by another worker: heartbeat older than ${this.staleAfter} ms?)`,
      );
    }
    // the record as stored, built locally (no read back): only its owner writes a running trial
    const base = this.cache[number] ?? (await this.storage.getTrials(this.name, { from: number }))[0]!;
    const t: TrialRecord = {
      ...base,
      intermediate: typeof trial === 'number' ? base.intermediate : { ...base.intermediate, ...trial.intermediate },
      state,
      values,
      datetimeComplete: now,
    };
    if (infeasible !== null) t.infeasible = infeasible;
    this.cache[number] = t;
    return t;
  }

  /** Sample, then claim a trial number within `limit`, in this process's ask order. */
  private claim(limit: number | undefined): Promise<Trial | 'limit' | 'exhausted'> {
    const next = this.askLock.then(() => this.claimNow(limit));
    this.askLock = next.catch(() => undefined);
    return next;
  }

  private async claimNow(limit: number | undefined): Promise<Trial | 'limit' | 'exhausted'> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const all = await this.refresh();
      // only the tail past finalBelow can still change: the prefix is kept incrementally
      let live = this.finalLive;
      let history: TrialRecord[] = this.finalHistory;
      const tailFinal: TrialRecord[] = [];
      const pending: Params[] = [];
      for (let i = this.finalBelow; i < all.length; i++) {
        const t = all[i];
        if (!t) continue;
        if (t.state !== 'fail') live++;
        if (t.state === 'running') pending.push(t.params);
        else if (t.state !== 'fail') tailFinal.push(forSampler(t, this.directions));
      }
      if (tailFinal.length) history = history.concat(tailFinal);
      if (limit !== undefined && live >= limit) return 'limit';
      const predicted = all.length;
      let params = this.sample(history, pending, predicted);
      if (params === null) return 'exhausted';
      const now = Date.now();
      const res = await this.storage.claimTrial(this.name, { params, worker: this.worker, now, limit, unique: this.sampler.unique });
      if (isRefusal(res)) {
        if (res.refused === 'limit') return 'limit';
        continue; // duplicate: another process took this grid point; look again
      }
      if (res.number !== predicted && !this.sampler.unique) {
        // another process claimed numbers meanwhile: draw from this trial's own stream so that processes never share one
        const again = this.sample(history, pending, res.number);
        if (again !== null) {
          params = again;
          await this.storage.setParams(this.name, res.number, params);
          res.params = { ...params };
        }
      }
      this.cache[res.number] = res;
      this.mine.add(res.number);
      this.startHeartbeat();
      return new Trial(this, res);
    }
    throw new QuantlabError('BAD_ARGUMENT', `study '${this.name}': could not claim a trial after 100 attempts (duplicates from other processes)`);
  }

  private sample(history: TrialRecord[], pending: Params[], number: number): Params | null {
    const params = this.sampler.sample({
      space: this.space,
      directions: this.directions,
      history,
      pending,
      number,
      rng: rng(this.seed, number),
      seed: this.seed,
      constraint: this.constraint,
      study: this.name,
    });
    if (params === null) return null;
    const err = paramsError(this.space, params) ?? constraintError(this.constraint, params);
    if (err) throw new QuantlabError('BAD_ARGUMENT', `study '${this.name}': sampler '${this.sampler.name}' proposed an invalid trial: ${err}`);
    return params;
  }

  private startHeartbeat(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (!this.mine.size) return;
      this.storage.heartbeat(this.name, [...this.mine], Date.now()).catch(() => undefined);
    }, this.heartbeatInterval);
    this.timer.unref();
  }

  private stopHeartbeat(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** @internal used by Trial */
  async pruneCheck(trial: Trial, step: number): Promise<boolean> {
    if (this.directions.length > 1) return false;
    const all = await this.refresh();
    const me: TrialRecord = { ...trial.record, intermediate: { ...trial.intermediate } };
    return this.pruner.prune({ trial: me, step, trials: all.filter((t) => t.number !== trial.number), direction: this.directions[0]! });
  }

  /** @internal used by Trial */
  async beat(number: number): Promise<void> {
    await this.storage.heartbeat(this.name, [number], Date.now());
  }

  /**
   * Runs the objective until the study holds `trials` finished (complete or pruned) trials. A resumed study
   * tops up; several processes on one storage share the count. Trials that fail do not count.
   */
  async optimize(objective: Objective | Executor, options: StudyRunOptions): Promise<StudyRun> {
    const { trials: target, timeout, signal } = options;
    if (!(Number.isInteger(target) && target >= 0)) throw new QuantlabError('BAD_ARGUMENT', `study '${this.name}': expected trials to be an integer >= 0, found ${target}`);
    const executor = typeof objective === 'function' ? null : objective;
    const jobs = executor ? Math.max(options.jobs ?? 0, executor.concurrency ?? executor.size) : (options.jobs ?? 1);
    if (!(Number.isInteger(jobs) && jobs >= 1)) throw new QuantlabError('BAD_ARGUMENT', `study '${this.name}': expected jobs to be an integer >= 1, found ${jobs}`);
    const started = performance.now();
    const deadline = timeout === undefined ? Infinity : started + timeout * 1000;
    let ran = 0;
    let consecutiveFailures = 0;
    let error: unknown = null;
    const stop = () => error !== null || performance.now() > deadline || (signal?.aborted ?? false);

    const runOne = async (trial: Trial): Promise<void> => {
      let result: ObjectiveValue | 'pruned' | 'fail';
      let thrown: unknown = null;
      try {
        result = executor ? await executor.run(trial) : await (objective as Objective)(trial);
      } catch (e) {
        if (e instanceof TrialPruned || (e as Error)?.name === 'TrialPruned') result = 'pruned';
        else {
          result = 'fail';
          thrown = e;
        }
      }
      let rec: TrialRecord;
      try {
        rec = await this.tell(trial, result);
      } catch (e) {
        if (thrown === null) thrown = e;
        rec = { ...trial.record, state: 'fail' };
      }
      ran++;
      if (rec.state === 'fail') {
        consecutiveFailures++;
        if (thrown !== null && !options.catch && error === null) error = thrown;
        else if (consecutiveFailures >= 100 && error === null) {
          error = new QuantlabError('BAD_ARGUMENT', `study '${this.name}': the objective failed ${consecutiveFailures} times in a row; last: ${thrown instanceof Error ? thrown.message : 'a NaN value'}`);
        }
      } else consecutiveFailures = 0;
      if (options.onProgress) options.onProgress(this.progress(rec, target, started, ran));
    };

    const loop = async (): Promise<void> => {
      while (!stop()) {
        const t = await this.claim(target);
        if (t === 'exhausted') return;
        if (t === 'limit') {
          // others may still be running trials that could fail and free a slot: wait for them
          const running = (await this.refresh()).filter((x) => x.state === 'running' && !this.mine.has(x.number));
          if (!running.length) return;
          await sleep(Math.min(200, this.heartbeatInterval));
          continue;
        }
        await runOne(t);
      }
    };
    try {
      await Promise.all(Array.from({ length: jobs }, loop));
    } finally {
      this.stopHeartbeat();
    }
    if (error !== null) throw error;
    const all = [...(await this.refresh())];
    const complete = all.filter((t) => t.state === 'complete');
    return {
      study: this.name,
      directions: this.directions,
      trials: all,
      best: this.directions.length === 1 ? (sortBest(complete, this.directions[0]!)[0] ?? null) : null,
      bestTrials: this.directions.length === 1 ? (sortBest(complete, this.directions[0]!).slice(0, 1)) : paretoFront(complete, this.directions),
      ran,
      seconds: (performance.now() - started) / 1000,
    };
  }

  private progress(last: TrialRecord, total: number, started: number, ran: number): Progress {
    let done = 0;
    let running = 0;
    let failed = 0;
    let pruned = 0;
    let best: TrialRecord | undefined;
    const s = this.directions[0] === 'minimize' ? 1 : -1;
    for (const t of this.cache) {
      if (!t) continue;
      if (t.state === 'running') running++;
      else if (t.state === 'fail') failed++;
      else {
        done++;
        if (t.state === 'pruned') pruned++;
        else if (!t.infeasible && t.values && t.values[0]! === t.values[0]! && (!best || s * t.values[0]! < s * best.values![0]!)) best = t;
      }
    }
    const elapsed = (performance.now() - started) / 1000;
    return {
      study: this.name,
      done,
      total,
      running,
      failed,
      pruned,
      best: best ? best.values![0]! : NaN,
      bestParams: best ? best.params : null,
      elapsed,
      rate: elapsed > 0 ? ran / elapsed : 0,
      last,
    };
  }

  /** Closes the storage when the study opened it from a URL. */
  async close(): Promise<void> {
    this.stopHeartbeat();
    if (this.ownsStorage) await this.storage.close();
  }
}

/** A running trial: its parameters, and the channel for intermediate values and pruning. */
export class Trial implements TrialLike {
  readonly intermediate: Record<number, number> = {};
  constructor(
    private readonly study: Study,
    readonly record: TrialRecord,
  ) {}

  get number(): number {
    return this.record.number;
  }
  get params(): Params {
    return this.record.params;
  }

  /** Records the value at `step` (fold, epoch …); also a heartbeat. */
  async report(value: number, step: number): Promise<void> {
    if (!(Number.isInteger(step) && step >= 0)) throw new QuantlabError('BAD_ARGUMENT', `trial ${this.number}: expected step to be an integer >= 0, found ${step}`);
    if (typeof value !== 'number') throw new QuantlabError('BAD_ARGUMENT', `trial ${this.number}: expected a number to report, found ${typeof value}`);
    this.intermediate[step] = value;
    await this.study.storage.reportIntermediate(this.study.name, this.number, step, value);
    await this.study.beat(this.number);
  }

  /** Whether the study's pruner would stop this trial now (after its last report). */
  async shouldPrune(): Promise<boolean> {
    let last = -1;
    for (const k of Object.keys(this.intermediate)) last = Math.max(last, Number(k));
    if (last < 0) return false;
    return this.study.pruneCheck(this, last);
  }

  /** Returns a TrialPruned error to throw: `throw trial.pruned()`. */
  pruned(): TrialPruned {
    return new TrialPruned(`trial ${this.number} pruned`);
  }
}

/** An infeasible trial as samplers see it: its values replaced by the worst (so that they learn to avoid it). */
function forSampler(t: TrialRecord, directions: readonly Direction[]): TrialRecord {
  if (!t.infeasible || !t.values) return t;
  return { ...t, values: directions.map((d) => (d === 'maximize' ? -Infinity : Infinity)) };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
