/**
 * The runner against the replay exchange over HTTP (real ccxt): warm-up and the first traded bar, crashes at
 * every step of placing an order (in-process: the runner is thrown away mid-step and a new one opens the
 * same state file), bars missed while down, injected faults on 5–10 % of requests, a graceful stop with
 * flatten, a position changed behind the runner's back, and bad configuration refused before any order.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { isoTime } from '../../lib/core';
import { checkConfig, type RunnerConfig } from '../../lib/live/config';
import type { ExchangePort } from '../../lib/live/exchange-port';
import { runLoop, runPromoted } from '../../lib/live/main';
import { promote } from '../../lib/live/promote';
import { reconcileSession } from '../../lib/live/reconcile';
import { sessionTrades } from '../../lib/live/runner';
import { driveReplay, replaySession } from '../../lib/live/session';
import { defineStrategy, getStrategy, ind, strategyTargets } from '../../lib/strategy';
import { ACTIVE_PARAMS, futuresWindow, harness, sleep, tempDir, type Harness, type Opened } from '../helpers/runner';

const harnesses: Harness[] = [];
afterAll(async () => {
  await Promise.all(harnesses.map((h) => h.close()));
});
async function make(o: Parameters<typeof harness>[0]): Promise<Harness> {
  const h = await harness(o);
  harnesses.push(h);
  return h;
}

const exchangeOrders = (h: Harness) => h.ex.engine.snapshot().orders;

describe('start, warm-up and the first traded bar', () => {
  it('warms up on the bars before the clock, trades from the first bar that closes while running, sizes at the next open', async () => {
    const bars = await futuresWindow(160);
    const h = await make({ bars, warmup: 100 });
    const r = h.open();
    await r.runner.start();
    const rows = r.store.bars();
    expect(rows.length).toBe(100);
    expect(rows.every((b) => b.phase === 'warmup')).toBe(true);
    expect(rows[99]!.ts).toBe(bars.ts[99]);
    expect((await r.runner.poll()).processed).toBe(0); // nothing closed since the start
    h.ex.step(1);
    const p = await r.runner.poll();
    expect(p.processed).toBe(1);
    expect(p.lastDoneTs).toBe(bars.ts[100]);
    const b = r.store.lastBar()!;
    expect([b.phase, b.refTs, b.refPrice, b.equity]).toEqual(['done', bars.ts[101], bars.open[101], 10_000]);
    expect(r.events.map((e) => e.event)).toEqual(expect.arrayContaining(['warmup', 'start', 'bar']));
  });
});

class Crash extends Error {}
type CrashPoint = 'before-send' | 'after-accept' | 'trades' | 'positions';
const METHOD: Record<CrashPoint, string> = { 'before-send': 'placeOrder', 'after-accept': 'placeOrder', trades: 'myTrades', positions: 'positions' };

/** A port that dies once, at the n-th call of a method: before it reaches the exchange, or after the exchange answered. */
function crashAt(point: CrashPoint, nth: number) {
  let seen = 0;
  return (port: ExchangePort): ExchangePort =>
    new Proxy(port, {
      get(target, key, recv) {
        const v = Reflect.get(target, key, recv) as unknown;
        if (typeof v !== 'function') return v;
        const fn = (v as (...a: unknown[]) => Promise<unknown>).bind(target);
        if (key !== METHOD[point]) return fn;
        return async (...args: unknown[]) => {
          if (point === 'before-send' && ++seen === nth) throw new Crash(`crash before ${String(key)} reached the exchange`);
          const out = await fn(...args);
          if (point !== 'before-send' && ++seen === nth) throw new Crash(`crash after ${String(key)} answered`);
          return out;
        };
      },
    });
}

