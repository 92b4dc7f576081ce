import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { QuantlabError } from '../core';
import { inProcessEvaluator, type BatchEvaluator, type BatchItem, type BatchResult } from './batch-run';
import type { Executor, Objective, ObjectiveValue, Trial } from './study';

/**
 * What a worker thread runs: `require(module)[exportName](init)` must return the objective (or a promise of
 * it). `init` is sent once per worker by structured clone; SharedArrayBuffers in it (see shareBars) are
 * shared, not copied, so the bars live once in memory for all workers.
 */
export interface WorkerTask {
  /** Absolute path of a .ts or .js module. */
  module: string;
  /** Default 'objective'. */
  exportName?: string;
  init?: unknown;
}

export interface WorkerPoolOptions {
  /** Trials (or batches) queued per worker: the next is already there when the current one ends, hiding the round trip. Default 2. */
  depth?: number;
  /**
   * The objective the threads build, built in this thread: batches (`evaluate`) then also run here, as one
   * of the `size` lanes, and `size − 1` threads are started (when size ≥ 2). This thread is warm and has its
   * modules loaded, while each thread pays its start, module loading and cold JIT (about 0.5 s of CPU each on
   * the sma-cross grid), so a grid sweep gains more from `size − 1` threads plus this one. It must give what
   * the threads give for the same trial. Single trials (`run`) still go to the threads.
   */
  mainLane?: Objective;
  /**
   * Keep the threads for the next pool of the same kind in this process (a notebook's next sweep): on
   * close() an idle thread drops its objective (and collects its garbage) instead of exiting, and a later
   * pool takes it warm — no start, modules loaded, JIT-compiled kernels — sending it the new task. Only for
   * tasks whose modules do not change while the process lives (the project's own, not a user's strategy
   * file, which a thread would keep as it first loaded it). Idle threads do not keep the process alive.
   */
  reuse?: boolean;
}

/** Worker threads that run single trials of an ask/tell study (`study.optimize(pool, …)`) and whole batches (`runInBatches`). */
export interface WorkerPool extends Executor, BatchEvaluator {}

/**
 * `jobs` capped at the cores this process may use (os.availableParallelism()): more CPU-bound threads than
 * cores only add switching. Says so in one line through `note` (default: stderr) when it caps.
 */
export function capJobs(jobs: number, where: string, note: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): number {
  if (!(Number.isInteger(jobs) && jobs >= 1)) throw new QuantlabError('BAD_ARGUMENT', `${where}: expected jobs to be an integer >= 1, found ${jobs}`);
  const cores = Math.max(1, availableParallelism());
  if (jobs <= cores) return jobs;
  note(`${where}: jobs ${jobs} capped at ${cores} (the cores available to this process, os.availableParallelism())`);
  return cores;
}

interface Pending {
  trial: Trial;
  resolve: (v: ObjectiveValue) => void;
  reject: (e: Error) => void;
}

interface PendingBatch {
  id: number;
  size: number;
  resolve: (r: BatchResult) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  /** Takes this pool's listeners off the thread (before it is parked for reuse). */
  detach: () => void;
  inFlight: Map<number, Pending>;
  batches: Map<number, PendingBatch>;
}

interface ErrorFields {
  name?: string;
  message?: string;
  stack?: string;
}

type WorkerMsg =
  | { type: 'ready' }
  | { type: 'report'; number: number; seq: number; value: number; step: number }
  | { type: 'shouldPrune'; number: number; seq: number }
  | { type: 'results'; results: ({ number: number; value: ObjectiveValue } | { number: number; error: ErrorFields })[] }
  | { type: 'batch-done'; id: number; width: number; values: Float64Array; end: Float64Array; failedAt: number; error?: ErrorFields };

const toError = (f: ErrorFields): Error => {
  const e = new Error(f.message);
  e.name = f.name ?? 'Error';
  if (f.stack) e.stack = f.stack;
  return e;
};

/** Threads kept by pools made with `reuse`, idle, by how they were started (entry file and execArgv). */
const idleThreads = new Map<string, { worker: Worker; detach: () => void }[]>();

function takeIdle(kind: string): Worker | undefined {
  const parked = idleThreads.get(kind)?.pop();
  if (!parked) return undefined;
  parked.detach();
  parked.worker.ref();
  return parked.worker;
}

