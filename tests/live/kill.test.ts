/**
 * kill -9 for real: the promoted run.ts runs as a child process (node + tsx) in live mode against a replay
 * exchange served by this test, which steps the clock one bar at a time once the runner has finished the
 * previous one. At seeded points the child is killed with SIGKILL — right after it announced an order (the
 * request may not have left yet), a few ms later (the request is out, its answer delayed by the server), a
 * random few ms after a step, or just after it finished a bar — and
 * started again. The final state, the orders on the exchange and the equity must equal an uninterrupted
 * run, and no client order id may reach the exchange twice. The credentials, given only through the
 * environment, must appear in no file the runner wrote and no line it printed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { promote } from '../../lib/live/promote';
import { seededRandom, startReplayExchange, type ReplayExchange } from '../../lib/replay-exchange';
import { sessionTrades } from '../../lib/live/runner';
import { replaySession } from '../../lib/live/session';
import type { StateStore } from '../../lib/live/state-store';
import { TEST_KEY, TEST_SECRET } from '../helpers/exchange';
import { ACTIVE_PARAMS, driveWithKills, futuresWindow, sleep, spawnRun, tempDir, waitFor, watchState, type Child } from '../helpers/runner';

const servers: ReplayExchange[] = [];
const children: Child[] = [];
afterAll(async () => {
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
  await Promise.all(servers.map((s) => s.close()));
});

type KillMode = 'on-order' | 'in-flight' | 'after-step' | 'after-bar';

describe('kill -9 at seeded points, restart, same result', () => {
  it('6 kills during a 90-bar live replay: state, orders and equity equal an uninterrupted run; no order twice', { timeout: 120_000 }, async () => {
    const W = 100;
    const bars = await futuresWindow(190);
    const params = ACTIVE_PARAMS['sma-cross-ls']!;
    const ref = await replaySession({ strategy: 'sma-cross-ls', params, bars, mode: 'live', warmup: W });
    expect(ref.parity.equal).toBe(true);

    const ex = await startReplayExchange({
      markets: [{ bars, kind: 'futures' }],
      accounts: [{ apiKey: TEST_KEY, secret: TEST_SECRET, futuresWallet: 10_000 }],
      start: bars.ts[W],
      seed: 9,
      // orders take a while to answer: a kill often lands while one is in flight
      faults: [{ kind: 'latency', match: /^POST \/fapi\/v1\/order/, latencyMs: [5, 40] }],
    });
    servers.push(ex);
    const p = await promote('sma-cross-ls', params, {
      symbol: 'BTC/USDT:USDT',
      timeframe: '1h',
      data: bars,
      experimentsDir: tempDir('kill'),
      url: ex.url,
      execution: { cash: 10_000, fee: 0.0005, lotSize: 0.001, minNotional: 5 },
      risk: { maxNotional: 50_000 },
      runner: { warmupBars: W, pollMs: 5 },
    });
    const args = ['--live', '--confirm', 'BTC/USDT:USDT 50000', '--json', '--poll-ms', '5'];
    const env = { QUANTLAB_API_KEY: TEST_KEY, QUANTLAB_API_SECRET: TEST_SECRET };
    const printed: string[] = [];
    const start = async (): Promise<Child> => {
      const c = spawnRun(p.runPath, args, env);
      children.push(c);
      await waitFor(() => c.lines.some((l) => l.includes('"event":"start"')) || c.proc.exitCode !== null, 'the runner to start', 30_000, 5);
      if (c.proc.exitCode !== null) throw new Error(`runner exited at start: ${c.lines.join('\n')}`);
      return c;
    };

    // seeded kill plan: 6 steps, favouring the bars where the reference placed orders
    const rnd = seededRandom(2024);
    const steps = bars.ts.length - W - 1;
    const orderSteps = ref.report.runTrades.map((t) => Math.round((t.entryTs - bars.ts[W]!) / 3_600_000)).filter((k) => k > 1 && k <= steps);
    const plan = new Map<number, KillMode>();
    const modes: KillMode[] = ['in-flight', 'on-order', 'after-step', 'in-flight', 'after-bar', 'in-flight'];
    while (plan.size < modes.length) {
      const orderly = modes[plan.size]!.endsWith('order') || modes[plan.size] === 'in-flight';
      const k = orderly ? orderSteps[Math.floor(rnd() * orderSteps.length)]! : 1 + Math.floor(rnd() * steps);
      if (!plan.has(k)) plan.set(k, modes[plan.size]!);
    }

    const first = await start(); // the state file is there once a runner started
    const store: StateStore = await watchState(join(p.dir, 'live.db'));
    let inFlight = 0;
    const barTs = (k: number) => bars.ts[W + k - 1]!;
    const { child, kills } = await driveWithKills({
      ex, steps, barTs, store, child: first, start,
      onKilled: (dead) => printed.push(...dead.lines),
      kill: (k) => {
        const mode = plan.get(k);
        if (!mode) return undefined;
        const want = barTs(k);
        return async (fresh) => {
          if (mode === 'on-order' || mode === 'in-flight') {
            await waitFor(() => fresh().some((l) => l.includes('"event":"order-send"')) || store.lastDoneTs() === want, 'an order or the bar', 20_000, 1);
            if (mode === 'in-flight') await sleep(4 + Math.floor(rnd() * 8)); // the request is out; its answer is delayed 5–40 ms
          } else if (mode === 'after-step') await sleep(Math.floor(rnd() * 25));
          else await waitFor(() => store.lastDoneTs() === want, 'the bar', 20_000, 1);
          if ((mode === 'on-order' || mode === 'in-flight') && store.lastDoneTs() !== want) inFlight++;
        };
      },
    });
    child.proc.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    printed.push(...child.lines);

    // the state equals the uninterrupted run
    expect(kills).toBe(6);
    const done = store.lastDoneTs();
    expect(sessionTrades(store, done)).toEqual(ref.trades);
    const live = store.bars().filter((b) => b.phase !== 'warmup');
    expect(live.every((b) => b.phase === 'done')).toBe(true);
    expect(live.map((b) => b.equity)).toEqual(Array.from(ref.equity.run));
    // the orders on the exchange: each client order id once, as many as in the uninterrupted run
    const orders = ex.engine.snapshot().orders;
    expect(new Set(orders.map((o) => o.clientOrderId)).size).toBe(orders.length);
    expect(orders.length).toBe(ref.exchangeOrderIds.length);
    expect(store.orders({ status: ['filled'] }).length).toBe(orders.length);
    expect(inFlight).toBeGreaterThan(1);
    // one structured line per bar in the log, across all the processes
    const log = readFileSync(join(p.dir, 'live.log.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { event: string; bar?: string });
    const barLines = new Set(log.filter((e) => e.event === 'bar').map((e) => e.bar));
    expect(barLines.size).toBe(live.length);
    const found = store.events(['order-found']).length;
    expect(found).toBeGreaterThan(0); // an order whose answer died with the process was found by its id, not sent again
    store.close();

    // no credential anywhere the runner wrote or printed
    const written = readdirSync(p.dir).map((f) => readFileSync(join(p.dir, f)).toString('latin1'));
    for (const text of [...written, printed.join('\n')]) {
      expect(text.includes(TEST_KEY)).toBe(false);
      expect(text.includes(TEST_SECRET)).toBe(false);
      expect(text).not.toMatch(/signature=[0-9a-f]{16,}/i);
    }
    console.log(`kill test: ${kills} kills (${inFlight} with an order announced and the bar unfinished; ${found} orders found by id after a restart), ${orders.length} orders, ${ref.trades.length} trades`);
  });
});
