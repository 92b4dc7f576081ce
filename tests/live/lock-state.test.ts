/**
 * Processes are safe: one runner per state file (a lock with pid, host and start time, created with O_EXCL;
 * a second runner is refused naming the holder; a dead holder's lock is taken over with a note), and a state
 * file that is empty, not a database, damaged, someone else's, or missing while the log records a session is
 * refused naming the file and how to recover (--new-session moves it aside, never deletes it). A session with
 * no trades on either side says that its parity is vacuous.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { registerRunCommands } from '../../lib/commands/run';
import { QuantlabError, sliceBars } from '../../lib/core';
import { runPromoted } from '../../lib/live/main';
import type { PromotedStrategy } from '../../lib/live/promote';
import { reconcileText } from '../../lib/live/reconcile';
import { acquireRunLock } from '../../lib/live/run-lock';
import { replaySession } from '../../lib/live/session';
import { StateStore } from '../../lib/live/state-store';
import { startReplayExchange, type ReplayExchange } from '../../lib/replay-exchange';
import { getStrategy } from '../../lib/strategy';
import { ACTIVE_PARAMS, futuresWindow, promotedFixture, tempDir, waitFor } from '../helpers/runner';
import { hasStack, quantlab, type CliChild } from './cli-child';

const servers: ReplayExchange[] = [];
const children: CliChild[] = [];
afterAll(async () => {
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
  await Promise.all(servers.map((s) => s.close()));
});

const W = 60;
const PARAMS = ACTIVE_PARAMS['sma-cross-ls']!;

const promoted = (root: string, url?: string): Promise<PromotedStrategy> => promotedFixture(root, url);

/** runPromoted in-process, as run.ts calls it; what it printed and its exit code. */
async function runIn(p: PromotedStrategy, ...argv: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const code = await runPromoted({ strategy: getStrategy('sma-cross-ls'), params: PARAMS, dir: p.dir, argv: argv.length ? argv : ['--paper'], out: (l) => out.push(l) });
  return { code, out: out.join('\n') };
}

