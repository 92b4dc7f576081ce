/**
 * Several strategies on one exchange account (lib/live/portfolio.ts, lib/live/account-guard.ts), against
 * the replay exchange over HTTP with the real ccxt client (USDT-M futures): two strategies on the same
 * symbol trade fill for fill as each did alone on its own account, until an account limit binds; then the
 * order that would breach it is cut and recorded in that strategy's state, and the exchange's one net
 * position stays equal to the sum of the books. Also the account guard's arithmetic and the refusals.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Bars } from '../../lib/core';
import { AccountGuard, checkAccountLimits, type AccountLimits } from '../../lib/live/account-guard';
import type { RunnerConfig } from '../../lib/live/config';
import { checkAccountCapital, checkMembers, setupPortfolio, type PortfolioMember, type PortfolioSetup } from '../../lib/live/portfolio';
import type { LedgerFill } from '../../lib/live/ledger';
import { startReplayExchange, type ReplayExchange } from '../../lib/replay-exchange';
import { getStrategy } from '../../lib/strategy';
import { TEST_KEY, TEST_SECRET } from '../helpers/exchange';
import { ACTIVE_PARAMS, futuresConfig, futuresWindow, tempDir } from '../helpers/runner';

const WARMUP = 100;
const SYMBOL = 'BTC/USDT:USDT';
const open: { ex: ReplayExchange; setup: PortfolioSetup }[] = [];
afterAll(async () => {
  for (const o of open) {
    o.setup.close();
    await o.ex.close();
  }
});

/** Two strategies on one symbol: a long/short cross and a long-only cross, 5 000 of capital each. */
const SPECS = [
  { name: 'ls', strategy: 'sma-cross-ls' },
  { name: 'long', strategy: 'ema-cross' },
] as const;

function members(url: string, names: readonly string[], over: Partial<RunnerConfig> = {}): PortfolioMember[] {
  return SPECS.filter((s) => names.includes(s.name)).map((s) => {
    const strategy = getStrategy(s.strategy);
    const config = futuresConfig(url, { name: s.name, strategy: s.strategy, execution: { cash: 5_000, fee: 0.0005, lotSize: 0.001, minNotional: 5 }, runner: { warmupBars: WARMUP, pollMs: 10, flattenOnStop: false, onMismatch: 'stop' }, ...over });
    return { name: s.name, dir: tempDir(`portfolio-${s.name}`), strategy, params: ACTIVE_PARAMS[s.strategy]!, config };
  });
}

/** A replay account with `names` trading on it in one process, driven bar by bar to the end of `bars`. */
async function session(bars: Bars, names: readonly string[], limits: AccountLimits = {}, over: Partial<RunnerConfig> = {}) {
  const ex = await startReplayExchange({
    markets: [{ bars, kind: 'futures' }],
    accounts: [{ apiKey: TEST_KEY, secret: TEST_SECRET, balances: { USDT: 20_000 }, futuresWallet: 20_000 }],
    start: bars.ts[WARMUP],
  });
  const setup = setupPortfolio({ members: members(ex.url, names, over), mode: 'live', limits, credentials: { apiKey: TEST_KEY, secret: TEST_SECRET }, retry: { attempts: 6, baseMs: 5, maxMs: 40 }, rateLimitMs: 0 });
  open.push({ ex, setup });
  for (const r of setup.runners) await r.start();
  /** after each round: the exchange's net position against the summed books. */
  const checks: { exchange: number; books: number }[] = [];
  const round = async () => {
    for (const r of setup.runners) await r.poll();
    const [p] = await setup.setups[0]!.adapter.positions([SYMBOL]);
    checks.push({ exchange: p?.amount ?? 0, books: setup.account.bookedPosition(SYMBOL) });
  };
  await round();
  while (ex.step(1)) await round();
  return { ex, setup, checks };
}

