/**
 * Runner state in PostgreSQL (a real server started here): sessions on the replay exchange equal the same
 * sessions on SQLite trade for trade; one runner per strategy and mode (advisory lock) while namespaces stay
 * apart; --new-session moves a namespace aside; the promoted run.ts with `--state postgres://…` killed with
 * SIGKILL at seeded points and restarted ends where an uninterrupted run ends; the read-only dashboard reads
 * the sessions from the database.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sliceBars } from '../../lib/core';
import { promote } from '../../lib/live/promote';
import { sessionTrades } from '../../lib/live/runner';
import { replaySession } from '../../lib/live/session';
import { openRunnerState, PostgresStateStore } from '../../lib/live/state-store-pg';
import { serveReadOnly } from '../../lib/ops';
import { seededRandom, startReplayExchange, type ReplayExchange } from '../../lib/replay-exchange';
import { dataset, TEST_KEY, TEST_SECRET } from '../helpers/exchange';
import { ACTIVE_PARAMS, driveWithKills, futuresWindow, sleep, spawnRun, tempDir, waitFor, type Child } from '../helpers/runner';
import { startPg, type PgServer } from '../optimizer/pg-server';

let pg: PgServer;
const servers: ReplayExchange[] = [];
const children: Child[] = [];
beforeAll(async () => {
  pg = await startPg();
}, 120_000);
afterAll(async () => {
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
  await Promise.all(servers.map((s) => s.close()));
  pg?.stop();
});

describe('runner state in PostgreSQL', () => {
  it('live and paper sessions on the replay exchange equal the same sessions on SQLite, trade for trade', { timeout: 120_000 }, async () => {
    const bars = await futuresWindow(220);
    const params = ACTIVE_PARAMS['sma-cross-ls']!;
    for (const mode of ['live', 'paper'] as const) {
      const s0 = Date.now();
      const onSqlite = await replaySession({ strategy: 'sma-cross-ls', params, bars, mode, warmup: 100 });
      const sqliteMs = Date.now() - s0;
      const dir = tempDir('pg-session');
      const t0 = Date.now();
      const onPg = await replaySession({ strategy: 'sma-cross-ls', params, bars, mode, warmup: 100, dir, state: pg.url });
      const ms = Date.now() - t0;
      expect(onSqlite.trades.length).toBeGreaterThan(2);
      expect(onPg.parity.equal).toBe(true);
      expect(onPg.trades).toEqual(onSqlite.trades);
      expect(Array.from(onPg.equity.run)).toEqual(Array.from(onSqlite.equity.run));
      expect(onPg.exchangeOrderIds.length).toBe(onSqlite.exchangeOrderIds.length);
      expect(existsSync(join(dir, `${mode}.db`))).toBe(false); // the state went to the database, not the folder
      const w = new PostgresStateStore(pg.url, `sma-cross-ls-session/${mode}`, { readonly: true });
      expect(sessionTrades(w, w.lastDoneTs())).toEqual(onSqlite.trades);
      expect(w.historyCounts().bars).toBe(220 - 1);
      if (mode === 'paper') expect(w.paperOrders().length).toBe(w.fills().length);
      w.close();
      console.log(`${mode} session on PostgreSQL state: ${onPg.trades.length} trades, ${bars.ts.length - 100} bars in ${ms} ms (on SQLite: ${sqliteMs} ms)`);
    }
  });

  it('a strategy reading another symbol (eth-btc-zscore, BTC as its input): the PostgreSQL session equals SQLite\'s, and its input bars are stored there', { timeout: 120_000 }, async () => {
    const eth0 = await dataset('ETHUSDT', '1h', 'futures');
    const btc0 = await dataset('BTCUSDT', '1h', 'futures');
    const eth = sliceBars(eth0, 25_000, 25_300);
    const i0 = btc0.ts.indexOf(eth.ts[0]!);
    const btc = sliceBars(btc0, i0, i0 + 300);
    const params = { n: 24, entry: 1.2, exit: 0 };
    const run = (state?: string) => replaySession({ strategy: 'eth-btc-zscore', params, bars: eth, inputs: { btc }, mode: 'paper', warmup: 150, dir: tempDir('pg-inputs'), state });
    const onSqlite = await run();
    const onPg = await run(pg.url);
    expect(onSqlite.trades.length).toBeGreaterThan(1);
    expect(onPg.parity.equal).toBe(true);
    expect(onPg.trades).toEqual(onSqlite.trades);
    expect(Array.from(onPg.equity.run)).toEqual(Array.from(onSqlite.equity.run));
    const w = new PostgresStateStore(pg.url, 'eth-btc-zscore-session/paper', { readonly: true });
    const stored = w.inputBars('btc');
    w.close();
    expect(stored.length).toBeGreaterThan(100);
    const at = btc.ts.indexOf(stored[0]!.ts);
    expect(at).toBeGreaterThanOrEqual(0);
    stored.forEach((b, k) => expect(b).toEqual({ ts: btc.ts[at + k], open: btc.open[at + k], high: btc.high[at + k], low: btc.low[at + k], close: btc.close[at + k], volume: btc.volume[at + k] }));
  });

  it('one runner per strategy and mode across machines; namespaces apart; a new session moves the old one aside', () => {
    const a = new PostgresStateStore(pg.url, 'lock-test/paper');
    expect(() => new PostgresStateStore(pg.url, 'lock-test/paper')).toThrow(/another runner holds this strategy and mode's state \(quantlab runner lock-test\/paper pid \d+/);
    const b = new PostgresStateStore(pg.url, 'lock-test/live');
    a.setNumber('x', 1);
    a.addEvent('e', { n: 1 }, NaN, 5);
    expect([b.getNumber('x'), b.events().length]).toEqual([NaN, 0]);
    b.addEvent('e', { n: 2 }, NaN, 6);
    expect(b.events()[0]!.id).toBe(1); // ids count per namespace
    const watcher = new PostgresStateStore(pg.url, 'lock-test/paper', { readonly: true });
    expect(watcher.getNumber('x')).toBe(1);
    a.close();
    const again = new PostgresStateStore(pg.url, 'lock-test/paper'); // the lock went with the first one
    expect(again.getNumber('x')).toBe(1);
    const to = again.moveAside(new Date(Date.UTC(2026, 0, 2, 3, 4, 5)));
    expect(to).toBe('lock-test/paper.replaced-20260102T030405Z');
    expect([again.getNumber('x'), again.events().length]).toEqual([NaN, 0]);
    const old = new PostgresStateStore(pg.url, to!, { readonly: true });
    expect([old.getNumber('x'), old.events().map((e) => e.detail)]).toEqual([1, [{ n: 1 }]]);
    for (const s of [b, watcher, again, old]) s.close();
  });

  it('opening a runner’s state with --new-session moves the namespace and the log aside; one call is a round trip of well under 5 ms', () => {
    const dir = tempDir('pg-new');
    const log = join(dir, 'paper.log.jsonl');
    const first = openRunnerState({ file: join(dir, 'paper.db'), log, state: pg.url, ns: 'fresh/paper' });
    first.store.setMeta({ session: 's1' });
    const n = 2000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) first.store.setNumber('k', i);
    const perCall = (performance.now() - t0) / n;
    expect(first.store.getNumber('k')).toBe(n - 1);
    first.store.close();
    writeFileSync(log, '{"event":"start","at":"2026-01-02T03:04:05.000Z"}\n');
    // the log records a session this database does not hold (another database, or it ran on SQLite): refused
    expect(() => openRunnerState({ file: join(dir, 'paper.db'), log, state: pg.url, ns: 'other/paper' })).toThrow(/found none, but .*paper\.log\.jsonl records a session here/);
    const again = openRunnerState({ file: join(dir, 'paper.db'), log, state: pg.url, ns: 'fresh/paper', newSession: true });
    expect(again.moved).toHaveLength(2);
    expect(again.moved[0]).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres#fresh\/paper\.replaced-\d{8}T\d{6}Z$/);
    expect(again.moved[1]).toMatch(/paper\.replaced-\d{8}T\d{6}Z\.log\.jsonl$/);
    expect([again.store.meta('session'), existsSync(log), existsSync(join(dir, 'paper.db'))]).toEqual([undefined, false, false]);
    again.store.close();
    expect(perCall).toBeLessThan(5);
    console.log(`PostgreSQL state: ${perCall.toFixed(3)} ms per autocommitted write (${n} calls)`);
  });

  it('an unreachable server is an IO_ERROR naming the URL without its password', () => {
    let err: unknown;
    try {
      new PostgresStateStore('postgres://quant:s3cret-pw@127.0.0.1:1/state', 'x/paper', { timeoutMs: 3000 });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ name: 'QuantlabError', code: 'IO_ERROR' });
    expect((err as Error).message).toContain('postgres://quant:***@127.0.0.1:1/state#x/paper');
    expect((err as Error).message).not.toContain('s3cret');
  });

  it('kill -9 of run.ts --state postgres://… at seeded points, restart: state and orders equal an uninterrupted run; the dashboard reads it', { timeout: 120_000 }, async () => {
    const W = 100;
    const bars = await futuresWindow(160);
    const params = ACTIVE_PARAMS['sma-cross-ls']!;
    const ref = await replaySession({ strategy: 'sma-cross-ls', params, bars, mode: 'live', warmup: W });
    expect(ref.parity.equal).toBe(true);
    const ex = await startReplayExchange({
      markets: [{ bars, kind: 'futures' }],
      accounts: [{ apiKey: TEST_KEY, secret: TEST_SECRET, futuresWallet: 10_000 }],
      start: bars.ts[W],
      seed: 11,
      faults: [{ kind: 'latency', match: /^POST \/fapi\/v1\/order/, latencyMs: [5, 40] }],
    });
    servers.push(ex);
    const experimentsDir = tempDir('pg-kill');
    const p = await promote('sma-cross-ls', params, {
      symbol: 'BTC/USDT:USDT',
      timeframe: '1h',
      data: bars,
      experimentsDir,
      url: ex.url,
      execution: { cash: 10_000, fee: 0.0005, lotSize: 0.001, minNotional: 5 },
      risk: { maxNotional: 50_000 },
      runner: { warmupBars: W, pollMs: 5 },
    });
    const args = ['--live', '--confirm', 'BTC/USDT:USDT 50000', '--json', '--poll-ms', '5', '--state', pg.url];
    const env = { QUANTLAB_API_KEY: TEST_KEY, QUANTLAB_API_SECRET: TEST_SECRET };
    const start = async (): Promise<Child> => {
      const c = spawnRun(p.runPath, args, env);
      children.push(c);
      await waitFor(() => c.lines.some((l) => l.includes('"event":"start"')) || c.proc.exitCode !== null, 'the runner to start', 30_000, 5);
      if (c.proc.exitCode !== null) throw new Error(`runner exited at start: ${c.lines.join('\n')}`);
      return c;
    };
    const rnd = seededRandom(77);
    const steps = bars.ts.length - W - 1;
    const orderSteps = ref.report.runTrades.map((t) => Math.round((t.entryTs - bars.ts[W]!) / 3_600_000)).filter((k) => k > 1 && k <= steps);
    expect(orderSteps.length).toBeGreaterThan(1);
    const plan = new Map<number, 'in-flight' | 'after-step'>();
    const modes = ['in-flight', 'after-step', 'in-flight', 'in-flight'] as const;
    while (plan.size < modes.length) {
      const m = modes[plan.size]!;
      const orderly = m === 'in-flight' && orderSteps.some((s) => !plan.has(s));
      const k = orderly ? orderSteps[Math.floor(rnd() * orderSteps.length)]! : 1 + Math.floor(rnd() * steps);
      if (!plan.has(k)) plan.set(k, m);
    }

    const first = await start();
    const store = new PostgresStateStore(pg.url, `${p.config.name}/live`, { readonly: true });
    const barTs = (k: number) => bars.ts[W + k - 1]!;
    const { child, kills } = await driveWithKills({
      ex, steps, barTs, store, child: first, start,
      kill: (k) => {
        const mode = plan.get(k);
        if (!mode) return undefined;
        return async (fresh) => {
          if (mode === 'in-flight') {
            await waitFor(() => fresh().some((l) => l.includes('"event":"order-send"')) || store.lastDoneTs() === barTs(k), 'an order or the bar', 20_000, 1);
            await sleep(4 + Math.floor(rnd() * 8));
          } else await sleep(Math.floor(rnd() * 25));
        };
      },
    });
    child.proc.kill('SIGTERM');
    expect(await child.exited).toBe(0);

    expect(kills).toBe(4);
    expect(sessionTrades(store, store.lastDoneTs())).toEqual(ref.trades);
    const live = store.bars().filter((b) => b.phase !== 'warmup');
    expect(live.every((b) => b.phase === 'done')).toBe(true);
    expect(live.map((b) => b.equity)).toEqual(Array.from(ref.equity.run));
    const orders = ex.engine.snapshot().orders;
    expect(new Set(orders.map((o) => o.clientOrderId)).size).toBe(orders.length);
    expect(orders.length).toBe(ref.exchangeOrderIds.length);
    expect(store.orders({ status: ['filled'] }).length).toBe(orders.length);
    expect(existsSync(join(p.dir, 'live.db'))).toBe(false);
    const found = store.events(['order-found']).length; // orders whose answer died with a process, found by id after the restart
    expect(found).toBeGreaterThan(0);
    store.close();

    // the read-only dashboard finds the session in the database
    const d = await serveReadOnly({ experiments: experimentsDir, host: '127.0.0.1', port: 0, state: pg.url, out: () => undefined });
    try {
      const token = readFileSync(d.tokenFile, 'utf8').trim();
      const get = async (route: string) => (await fetch(new URL(`/api/${route}`, d.server.url), { headers: { authorization: `Bearer ${token}` } })).json() as Promise<unknown>;
      expect(await get('strategies')).toMatchObject([{ name: `${p.config.name} (live)`, mode: 'live', controls: false }]);
      const trades = (await get(`trades?strategy=${encodeURIComponent(`${p.config.name} (live)`)}&size=1000`)) as { total?: number; items?: unknown[]; rows?: unknown[] };
      expect(JSON.stringify(trades)).toContain(String(ref.trades[0]!.entryTs));
    } finally {
      await d.close();
    }
    console.log(`kill test on PostgreSQL state: ${kills} kills, ${found} orders found by id after a restart, ${orders.length} orders, ${ref.trades.length} trades`);
  });
});
