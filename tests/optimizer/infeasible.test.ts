import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inProcessEvaluator, runInBatches } from '../../lib/optimizer/batch-run';
import { createStudy, MemoryStorage, SqliteStorage, type Sampler, type Storage, type TrialRecord } from '../../lib/optimizer';
import { int } from '../../lib/params';

const dir = mkdtempSync(join(tmpdir(), 'ql-infeasible-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A sampler that proposes x = 0, 1, 2 … and keeps the history it was shown. */
function recordingSampler(): Sampler & { seen: TrialRecord[][] } {
  const seen: TrialRecord[][] = [];
  return {
    name: 'recording',
    seen,
    sample: (ctx) => {
      seen.push(ctx.history.map((t) => ({ ...t })));
      return { x: ctx.number % 10 };
    },
  };
}

const storages: [string, () => Storage][] = [
  ['memory', () => new MemoryStorage()],
  ['sqlite', () => new SqliteStorage(join(dir, `s-${Math.random().toString(36).slice(2)}.db`))],
];

describe.each(storages)('infeasible trials (%s)', (_label, make) => {
  it('are complete with their values and reason, never the best; samplers see them as the worst', async () => {
    const storage = make();
    const sampler = recordingSampler();
    const study = await createStudy({ name: 's', storage, space: { x: int(0, 9) }, direction: 'maximize', sampler, seed: 1 });
    const t0 = await study.ask();
    await study.tell(t0, 1);
    const t1 = await study.ask();
    const rec = await study.tell(t1, { values: 5, infeasible: 'trades 3 < minTrades 30' });
    expect(rec).toMatchObject({ state: 'complete', values: [5], infeasible: 'trades 3 < minTrades 30' });
    await study.ask();
    const shown = sampler.seen[2]!;
    expect(shown.map((t) => t.values)).toEqual([[1], [-Infinity]]);
    expect((await study.best())!.number).toBe(0);
    const stored = await storage.getTrials('s');
    expect(stored[1]).toMatchObject({ state: 'complete', values: [5], infeasible: 'trades 3 < minTrades 30' });
    expect(stored[0]!.infeasible).toBeUndefined();
    expect((await storage.listStudies())[0]!.bestValue).toBe(1);
    await storage.close();
  });

  it('come through batches (runInBatches) with their reasons; a study of only infeasible trials has no best', async () => {
    const storage = make();
    const study = await createStudy({ name: 'b', storage, space: { x: int(0, 5) }, direction: 'minimize', sampler: 'grid', seed: 1 });
    const points = [0, 1, 2, 3, 4, 5].map((x) => ({ x }));
    const run = await runInBatches(study, points, inProcessEvaluator((t) => ({ values: t.params.x as number, infeasible: `x ${String(t.params.x)} is odd or small` })), { trials: 6, batchSize: 4 });
    expect(run.trials.map((t) => t.infeasible)).toEqual(run.trials.map((t) => `x ${String(t.params.x)} is odd or small`));
    expect(run.best).toBeNull();
    expect(run.bestTrials).toEqual([]);
    expect((await storage.getTrials('b')).every((t) => t.infeasible && t.state === 'complete')).toBe(true);
    await storage.close();
  });
});

describe('SQLite files written before infeasible trials existed', () => {
  it('gain the column on open; old trials read back feasible', async () => {
    const path = join(dir, 'old.db');
    const db = new Database(path);
    db.exec(`CREATE TABLE studies (name TEXT PRIMARY KEY, directions TEXT NOT NULL, space TEXT, meta TEXT NOT NULL, created REAL NOT NULL);
      CREATE TABLE trials (study TEXT NOT NULL, number INTEGER NOT NULL, params TEXT NOT NULL, vals TEXT, state TEXT NOT NULL, intermediate TEXT NOT NULL,
        datetime_start REAL NOT NULL, datetime_complete REAL, heartbeat REAL NOT NULL, worker TEXT NOT NULL, PRIMARY KEY (study, number));`);
    db.prepare('INSERT INTO studies VALUES (?, ?, NULL, ?, ?)').run('old', '["maximize"]', '{}', 1);
    db.prepare("INSERT INTO trials VALUES ('old', 0, '{\"x\":1}', '[2]', 'complete', '{}', 1, 2, 2, 'h:1:a')").run();
    db.close();
    const s = new SqliteStorage(path);
    const [t] = await s.getTrials('old');
    expect(t).toMatchObject({ number: 0, values: [2], state: 'complete' });
    expect(t!.infeasible).toBeUndefined();
    const claimed = await s.claimTrial('old', { params: { x: 2 }, worker: 'h:1:b', now: 3 });
    await s.finishTrial('old', (claimed as TrialRecord).number, 'complete', [9], 4, 'too few trades');
    expect((await s.getTrials('old'))[1]!.infeasible).toBe('too few trades');
    await s.close();
  });
});
