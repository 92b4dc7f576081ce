import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { gridSampler } from '../../lib/optimizer/samplers/grid';
import { randomSampler } from '../../lib/optimizer/samplers/random';
import { MemoryStorage } from '../../lib/optimizer/storage-memory';
import { createStudy, TrialPruned } from '../../lib/optimizer/study';
import { choice, float, int } from '../../lib/params';

const space = { x: float(-5, 5), n: int(1, 20), m: choice(['a', 'b']) };
const quad = (p: Record<string, unknown>) => ((p.x as number) - 1) ** 2 + ((p.n as number) - 7) ** 2 / 10 + (p.m === 'a' ? 0 : 0.5);

describe('study: ask / tell', () => {
  it('ask gives legal parameters, tell records the value, best is the lowest (minimize)', async () => {
    const study = await createStudy({ space, sampler: 'random', seed: 1, name: 'ask-tell' });
    for (let i = 0; i < 8; i++) {
      const t = await study.ask();
      expect(t.number).toBe(i);
      await study.tell(t, quad(t.params));
    }
    const trials = await study.trials();
    expect(trials.map((t) => t.state)).toEqual(Array(8).fill('complete'));
    const naive = Math.min(...trials.map((t) => quad(t.params)));
    expect((await study.best())!.values![0]).toBe(naive);
  });

  it('tell checks the number of values against the directions and names the study', async () => {
    const study = await createStudy({ space, directions: ['maximize', 'minimize'], sampler: 'random', name: 'mo' });
    const t = await study.ask();
    await expect(study.tell(t, 1)).rejects.toThrow(/study 'mo' trial 0: expected 2 objective value\(s\) \(directions maximize, minimize\), found 1/);
    await expect(study.best()).rejects.toThrow(/study 'mo' has 2 objectives; use bestTrials\(\)/);
  });

  it('a NaN value fails the trial', async () => {
    const study = await createStudy({ space, sampler: 'random' });
    const t = await study.ask();
    expect((await study.tell(t, NaN)).state).toBe('fail');
  });

  it('refuses a bad direction, and a study name reused with other directions', async () => {
    const storage = new MemoryStorage();
    await expect(createStudy({ space, direction: 'up' as never })).rejects.toThrow(/expected direction 'minimize' or 'maximize', found "up"/);
    await createStudy({ space, storage, name: 's', direction: 'maximize' });
    await expect(createStudy({ space, storage, name: 's', direction: 'minimize' })).rejects.toThrow(
      /study 's' in memory: was defined differently \(1 difference\):\n {2}directions: stored \["maximize"\], given \["minimize"\]/,
    );
    // the search space is part of what defines a study too
    await expect(createStudy({ space: { ...space, x: { kind: 'int', low: 0, high: 3, step: 1 } }, storage, name: 's', direction: 'maximize' })).rejects.toThrow(/space\.x\.(high|low): stored/);
    // the storage's own check still guards a study stored without an identity
    const bare = new MemoryStorage();
    await bare.createStudy({ name: 'old', directions: ['maximize'] });
    await expect(createStudy({ space, storage: bare, name: 'old', direction: 'minimize' })).rejects.toThrow(/storage memory:: study 'old' exists with directions \[maximize\]; expected \[minimize\]/);
  });
});