const fillsOf = (s: PortfolioSetup, i: number): Omit<LedgerFill, 'reason'>[] => s.setups[i]!.store.fills().map((f) => ({ ts: f.ts, barTs: f.barTs, delta: f.delta, price: f.price, fee: f.fee }));
const riskEvents = (s: PortfolioSetup, i: number) => s.setups[i]!.store.events(['risk']);

describe('two strategies on one account', () => {
  it('trade fill for fill as each did alone; the exchange position is the sum of their books after every bar', async () => {
    const bars = await futuresWindow(200);
    const solo = [await session(bars, ['ls']), await session(bars, ['long'])];
    const both = await session(bars, ['ls', 'long']);
    for (let i = 0; i < 2; i++) {
      const alone = fillsOf(solo[i]!.setup, 0);
      expect(alone.length).toBeGreaterThan(4); // each trades several times in the window
      expect(fillsOf(both.setup, i)).toEqual(alone);
      expect(both.setup.runners[i]!.stopped).toBeUndefined();
    }
    // the two books differ at times (one long/short, one long only): the shared position is really a sum
    const diverged = both.setup.setups.map((s) => s.store.bars().map((b) => b.position));
    expect(diverged[0]!.some((u, k) => Number.isFinite(u) && u !== diverged[1]![k])).toBe(true);
    for (const c of both.checks) expect(c.exchange).toBeCloseTo(c.books, 9);
    // every exchange order belongs to one strategy, by its client order id
    const orders = both.ex.engine.snapshot().orders;
    const mine = both.setup.setups.map((s) => new Set(s.store.orders().filter((o) => o.status === 'filled').map((o) => o.clientId)));
    expect(orders.length).toBe(mine[0]!.size + mine[1]!.size);
    for (const o of orders) expect(Number(mine[0]!.has(o.clientOrderId)) + Number(mine[1]!.has(o.clientOrderId))).toBe(1);
    // no reduce-only orders on a shared symbol: one book's reduction can add to the net position
    expect(orders.every((o) => !o.reduceOnly)).toBe(true);
    expect(solo[0]!.ex.engine.snapshot().orders.some((o) => o.reduceOnly)).toBe(true);
  });

  it('an account notional limit: same fills as alone until it binds, then the order is cut and recorded; books and exchange agree', async () => {
    const bars = await futuresWindow(200);
    const solo = [await session(bars, ['ls']), await session(bars, ['long'])];
    const limit = 7_000; // each alone holds about 5 000; together they would hold about 10 000
    const both = await session(bars, ['ls', 'long'], { maxTotalNotional: limit });
    const cuts = [0, 1].flatMap((i) => riskEvents(both.setup, i).map((e) => ({ i, ...e })));
    expect(cuts.length).toBeGreaterThan(0);
    for (const c of cuts) {
      expect(c.detail).toMatchObject({ kind: 'max-notional', action: 'clamp', scope: 'account', limit });
      const d = c.detail as { allowed: number; price: number; others: number; wanted: number };
      expect(Math.abs(d.allowed)).toBeLessThan(Math.abs(d.wanted));
      // the cut position fits beside the others (or is the position already held)
      expect(Math.abs(d.allowed) * d.price + d.others).toBeLessThanOrEqual(limit + 0.001 * d.price);
    }
    const first = Math.min(...cuts.map((c) => c.barTs));
    // fills up to the first cut equal the solo runs' (the orders of bar t fill in bar t+1, at its open)
    const upTo = (s: PortfolioSetup, k: number) => fillsOf(s, k).filter((f) => f.barTs <= first);
    for (let i = 0; i < 2; i++) {
      expect(upTo(both.setup, i)).toEqual(upTo(solo[i]!.setup, 0));
      expect(both.setup.runners[i]!.stopped).toBeUndefined();
    }
    expect(upTo(both.setup, 0).length + upTo(both.setup, 1).length).toBeGreaterThan(0);
    expect(fillsOf(both.setup, 0).length + fillsOf(both.setup, 1).length).toBeGreaterThan(10); // and they kept trading after it
    // the cut strategy traded differently from its solo run afterwards
    const cutOne = cuts[0]!.i;
    expect(fillsOf(both.setup, cutOne)).not.toEqual(fillsOf(solo[cutOne]!.setup, 0));
    for (const c of both.checks) expect(c.exchange).toBeCloseTo(c.books, 9);
  });

  it('an account drawdown limit: every strategy flattens and stops with its kill switch set', async () => {
    const bars = await futuresWindow(200);
    const both = await session(bars, ['ls', 'long'], { maxTotalDrawdown: 0.004 });
    for (let i = 0; i < 2; i++) {
      const s = both.setup.setups[i]!;
      expect(both.setup.runners[i]!.stopped?.kind).toBe('risk');
      expect(s.store.get('kill_switch')).toBeDefined();
      const dd = riskEvents(both.setup, i).find((e) => (e.detail as { kind: string }).kind === 'max-drawdown');
      expect(dd?.detail).toMatchObject({ scope: 'account', action: 'flatten-stop', limit: 0.004 });
      expect(both.setup.runners[i]!.snapshot().position).toBe(0);
    }
    const [p] = await both.setup.setups[0]!.adapter.positions([SYMBOL]);
    expect(p?.amount ?? 0).toBe(0);
  });
});

