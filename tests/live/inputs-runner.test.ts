/**
 * The runner with a strategy that reads another symbol: the built-in eth-btc-zscore (ETHUSDT traded, BTCUSDT
 * as input 'btc') promoted and run as a paper session against the replay exchange serving both symbols
 * trades exactly as the backtest of the same bars with { inputs: { btc } }; a restart from the state store
 * mid-session resumes exactly; a stale input (BTC candles that stop coming) is refused with a 'stale-input'
 * risk event and no order; a BTC bar missing from the data is waited for, then shown as the gaps option
 * says ('hold', 'nan', 'error'), bar for bar as the backtest with the same option.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../lib/backtest';
import { isoTime, makeBars, sliceBars, type Bars } from '../../lib/core';
import { checkConfig, simOptionsOf } from '../../lib/live/config';
import { tradeRowsOf } from '../../lib/live/ledger';
import { barsHash, promote } from '../../lib/live/promote';
import { reconcileSession } from '../../lib/live/reconcile';
import { driveReplay, paperSession } from '../../lib/live/session';
import { setupRunner, statePath } from '../../lib/live/setup';
import { StateStore } from '../../lib/live/state-store';
import { startReplayExchange } from '../../lib/replay-exchange';
import { getStrategy, strategyTargets, withInputs } from '../../lib/strategy';
import type { RunnerEvent } from '../../lib/live/runner';
import { dataset } from '../helpers/exchange';
import { tempDir } from '../helpers/runner';

const strategy = getStrategy('eth-btc-zscore');
const params = { n: 24, entry: 1.2, exit: 0 };
const WARMUP = 150;

/** ETHUSDT and BTCUSDT USDT-M 1h over the same 450 hours (the shipped futures data, 2023-09). */
async function windows(): Promise<{ eth: Bars; btc: Bars }> {
  const ethAll = await dataset('ETHUSDT', '1h', 'futures');
  const btcAll = await dataset('BTCUSDT', '1h', 'futures');
  const from = 25_000;
  const eth = sliceBars(ethAll, from, from + 450);
  const i0 = btcAll.ts.indexOf(eth.ts[0]!);
  const btc = sliceBars(btcAll, i0, i0 + 450);
  expect(Array.from(btc.ts)).toEqual(Array.from(eth.ts));
  return { eth, btc };
}

/** The independent reference: the backtester over the session's bars with the BTC bars as input, no target before the first live bar. */
function referenceTrades(eth: Bars, btc: Bars, bars: number, config: Parameters<typeof simOptionsOf>[0]) {
  const base = sliceBars(eth, 0, bars);
  const targets = strategyTargets(strategy, withInputs(base, { btc: sliceBars(btc, 0, bars) }), params);
  for (let i = 0; i < WARMUP; i++) targets[i] = NaN;
  return tradeRowsOf(simulate(base, targets, simOptionsOf(config)).trades);
}

const pick = (t: { entryTs: number; exitTs: number; entryPrice: number; exitPrice: number; size: number; side: number }) => ({ entryTs: t.entryTs, exitTs: t.exitTs, entryPrice: t.entryPrice, exitPrice: t.exitPrice, size: t.size, side: t.side });

