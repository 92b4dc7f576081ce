import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { QuantlabError } from '../core';
import type { Executor, ObjectiveValue, Trial } from './study';

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
  /** Trials queued per worker: the next one is already there when the current one ends, hiding the round trip to the main thread. Default 2. */
  depth?: number;
}

interface Pending {
  trial: Trial;
  resolve: (v: ObjectiveValue) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  inFlight: Map<number, Pending>;
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
 * workers evaluate. Use as the objective of `study.optimize(pool, …)`; close() when done.
 * Workers run TypeScript through tsx's require hook (also under vitest and in the notebook kernel).
 */
export function workerPool(task: WorkerTask, size = Math.max(1, cpus().length), options: WorkerPoolOptions = {}): Executor {
  if (!(Number.isInteger(size) && size >= 1)) throw new QuantlabError('BAD_ARGUMENT', `workerPool: expected size to be an integer >= 1, found ${size}`);
  const depth = options.depth ?? 2;
  if (!(Number.isInteger(depth) && depth >= 1)) throw new QuantlabError('BAD_ARGUMENT', `workerPool: expected depth to be an integer >= 1, found ${depth}`);
  if (!existsSync(task.module)) throw new QuantlabError('NOT_FOUND', `workerPool: objective module ${task.module} not found (expected an absolute path)`);
  const entry = entryFile();
  const execArgv = entry.ts || /\.(c|m)?ts$/.test(task.module) ? ['--require', tsxHook()] : [];
  const slots: Slot[] = [];
  const waiting: (() => void)[] = [];
  let closed = false;
  const wake = () => waiting.shift()?.();

  const spawn = (): Slot => {
    const worker = new Worker(entry.file, {
      execArgv,
      workerData: { module: task.module, exportName: task.exportName ?? 'objective', init: task.init },
    });
    const slot: Slot = { worker, inFlight: new Map() };
    worker.on('message', async (m: { type: string; number?: number; seq?: number; value?: unknown; step?: number; name?: string; message?: string; stack?: string }) => {
      if (m.type === 'ready') return;
      const p = slot.inFlight.get(m.number!);
      if (!p) return;
      if (m.type === 'report' || m.type === 'shouldPrune') {
        try {
          const value = m.type === 'report' ? await p.trial.report(m.value as number, m.step!) : await p.trial.shouldPrune();
          worker.postMessage({ type: 'answer', seq: m.seq, value });
        } catch (e) {
          worker.postMessage({ type: 'answer', seq: m.seq, error: (e as Error).message });
        }
        return;
      }
      slot.inFlight.delete(m.number!);
      if (m.type === 'done') p.resolve(m.value as ObjectiveValue);
      else {
        const e = new Error(m.message);
        e.name = m.name ?? 'Error';
        if (m.stack) e.stack = m.stack;
        p.reject(e);
      }
      wake();
    });
    const lost = (why: string) => {
      const i = slots.indexOf(slot);
      if (i < 0) return;
      slots.splice(i, 1);
      for (const p of slot.inFlight.values()) p.reject(new Error(`worker thread ${why} while running trial ${p.trial.number}`));
      slot.inFlight.clear();
      if (!closed) {
        slots.push(spawn());
        wake();
      }
    };
    worker.on('error', (e) => lost(`failed (${e.message})`));
    worker.on('exit', (code) => {
      if (!closed) lost(`exited with code ${code}`);
    });
    return slot;
  };
  for (let i = 0; i < size; i++) slots.push(spawn());

  const run = async (trial: Trial): Promise<ObjectiveValue> => {
    if (closed) throw new QuantlabError('BAD_ARGUMENT', 'workerPool: closed');
    const pick = () => {
      let best: Slot | undefined;
      for (const s of slots) if (s.inFlight.size < depth && (!best || s.inFlight.size < best.inFlight.size)) best = s;
      return best;
    };
    let slot = pick();
    while (!slot) {
      await new Promise<void>((r) => waiting.push(r));
      slot = pick();
    }
    const s = slot;
    return new Promise<ObjectiveValue>((resolve, reject) => {
      s.inFlight.set(trial.number, { trial, resolve, reject });
      s.worker.postMessage({ type: 'run', number: trial.number, params: trial.params });
    });
  };

  return {
    size,
    concurrency: size * depth,
    run,
    async close() {
      closed = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
      slots.length = 0;
    },
  };
}