describe('the account guard across a restart', () => {
  it('a portfolio stopped midway and started again keeps the account peak: the drawdown trip comes at the bar it came uninterrupted', async () => {
    const bars = await futuresWindow(200);
    const limits = { maxTotalDrawdown: 0.004 };
    const tripBar = (setup: PortfolioSetup) => riskEvents(setup, 0).find((e) => (e.detail as { kind: string }).kind === 'max-drawdown')?.barTs;
    const whole = await session(bars, ['ls', 'long'], limits);
    const wholeTrip = tripBar(whole.setup);
    expect(wholeTrip).toBeDefined();

    const ex = await startReplayExchange({ markets: [{ bars, kind: 'futures' }], accounts: [{ apiKey: TEST_KEY, secret: TEST_SECRET, balances: { USDT: 20_000 }, futuresWallet: 20_000 }], start: bars.ts[WARMUP] });
    const ms = members(ex.url, ['ls', 'long']);
    const setupOf = () => setupPortfolio({ members: ms, mode: 'live', limits, credentials: { apiKey: TEST_KEY, secret: TEST_SECRET }, retry: { attempts: 6, baseMs: 5, maxMs: 40 }, rateLimitMs: 0 });
    const first = setupOf();
    for (const r of first.runners) await r.start();
    const stopAt = bars.ts.indexOf(wholeTrip!) - 3; // a few bars before the trip, past the account's peak
    while (ex.engine.now < bars.ts[stopAt]! && ex.step(1)) for (const r of first.runners) await r.poll();
    const before = first.account.equityMemory;
    expect(first.runners.map((r) => r.stopped)).toEqual([undefined, undefined]);
    first.close();

    const again = setupOf();
    open.push({ ex, setup: again });
    expect(again.account.equityMemory).toEqual(before); // rebuilt from the bars each strategy stored
    for (const r of again.runners) await r.start();
    for (const r of again.runners) await r.poll();
    while (ex.step(1)) for (const r of again.runners) await r.poll();
    expect(tripBar(again)).toBe(wholeTrip);
    expect(again.runners.map((r) => r.stopped?.kind)).toEqual(['risk', 'risk']);
  }, 120_000);

  it('restore replays the stored marks bar by bar in join order: the same peak and day start as marking live', () => {
    const limits = { maxTotalDrawdown: 0.5 };
    const live = new AccountGuard(limits);
    const restored = new AccountGuard(limits);
    for (const g of [live, restored]) for (const n of ['a', 'b']) g.join({ name: n, symbol: 'X', initialCash: 1000, position: () => 0 });
    const H = 3_600_000;
    const history: Record<string, { ts: number; close: number; equity: number }[]> = { a: [], b: [] };
    let ea = 1000;
    let eb = 1000;
    for (let k = 0; k < 60; k++) {
      ea *= 1 + 0.02 * Math.sin(k / 3);
      eb *= 1 - 0.015 * Math.cos(k / 5);
      for (const [n, e] of [['a', ea], ['b', eb]] as const) {
        live.mark(n, k * H, 100 + k, e);
        history[n]!.push({ ts: k * H, close: 100 + k, equity: e });
      }
    }
    restored.restore(history);
    expect(restored.equityMemory).toEqual(live.equityMemory);
    expect(restored.equityMemory.peak).toBeGreaterThan(2000);
    expect(restored.total()).toBe(live.total());
    expect(restored.notional()).toBe(live.notional());
    expect(() => restored.restore({ z: [] })).toThrow(/no strategy 'z' joined/);
  });
});