/** Parks a thread that finished cleanly (its pool's listeners already off); at most one per core are kept. */
async function park(kind: string, worker: Worker): Promise<void> {
  const list = idleThreads.get(kind) ?? [];
  idleThreads.set(kind, list);
  if (list.length >= Math.max(1, availableParallelism())) {
    await worker.terminate();
    return;
  }
  worker.postMessage({ type: 'release' });
  const ignore = () => undefined;
  const gone = () => {
    const i = list.findIndex((p) => p.worker === worker);
    if (i >= 0) list.splice(i, 1);
  };
  worker.on('error', ignore);
  worker.on('exit', gone);
  worker.unref();
  list.push({ worker, detach: () => (worker.off('error', ignore), worker.off('exit', gone)) });
}

/** Path of the TypeScript loader used to run .ts modules in worker threads (tsx's CommonJS hook). */
function tsxHook(): string {
  try {
    return require.resolve('tsx/cjs');
  } catch {
    throw new QuantlabError('OPTIONAL_DEPENDENCY', 'workerPool: running TypeScript in worker threads needs the tsx package (npm install tsx)');
  }
}

/** The worker entry file next to this one (.js when compiled, else .ts). */
function entryFile(): { file: string; ts: boolean } {
  for (const ext of ['.js', '.ts']) {
    const f = join(__dirname, `worker-entry${ext}`);
    if (existsSync(f)) return { file: f, ts: ext === '.ts' };
  }
  throw new QuantlabError('NOT_FOUND', `workerPool: worker-entry.ts not found next to ${__dirname}`);
}

/**
 * A pool of `size` worker threads running trials of one study: the main thread samples and stores, the
 * workers evaluate. Single trials asked in the same turn of the event loop travel together (one message per
 * worker, one reply per group); `evaluate(batch)` sends a whole chunk of trials and gets their values back in
 * one Float64Array. Use as the objective of `study.optimize(pool, …)` or with `runInBatches`; close() when done.
 * Workers run TypeScript through tsx's require hook (also under vitest and in the notebook kernel).
 */