describe('the runner trades a strategy with another symbol as input', () => {
  it('promoted eth-btc-zscore, paper session on the replay exchange serving ETHUSDT and BTCUSDT: trade for trade the backtest with { inputs: { btc } }', async () => {
    const { eth, btc } = await windows();
    const root = tempDir('inputs-promote');
    const p = await promote(strategy, params, { symbol: 'ETH/USDT:USDT', timeframe: '1h', inputs: { btc: 'BTC/USDT:USDT' }, data: eth, experimentsDir: root, runner: { warmupBars: WARMUP } });
    expect(p.config.inputs).toEqual({ btc: 'BTC/USDT:USDT' });
    expect(p.config.inputGaps).toBe('hold');
    // validation.json records the BTC bars it was validated with (the shipped BTCUSDT futures data over the ETH span)
    expect(p.evidence.data.inputs).toEqual({ btc: { symbol: 'BTCUSDT', exchangeSymbol: 'BTC/USDT:USDT', bars: eth.ts.length, barsSha256: barsHash(btc) } });
    expect(p.evidence.data.inputGaps).toBe('hold');
    const events: RunnerEvent[] = [];
    const s = await paperSession({ promoted: p, bars: eth, warmup: WARMUP, log: (e) => events.push(e) });
    expect(s.stopped).toBeUndefined();
    expect(s.config.inputs).toEqual({ btc: 'BTC/USDT:USDT' });
    expect(s.parity.summary).toMatch(/^identical/);
    expect(s.parity.vacuous).toBe(false);
    expect(s.trades.length).toBeGreaterThanOrEqual(3);
    const store = new StateStore(statePath(s.stateDir, 'paper'), { readonly: true });
    try {
      const stored = store.bars();
      expect(stored.length).toBeGreaterThan(400);
      // the BTC bars the session was handed are exactly the exchange's, one per ETH bar
      const ib = store.inputBars!('btc');
      expect(ib.map((b) => b.ts)).toEqual(stored.map((b) => b.ts));
      expect(ib.map((b) => b.close)).toEqual(Array.from(btc.close.subarray(0, stored.length)));
      const ref = referenceTrades(eth, btc, stored.length, s.config);
      expect(s.trades.map(pick)).toEqual(ref.map(pick));
    } finally {
      store.close();
    }
    expect(events.filter((e) => e.event === 'input-wait')).toEqual([]);
  }, 120_000);

  it('a restart from the state store mid-session resumes exactly (the inputs rebuilt from their stored bars)', async () => {
    const { eth, btc } = await windows();
    const cash = 10_000;
    const ex = await startReplayExchange({
      markets: [{ bars: eth, kind: 'futures' }, { bars: btc, kind: 'futures' }],
      accounts: [{ apiKey: 'k', secret: 's', balances: { USDT: cash }, futuresWallet: cash }],
      start: eth.ts[WARMUP],
    });
    const dir = tempDir('inputs-restart');
    const config = checkConfig({
      version: 1,
      name: 'eth-btc-restart',
      strategy: strategy.name,
      symbol: 'ETH/USDT:USDT',
      timeframe: '1h',
      exchange: { id: 'binance', marketType: 'swap', url: ex.url, keyEnv: 'QUANTLAB_API_KEY', secretEnv: 'QUANTLAB_API_SECRET', timeoutMs: 2000 },
      execution: { cash, fee: 0.0005, lotSize: 0.001, minNotional: 5 },
      risk: {},
      runner: { warmupBars: WARMUP, pollMs: 10, flattenOnStop: false, onMismatch: 'stop' },
      inputs: { btc: 'BTC/USDT:USDT' },
    });
    const events: RunnerEvent[] = [];
    const open = () => setupRunner({ strategy, params, config, mode: 'paper', dir, log: (e) => events.push(e), retry: { attempts: 6, baseMs: 5, maxMs: 50 } });
    try {
      const a = open();
      await a.runner.start();
      await driveReplay(a.runner, ex, { steps: 120 });
      const before = a.store.bars().length;
      a.close(); // gone between two bars, as after kill -9 (every step is in the state before it is acted on)
      ex.step(3); // three bars close while it is away
      const b = open();
      await b.runner.start();
      expect(events.filter((e) => e.event === 'start').map((e) => e.restart)).toEqual([false, true]);
      await driveReplay(b.runner, ex);
      const stored = b.store.bars();
      expect(stored.length).toBeGreaterThan(before + 100);
      expect(stored.filter((r) => r.phase === 'missed').length).toBe(2);
      const rep = reconcileSession(strategy, params, config, b.store, { tolerance: 0 });
      expect(rep.rows.filter((r) => r.status !== 'match')).toEqual([]);
      expect(rep.runTrades.length).toBeGreaterThanOrEqual(3);
      // the decider rebuilt at the restart gave the stored targets again (else start() refuses), and the
      // targets after it equal the backtest's: the same session with no restart decides the same bars alike
      const targets = strategyTargets(strategy, withInputs(sliceBars(eth, 0, stored.length), { btc: sliceBars(btc, 0, stored.length) }), params);
      const live = stored.map((r, i) => [r.target, targets[i]]).slice(WARMUP);
      for (const [x, y] of live) expect(Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y))).toBe(true);
      b.close();
    } finally {
      await ex.close();
    }
  }, 120_000);

  it('a stale input: BTC candles stop coming; the runner waits, then a stale-input risk event, no order, stopped', async () => {
    const { eth, btc } = await windows();
    const cut = 260;
    const events: RunnerEvent[] = [];
    const s = await paperSession({ strategy, params, bars: eth, inputs: { btc: sliceBars(btc, 0, cut) }, warmup: WARMUP, risk: { staleBars: 2 }, log: (e) => events.push(e) });
    expect(s.stopped?.kind).toBe('risk');
    expect(s.stopped?.reason).toMatch(/input 'btc' \(BTC\/USDT:USDT\) has no candle for the bar .*not trading on stale data/);
    const store = new StateStore(statePath(s.stateDir, 'paper'), { readonly: true });
    try {
      const risk = store.events(['risk']);
      expect(risk.map((e) => e.detail.kind)).toEqual(['stale-input']);
      expect(risk[0]!.barTs).toBe(eth.ts[cut]);
      // nothing decided on the bar without its BTC candle, nor after; every order belongs to an earlier bar
      expect(store.lastBar()!.ts).toBe(eth.ts[cut - 1]);
      expect(store.orders().every((o) => o.barTs < eth.ts[cut]!)).toBe(true);
      expect(store.paperOrders().every((o) => o.ts <= eth.ts[cut]!)).toBe(true);
    } finally {
      store.close();
    }
    // it polled again before giving up (staleBars 2: two more bars closed without the BTC candle)
    const waits = events.filter((e) => e.event === 'input-wait');
    expect(waits.length).toBe(1);
    expect(waits[0]!.bar).toBe(isoTime(eth.ts[cut]!));
  }, 120_000);
});