describe('crash anywhere in a step, restart: the same run, no order twice', () => {
  it('six crashes (before send, after the exchange accepted, before the fill was booked, before the bar was done) change nothing', async () => {
    const bars = await futuresWindow(230);
    const params = ACTIVE_PARAMS['sma-cross-ls']!;
    const ref = await replaySession({ strategy: 'sma-cross-ls', params, bars, mode: 'live', warmup: 100 });
    expect(ref.parity.equal).toBe(true);

    const h = await make({ bars, warmup: 100, strategy: 'sma-cross-ls' });
    const plans: [CrashPoint, number][] = [['after-accept', 2], ['before-send', 2], ['trades', 2], ['positions', 20], ['after-accept', 3], ['before-send', 1]];
    let r: Opened = h.open({ wrap: crashAt(...plans[0]!) });
    let next = 1;
    let crashes = 0;
    const settle = async () => {
      for (;;) {
        try {
          await r.runner.poll();
          return;
        } catch (e) {
          if (!(e instanceof Crash)) throw e;
          crashes++;
          r.store.close(); // the process is gone; a new one opens the same state
          r = h.open(next < plans.length ? { wrap: crashAt(...plans[next++]!) } : {});
        }
      }
    };
    await settle();
    while (h.ex.step(1)) await settle();

    expect(crashes).toBe(plans.length);
    const orders = exchangeOrders(h);
    expect(new Set(orders.map((o) => o.clientOrderId)).size).toBe(orders.length);
    expect(orders.length).toBe(ref.exchangeOrderIds.length);
    expect(sessionTrades(r.store, r.store.lastDoneTs())).toEqual(ref.trades);
    const rep = reconcileSession(h.strategy, h.params, h.config, r.store, { tolerance: 1e-9 });
    expect(Array.from(rep.equity.run)).toEqual(Array.from(ref.equity.run));
    expect(rep.rows.every((x) => x.status === 'match')).toBe(true);
    // the restarted runners found the orders whose answers they never saw
    const found = r.store.events(['order-found']);
    expect(found.length).toBeGreaterThanOrEqual(3);
  });
});

describe('bars missed while the runner was down', () => {
  it('are decided without orders; the runner catches up to the latest target; reconcile says why the run traded late', async () => {
    const bars = await futuresWindow(220);
    const strategy = getStrategy('sma-cross-ls');
    const params = ACTIVE_PARAMS['sma-cross-ls']!;
    const tg = strategyTargets(strategy, bars, params);
    // a signal change after bar 120: be away from one bar before it to three after
    let k = 121;
    while (tg[k] === tg[k - 1] || Number.isNaN(tg[k]!)) k++;
    const h = await make({ bars, warmup: 100, strategy: 'sma-cross-ls' });
    let r = h.open();
    await driveReplay(r.runner, h.ex, { steps: k - 1 - 100 });
    r.store.close();
    for (let i = 0; i < 5; i++) h.ex.step(1); // bars k-1 … k+3 close while nobody watches
    r = h.open();
    const p = await r.runner.poll();
    expect(p.processed).toBe(5);
    const phases = r.store.bars().slice(-5).map((b) => b.phase);
    expect(phases).toEqual(['missed', 'missed', 'missed', 'missed', 'done']);
    await driveReplay(r.runner, h.ex);
    const rep = reconcileSession(h.strategy, h.params, h.config, r.store, { tolerance: 1e-9 });
    expect(rep.notes.join('\n')).toMatch(/4 bar\(s\) closed while the runner was away/);
    // the signal at bar k was decided while away; the runner traded toward it on its first bar back (k+3)
    const late = rep.rows.filter((x) => x.status !== 'match');
    expect(late.length).toBeGreaterThan(0);
    const entry = rep.rows.find((x) => x.entryBacktest === isoTime(bars.ts[k + 1]!));
    expect(entry?.entry).toBe(isoTime(bars.ts[k + 4]!));
    expect(entry?.explanation).toMatch(/entered 3 bar\(s\) later; bar .* closed while the runner was away/);
  });
});

