/**
 * kill -9 for real with a strategy that reads another symbol: the promoted eth-btc-zscore's run.ts runs as a
 * child process (paper mode) against a replay exchange serving ETHUSDT and BTCUSDT; it is killed with SIGKILL
 * at seeded points (a random few ms after a step, or just after it finished a bar) and started again. The
 * session must equal an uninterrupted one: same bars, same targets, same trades, same equity, and the BTC
 * bars it stored are the exchange's, one per ETH bar.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sliceBars, type Bars } from '../../lib/core';
import { promote } from '../../lib/live/promote';
import { sessionTrades } from '../../lib/live/runner';
import { paperSession } from '../../lib/live/session';
import type { StateStore } from '../../lib/live/state-store';
import { seededRandom, startReplayExchange, type ReplayExchange } from '../../lib/replay-exchange';
import { getStrategy } from '../../lib/strategy';
import { dataset } from '../helpers/exchange';
import { driveWithKills, sleep, spawnRun, tempDir, waitFor, watchState, type Child } from '../helpers/runner';

const servers: ReplayExchange[] = [];
const children: Child[] = [];
afterAll(async () => {
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
  await Promise.all(servers.map((s) => s.close()));
});

const strategy = getStrategy('eth-btc-zscore');
const params = { n: 24, entry: 1.2, exit: 0 };
const W = 100;

async function windows(n: number): Promise<{ eth: Bars; btc: Bars }> {
  const ethAll = await dataset('ETHUSDT', '1h', 'futures');
  const btcAll = await dataset('BTCUSDT', '1h', 'futures');
  const eth = sliceBars(ethAll, 25_000, 25_000 + n);
  const i0 = btcAll.ts.indexOf(eth.ts[0]!);
  return { eth, btc: sliceBars(btcAll, i0, i0 + n) };
}

describe('kill -9 with an input symbol', () => {
  it('5 kills during a paper replay of eth-btc-zscore: bars, inputs, trades and equity equal an uninterrupted session', { timeout: 120_000 }, async () => {
    const { eth, btc } = await windows(230);
    const root = tempDir('inputs-kill');
    const ref = await paperSession({ strategy, params, bars: eth, inputs: { btc }, warmup: W });
    expect(ref.parity.equal).toBe(true);
    expect(ref.trades.length).toBeGreaterThanOrEqual(2);

    const ex = await startReplayExchange({ markets: [{ bars: eth, kind: 'futures' }, { bars: btc, kind: 'futures' }], start: eth.ts[W], seed: 3 });
    servers.push(ex);
    const p = await promote(strategy, params, {
      symbol: 'ETH/USDT:USDT',
      timeframe: '1h',
      inputs: { btc: 'BTC/USDT:USDT' },
      data: eth,
      experimentsDir: root,
      url: ex.url,
      execution: ref.config.execution,
      runner: { warmupBars: W, pollMs: 5 },
    });
    const start = async (): Promise<Child> => {
      const c = spawnRun(p.runPath, ['--paper', '--json', '--poll-ms', '5']);
      children.push(c);
      await waitFor(() => c.lines.some((l) => l.includes('"event":"start"')) || c.proc.exitCode !== null, 'the runner to start', 30_000, 5);
      if (c.proc.exitCode !== null) throw new Error(`runner exited at start: ${c.lines.join('\n')}`);
      return c;
    };
    const rnd = seededRandom(77);
    const steps = eth.ts.length - W - 1;
    const plan = new Set<number>();
    while (plan.size < 5) plan.add(1 + Math.floor(rnd() * steps));

    const first = await start(); // the state file is there once a runner started
    const store: StateStore = await watchState(join(p.dir, 'paper.db'));
    const barTs = (k: number) => eth.ts[W + k - 1]!;
    let planned = 0;
    const { child, kills } = await driveWithKills({
      ex, steps, barTs, store, child: first, start,
      kill: (k) => {
        if (!plan.has(k)) return undefined;
        const afterBar = planned++ % 2 === 1; // alternately right after the step and after the bar is done
        return afterBar ? () => waitFor(() => store.lastDoneTs() === barTs(k), 'the bar', 20_000, 1) : () => sleep(Math.floor(rnd() * 20));
      },
    });
    child.proc.kill('SIGTERM');
    expect(await child.exited).toBe(0);

    expect(kills).toBe(5);
    const bars = store.bars();
    const live = bars.filter((b) => b.phase !== 'warmup');
    expect(live.every((b) => b.phase === 'done')).toBe(true);
    expect(sessionTrades(store, store.lastDoneTs())).toEqual(ref.trades);
    expect(live.map((b) => b.equity)).toEqual(Array.from(ref.equity.run));
    const ib = store.inputBars!('btc');
    expect(ib.map((b) => b.ts)).toEqual(bars.map((b) => b.ts));
    expect(ib.map((b) => b.close)).toEqual(Array.from(btc.close.subarray(0, bars.length)));
    store.close();
  });
});
