import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeBars } from '../../lib/core';
import { shareBars, sharedBarsView } from '../../lib/optimizer/shared';
import { runInBatches } from '../../lib/optimizer/batch-run';
import { createStudy } from '../../lib/optimizer/study';
import { workerPool } from '../../lib/optimizer/workers';
import { float, int } from '../../lib/params';
import { quadratic, quadValue } from './fixtures/objectives';

const fixtures = join(__dirname, 'fixtures', 'objectives.ts');
const space = { x: float(-5, 5), n: int(1, 20) };

describe('worker threads (jobs: N)', () => {
  it('runs the objective in 2 threads: same values as in-process, exact count, trials overlap in time on different threads', async () => {
    const log = new Float64Array(new SharedArrayBuffer(30 * 3 * 8));
    const pool = workerPool({ module: fixtures, exportName: 'quadratic', init: { spinMs: 15, log } }, 2);
    try {
      const study = await createStudy({ space, sampler: 'random', seed: 3 });
      const r = await study.optimize(pool, { trials: 30 });
      expect(r.trials.length).toBe(30);
      for (const t of r.trials) {
        expect(t.state).toBe('complete');
        expect(t.values![0]).toBe(quadValue(t.params));
      }
      const threads = new Set<number>();
      let overlaps = 0;
      for (let i = 0; i < 30; i++) {
        threads.add(log[i * 3 + 2]!);
        for (let j = 0; j < i; j++) if (log[i * 3]! < log[j * 3 + 1]! && log[j * 3]! < log[i * 3 + 1]!) overlaps++;
      }
      expect(threads.size).toBe(2);
      expect(threads.has(0)).toBe(false); // never on the main thread
      expect(overlaps).toBeGreaterThan(5);
    } finally {
      await pool.close();
    }
  });

  it('shares the bars (SharedArrayBuffer), not a copy per worker or per trial', async () => {
    const n = 5000;
    const bars = makeBars({
      ts: Float64Array.from({ length: n }, (_, i) => i * 3600_000),
      open: Float64Array.from({ length: n }, (_, i) => 100 + i),
      high: Float64Array.from({ length: n }, (_, i) => 101 + i),
      low: Float64Array.from({ length: n }, (_, i) => 99 + i),
      close: Float64Array.from({ length: n }, (_, i) => 100 + Math.sin(i)),
      volume: new Float64Array(n).fill(1),
    }, 'TEST', '1h');
    const shared = shareBars(bars);
    expect(shareBars(sharedBarsView(shared)).buffer).toBe(shared.buffer); // already shared: no second copy
    expect(Array.from(sharedBarsView(shared).close)).toEqual(Array.from(bars.close));
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const pool = workerPool({ module: fixtures, exportName: 'barsMean', init: { bars: shared, counter } }, 2);
    try {
      const study = await createStudy({ space: { n: int(1, 4000) }, sampler: 'random', seed: 1 });
      const r = await study.optimize(pool, { trials: 12 });
      for (const t of r.trials) {
        const k = t.params.n as number;
        let s = 0;
        for (let i = 0; i < k; i++) s += bars.close[i]!;
        expect(t.values![0]).toBe(s / k);
      }
      expect(Atomics.load(counter, 0)).toBe(12); // the workers wrote into this process's memory
    } finally {
      await pool.close();
    }
  });

  it('forwards report() and shouldPrune() to the study: pruning works from workers', async () => {
    const pool = workerPool({ module: fixtures, exportName: 'folds' }, 2);
    try {
      const study = await createStudy({ space: { x: float(-3, 3) }, sampler: 'random', seed: 2, pruner: 'median' });
      const r = await study.optimize(pool, { trials: 24 });
      const pruned = r.trials.filter((t) => t.state === 'pruned');
      expect(pruned.length).toBeGreaterThan(3);
      // stopped early from a worker (which pruned trial that is depends on the order the two threads finish:
      // one pruned after its last report has all six values)
      expect(pruned.some((t) => Object.keys(t.intermediate).length < 6)).toBe(true);
      expect(pruned.every((t) => Object.keys(t.intermediate).length <= 6)).toBe(true);
      expect(r.trials.filter((t) => t.state === 'complete').every((t) => Object.keys(t.intermediate).length === 6)).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('an error thrown in a worker fails the trial and reaches the caller with its message', async () => {
    const pool = workerPool({ module: fixtures, exportName: 'failing' }, 2);
    try {
      const study = await createStudy({ space, sampler: 'random', seed: 2 });
      await expect(study.optimize(pool, { trials: 10 })).rejects.toThrow('bad trial 3');
      expect((await study.trials()).find((t) => t.number === 3)!.state).toBe('fail');
    } finally {
      await pool.close();
    }
  });

  it('says what is wrong with the task', async () => {
    expect(() => workerPool({ module: '/nope/objective.ts' }, 1)).toThrow(/objective module \/nope\/objective.ts not found/);
    expect(() => workerPool({ module: fixtures }, 0)).toThrow(/expected size to be an integer >= 1, found 0/);
    const pool = workerPool({ module: fixtures, exportName: 'notAFunction' }, 1);
    try {
      const study = await createStudy({ space, sampler: 'random' });
      await expect(study.optimize(pool, { trials: 1 })).rejects.toThrow(/has no function export 'notAFunction' \(found number\)/);
    } finally {
      await pool.close();
    }
  });

  it('reuse: the next pool takes the parked threads warm, with its own task; without reuse new threads; the process still exits', () => {
    const script = join(__dirname, 'fixtures', 'pool-reuse.ts');
    const t0 = Date.now();
    const r = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), script, fixtures], { encoding: 'utf8', timeout: 60_000 });
    expect(r.signal).toBeNull(); // not killed by the timeout: parked threads let it exit
    expect(r.stderr).toBe('');
    const { a, b, c } = JSON.parse(r.stdout.trim()) as Record<'a' | 'b' | 'c', { threads: number[]; spun: boolean }>;
    expect(a.threads.length).toBe(2);
    expect(b.threads).toEqual(a.threads); // the same two threads, handed on
    expect(a.spun && b.spun && c.spun).toBe(true); // b ran its own init (30 ms spins), not a's
    expect(c.threads.length).toBe(2);
    expect(c.threads.some((t) => a.threads.includes(t))).toBe(false);
    expect(Date.now() - t0).toBeLessThan(50_000);
  });

  it('a main lane yields between its batches: the threads are sent new batches while it works', async () => {
    const N = 1000; // 3 s of work for the main lane alone: time for the thread to start even on a loaded machine
    const log = new Float64Array(new SharedArrayBuffer(N * 3 * 8));
    const init = { spinMs: 3, log };
    const pool = workerPool({ module: fixtures, exportName: 'quadratic', init }, 2, { mainLane: quadratic(init) });
    try {
      const study = await createStudy({ space, sampler: 'random', seed: 5 });
      const points = Array.from({ length: N }, (_, i) => ({ x: -5 + (i % 100) / 10, n: 1 + Math.floor(i / 100) }));
      const r = await runInBatches(study, points, pool, { trials: N, batchSize: 10 });
      expect(r.trials.filter((t) => t.state === 'complete').length).toBe(N);
      const inThread = Array.from({ length: N }, (_, i) => log[i * 3 + 2]!).filter((t) => t !== 0).length;
      // the thread starts late (its first batches wait for it), then keeps up: far beyond its first `depth` (2) batches
      expect(inThread).toBeGreaterThan(60);
      expect(inThread).toBeLessThan(N);
    } finally {
      await pool.close();
    }
  });

  it('works the same under plain tsx (outside vitest)', () => {
    const script = join(__dirname, 'fixtures', 'pool-under-tsx.ts');
    const r = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), script, fixtures], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout.trim())).toEqual({ trials: 8, complete: 8, threads: 2 });
  });
});
