import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../../lib/optimizer/open';
import { paramsKey } from '../../lib/optimizer/space';
import type { TrialRecord } from '../../lib/optimizer/trial';
import { startPg, type PgServer } from './pg-server';

/**
 * Several OS processes on one study (SQLite file and a real PostgreSQL server), and crash safety: kill -9
 * mid-run, restart with the same name.
 */
const script = join(__dirname, 'fixtures', 'study-process.ts');
const tsx = require.resolve('tsx/cjs');
const dir = mkdtempSync(join(tmpdir(), 'ql-proc-'));
let pg: PgServer;
beforeAll(async () => {
  pg = await startPg();
}, 120_000);
afterAll(() => {
  pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function start(args: object): { child: ChildProcess; done: Promise<{ code: number | null; out: string; err: string }>; ready: Promise<void> } {
  const child = spawn(process.execPath, ['--require', tsx, script, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let markReady!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));
  child.stdout!.on('data', (d) => {
    out += d;
    if (out.startsWith('ready\n')) markReady();
  });
  child.stderr!.on('data', (d) => (err += d));
  const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
  child.on('exit', () => markReady());
  return { child, done, ready };
}

/** Starts processes that create the study, then lets them run together once all are ready. */
async function together(...args: object[]) {
  const go = join(dir, `go-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  const ps = args.map((a) => start({ ...a, goFile: go }));
  await Promise.all(ps.map((p) => p.ready));
  writeFileSync(go, '');
  return Promise.all(
    ps.map(async (p) => {
      const r = await p.done;
      return { ...r, out: r.out.replace(/^ready\n/, '') };
    }),
  );
}

async function trialsOf(url: string, name: string): Promise<TrialRecord[]> {
  const s = openStorage(url);
  try {
    return await s.getTrials(name);
  } finally {
    await s.close();
  }
}

const storages = (): [string, string][] => [
  ['SQLite', `sqlite:${join(dir, 'studies.db')}`],
  ['PostgreSQL', pg.url],
];

describe.each(['SQLite', 'PostgreSQL'])('two processes on one study (%s)', (kind) => {
  const url = () => storages().find(([k]) => k === kind)![1];

  it('random sampler: exactly the asked number of trials, numbers 0..N−1 once each, both processes worked', async () => {
    const name = `two-${kind}-${Date.now()}`;
    const args = { storage: url(), name, trials: 40, sampler: 'random', sleepMs: 15 };
    // same seed on purpose: processes still draw different parameters
    const [ra, rb] = await together({ ...args, seed: 1 }, { ...args, seed: 1 });
    expect(ra.err + rb.err).toBe('');
    const trials = await trialsOf(url(), name);
    expect(trials.map((t) => t.number)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(trials.every((t) => t.state === 'complete')).toBe(true);
    const workers = new Set(trials.map((t) => t.worker));
    expect(workers.size).toBe(2);
    expect(JSON.parse(ra.out).ran + JSON.parse(rb.out).ran).toBe(40);
    expect(new Set(trials.map((t) => paramsKey(t.params))).size).toBe(40);
  }, 60_000);

  it('grid sampler: every grid point exactly once across both processes', async () => {
    const name = `grid-${kind}-${Date.now()}`;
    const args = { storage: url(), name, trials: 1000, sampler: 'grid', seed: 1, sleepMs: 20 };
    const [ra, rb] = await together(args, args);
    expect(ra.err + rb.err).toBe('');
    const trials = await trialsOf(url(), name);
    const keys = trials.filter((t) => t.state === 'complete').map((t) => paramsKey(t.params));
    expect(keys.length).toBe(30);
    expect(new Set(keys).size).toBe(30);
    expect(new Set(trials.map((t) => t.worker)).size).toBe(2);
  }, 60_000);

  it('kill -9 mid-run, restart with the same name: completed trials kept, running ones failed, final count as asked', async () => {
    const name = `crash-${kind}-${Date.now()}`;
    // trials of 400 ms: the kill, a few ms after seeing one running, lands inside it (with 60 ms trials it could
    // fall between one trial's end and the next claim on a loaded machine, leaving none running)
    const args = { storage: url(), name, trials: 24, sampler: 'tpe', seed: 4, sleepMs: 400, jobs: 2, heartbeatInterval: 100, staleAfter: 1000 };
    const first = start(args);
    // wait until some trials completed, then kill while others run
    let before: TrialRecord[] = [];
    for (let i = 0; i < 300; i++) {
      await new Promise((r) => setTimeout(r, 50));
      try {
        before = await trialsOf(url(), name);
      } catch {
        continue; // study not created yet
      }
      if (before.filter((t) => t.state === 'complete').length >= 6 && before.some((t) => t.state === 'running')) break;
    }
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.code).toBe(null);
    const atKill = await trialsOf(url(), name);
    const completeAtKill = atKill.filter((t) => t.state === 'complete');
    const runningAtKill = atKill.filter((t) => t.state === 'running');
    expect(completeAtKill.length).toBeGreaterThanOrEqual(6);
    expect(runningAtKill.length).toBeGreaterThanOrEqual(1);

    const second = await start(args).done;
    expect(second.err).toBe('');
    const after = await trialsOf(url(), name);
    // completed trials are kept as they were
    for (const t of completeAtKill) expect(after[t.number]).toEqual(t);
    // the trials that were running when the process died are failed (its pid is gone: at once, not after the heartbeat timeout)
    for (const t of runningAtKill) expect(after[t.number]!.state).toBe('fail');
    expect(after.filter((t) => t.state === 'complete').length).toBe(24);
    expect(after.filter((t) => t.state === 'running').length).toBe(0);
    expect(after.length).toBe(24 + runningAtKill.length);
  }, 90_000);
});

describe('stale heartbeat (owner on another machine)', () => {
  it('a running trial whose owner stopped beating is failed after staleAfter and its slot is run again', async () => {
    const url = `sqlite:${join(dir, 'stale.db')}`;
    const s = openStorage(url);
    const name = `stale-${Date.now()}`;
    await s.createStudy({ name, directions: ['minimize'] });
    await s.claimTrial(name, { params: { x: 0, n: 1 }, worker: 'other-host:123:a', now: Date.now() });
    await s.close();
    const t0 = Date.now();
    const r = await start({ storage: url, name, trials: 5, sampler: 'random', seed: 1, sleepMs: 5, heartbeatInterval: 100, staleAfter: 800 }).done;
    expect(r.err).toBe('');
    const trials = await trialsOf(url, name);
    expect(trials[0]!.state).toBe('fail');
    expect(trials[0]!.datetimeComplete! - t0).toBeGreaterThanOrEqual(600);
    expect(trials.filter((t) => t.state === 'complete').length).toBe(5);
  }, 60_000);
});