describe('faults on 5–10 % of requests, lost answers to accepted orders included', () => {
  it.each([
    [7, 'live'],
    [11, 'live'],
    [5, 'paper'],
  ] as const)('seed %i (%s): the same trades as the backtest, or a clean logged stop', async (seed, mode) => {
    const bars = await futuresWindow(230);
    const s = await replaySession({
      strategy: 'sma-cross-ls',
      params: ACTIVE_PARAMS['sma-cross-ls'],
      bars,
      mode,
      warmup: 100,
      seed,
      timeoutMs: 250,
      faults: [
        { kind: 'drop-after-accept', match: /^POST \/fapi\/v1\/order/, p: 0.25 },
        { kind: 'server-error', match: /^POST \/fapi\/v1\/order/, p: 0.1, status: 503, accepted: true },
        { kind: 'server-error', p: 0.03, status: 502 },
        { kind: 'drop', p: 0.02 },
        { kind: 'rate-limit', p: 0.01, retryAfterSec: 0.01 },
        { kind: 'timeout', p: 0.005 },
      ],
    });
    const injected = Object.entries(s.faults).filter(([k]) => k !== 'latency').reduce((a, [, v]) => a + v, 0);
    expect(injected / s.requests).toBeGreaterThan(0.04);
    expect(injected / s.requests).toBeLessThan(0.12);
    if (mode === 'live') expect(s.faults['drop-after-accept']).toBeGreaterThan(0);
    if (s.stopped) {
      expect(s.stopped.reason.length).toBeGreaterThan(10); // a stop says why
    } else {
      expect(s.parity.firstDifference).toBeUndefined();
      expect(new Set(s.exchangeOrderIds).size).toBe(s.exchangeOrderIds.length);
    }
  });
});

describe('graceful stop and a position changed behind the runner’s back', () => {
  it('SIGTERM lets the step finish, flattens when asked, records why; a restart resumes', async () => {
    const bars = await futuresWindow(200);
    const h = await make({ bars, warmup: 100, strategy: 'sma-cross-ls' });
    const r = h.open();
    await driveReplay(r.runner, h.ex, { steps: 60 });
    expect(r.runner.snapshot().position).not.toBe(0);
    const ctl: { requested?: string; wake?: () => void } = {};
    const loop = runLoop(r.runner, { pollMs: 5, flattenOnStop: true, signals: false, stopSignal: ctl });
    await sleep(30);
    ctl.requested = 'SIGTERM';
    ctl.wake?.();
    const stop = await loop;
    expect(stop).toMatchObject({ kind: 'signal', reason: 'received SIGTERM' });
    expect(r.runner.snapshot().position).toBe(0);
    const [pos] = await r.adapter.positions(['BTC/USDT:USDT']);
    expect(pos?.amount ?? 0).toBe(0);
    expect(r.store.events(['stop'])).toHaveLength(1);
    const again = h.open();
    await again.runner.start();
    expect(again.events.map((e) => e.event)).toContain('resume');
    expect(again.runner.snapshot().position).toBe(0);
  });

  it('an order placed on the account by someone else stops the runner (onMismatch stop) or is only logged (warn)', async () => {
    const bars = await futuresWindow(160);
    for (const onMismatch of ['stop', 'warn'] as const) {
      const h = await make({ bars, warmup: 100, over: { runner: { warmupBars: 100, pollMs: 10, flattenOnStop: false, onMismatch } } });
      const r = h.open();
      await driveReplay(r.runner, h.ex, { steps: 5 });
      await r.adapter.placeOrder({ symbol: 'BTC/USDT:USDT', side: 'buy', type: 'market', amount: 0.01, clientOrderId: 'someone-else' });
      await driveReplay(r.runner, h.ex, { steps: 2 });
      expect(r.store.events(['position-mismatch']).length).toBeGreaterThan(0);
      if (onMismatch === 'stop') expect(r.runner.stopped).toMatchObject({ kind: 'mismatch' });
      else expect(r.runner.stopped).toBeUndefined();
    }
  });

  it('a session refuses other parameters, and a strategy whose targets changed under it', async () => {
    const bars = await futuresWindow(140);
    const h = await make({ bars, warmup: 100, strategy: 'sma-cross-ls' });
    const r = h.open();
    await driveReplay(r.runner, h.ex, { steps: 10 });
    r.store.close();
    await expect(h.open({ params: { fast: 6, slow: 20 } }).runner.start()).rejects.toThrow(/different paramsHash/);
    const impostor = defineStrategy({
      name: 'sma-cross-ls',
      params: getStrategy('sma-cross-ls').params,
      indicators: (p) => ({ fast: ind.sma(Number(p.fast)), slow: ind.sma(Number(p.slow)) }),
      decide: (bar) => (bar.fast > bar.slow ? -1 : 1),
    });
    await expect(h.open({ strategy: impostor }).runner.start()).rejects.toThrow(/strategy code or parameters changed under a running session/);
  });
});

