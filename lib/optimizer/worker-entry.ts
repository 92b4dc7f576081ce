/**
 * Worker-thread side of {@link workerPool}: loads the objective factory named in workerData, then runs
 * trials as the main thread sends them. report() and shouldPrune() are forwarded to the main thread, which
 * owns the study and its storage.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Objective, ObjectiveValue, TrialLike } from './study';
import type { Params } from './space';

interface RunMsg {
  type: 'run';
  number: number;
  params: Params;
}
interface AnswerMsg {
  type: 'answer';
  seq: number;
  value?: unknown;
  error?: string;
}

const port = parentPort!;
const { module: modulePath, exportName, init } = workerData as { module: string; exportName: string; init: unknown };
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
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(modulePath) as Record<string, unknown>;
  const factory = mod[exportName];
  if (typeof factory !== 'function') throw new Error(`worker: ${modulePath} has no function export '${exportName}' (found ${typeof factory})`);
  objective = (await (factory as (init: unknown) => Objective | Promise<Objective>)(init)) as Objective;
  if (typeof objective !== 'function') throw new Error(`worker: ${modulePath} export '${exportName}'(init) returned ${typeof objective}, expected an objective function`);
  return objective;
}

// trials run one after another (a trial awaiting report()/shouldPrune() answers does not let the next start)
let chain: Promise<void> = Promise.resolve();

port.on('message', (m: RunMsg | AnswerMsg) => {
  if (m.type === 'answer') {
    const w = waiting.get(m.seq);
    waiting.delete(m.seq);
    if (!w) return;
    if (m.error !== undefined) w.reject(new Error(m.error));
    else w.resolve(m.value);
    return;
  }
  chain = chain.then(() => runTrial(m));
});

async function runTrial(m: RunMsg): Promise<void> {
  const trial: TrialLike = {
    number: m.number,
    params: m.params,
    report: async (value, step) => {
      await ask({ type: 'report', number: m.number, value, step });
    },
    shouldPrune: async () => (await ask({ type: 'shouldPrune', number: m.number })) as boolean,
    pruned: () => new PrunedInWorker(`trial ${m.number} pruned`),
  };
  try {
    const f = await load();
    const value: ObjectiveValue = await f(trial);
    port.postMessage({ type: 'done', number: m.number, value });
  } catch (e) {
    const err = e as Error;
    port.postMessage({ type: 'error', number: m.number, name: err?.name ?? 'Error', message: err?.message ?? String(e), stack: err?.stack });
  }
}
port.postMessage({ type: 'ready' });