describe('one account, checked as one', () => {
  it('a position changed behind the runners\' backs is found against the sum of the books', async () => {
    const bars = await futuresWindow(140);
    const ex = await startReplayExchange({ markets: [{ bars, kind: 'futures' }], accounts: [{ apiKey: TEST_KEY, secret: TEST_SECRET, balances: { USDT: 20_000 }, futuresWallet: 20_000 }], start: bars.ts[WARMUP] });
    const setup = setupPortfolio({ members: members(ex.url, ['ls', 'long']), mode: 'live', credentials: { apiKey: TEST_KEY, secret: TEST_SECRET }, retry: { attempts: 6, baseMs: 5, maxMs: 40 }, rateLimitMs: 0 });
    open.push({ ex, setup });
    for (const r of setup.runners) await r.start();
    for (let k = 0; k < 3 && ex.step(1); k++) for (const r of setup.runners) await r.poll();
    expect(setup.runners.map((r) => r.stopped)).toEqual([undefined, undefined]);
    await setup.setups[0]!.adapter.placeOrder({ symbol: SYMBOL, side: 'buy', type: 'market', amount: 0.01, clientOrderId: 'someone-else-1' });
    ex.step(1);
    for (const r of setup.runners) await r.poll();
    const s = setup.runners[0]!.stopped;
    expect(s?.kind).toBe('mismatch');
    expect(s?.reason).toMatch(/holds [-\d.e]+ BTC\/USDT:USDT, the summed books of the strategies on it \(ls, long\) say/);
  });

  it('live: the account must hold the capital of every strategy starting together', async () => {
    const bars = await futuresWindow(140);
    const ex = await startReplayExchange({ markets: [{ bars, kind: 'futures' }], accounts: [{ apiKey: TEST_KEY, secret: TEST_SECRET, balances: { USDT: 8_000 }, futuresWallet: 8_000 }], start: bars.ts[WARMUP] });
    const setup = setupPortfolio({ members: members(ex.url, ['ls', 'long']), mode: 'live', credentials: { apiKey: TEST_KEY, secret: TEST_SECRET }, retry: { attempts: 6, baseMs: 5, maxMs: 40 }, rateLimitMs: 0 });
    open.push({ ex, setup });
    await expect(checkAccountCapital(setup)).rejects.toThrow(/the account has 8000 USDT, the strategies starting together trade 10000 \(ls 5000, long 5000: execution.cash\)/);
  });
});

