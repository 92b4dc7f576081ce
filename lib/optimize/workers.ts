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

interface Slot {
  worker: Worker;
  busy: Trial | null;
  done: ((v: ObjectiveValue) => void) | null;
  fail: ((e: Error) => void) | null;
  ready: Promise<void>;
}

/** Path of the TypeScript loader used to run .ts modules in worker threads (tsx's CommonJS hook). */
function tsxHook(): string {
  try {
    return require.resolve('tsx/cjs');
  } catch {
    throw new QuantlabError('OPTIONAL_DEPENDENCY', 'workerPool: running TypeScript in worker threads needs the tsx package (npm install tsx)');
  }
}

/** The worker entry file next to this one (.ts from source, .js when compiled). */
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
export function workerPool(task: WorkerTask, size = Math.max(1, cpus().length)): Executor {
  if (!(Number.isInteger(size) && size >= 1)) throw new QuantlabError('BAD_ARGUMENT', `workerPool: expected size to be an integer >= 1, found ${size}`);
  if (!existsSync(task.module)) throw new QuantlabError('NOT_FOUND', `workerPool: objective module ${task.module} not found (expected an absolute path)`);
  const entry = entryFile();
  const execArgv = entry.ts || /\.(c|m)?ts$/.test(task.module) ? ['--require', tsxHook()] : [];
  const slots: Slot[] = [];
  const queue: (() => void)[] = [];
  let closed = false;

  const spawn = (): Slot => {
    const worker = new Worker(entry.file, {
      execArgv,
      workerData: { module: task.module, exportName: task.exportName ?? 'objective', init: task.init },
      stdout: false,
      stderr: false,
    });
    let markReady!: () => void;
    const slot: Slot = { worker, busy: null, done: null, fail: null, ready: new Promise((r) => (markReady = r)) };
    worker.on('message', async (m: { type: string; number?: number; seq?: number; value?: unknown; step?: number; name?: string; message?: string; stack?: string }) => {
      if (m.type === 'ready') return markReady();
      const trial = slot.busy;
      if (!trial) return;
      if (m.type === 'report' || m.type === 'shouldPrune') {
        try {
          const value = m.type === 'report' ? await trial.report(m.value as number, m.step!) : await trial.shouldPrune();
          worker.postMessage({ type: 'answer', seq: m.seq, value });
        } catch (e) {
          worker.postMessage({ type: 'answer', seq: m.seq, error: (e as Error).message });
        }
        return;
      }
      const done = slot.done;
      const fail = slot.fail;
      slot.busy = null;
      slot.done = slot.fail = null;
      if (m.type === 'done') done?.(m.value as ObjectiveValue);
      else {
        const e = new Error(m.message);
        e.name = m.name ?? 'Error';
        if (m.stack) e.stack = m.stack;
        fail?.(e);
      }
      queue.shift()?.();
    });
    const lost = (why: string) => {
      const i = slots.indexOf(slot);
      if (i >= 0) slots.splice(i, 1);
      markReady();
      slot.fail?.(new Error(`worker thread ${why} while running trial ${slot.busy?.number}`));
      slot.busy = null;
      slot.done = slot.fail = null;
      if (!closed) {
        slots.push(spawn());
        queue.shift()?.();
      }
    };
    worker.on('error', (e) => lost(`failed (${e.message})`));
    worker.on('exit', (code) => {
      if (!closed && slots.includes(slot)) lost(`exited with code ${code}`);
    });
    return slot;
  };
  for (let i = 0; i < size; i++) slots.push(spawn());

  const run = async (trial: Trial): Promise<ObjectiveValue> => {
    if (closed) throw new QuantlabError('BAD_ARGUMENT', 'workerPool: closed');
    let slot = slots.find((s) => !s.busy);
    while (!slot) {
      await new Promise<void>((r) => queue.push(r));
      slot = slots.find((s) => !s.busy);
    }
    slot.busy = trial;
    await slot.ready;
    return new Promise<ObjectiveValue>((resolve, reject) => {
      slot!.done = resolve;
      slot!.fail = reject;
      slot!.worker.postMessage({ type: 'run', number: trial.number, params: trial.params });
    });
  };

  return {
    size,
    run,
    async close() {
      closed = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
      slots.length = 0;
    },
  };
}