/** A pid that no process has any more. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

/** The JSON event lines a runner printed with --json. */
const events = (c: CliChild): Record<string, unknown>[] => c.out.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe('the runner lock', () => {
  it('refuses a second holder naming the first; takes over a dead pid’s, a reused pid’s and an old unreadable lock; leaves another host’s alone', () => {
    const dir = tempDir('lock');
    const path = join(dir, 'paper.lock');
    const a = acquireRunLock(path, 'paper runner');
    const held = JSON.parse(readFileSync(path, 'utf8'));
    expect(held).toMatchObject({ pid: process.pid, host: hostname(), what: 'paper runner' });
    expect(Date.parse(held.startedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(held.procStart).toMatch(/^\d+$/);
    let e: unknown;
    try {
      acquireRunLock(path, 'paper runner');
    } catch (x) {
      e = x;
    }
    expect((e as QuantlabError).code).toBe('LOCKED');
    expect((e as QuantlabError).message).toBe(`${path}: paper runner is refused: paper runner (pid ${process.pid} on ${hostname()}, since ${held.startedAt}) runs on this state already; stop it first (Ctrl-C or kill ${process.pid})`);
    a.release();
    expect(existsSync(path)).toBe(false);

    const plant = (h: object) => writeFileSync(path, JSON.stringify({ host: hostname(), startedAt: '2026-01-01T00:00:00.000Z', procStart: '', what: 'paper runner', token: 'x', ...h }));
    const dead = deadPid();
    plant({ pid: dead });
    const b = acquireRunLock(path, 'paper runner');
    expect(b.takenOver).toMatchObject({ pid: dead, why: `pid ${dead} is no longer running` });
    expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(process.pid);
    b.release();

    plant({ pid: process.pid, procStart: '1' }); // our pid, but a process that started at another time held it
    const c = acquireRunLock(path, 'paper runner');
    expect(c.takenOver?.why).toBe(`pid ${process.pid} is no longer running`);
    c.release();

    plant({ pid: dead, host: 'another-host' });
    expect(() => acquireRunLock(path, 'live runner')).toThrow(new RegExp(`live runner is refused: paper runner \\(pid ${dead} on another-host, .*kill ${dead} on another-host\\), or delete the lock file if that runner is gone`));

    writeFileSync(path, 'garbage');
    expect(() => acquireRunLock(path, 'paper runner')).toThrow(/the lock file is being written or is unreadable \(found "garbage"\)/);
    utimesSync(path, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const d = acquireRunLock(path, 'paper runner');
    expect(d.takenOver?.why).toMatch(/^unreadable lock file \("garbage", 6\d s old\)$/);
    // a release never removes a lock that is not its own
    plant({ pid: dead, token: 'someone-else' });
    d.release();
    expect(existsSync(path)).toBe(true);
  });

  it('two runners on one promoted folder: the second is refused with the holder; after kill -9 the next one takes over with a note', { timeout: 120_000 }, async () => {
    const bars = await futuresWindow(120);
    const ex = await startReplayExchange({ markets: [{ bars, kind: 'futures' }], start: bars.ts[W] });
    servers.push(ex);
    const root = tempDir('two-runners');
    const p = await promoted(root, ex.url);
    const args = ['run', p.name, '--paper', '--experiments', root, '--json', '--poll-ms', '5'];
    const start = async (): Promise<CliChild> => {
      const c = quantlab(args);
      children.push(c);
      await waitFor(() => c.out.some((l) => l.includes('"event":"start"')) || c.proc.exitCode !== null, 'a runner to start', 60_000, 10);
      expect(c.proc.exitCode, [...c.out, ...c.err].join('\n')).toBeNull();
      return c;
    };
    const first = await start();
    const lock = join(p.dir, 'paper.lock');
    expect(JSON.parse(readFileSync(lock, 'utf8'))).toMatchObject({ pid: first.proc.pid, host: hostname(), what: 'paper runner' });

    const second = quantlab(args);
    expect(await second.exited).toBe(2);
    const said = second.out.join('\n');
    expect(said).toMatch(new RegExp(`^error \\[LOCKED\\]: ${esc(lock)}: paper runner is refused: paper runner \\(pid ${first.proc.pid} on ${esc(hostname())}, since \\S+\\) runs on this state already`));
    expect(hasStack(said + second.err.join('\n'))).toBe(false);
    expect(first.proc.exitCode).toBeNull(); // the first one is untouched

    first.proc.kill('SIGKILL');
    await first.exited;
    const third = await start();
    const note = events(third).find((e) => e.event === 'lock-taken-over');
    expect(note).toMatchObject({ lock, previous: expect.stringMatching(new RegExp(`^pid ${first.proc.pid} on `)), why: `pid ${first.proc.pid} is no longer running` });
    third.proc.kill('SIGTERM');
    expect(await third.exited).toBe(0);
    expect(existsSync(lock)).toBe(false); // released on the way out
  });
});

describe('the state file', () => {
  it('empty, not SQLite, someone else’s database, damaged pages, history without a session, missing while the log records one: refused, file untouched', async () => {
    const root = tempDir('state-bad');
    const p = await promoted(root);
    const db = join(p.dir, 'paper.db');
    const refused = async (found: RegExp) => {
      const r = await runIn(p);
      expect(r.code).toBe(2);
      expect(r.out).toMatch(new RegExp(`^error \\[STATE_DAMAGED\\]: ${esc(db)}: expected the runner's state database, found ${found.source}`));
      expect(r.out).toMatch(/restore the file from a backup, or start over deliberately with --new-session \(moves it aside, nothing is deleted\)$/);
      expect(existsSync(join(p.dir, 'paper.lock'))).toBe(false);
      return r;
    };

    writeFileSync(db, '');
    await refused(/an empty file \(0 bytes\)/);
    expect(statSync(db).size).toBe(0);

    writeFileSync(db, 'name,value\nnot,sqlite\n');
    await refused(/a file that is not a SQLite database \(22 bytes starting 'name,value\.not,s'\)/);

    rmDb(db);
    const other = new Database(db);
    other.exec('CREATE TABLE trades (id INTEGER PRIMARY KEY, px REAL)');
    other.close();
    await refused(/a SQLite database of something else \(tables: trades\)/);

    rmDb(db);
    const s = new StateStore(db);
    s.tx(() => {
      for (let i = 0; i < 2000; i++) s.putBar({ ts: i * 3_600_000, open: 1, high: 1, low: 1, close: 1, volume: 1, target: 1, phase: 'done', equity: 1, position: 0, cash: 1, refPrice: 1, refTs: 1 });
    });
    s.close();
    await refused(/history \(2000 bars\) without its session record/);
    const size = statSync(db).size;
    const fd = openSync(db, 'r+');
    writeSync(fd, Buffer.alloc(8192, 0xab), 0, 8192, Math.floor(size / 2 / 4096) * 4096);
    closeSync(fd);
    await refused(/a (damaged database|database SQLite cannot read)/);

    rmDb(db);
    writeFileSync(join(p.dir, 'paper.log.jsonl'), `${JSON.stringify({ event: 'start', at: '2026-11-30T10:00:00.000Z', mode: 'paper' })}\n`);
    const r = await runIn(p);
    expect(r.out).toBe(
      `error [STATE_DAMAGED]: ${db}: expected the runner's state database, found no file, but ${join(p.dir, 'paper.log.jsonl')} records a session here (last started 2026-11-30T10:00:00.000Z); the history and open position were in that file: restore the file from a backup, or start over deliberately with --new-session (moves it aside, nothing is deleted)`,
    );
    expect(existsSync(db)).toBe(false);

    // reconcile refuses a damaged file the same way
    writeFileSync(db, 'garbage!');
    const program = new Command('quantlab').exitOverride();
    registerRunCommands(program);
    const e = await program.parseAsync(['reconcile', p.name, '--experiments', root], { from: 'user' }).then(() => undefined, (x: unknown) => x);
    expect((e as QuantlabError).code).toBe('STATE_DAMAGED');
    expect((e as QuantlabError).message).toMatch(/paper\.db: expected the runner's state database, found a file that is not a SQLite database \(8 bytes starting 'garbage!'\)/);
  });

  it('--new-session moves the old state and log aside (nothing deleted) and starts a new session', { timeout: 60_000 }, async () => {
    const bars = await futuresWindow(120);
    const ex = await startReplayExchange({ markets: [{ bars, kind: 'futures' }], start: bars.ts[W] });
    servers.push(ex);
    const root = tempDir('new-session');
    const p = await promoted(root, ex.url);
    writeFileSync(join(p.dir, 'paper.db'), '');
    writeFileSync(join(p.dir, 'paper.log.jsonl'), '{"event":"start","at":"2026-11-30T10:00:00.000Z"}\n');
    const c = quantlab(['run', p.name, '--paper', '--new-session', '--experiments', root, '--json', '--poll-ms', '5']);
    children.push(c);
    await waitFor(() => c.out.some((l) => l.includes('"event":"start"')) || c.proc.exitCode !== null, 'the runner to start', 60_000, 10);
    expect(c.proc.exitCode, [...c.out, ...c.err].join('\n')).toBeNull();
    c.proc.kill('SIGTERM');
    expect(await c.exited).toBe(0);
    const files = readdirSync(p.dir);
    const oldDb = files.find((f) => /^paper\.replaced-\d{8}T\d{6}Z\.db$/.test(f));
    const oldLog = files.find((f) => /^paper\.replaced-\d{8}T\d{6}Z\.log\.jsonl$/.test(f));
    expect(oldDb && oldLog).toBeTruthy();
    expect(statSync(join(p.dir, oldDb!)).size).toBe(0); // the old file, as it was
    expect(readFileSync(join(p.dir, oldLog!), 'utf8')).toContain('2026-11-30T10:00:00.000Z');
    const note = events(c).find((e) => e.event === 'new-session');
    expect(note?.movedAside).toEqual([join(p.dir, oldDb!), join(p.dir, oldLog!)]);
    const store = new StateStore(join(p.dir, 'paper.db'), { readonly: true });
    expect(store.meta('session')).toMatch(/^[0-9a-f]{16}$/);
    expect(store.events(['new-session'])).toHaveLength(1);
    store.close();
  });
});

describe('parity over a window without trades', () => {
  it('says it is vacuous instead of calling it identical', async () => {
    const bars = sliceBars(await futuresWindow(200), 0, 200);
    const s = await replaySession({ strategy: 'sma-cross', params: { fast: 100, slow: 400 }, bars, warmup: 100 }); // the slow average never forms: no trade
    expect([s.trades.length, s.backtestTrades.length]).toEqual([0, 0]);
    expect(s.parity).toMatchObject({ equal: true, trades: 0, vacuous: true });
    expect(s.parity.summary).toBe(`no trades on either side over these ${s.report.summary.bars} bars: nothing was compared trade for trade (agreement only means both stayed flat); use a longer window or parameters that trade`);
    expect(s.report.summary.vacuous).toBe(true);
    expect(reconcileText(s.report).split('\n')[2]).toBe(s.parity.summary);
  });
});

function rmDb(path: string): void {
  for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
}