export function workerPool(task: WorkerTask, size = Math.max(1, availableParallelism()), options: WorkerPoolOptions = {}): WorkerPool {
  if (!(Number.isInteger(size) && size >= 1)) throw new QuantlabError('BAD_ARGUMENT', `workerPool: expected size to be an integer >= 1, found ${size}`);
  const depth = options.depth ?? 2;
  if (!(Number.isInteger(depth) && depth >= 1)) throw new QuantlabError('BAD_ARGUMENT', `workerPool: expected depth to be an integer >= 1, found ${depth}`);
  if (!existsSync(task.module)) throw new QuantlabError('NOT_FOUND', `workerPool: objective module ${task.module} not found (expected an absolute path)`);
  const entry = entryFile();
  const execArgv = entry.ts || /\.(c|m)?ts$/.test(task.module) ? ['--require', tsxHook()] : [];
  const kind = `${entry.file}\0${execArgv.join(' ')}`;
  const workerTask = { module: task.module, exportName: task.exportName ?? 'objective', init: task.init };
  const slots: Slot[] = [];
  const queue: Pending[] = [];
  const batchWaiting: (() => void)[] = [];
  let flushScheduled = false;
  let closed = false;
  let batchIds = 0;
  const load = (s: Slot) => s.inFlight.size + s.batches.size;

  const flush = () => {
    flushScheduled = false;
    while (queue.length) {
      let best: Slot | undefined;
      for (const s of slots) if (load(s) < depth && (!best || load(s) < load(best))) best = s;
      if (!best) return;
      const group = queue.splice(0, depth - load(best));
      for (const p of group) best.inFlight.set(p.trial.number, p);
      best.worker.postMessage({ type: 'run', trials: group.map((p) => ({ number: p.trial.number, params: p.trial.params })) });
    }
  };
  const scheduleFlush = () => {
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(flush);
  };
  const freed = () => {
    if (queue.length) scheduleFlush();
    batchWaiting.shift()?.();
  };

  const spawn = (): Slot => {
    const warm = options.reuse ? takeIdle(kind) : undefined;
    if (warm) warm.postMessage({ type: 'task', task: workerTask });
    const worker = warm ?? new Worker(entry.file, { execArgv, workerData: workerTask });
    const slot: Slot = { worker, inFlight: new Map(), batches: new Map(), detach: () => undefined };
    const onMessage = async (m: WorkerMsg) => {
      if (m.type === 'ready') return;
      if (m.type === 'batch-done') {
        const b = slot.batches.get(m.id);
        if (!b) return;
        slot.batches.delete(m.id);
        b.resolve({ width: m.width, values: m.values, end: m.end, failedAt: m.failedAt, error: m.error ? toError(m.error) : undefined });
        freed();
        return;
      }
      if (m.type === 'results') {
        for (const r of m.results) {
          const p = slot.inFlight.get(r.number);
          if (!p) continue;
          slot.inFlight.delete(r.number);
          if ('error' in r) p.reject(toError(r.error));
          else p.resolve(r.value);
        }
        freed();
        return;
      }
      const p = slot.inFlight.get(m.number);
      if (!p) return;
      try {
        const value = m.type === 'report' ? await p.trial.report(m.value, m.step) : await p.trial.shouldPrune();
        worker.postMessage({ type: 'answer', seq: m.seq, value });
      } catch (e) {
        worker.postMessage({ type: 'answer', seq: m.seq, error: (e as Error).message });
      }
    };
    const lost = (why: string) => {
      const i = slots.indexOf(slot);
      if (i < 0) return;
      slots.splice(i, 1);
      for (const p of slot.inFlight.values()) p.reject(new Error(`worker thread ${why} while running trial ${p.trial.number}`));
      for (const b of slot.batches.values()) b.reject(new Error(`worker thread ${why} while running a batch of ${b.size} trials`));
      slot.inFlight.clear();
      slot.batches.clear();
      if (!closed) {
        slots.push(spawn());
        freed();
      }
    };
    const onError = (e: Error) => lost(`failed (${e.message})`);
    const onExit = (code: number) => {
      if (!closed) lost(`exited with code ${code}`);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    slot.detach = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    return slot;
  };
  const mainLane = options.mainLane !== undefined && size >= 2;
  for (let i = 0; i < (mainLane ? size - 1 : size); i++) slots.push(spawn());
  // the lane in this thread: one batch at a time
  const local: BatchEvaluator | null = mainLane ? inProcessEvaluator(options.mainLane!) : null;
  let localBusy = false;
  const runHere = async (items: readonly BatchItem[]): Promise<BatchResult> => {
    localBusy = true;
    try {
      const r = await local!.evaluate(items);
      // a batch here is synchronous work: give the event loop a turn, so that the threads' finished batches
      // are received (and they are sent new ones) before this lane takes the next — without it they sat idle
      // with their answers unread until this lane ran out of work
      await new Promise<void>((done) => setImmediate(done));
      return r;
    } finally {
      localBusy = false;
      freed();
    }
  };

  const run = (trial: Trial): Promise<ObjectiveValue> => {
    if (closed) return Promise.reject(new QuantlabError('BAD_ARGUMENT', 'workerPool: closed'));
    return new Promise<ObjectiveValue>((resolve, reject) => {
      queue.push({ trial, resolve, reject });
      scheduleFlush();
    });
  };

  const evaluate = async (items: readonly BatchItem[]): Promise<BatchResult> => {
    if (closed) throw new QuantlabError('BAD_ARGUMENT', 'workerPool: closed');
    const pick = () => {
      let best: Slot | undefined;
      for (const s of slots) if (load(s) < depth && (!best || load(s) < load(best))) best = s;
      return best;
    };
    let slot = pick();
    while (!slot) {
      if (mainLane && !localBusy) return runHere(items);
      await new Promise<void>((r) => batchWaiting.push(r));
      if (closed) throw new QuantlabError('BAD_ARGUMENT', 'workerPool: closed');
      slot = pick();
    }
    const s = slot;
    const id = ++batchIds;
    return new Promise<BatchResult>((resolve, reject) => {
      s.batches.set(id, { id, size: items.length, resolve, reject });
      s.worker.postMessage({ type: 'batch', id, trials: items.map((t) => ({ number: t.number, params: t.params })) });
    });
  };

  return {
    size,
    concurrency: mainLane ? (size - 1) * depth + 1 : size * depth,
    run,
    evaluate,
    async close() {
      closed = true;
      await Promise.all(
        slots.map((s) => {
          if (options.reuse && s.inFlight.size === 0 && s.batches.size === 0) {
            s.detach();
            return park(kind, s.worker);
          }
          return s.worker.terminate();
        }),
      );
      slots.length = 0;
      for (const w of batchWaiting.splice(0)) w();
    },
  };
}
