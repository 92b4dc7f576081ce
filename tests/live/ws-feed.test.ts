/**
 * The runner on the WebSocket kline feed against the replay exchange: sessions (paper bit for bit, live to
 * 1e-9) equal the backtest of the same bars with and without stream faults (disconnects, silent stalls,
 * duplicate and out-of-order messages); the bars come from the stream (few REST klines calls) and REST fills
 * what the stream lost; reconnects back off exponentially with jitter; the bar-close → order latency is in
 * every 'order-send' event; the config / flag wiring (runner.feed, --feed websocket).
 *
 * Driving: the replay clock is stepped one bar at a time and the runner polled until it finished the bar that
 * closed, as it would in real time (a stall delays a bar by the detection time, it never skips one).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { QuantlabError } from '../../lib/core';
import { createCcxtAdapter } from '../../lib/live/ccxt-adapter';
import { checkConfig, simOptionsOf, type RunnerConfig } from '../../lib/live/config';
import { ExchangePortError, type ExchangePort } from '../../lib/live/exchange-port';
import { ccxtFeed } from '../../lib/live/feed';
import { parseRunFlags, runLoop } from '../../lib/live/main';
import { PaperBroker } from '../../lib/live/paper-broker';
import { reconcileSession } from '../../lib/live/reconcile';
import { Runner, type RunMode, type RunnerEvent } from '../../lib/live/runner';
import { setupRunner, statePath } from '../../lib/live/setup';
import { runnerOptions } from '../../lib/live/sizing';
import { StateStore } from '../../lib/live/state-store';
import { binanceStreamUrl, wakeOnBar, wsFeed, type WsFeed } from '../../lib/live/ws-feed';
import { seededRandom, startReplayExchange, type FaultRule, type ReplayExchange } from '../../lib/replay-exchange';
import { getStrategy } from '../../lib/strategy';
import { TEST_KEY, TEST_SECRET } from '../helpers/exchange';
import { ACTIVE_PARAMS, futuresConfig, futuresWindow, sleep, tempDir, waitFor } from '../helpers/runner';

const WARMUP = 100;
const H = 3_600_000;
const retry = { attempts: 6, baseMs: 5, maxMs: 40 };

interface Session {
  ex: ReplayExchange;
  runner: Runner;
  store: StateStore;
  feed: WsFeed;
  events: RunnerEvent[];
  config: RunnerConfig;
}

const open: Array<{ close: () => Promise<void> }> = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function session(o: { mode: RunMode; faults?: FaultRule[]; seed?: number; strategy?: string; spot?: boolean }): Promise<Session> {
  const bars = await futuresWindow(250);
  const ex = await startReplayExchange({
    markets: [{ bars, kind: o.spot ? 'spot' : 'futures' }],
    accounts: [{ apiKey: TEST_KEY, secret: TEST_SECRET, balances: { USDT: 10_000 }, futuresWallet: 10_000 }],
    start: bars.ts[WARMUP],
    faults: o.faults,
    seed: o.seed ?? 7,
    klineUpdateMs: 20,
  });
  const spot = o.spot
    ? { symbol: 'BTC/USDT', exchange: { id: 'binance', marketType: 'spot' as const, url: ex.url, keyEnv: 'QUANTLAB_API_KEY', secretEnv: 'QUANTLAB_API_SECRET', timeoutMs: 1500 }, execution: { cash: 10_000, fee: 0.001, lotSize: 0.00001, minNotional: 5 } }
    : {};
  const config = futuresConfig(ex.url, { ...spot, runner: { warmupBars: WARMUP, pollMs: 10, flattenOnStop: false, onMismatch: 'stop', feed: 'websocket' } });
  const adapter = createCcxtAdapter({ exchange: 'binance', apiKey: TEST_KEY, secret: TEST_SECRET, url: ex.url, marketType: config.exchange.marketType, rateLimitMs: 0, timeoutMs: 1500, retry });
  const store = new StateStore(statePath(tempDir('ws-feed'), o.mode));
  const port: ExchangePort = o.mode === 'paper' ? new PaperBroker({ data: adapter, store, options: runnerOptions(simOptionsOf(config)) }) : adapter;
  const events: RunnerEvent[] = [];
  const feed = wsFeed({
    streamUrl: binanceStreamUrl(config.exchange),
    rest: ccxtFeed(adapter, { retry }),
    marketId: async (s) => (await adapter.markets()).find((m) => m.symbol === s)!.id,
    expectedMessageMs: 20,
    stallAfter: 5,
    backoff: { baseMs: 10, maxMs: 80 },
    random: seededRandom(3),
    // each event carries the REST answer count when it was logged (the reconnect test reads it off 'feed-connected')
    log: (e) => events.push({ ...e, restAnswersThen: feed.stats.restAnswers }),
  });
  const strategy = getStrategy(o.strategy ?? 'sma-cross-ls');
  const runner = new Runner({ strategy, params: ACTIVE_PARAMS[strategy.name]!, config, mode: o.mode, port, feed, store, log: (e) => events.push(e) });
  open.push({
    close: async () => {
      feed.close();
      store.close();
      await ex.close();
    },
  });
  return { ex, runner, store, feed, events, config };
}

/** Polls until `done()` (transient exchange failures retried), failing after `ms`. */
async function settle(runner: Runner, done: () => boolean, what: string, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    try {
      await runner.poll();
    } catch (e) {
      if (!(e instanceof ExchangePortError && e.action === 'retry-later')) throw e;
    }
    if (done() || runner.stopped) return;
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(4);
  }
}