describe('bad configuration: a clear error before any order', () => {
  const noOrders = (h: Harness) => expect(exchangeOrders(h)).toHaveLength(0);
  const withConfig = (h: Harness, over: Partial<RunnerConfig>) => checkConfig({ ...h.config, ...over });

  it('unknown symbol, a timeframe the exchange lacks or refuses, a lot size off the exchange’s step, too little capital, wrong market type', async () => {
    const bars = await futuresWindow(140);
    const h = await make({ bars, warmup: 100 });
    const cases: [Partial<RunnerConfig>, RegExp][] = [
      [{ symbol: 'ETH/USDT:USDT' }, /does not list 'ETH\/USDT:USDT'; listed: BTC\/USDT:USDT/],
      [{ timeframe: '7m' }, /has no '7m' candles; it offers .*1h/],
      [{ timeframe: '30m' }, /refuses '30m' candles for BTC\/USDT:USDT/],
      [{ execution: { cash: 10_000, fee: 0.0005, lotSize: 0.0005, minNotional: 5 } }, /lotSize 0.0005 is not a multiple of BTC\/USDT:USDT's amount step 0.001/],
      [{ execution: { cash: 10_000, fee: 0.0005, lotSize: 0.001, minNotional: 1 } }, /minNotional 1 is below .* minimum order value 5/],
      [{ execution: { cash: 50_000, fee: 0.0005, lotSize: 0.001, minNotional: 5 } }, /the account has 10000 USDT, the config trades execution.cash = 50000/],
    ];
    for (const [over, msg] of cases) {
      const r = h.open({ config: withConfig(h, over) });
      await expect(r.runner.start()).rejects.toThrow(msg);
      r.store.close();
    }
    noOrders(h);
  });

  it('negative or nonsensical sizes and limits are named in the config check', () => {
    const base = { version: 1, name: 'x', strategy: 'sma-cross', symbol: 'BTC/USDT', timeframe: '1h', exchange: { id: 'binance', marketType: 'spot', keyEnv: 'K', secretEnv: 'S' } };
    const bad = (o: object) => () => checkConfig({ ...base, ...o } as RunnerConfig);
    expect(bad({ execution: { sizing: { mode: 'units', amount: -1 } } })).toThrow(/sizing.amount': expected a number in \(0/);
    expect(bad({ execution: { cash: -5 } })).toThrow(/execution.cash: expected the capital the strategy trades, a number > 0, found -5/);
    expect(bad({ risk: { maxPosition: -0.5 } })).toThrow(/risk.maxPosition: expected a number > 0/);
    expect(bad({ risk: { maxDrawdown: 1.5 } })).toThrow(/risk.maxDrawdown: expected a fraction in \(0, 1\)/);
    expect(bad({ execution: { fill: 'close' } })).toThrow(/execution.fill: expected 'next-open'/);
    expect(bad({ execution: { stopLoss: 0.02 } })).toThrow(/execution.stopLoss: stopLoss \/ takeProfit \/ trailingStop is not supported \(the runner places target orders only, no resting stops\)/);
    expect(bad({ exchange: { id: 'binance', marketType: 'spot', keyEnv: 'sk-live-abc', secretEnv: 'S' } })).toThrow(/exchange.keyEnv: expected the NAME of an environment variable/);
    expect(bad({ symbol: 'BTC/USDT:USDT' })).toThrow(/a spot symbol like 'BTC\/USDT' for marketType 'spot'/);
    expect(bad({ timeframe: 'hourly' })).toThrow(/timeframe: expected a timeframe like '1h'/);
  });

  it('live mode without keys in the environment, without a notional cap, or with a wrong confirmation never starts', async () => {
    const bars = await futuresWindow(140);
    const h = await make({ bars, warmup: 100 });
    const dir = tempDir('promote-live');
    const p = await promote('sma-cross-ls', ACTIVE_PARAMS['sma-cross-ls']!, { symbol: 'BTC/USDT:USDT', timeframe: '1h', data: bars, experimentsDir: dir, url: h.ex.url, execution: h.config.execution, risk: { maxNotional: 20_000 } });
    const run = async (argv: string[], env: NodeJS.ProcessEnv) => {
      const out: string[] = [];
      const code = await runPromoted({ strategy: getStrategy('sma-cross-ls'), params: ACTIVE_PARAMS['sma-cross-ls']!, dir: p.dir, argv, env, out: (l) => out.push(l) });
      return { code, out: out.join('\n') };
    };
    const a = await run(['--live', '--confirm', 'BTC/USDT:USDT 20000'], {});
    expect(a.code).toBe(2);
    expect(a.out).toMatch(/live mode needs the API key in \$QUANTLAB_API_KEY and the secret in \$QUANTLAB_API_SECRET/);
    const keys = { QUANTLAB_API_KEY: 'k-123456', QUANTLAB_API_SECRET: 's-123456' };
    const b = await run(['--live', '--confirm', 'BTC/USDT:USDT 50000'], keys);
    expect(b.out).toMatch(/the confirmation 'BTC\/USDT:USDT 50000' does not match 'BTC\/USDT:USDT 20000'/);
    const c = await run(['--live'], keys);
    expect(c.out).toMatch(/confirm the symbol BTC\/USDT:USDT .* with --confirm 'BTC\/USDT:USDT 20000'/);
    const d = await run(['--paper', '--live'], keys);
    expect(d.out).toMatch(/expected exactly one of --paper or --live/);
    expect([b.code, c.code, d.code]).toEqual([2, 2, 2]);
    noOrders(h);
  });

  it('a spot market refuses a short target: the runner stops before sending it', async () => {
    const bars = await futuresWindow(200);
    const h = await make({ bars, warmup: 100, kind: 'spot', strategy: 'sma-cross-ls' });
    const r = h.open();
    await driveReplay(r.runner, h.ex);
    expect(r.runner.stopped).toMatchObject({ kind: 'error' });
    expect(r.runner.stopped!.reason).toMatch(/spot market BTC\/USDT cannot hold a short position .* set execution.direction 'long'/);
    expect(r.store.orders().filter((o) => o.target < 0)).toHaveLength(0);
  });
});

describe('spot: fees in the base asset', () => {
  it('a long-only strategy on spot: the books follow the holdings net of fees, sells never exceed them, trade times equal the backtest', async () => {
    const bars = await futuresWindow(250);
    const h = await make({ bars, warmup: 100, kind: 'spot', strategy: 'sma-cross' });
    const r = h.open();
    await driveReplay(r.runner, h.ex);
    expect(r.runner.stopped).toBeUndefined(); // no position mismatch, no refused sell
    expect(r.store.orders({ status: ['rejected'] })).toHaveLength(0);
    const [bal] = await r.adapter.positions(['BTC/USDT']);
    expect(Math.abs(bal!.amount - r.runner.snapshot().position)).toBeLessThan(1e-8);
    expect(r.runner.snapshot().position).toBeLessThan(0.00001); // at most a step of dust when flat
    const rep = reconcileSession(h.strategy, h.params, h.config, r.store, { tolerance: 1e-9 });
    expect(rep.rows.length).toBeGreaterThan(3);
    for (const x of rep.rows) {
      expect([x.status === 'run-only' || x.status === 'backtest-only', x.entry, x.exit]).toEqual([false, x.entryBacktest, x.exitBacktest]);
      expect(Math.abs(x.entryPrice / x.entryPriceBacktest - 1)).toBeLessThan(1e-12); // filled at the bar's open
      // the order size the backtest would place (to a lot step: the equity drifts a little, fees being paid
      // in coins), less the 0.1 % fee the exchange takes out of the coins bought
      expect(Math.abs(x.size - x.sizeBacktest * (1 - 0.001))).toBeLessThan(1.5e-5);
    }
  });
});