describe('study: optimize', () => {
  it('same seed + same sampler + same objective → the same sequence of parameters; another seed → another', async () => {
    const run = async (seed: number) => {
      const study = await createStudy({ space, sampler: randomSampler(), seed });
      const r = await study.optimize((t) => quad(t.params), { trials: 15 });
      return r.trials.map((t) => t.params);
    };
    const a = await run(42);
    expect(await run(42)).toEqual(a);
    expect(await run(43)).not.toEqual(a);
  });

  it('runs to the asked count; a resumed study keeps its trials and tops up', async () => {
    const storage = new MemoryStorage();
    const s1 = await createStudy({ space, storage, name: 'resume', sampler: 'random', seed: 5 });
    const r1 = await s1.optimize((t) => quad(t.params), { trials: 12 });
    expect(r1.trials.length).toBe(12);
    expect(r1.ran).toBe(12);
    const s2 = await createStudy({ space, storage, name: 'resume', sampler: 'random', seed: 5 });
    const r2 = await s2.optimize((t) => quad(t.params), { trials: 20 });
    expect(r2.ran).toBe(8);
    expect(r2.trials.length).toBe(20);
    expect(r2.trials.slice(0, 12)).toEqual(r1.trials);
  });

  it('grid: every allowed point exactly once, in grid order, then stops', async () => {
    const gs = { fast: int(2, 6), slow: int(4, 8, { step: 2 }) };
    const study = await createStudy({ space: gs, sampler: gridSampler(), constraint: (p) => (p.fast as number) < (p.slow as number) });
    const r = await study.optimize((t) => (t.params.fast as number) * 100 + (t.params.slow as number), { trials: 1000 });
    const expected: [number, number][] = [];
    for (let f = 2; f <= 6; f++) for (let s = 4; s <= 8; s += 2) if (f < s) expected.push([f, s]);
    expect(r.trials.map((t) => [t.params.fast, t.params.slow])).toEqual(expected);
  });

  it('pruned trials count toward the total; failed ones do not (catch: true)', async () => {
    const study = await createStudy({ space, sampler: 'random', seed: 3 });
    const r = await study.optimize(
      async (t) => {
        if (t.number % 3 === 1) throw new TrialPruned();
        if (t.number % 3 === 2) throw new Error('boom');
        return quad(t.params);
      },
      { trials: 10, catch: true },
    );
    const states = r.trials.map((t) => t.state);
    expect(states.filter((s) => s === 'complete' || s === 'pruned').length).toBe(10);
    expect(states.filter((s) => s === 'fail').length).toBeGreaterThan(3);
  });

  it('an objective error fails the trial and stops the study when catch is off', async () => {
    const study = await createStudy({ space, sampler: 'random', name: 'err' });
    await expect(
      study.optimize(
        (t) => {
          if (t.number === 2) throw new Error('objective broke');
          return 1;
        },
        { trials: 10 },
      ),
    ).rejects.toThrow('objective broke');
    expect((await study.trials()).map((t) => t.state)).toEqual(['complete', 'complete', 'fail']);
  });

  it('jobs: several trials at once (async objective), exact count, no duplicate numbers', async () => {
    const study = await createStudy({ space, sampler: 'random', seed: 9 });
    let inFlight = 0;
    let maxInFlight = 0;
    const r = await study.optimize(
      async (t) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((res) => setTimeout(res, 2 + (t.number % 3)));
        inFlight--;
        return quad(t.params);
      },
      { trials: 25, jobs: 4 },
    );
    expect(maxInFlight).toBe(4);
    expect(r.trials.length).toBe(25);
    expect(new Set(r.trials.map((t) => t.number)).size).toBe(25);
  });

  it('reports progress after each trial with done/total and best so far', async () => {
    const study = await createStudy({ space, sampler: 'random', seed: 2 });
    const seen: [number, number][] = [];
    await study.optimize((t) => quad(t.params), { trials: 6, onProgress: (p) => seen.push([p.done, p.best]) });
    expect(seen.map((s) => s[0])).toEqual([1, 2, 3, 4, 5, 6]);
    for (let i = 1; i < seen.length; i++) expect(seen[i]![1]).toBeLessThanOrEqual(seen[i - 1]![1]);
  });

  it('a trial left running by a dead process on this host is marked failed at once; a stale foreign one after staleAfter', async () => {
    const storage = new MemoryStorage();
    await storage.createStudy({ name: 'crash', directions: ['minimize'] });
    const now = Date.now();
    await storage.claimTrial('crash', { params: { x: 0, n: 1, m: 'a' }, worker: `${hostname()}:999999:x`, now });
    await storage.claimTrial('crash', { params: { x: 0, n: 1, m: 'a' }, worker: 'elsewhere:1:x', now: now - 10_000 });
    await storage.claimTrial('crash', { params: { x: 0, n: 1, m: 'a' }, worker: 'elsewhere:2:x', now });
    const study = await createStudy({ space, storage, name: 'crash', sampler: 'random', heartbeatInterval: 50, staleAfter: 2000 });
    const states = (await study.trials()).map((t) => t.state);
    expect(states).toEqual(['fail', 'fail', 'running']);
  });

  it('at the limit, waits for another process’s running trial; when it fails, runs one more', async () => {
    const storage = new MemoryStorage();
    await storage.createStudy({ name: 'wait', directions: ['minimize'] });
    const other = await storage.claimTrial('wait', { params: { x: 0, n: 1, m: 'a' }, worker: 'elsewhere:1:x', now: Date.now() });
    const study = await createStudy({ space, storage, name: 'wait', sampler: 'random', heartbeatInterval: 20, staleAfter: 5000 });
    setTimeout(() => storage.finishTrial('wait', (other as { number: number }).number, 'fail', null, Date.now()), 150);
    const r = await study.optimize((t) => quad(t.params), { trials: 3 });
    expect(r.trials.map((t) => t.state)).toEqual(['fail', 'complete', 'complete', 'complete']);
  });
});
