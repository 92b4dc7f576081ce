/**
 * Worker-thread side of {@link workerPool}: loads the objective factory named in workerData, then runs
 * trials as the main thread sends them, a group or a batch per message. In a group ('run'), report() and
 * shouldPrune() are forwarded to the main thread, which owns the study and its storage; in a batch
 * ('batch', a grid chunk) they are local no-ops and the values come back in one Float64Array.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Objective, ObjectiveValue, ScoredValue, TrialLike } from './study';
import type { Params } from './space';
import { threadGc } from './thread-gc';

interface TrialMsg {
  number: number;
  params: Params;
}
interface RunMsg {
  type: 'run';
  trials: TrialMsg[];
}
interface BatchMsg {
  type: 'batch';
  id: number;
  trials: TrialMsg[];
}
interface TaskMsg {
  type: 'task';
  task: Task;
}
interface ReleaseMsg {
  type: 'release';
}
interface AnswerMsg {
  type: 'answer';
  seq: number;
  value?: unknown;
  error?: string;
}

const port = parentPort!;
interface Task {
  module: string;
  exportName: string;
  init: unknown;
}
/** The task of this thread: from workerData, replaced by a 'task' message when a later pool reuses the thread. */
let task: Task | null = workerData as Task;
let seq = 0;
const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

function ask(msg: object): Promise<unknown> {
  const id = ++seq;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    port.postMessage({ ...msg, seq: id });
  });
}

class PrunedInWorker extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrialPruned';
  }
}

let objective: Objective | null = null;
async function load(): Promise<Objective> {
  if (objective) return objective;
  if (!task) throw new Error('worker: released, no task');
  const { module: modulePath, exportName, init } = task;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(modulePath) as Record<string, unknown>;
  const factory = mod[exportName];
  if (typeof factory !== 'function') throw new Error(`worker: ${modulePath} has no function export '${exportName}' (found ${typeof factory})`);
  const made = (await (factory as (init: unknown) => Objective | Promise<Objective>)(init)) as Objective;
  if (typeof made !== 'function') throw new Error(`worker: ${modulePath} export '${exportName}'(init) returned ${typeof made}, expected an objective function`);
  return (objective = made);
}

const errorFields = (e: unknown) => {
  const err = e as Error;
  return { name: err?.name ?? 'Error', message: err?.message ?? String(e), stack: err?.stack };
};

// messages run one after another (a trial awaiting report()/shouldPrune() answers does not let the next start)
let chain: Promise<void> = Promise.resolve();

/** Drops the objective and what it holds (bars view, indicator caches), and collects them when the runtime lets it. */
function release(): void {
  objective = null;
  task = null;
  threadGc()?.(); // else the memory goes back at the next collection
}

port.on('message', (m: RunMsg | BatchMsg | AnswerMsg | TaskMsg | ReleaseMsg) => {
  if (m.type === 'answer') {
    const w = waiting.get(m.seq);
    waiting.delete(m.seq);
    if (!w) return;
    if (m.error !== undefined) w.reject(new Error(m.error));
    else w.resolve(m.value);
    return;
  }
  chain = chain.then(() => {
    if (m.type === 'task') {
      objective = null;
      task = m.task;
      return;
    }
    if (m.type === 'release') return release();
    return m.type === 'batch' ? runBatch(m) : runGroup(m);
  });
});

/** A group of trials of an ask/tell study: one reply with every result. */
async function runGroup(m: RunMsg): Promise<void> {
  const results: ({ number: number; value: ObjectiveValue } | { number: number; error: ReturnType<typeof errorFields> })[] = [];
  for (const t of m.trials) {
    const trial: TrialLike = {
      number: t.number,
      params: t.params,
      report: async (value, step) => {
        await ask({ type: 'report', number: t.number, value, step });
      },
      shouldPrune: async () => (await ask({ type: 'shouldPrune', number: t.number })) as boolean,
      pruned: () => new PrunedInWorker(`trial ${t.number} pruned`),
    };
    try {
      const f = await load();
      results.push({ number: t.number, value: await f(trial) });
    } catch (e) {
      results.push({ number: t.number, error: errorFields(e) });
    }
  }
  port.postMessage({ type: 'results', results });
}

const noReport = async (): Promise<void> => undefined;
const noPrune = async (): Promise<boolean> => false;

/**
 * A batch of grid trials: values (width per trial, NaN where not run) and end times in transferred buffers.
 * Stops at the first trial that throws (failedAt) so that the main thread can mark the rest failed.
 */
async function runBatch(m: BatchMsg): Promise<void> {
  const n = m.trials.length;
  const end = new Float64Array(n).fill(NaN);
  let values: Float64Array | null = null;
  let width = 0;
  let failedAt = -1;
  let error: ReturnType<typeof errorFields> | undefined;
  try {
    const f = await load();
    for (let i = 0; i < n; i++) {
      const t = m.trials[i]!;
      let v: ObjectiveValue;
      try {
        v = await f({ number: t.number, params: t.params, report: noReport, shouldPrune: noPrune, pruned: () => new PrunedInWorker(`trial ${t.number} pruned`) });
      } catch (e) {
        failedAt = i;
        error = errorFields(e);
        break;
      }
      const raw = typeof v === 'number' || Array.isArray(v) ? v : (v as ScoredValue).values; // no study.ts import here: it loads the storages
      const vs: readonly number[] = typeof raw === 'number' ? [raw] : (raw as readonly number[]);
      const k = vs.length;
      if (!values) {
        width = k;
        values = new Float64Array(n * k).fill(NaN);
      }
      if (k !== width) {
        failedAt = i;
        error = { name: 'Error', message: `trial ${t.number}: expected ${width} objective value(s) like the batch's first trial, found ${k}`, stack: undefined };
        break;
      }
      for (let j = 0; j < k; j++) values[i * k + j] = vs[j]!;
      end[i] = performance.timeOrigin + performance.now();
    }
  } catch (e) {
    failedAt = 0;
    error = errorFields(e);
  }
  const vals = values ?? new Float64Array(0);
  port.postMessage({ type: 'batch-done', id: m.id, width, values: vals, end, failedAt, error }, [vals.buffer as ArrayBuffer, end.buffer as ArrayBuffer]);
}

port.postMessage({ type: 'ready' });