/** Steps the replay clock bar by bar to the end, polling until each closed bar is done. */
async function drive(s: Session): Promise<void> {
  await settle(s.runner, () => true, 'the first poll');
  while (!s.runner.stopped && s.ex.step(1)) {
    const want = s.ex.engine.now - H;
    await settle(s.runner, () => s.ex.engine.ended || s.store.lastDoneTs() >= want, `bar ${new Date(want).toISOString()}`);
  }
}

function parity(s: Session, tolerance: number) {
  const strategy = getStrategy(s.runner.strategy.name);
  return reconcileSession(strategy, ACTIVE_PARAMS[strategy.name]!, s.config, s.store, { tolerance });
}

function checkLatency(events: RunnerEvent[]): number[] {
  const sends = events.filter((e) => e.event === 'order-send');
  expect(sends.length).toBeGreaterThanOrEqual(3);
  const lat = sends.map((e) => e.latencyMs as number);
  for (const l of lat) {
    expect(typeof l).toBe('number');
    expect(l).toBeGreaterThanOrEqual(0);
    expect(l).toBeLessThan(10_000);
  }
  return lat;
}

const STREAM_FAULTS: FaultRule[] = [
  { kind: 'ws-duplicate', p: 0.15 },
  { kind: 'ws-duplicate', messages: 'all', p: 0.05 },
  { kind: 'ws-out-of-order', p: 0.1 },
  { kind: 'ws-disconnect', p: 0.04 },
  { kind: 'ws-disconnect', p: 0.02, abrupt: true },
  { kind: 'ws-stall', p: 0.03 },
];