describe('the account guard', () => {
  const guard = (limits: AccountLimits) => {
    const pos = { a: 0, b: 0, c: 0 };
    const g = new AccountGuard(limits);
    g.join({ name: 'a', symbol: 'X', initialCash: 1000, position: () => pos.a });
    g.join({ name: 'b', symbol: 'X', initialCash: 1000, position: () => pos.b });
    g.join({ name: 'c', symbol: 'Y', initialCash: 1000, position: () => pos.c });
    return { g, pos };
  };

  it('sums the books per symbol and cuts an order to the notional left beside the others', () => {
    const { g, pos } = guard({ maxTotalNotional: 1000 });
    pos.a = 2;
    pos.b = -1;
    pos.c = 3;
    g.mark('c', 0, 100, 1000);
    expect(g.bookedPosition('X')).toBe(1);
    expect(g.shared('X')).toBe(true);
    expect(g.shared('Y')).toBe(false);
    // b's order at price 50: others are a (2 × 50) and c (3 × 100) = 400, so b may hold 600 / 50 = 12
    expect(g.clamp('b', -1, -20, 50, 0.5)).toMatchObject({ next: -12, trip: { kind: 'max-notional', detail: { others: 400, scope: 'account' } } });
    expect(g.clamp('b', -1, -12, 50, 0.5)).toEqual({ next: -12 });
    expect(g.clamp('b', -1, 0, 50, 0.5)).toEqual({ next: 0 }); // reducing always passes
    pos.c = 9; // the others alone fill the limit: an increase is cut to the position held, a flip to flat
    g.mark('c', 0, 100, 1000);
    expect(g.clamp('b', -1, -3, 50, 0.5).next).toBe(-1);
    expect(g.clamp('b', -1, 4, 50, 0.5).next).toBe(0);
    expect(() => g.join({ name: 'a', symbol: 'Z', initialCash: 1, position: () => 0 })).toThrow(/two strategies named 'a'/);
  });

  it('hands each strategy the drawdown trip once, and the day-loss trip within that day', () => {
    const { g } = guard({ maxTotalDrawdown: 0.1, maxTotalDailyLoss: 0.05 });
    const H = 3_600_000;
    g.mark('a', 0, 1, 1000);
    expect(g.checkEquity('a', H)).toBeUndefined();
    g.mark('a', H, 1, 840); // total 2840 of 3000: 5.3 % down on the day, not yet 10 % from the peak
    expect(g.checkEquity('a', 2 * H)).toMatchObject({ kind: 'max-daily-loss', detail: { until: 86_400_000, scope: 'account' } });
    expect(g.checkEquity('a', 2 * H)).toBeUndefined();
    expect(g.checkEquity('b', 2 * H)).toMatchObject({ kind: 'max-daily-loss' });
    expect(g.checkEquity('c', 86_400_000 + H)).toBeUndefined(); // the next day: that pause is over
    g.mark('b', 2 * H, 1, 850); // 2690: 10.3 % below 3000
    expect(g.checkEquity('b', 3 * H)).toMatchObject({ kind: 'max-drawdown', action: 'flatten-stop' });
    expect(g.checkEquity('a', 3 * H)).toMatchObject({ kind: 'max-drawdown' });
    expect(g.checkEquity('c', 3 * H)).toMatchObject({ kind: 'max-drawdown' });
    expect(g.checkEquity('c', 4 * H)).toMatchObject({ kind: 'max-daily-loss' }); // the day's pause, which c had not acted on yet
    expect(g.checkEquity('c', 5 * H)).toBeUndefined();
  });

  it('refuses bad limits, two strategies on one spot symbol, and strategies on different accounts', () => {
    expect(() => checkAccountLimits({ maxTotalDrawdown: 1.5 }, 'p.json')).toThrow(/p.json: risk.maxTotalDrawdown: expected a fraction in \(0, 1\).*found 1.5/);
    expect(() => checkAccountLimits({ maxNotional: 5 }, 'p.json')).toThrow(/unknown risk key maxNotional/);
    const url = 'http://127.0.0.1:9';
    const spot = members(url, ['ls', 'long'], { symbol: 'BTC/USDT', exchange: { id: 'binance', marketType: 'spot', url, keyEnv: 'QUANTLAB_API_KEY', secretEnv: 'QUANTLAB_API_SECRET', timeoutMs: 1500 } });
    expect(() => checkMembers(spot, 'portfolio p')).toThrow(/ls and long both trade the spot market BTC\/USDT/);
    const two = members(url, ['ls', 'long']);
    two[1] = { ...two[1]!, config: { ...two[1]!.config, exchange: { ...two[1]!.config.exchange, url: 'http://127.0.0.1:10' } } };
    expect(() => checkMembers(two, 'portfolio p')).toThrow(/one account per process: ls trades on binance swap http:\/\/127.0.0.1:9.*but long on binance swap http:\/\/127.0.0.1:10/);
  });
});