/** `b` without the bars at the given indices (a hole in the exchange's data). */
function without(b: Bars, drop: readonly number[]): Bars {
  const idx = Array.from(b.ts, (_, i) => i).filter((i) => !drop.includes(i));
  const col = (c: Float64Array) => idx.map((i) => c[i]!);
  return makeBars({ ts: col(b.ts), open: col(b.open), high: col(b.high), low: col(b.low), close: col(b.close), volume: col(b.volume) }, b.symbol, b.timeframe);
}

describe('a BTC bar missing from the exchange: waited for, then the gaps option, as in the backtest', () => {
  const H = 250;
  for (const gaps of ['hold', 'nan'] as const) {
    it(`inputGaps '${gaps}': one wait, the bar decided late (missed), every stored target equal to the backtest's with gaps '${gaps}'`, async () => {
      const { eth, btc } = await windows();
      const holey = without(btc, [H]);
      const events: RunnerEvent[] = [];
      const s = await paperSession({ strategy, params, bars: eth, inputs: { btc: holey }, inputGaps: gaps, warmup: WARMUP, log: (e) => events.push(e) });
      expect(s.stopped).toBeUndefined();
      expect(events.filter((e) => e.event === 'input-wait').map((e) => e.bar)).toEqual([isoTime(eth.ts[H]!)]);
      const store = new StateStore(statePath(s.stateDir, 'paper'), { readonly: true });
      try {
        const stored = store.bars();
        expect(stored[H]!.phase).toBe('missed');
        const want = strategyTargets(strategy, withInputs(sliceBars(eth, 0, stored.length), { btc: holey }, { gaps }), params);
        const got = stored.map((r) => r.target);
        expect(got.map((x) => (Number.isNaN(x) ? 'NaN' : x))).toEqual(Array.from(want).map((x) => (Number.isNaN(x) ? 'NaN' : x)));
        if (gaps === 'nan') expect(Number.isNaN(got[H]!)).toBe(true);
        else expect(Number.isNaN(got[H]!)).toBe(Number.isNaN(want[H]!));
      } finally {
        store.close();
      }
      // the session's own parity check (the backtest over the stored bars with the stored BTC bars) holds, the late bar explained
      expect(s.report.rows.filter((r) => r.status === 'differs' && !/missed/.test(r.explanation)).map((r) => r.explanation)).toEqual([]);
    }, 120_000);
  }

  it("inputGaps 'error': the run stops with VALIDATION_FAILED naming the bar", async () => {
    const { eth, btc } = await windows();
    const run = paperSession({ strategy, params, bars: eth, inputs: { btc: without(btc, [H]) }, inputGaps: 'error', warmup: WARMUP });
    await expect(run).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(run).rejects.toThrow(
      new RegExp(`input 'btc' has no bar at ${new Date(eth.ts[H]!).toISOString().replace(/[.]/g, '\\.')}`),
    );
  }, 120_000);
});

describe('refusals', () => {
  it('promote() without the inputs\' exchange symbols names them; the config checks each input symbol', async () => {
    const { eth } = await windows();
    await expect(promote(strategy, params, { symbol: 'ETH/USDT:USDT', timeframe: '1h', data: eth, experimentsDir: tempDir('inputs-refuse') })).rejects.toThrow(
      /promote: eth-btc-zscore reads input 'btc' \(BTCUSDT\); pass the exchange symbol the runner reads for it: \{ inputs: \{ btc: 'BTC\/USDT:USDT' \} \}/,
    );
    const base = { version: 1 as const, name: 'x', strategy: strategy.name, symbol: 'ETH/USDT:USDT', timeframe: '1h', exchange: { id: 'binance', marketType: 'swap' as const, keyEnv: 'K', secretEnv: 'S' }, execution: {}, risk: {}, runner: { warmupBars: 10, pollMs: 10, flattenOnStop: false, onMismatch: 'stop' as const } };
    expect(() => checkConfig({ ...base, inputs: { btc: 'BTC/USDT' } })).toThrow(/inputs\.btc: expected a swap symbol like the traded one \(ETH\/USDT:USDT\), found "BTC\/USDT"/);
    expect(() => checkConfig({ ...base, inputs: { btc: 'ETH/USDT:USDT' } })).toThrow(/inputs\.btc: expected a symbol other than the traded one/);
    expect(() => checkConfig({ ...base, inputs: { btc: 'BTC/USDT:USDT' }, inputGaps: 'skip' as never })).toThrow(/inputGaps: expected 'hold', 'nan' or 'error', found "skip"/);
  });
});