describe('runner on the websocket feed', () => {
  it('paper, no faults: equals the backtest bit for bit, bars from the stream, latency in order-send', async () => {
    const s = await session({ mode: 'paper' });
    await drive(s);
    expect(s.runner.stopped).toBeUndefined();
    const r = parity(s, 0);
    expect(r.rows.filter((x) => x.status !== 'match')).toEqual([]);
    expect(r.summary.equityDifferences).toBe(0);
    expect(r.summary.bars).toBe(149); // bars 100 … 248 traded (the last has no next open)
    expect(r.runTrades).toEqual(r.backtestTrades);
    expect(r.runTrades.length).toBeGreaterThanOrEqual(3);
    // the stream answered: a REST klines call for warm-up and catching up, not one per bar
    expect(s.feed.stats.streamAnswers).toBeGreaterThan(140);
    expect(s.ex.requests.get('GET /fapi/v1/klines') ?? 0).toBeLessThan(10);
    expect(s.feed.stats.closedBars).toBeGreaterThanOrEqual(148);
    checkLatency(s.events);
  });

  it('paper under disconnects, stalls, duplicates and out-of-order messages: still bit for bit', async () => {
    const s = await session({ mode: 'paper', faults: STREAM_FAULTS });
    await drive(s);
    expect(s.runner.stopped).toBeUndefined();
    const f = s.ex.faults.fired;
    expect([f['ws-duplicate'], f['ws-out-of-order'], f['ws-disconnect'], f['ws-stall']].every((n) => n > 0)).toBe(true);
    const st = s.feed.stats;
    expect(st.duplicates).toBeGreaterThan(0);
    expect(st.outOfOrder).toBeGreaterThan(0);
    expect(st.stalls).toBeGreaterThan(0);
    // every cut the exchange made reaches the feed as a disconnect — its close frame arrives after the cut is
    // counted, so one made just before the drive ended is seen a moment later
    const fired = f['ws-disconnect'];
    await waitFor(() => st.disconnects >= fired + st.stalls, 'the feed to see the last disconnect', 5_000);
    expect(st.disconnects).toBeGreaterThanOrEqual(fired + st.stalls);
    expect(st.restAnswers).toBeGreaterThan(fired); // backfills after reconnects and holes
    const r = parity(s, 0);
    expect(r.rows.filter((x) => x.status !== 'match')).toEqual([]);
    expect(r.summary.equityDifferences).toBe(0);
    expect(r.summary.bars).toBe(149);
    expect(r.runTrades).toEqual(r.backtestTrades);
    // no bar decided twice or skipped: one stored row per bar, every one traded (none 'missed')
    const rows = s.store.bars().filter((b) => b.phase !== 'warmup');
    expect(rows.map((b) => b.ts)).toEqual(Array.from({ length: 149 }, (_, i) => rows[0]!.ts + i * H));
    expect(rows.every((b) => b.phase === 'done')).toBe(true);
    checkLatency(s.events);
  }, 120_000);

  it('live (real orders on the replay account) under the same faults: equals the backtest to 1e-9, no client id twice', async () => {
    const s = await session({ mode: 'live', faults: STREAM_FAULTS, seed: 11 });
    await drive(s);
    expect(s.runner.stopped).toBeUndefined();
    expect(s.ex.faults.fired['ws-disconnect'] + s.ex.faults.fired['ws-stall']).toBeGreaterThan(0);
    const r = parity(s, 1e-9);
    expect(r.rows.filter((x) => x.status !== 'match')).toEqual([]);
    expect(r.summary.bars).toBe(149);
    expect(r.runTrades.length).toBe(r.backtestTrades.length);
    const ids = s.ex.engine.snapshot().orders.map((o) => o.clientOrderId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(r.runTrades.length);
    checkLatency(s.events);
  }, 120_000);

  it('spot (the /ws streams, not /fapi) under the same faults, paper: bit for bit', async () => {
    const s = await session({ mode: 'paper', faults: STREAM_FAULTS, spot: true, strategy: 'sma-cross', seed: 5 });
    await drive(s);
    expect(s.runner.stopped).toBeUndefined();
    expect(s.ex.requests.get('WS /ws/btcusdt@kline_1h')).toBeGreaterThanOrEqual(1);
    expect([...s.ex.requests.keys()].some((k) => k.startsWith('WS /fapi'))).toBe(false);
    const r = parity(s, 0);
    expect(r.rows.filter((x) => x.status !== 'match')).toEqual([]);
    expect(r.summary.equityDifferences).toBe(0);
    expect(r.summary.bars).toBe(149);
    expect(r.runTrades).toEqual(r.backtestTrades);
    expect(r.runTrades.length).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it('reconnects with exponential backoff and jitter while the exchange is down, then backfills over REST', async () => {
    const s = await session({ mode: 'paper' });
    await settle(s.runner, () => s.feed.stats.streamAnswers > 0, 'a stream answer');
    await s.ex.restart({ downMs: 700 });
    await settle(s.runner, () => s.feed.stats.connects >= 2, 'the reconnect', 10_000);
    const delays = s.events.filter((e) => e.event === 'feed-reconnect').map((e) => [e.attempt as number, e.delayMs as number]);
    expect(delays.length).toBeGreaterThanOrEqual(4);
    for (const [attempt, d] of delays) {
      const cap = Math.min(80, 10 * 2 ** (attempt - 1));
      expect(d).toBeGreaterThanOrEqual(cap / 2);
      expect(d).toBeLessThanOrEqual(cap);
    }
    expect(delays.slice(0, 4).map(([a]) => a)).toEqual([1, 2, 3, 4]);
    // after the reconnect the first answer is a REST backfill (it may already have been given while the test
    // waited for the reconnect: count from the second 'feed-connected'), then the stream again
    const reconnected = s.events.filter((e) => e.event === 'feed-connected')[1]!;
    const before = reconnected.restAnswersThen as number;
    s.ex.step(1);
    await settle(s.runner, () => s.store.lastDoneTs() >= s.ex.engine.now - H && s.feed.stats.restAnswers > before, 'the bar after the restart');
    s.ex.step(1);
    const answers = s.feed.stats.streamAnswers;
    await settle(s.runner, () => s.store.lastDoneTs() >= s.ex.engine.now - H, 'the next bar');
    expect(s.feed.stats.streamAnswers).toBeGreaterThan(answers);
  }, 60_000);
});

describe('wiring', () => {
  it('a closed bar on the stream wakes the run loop (it does not wait out pollMs)', async () => {
    const s = await session({ mode: 'paper' });
    await settle(s.runner, () => s.feed.stats.streamAnswers > 0, 'a stream answer');
    const ctl: { requested?: string; wake?: () => void } = {};
    wakeOnBar(s.feed, ctl); // what runPromoted does
    const t0 = Date.now();
    const loop = runLoop(s.runner, { pollMs: 60_000, signals: false, stopSignal: ctl });
    for (let k = 1; k <= 5; k++) {
      s.ex.step(1);
      await settle({ poll: async () => undefined } as unknown as Runner, () => s.store.lastDoneTs() >= s.ex.engine.now - H, `bar ${k} through the loop`, 10_000);
    }
    expect(Date.now() - t0).toBeLessThan(10_000); // five bars, each far sooner than the 60 s poll period
    ctl.requested = 'test';
    ctl.wake?.();
    expect((await loop).kind).toBe('signal');
  }, 30_000);

  it("config runner.feed 'websocket' gives setupRunner a websocket feed that trades", async () => {
    const bars = await futuresWindow(140);
    const ex = await startReplayExchange({ markets: [{ bars, kind: 'futures' }], accounts: [{ apiKey: TEST_KEY, secret: TEST_SECRET, futuresWallet: 10_000 }], start: bars.ts[WARMUP], klineUpdateMs: 50 });
    const config = futuresConfig(ex.url, { runner: { warmupBars: WARMUP, pollMs: 10, flattenOnStop: false, onMismatch: 'stop', feed: 'websocket' } });
    const setup = setupRunner({ strategy: getStrategy('sma-cross-ls'), params: ACTIVE_PARAMS['sma-cross-ls']!, config, mode: 'paper', dir: tempDir('ws-setup'), retry });
    open.push({ close: async () => (setup.close(), await ex.close()) });
    const feed = setup.runner.feed as WsFeed;
    expect(typeof feed.onBar).toBe('function');
    const s = { ex, runner: setup.runner, store: setup.store, feed, events: [], config } as Session;
    await drive(s);
    expect(s.runner.stopped).toBeUndefined();
    expect(feed.stats.streamAnswers).toBeGreaterThan(20);
    const r = parity(s, 0);
    expect(r.summary.bars).toBe(39);
    expect(r.rows.filter((x) => x.status !== 'match')).toEqual([]);
  }, 60_000);

  it('the config and the flag are checked', () => {
    const base = futuresConfig('http://127.0.0.1:1');
    expect(() => checkConfig({ ...base, runner: { ...base.runner, feed: 'socket' as 'rest' } })).toThrow(/runner\.feed: expected 'rest' or 'websocket', found "socket"/);
    expect(() => checkConfig({ ...base, exchange: { ...base.exchange, id: 'kraken' }, runner: { ...base.runner, feed: 'websocket' } })).toThrow(/runner\.feed: expected 'rest' for an exchange other than 'binance'/);
    expect(parseRunFlags(['--paper', '--feed', 'websocket']).feed).toBe('websocket');
    expect(parseRunFlags(['--paper']).feed).toBeUndefined();
    expect(() => parseRunFlags(['--paper', '--feed', 'grpc'])).toThrow(QuantlabError);
    expect(() => parseRunFlags(['--paper', '--feed', 'grpc'])).toThrow(/--feed: expected rest or websocket, found 'grpc'/);
    expect(binanceStreamUrl({ id: 'binance', marketType: 'spot' })).toBe('wss://stream.binance.com:9443');
    expect(binanceStreamUrl({ id: 'binance', marketType: 'swap' })).toBe('wss://fstream.binance.com');
    expect(binanceStreamUrl({ id: 'binance', url: 'http://127.0.0.1:8123', marketType: 'swap' })).toBe('ws://127.0.0.1:8123/fapi');
    expect(binanceStreamUrl({ id: 'binance', url: 'http://127.0.0.1:8123/', marketType: 'spot' })).toBe('ws://127.0.0.1:8123');
  });
});
