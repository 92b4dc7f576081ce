/**
 * The ccxt adapter (exchange port) against the replay exchange over HTTP, with the real ccxt binance client
 * underneath: closed candles, orders by client order id, error mapping, rate-limit backoff, lost responses,
 * a server restart with state kept, and no credential in any log line or state file.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Bars } from '../../lib/core';
import { CcxtAdapter, createCcxtAdapter, type CcxtAdapterOptions } from '../../lib/live/ccxt-adapter';
import { ExchangePortError } from '../../lib/live/exchange-port';
import type { ReplayExchange } from '../../lib/replay-exchange';
import { startExchange, TEST_KEY, TEST_SECRET, window } from '../helpers/exchange';

let bars: Bars;
const START = 200;
const servers: ReplayExchange[] = [];
const dir = mkdtempSync(join(tmpdir(), 'quantlab-adapter-'));

beforeAll(async () => {
  bars = await window('2024-03-01T00:00:00Z', 300);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function serve(extra: Parameters<typeof startExchange>[0] = {}): Promise<ReplayExchange> {
  const s = await startExchange({ markets: [{ bars }], start: bars.ts[START], ...extra });
  servers.push(s);
  return s;
}

function adapter(ex: ReplayExchange, o: CcxtAdapterOptions = {}): CcxtAdapter {
  return createCcxtAdapter({ exchange: 'binance', apiKey: TEST_KEY, secret: TEST_SECRET, url: ex.url, rateLimitMs: 0, timeoutMs: 1500, retry: { attempts: 5, baseMs: 20, maxMs: 200 }, ...o });
}

const countOrders = (ex: ReplayExchange, clientOrderId: string) => ex.engine.snapshot().orders.filter((o) => o.clientOrderId === clientOrderId).length;

describe('the exchange port over the replay exchange', () => {
  let ex: ReplayExchange;
  let a: CcxtAdapter;
  beforeAll(async () => {
    ex = await serve();
    a = adapter(ex);
  });

  it('markets carry the filters and fees', async () => {
    const [m] = await a.markets();
    expect(m).toEqual({ symbol: 'BTC/USDT', id: 'BTCUSDT', base: 'BTC', quote: 'USDT', type: 'spot', tickSize: 0.01, stepSize: 0.00001, minAmount: 0.00001, minCost: 5, makerFee: 0.001, takerFee: 0.001 });
  });

  it('closedCandles never returns the forming bar; equals the dataset bar for bar', async () => {
    const last = await a.closedCandles('BTC/USDT', '1h', { limit: 50 });
    expect(last.ts.length).toBe(50);
    expect(last.ts[49]).toBe(bars.ts[START - 1]);
    const all = await a.closedCandles('BTC/USDT', '1h', { since: bars.ts[0] });
    expect(all.ts.length).toBe(START);
    for (const k of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const) expect(Array.from(all[k])).toEqual(Array.from(bars[k].subarray(0, START)));
    expect(all.symbol).toBe('BTCUSDT');
    expect(all.timeframe).toBe('1h');
  });

  it('places, finds, lists and cancels orders by client order id; market orders fill with fees', async () => {
    const m = await a.placeOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.01, clientOrderId: 'port-m1' });
    expect(m).toMatchObject({ clientOrderId: 'port-m1', status: 'closed', filled: 0.01, average: bars.open[START], fees: [{ currency: 'BTC', cost: 0.00001 }] });
    const p = Math.round(bars.open[START]! * 0.7);
    const l = await a.placeOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.01, price: p, clientOrderId: 'port-l1' });
    expect(l).toMatchObject({ status: 'open', price: p, filled: 0 });
    expect((await a.openOrders('BTC/USDT')).map((o) => o.clientOrderId)).toEqual(['port-l1']);
    expect((await a.fetchOrder('BTC/USDT', { clientOrderId: 'port-l1' }))?.id).toBe(l.id);
    expect(await a.fetchOrder('BTC/USDT', { clientOrderId: 'never-sent' })).toBeUndefined();
    expect((await a.cancelOrder('BTC/USDT', { clientOrderId: 'port-l1' })).status).toBe('canceled');
    // cancelling again is not an error: the final state comes back
    expect((await a.cancelOrder('BTC/USDT', { id: l.id })).status).toBe('canceled');
    const trades = await a.myTrades('BTC/USDT');
    expect(trades.map((t) => [t.side, t.amount, t.price, t.feeCurrency])).toEqual([['buy', 0.01, bars.open[START], 'BTC']]);
    const bal = await a.balances();
    expect(bal.BTC!.total).toBeCloseTo(0.00999, 10);
    expect(bal.USDT!.free).toBeCloseTo(10_000 - 0.01 * bars.open[START]!, 6);
    expect(await a.positions(['BTC/USDT'])).toEqual([{ symbol: 'BTC/USDT', amount: bal.BTC!.total, entryPrice: NaN, unrealizedPnl: NaN }]);
    expect(await a.time()).toBe(bars.ts[START]);
  });

  it('refusals end as skip, bad credentials as stop, and bad requests never reach the exchange', async () => {
    const e1 = await a.placeOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 50, clientOrderId: 'too-big' }).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(ExchangePortError);
    expect(e1).toMatchObject({ action: 'skip', kind: 'InsufficientFunds' });
    expect(String(e1)).toMatch(/placeOrder BTC\/USDT buy market 50 clientOrderId=too-big: InsufficientFunds/);
    const before = ex.requests.get('POST /api/v3/order') ?? 0;
    await expect(a.placeOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.01, clientOrderId: 'no-price' })).rejects.toThrow(/price: a limit order needs a price > 0, found undefined/);
    await expect(a.placeOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.01, clientOrderId: 'has space' })).rejects.toThrow(/clientOrderId: expected 1-36 letters/);
    await expect(a.placeOrder({ symbol: 'ETH/USDT', side: 'buy', type: 'market', amount: 0.01, clientOrderId: 'x' })).rejects.toThrow(/symbol 'ETH\/USDT' is not listed; listed: BTC\/USDT/);
    expect(ex.requests.get('POST /api/v3/order') ?? 0).toBe(before);
    const bad = adapter(ex, { apiKey: 'wrong-key-0123456789' });
    const e2 = await bad.balances().catch((e: unknown) => e);
    expect(e2).toMatchObject({ action: 'stop', kind: 'AuthenticationError' });
    expect(bad.stats.retries).toBe(0);
  });
});

describe('rate limits', () => {
  it('a 429 pauses every call for Retry-After, then they succeed', async () => {
    const ex = await serve({ faults: [{ kind: 'rate-limit', match: '/api/v3/klines', times: 1, retryAfterSec: 0.4 }] });
    const a = adapter(ex);
    await a.markets();
    const t0 = Date.now();
    const [c, t] = await Promise.all([
      a.closedCandles('BTC/USDT', '1h', { limit: 10 }),
      (async () => {
        await new Promise((r) => setTimeout(r, 100)); // starts after the 429 arrived
        const tt = await a.time();
        return { tt, at: Date.now() - t0 };
      })(),
    ]);
    expect(c.ts.length).toBe(10);
    expect(a.stats.rateLimited).toBe(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(390);
    expect(t.at).toBeGreaterThanOrEqual(390); // the other call waited at the gate too
    expect(ex.faults.fired['rate-limit']).toBe(1);
  });

  it('near the weight limit (X-MBX-USED-WEIGHT) calls wait for the next window instead of getting banned', async () => {
    // loadMarkets weighs 43 (exchangeInfo 20, capital/config 10, margin pairs 11, futures and coin-M info 2)
    const ex = await serve({ weightLimit: 60, weightWindowMs: 1000 });
    const lines: string[] = [];
    const a = adapter(ex, { weightLimit: 60, log: (l) => lines.push(l) });
    await a.markets();
    // 43 + 30 × 3 (time + klines) = 133: more than two windows can take below the 0.9 × 60 threshold
    for (let i = 0; i < 30; i++) await a.closedCandles('BTC/USDT', '1h', { limit: 5 });
    expect(a.stats.rateLimited).toBe(0); // never refused: the gate held the calls
    expect(a.gate.nearLimitPauses).toBeGreaterThan(0);
    // and it says so, once per pause: a runner that holds its calls is not a runner that hangs
    const said = lines.filter((l) => /request weight used is near the exchange's limit \(60 per window\): holding every call \d+ ms, until the window rolls over/.test(l));
    expect(said.length).toBe(a.gate.nearLimitPauses);
    expect(ex.requests.get('GET /api/v3/klines') ?? 0).toBe(30);
  });
});

describe('transient faults on reads', () => {
  it('a timeout, a 502 page, a 500 (-1001) and a dropped connection are retried with backoff; latency is waited out', async () => {
    const ex = await serve({
      faults: [
        { kind: 'latency', match: 'GET /api/v3/openOrders', latencyMs: 50 },
        { kind: 'timeout', match: 'GET /api/v3/openOrders', times: 1 },
        { kind: 'server-error', match: 'GET /api/v3/openOrders', times: 1, status: 502 },
        { kind: 'server-error', match: 'GET /api/v3/openOrders', times: 1, status: 500 },
        { kind: 'drop', match: 'GET /api/v3/openOrders', times: 1 },
      ],
    });
    const lines: string[] = [];
    const a = adapter(ex, { timeoutMs: 300, log: (l) => lines.push(l) });
    await a.markets();
    const t0 = Date.now();
    expect(await a.openOrders('BTC/USDT')).toEqual([]);
    expect(a.stats.retries).toBe(4);
    expect(ex.requests.get('GET /api/v3/openOrders')).toBe(5);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300 + 5 * 50);
    expect(lines.filter((l) => /fetchOpenOrders BTC\/USDT: \w+ \(attempt \d\/5\), retrying in \d+ ms/.test(l)).length).toBe(4);
    expect(lines.join('\n')).toMatch(/RequestTimeout[\s\S]*ExchangeNotAvailable[\s\S]*OperationFailed[\s\S]*NetworkError/);
  });
});

describe('lost answers: the order is found by its client order id, not sent twice', () => {
  it.each([
    ['the connection drops after the order was accepted', { kind: 'drop-after-accept' as const }],
    ['a 503 after the order was accepted (status unknown)', { kind: 'server-error' as const, accepted: true, status: 503 }],
    ['no answer until the client times out, order accepted', { kind: 'timeout' as const, accepted: true }],
  ])('%s', async (_name, fault) => {
    const ex = await serve({ faults: [{ ...fault, match: 'POST /api/v3/order', times: 1 }] });
    const a = adapter(ex, { timeoutMs: 400 });
    const s = await a.placeOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.001, clientOrderId: 'lost-1' });
    expect(s).toMatchObject({ clientOrderId: 'lost-1', status: 'closed', filled: 0.001 });
    expect(ex.requests.get('POST /api/v3/order')).toBe(1);
    expect(countOrders(ex, 'lost-1')).toBe(1);
    expect(a.stats.reconciled).toBe(1);
  });

  it('a request dropped before it was accepted is looked up, not found, and sent again once', async () => {
    const ex = await serve({ faults: [{ kind: 'drop', match: 'POST /api/v3/order', times: 1 }] });
    const a = adapter(ex);
    const s = await a.placeOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.001, price: 10_000, clientOrderId: 'resend-1' });
    expect(s.status).toBe('open');
    expect(ex.requests.get('POST /api/v3/order')).toBe(2);
    expect(countOrders(ex, 'resend-1')).toBe(1);
    expect(a.stats.reconciled).toBe(0);
  });

  it('a cancel whose answer is lost is confirmed by looking the order up', async () => {
    const ex = await serve({ faults: [{ kind: 'drop-after-accept', match: 'DELETE /api/v3/order', times: 1 }] });
    const a = adapter(ex);
    await a.placeOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.001, price: 10_000, clientOrderId: 'c-lost' });
    const s = await a.cancelOrder('BTC/USDT', { clientOrderId: 'c-lost' });
    expect(s.status).toBe('canceled');
    expect(ex.requests.get('DELETE /api/v3/order')).toBe(1);
  });
});

describe('server restart with state kept', () => {
  it('calls made while the server is down are retried; orders, balances and the clock survive', async () => {
    const statePath = join(dir, 'restart-state.json');
    const ex = await serve({ statePath });
    const a = adapter(ex, { retry: { attempts: 8, baseMs: 50, maxMs: 200 } });
    await a.placeOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.002, clientOrderId: 'm-before' });
    const o = await a.placeOrder({ symbol: 'BTC/USDT', side: 'sell', type: 'limit', amount: 0.001, price: 200_000, clientOrderId: 'survivor' });
    ex.step(3);
    const balBefore = await a.balances();
    const now = ex.engine.now;
    const restarting = ex.restart({ downMs: 250 });
    const open = await a.openOrders('BTC/USDT'); // issued while the server is down
    await restarting;
    expect(open.map((x) => x.id)).toEqual([o.id]);
    expect(ex.engine.now).toBe(now);
    expect(await a.balances()).toEqual(balBefore);
    expect(a.stats.retries).toBeGreaterThan(0);
    expect(existsSync(statePath)).toBe(true);
    // the restarted server still matches the resting order when the price gets there (it never does here), and cancels it
    expect((await a.cancelOrder('BTC/USDT', { id: o.id })).status).toBe('canceled');
  });

  it('a new server process started on the same state file continues where the old one stopped', async () => {
    const statePath = join(dir, 'handover.json');
    const first = await startExchange({ markets: [{ bars }], start: bars.ts[START], statePath });
    const a1 = adapter(first);
    await a1.placeOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.001, price: 10_000, clientOrderId: 'handover' });
    first.step(2);
    await first.close();
    const second = await serve({ statePath, start: bars.ts[0] }); // start is ignored: the state wins
    expect(second.engine.now).toBe(bars.ts[START + 2]);
    const a2 = adapter(second);
    expect((await a2.fetchOrder('BTC/USDT', { clientOrderId: 'handover' }))?.status).toBe('open');
  });
});

describe('clock skew', () => {
  it('InvalidNonce (Binance -1021) re-synchronises the clock once and retries', async () => {
    const ex = await serve();
    const a = adapter(ex, { config: { options: { timeDifference: 300_000 } } });
    const b = await a.balances();
    expect(b.USDT!.total).toBe(10_000);
    expect(a.stats.retries).toBe(1);
  });
});

describe('USDT-M futures through the port', () => {
  it('positions and balances of a swap account', async () => {
    const fb = await window('2024-03-01T00:00:00Z', 300, 'BTCUSDT', '1h', 'futures');
    const ex = await serve({ markets: [{ bars: fb, kind: 'futures' }], start: fb.ts[START] });
    const a = adapter(ex, { marketType: 'swap' });
    expect((await a.markets()).map((m) => [m.symbol, m.type])).toEqual([['BTC/USDT:USDT', 'swap']]);
    await a.placeOrder({ symbol: 'BTC/USDT:USDT', side: 'sell', type: 'market', amount: 0.01, clientOrderId: 'short-1' });
    const [p] = await a.positions();
    expect(p).toMatchObject({ symbol: 'BTC/USDT:USDT', amount: -0.01, entryPrice: fb.open[START] });
    const bal = await a.balances();
    expect(bal.USDT!.total).toBeCloseTo(10_000 - 0.01 * fb.open[START]! * 0.0005, 6);
    // a stop-limit (conditional) order: listed with the open orders, found and cancelled by client id
    const up = Math.round(fb.open[START]! * 1.2 * 10) / 10;
    await a.placeOrder({ symbol: 'BTC/USDT:USDT', side: 'buy', type: 'stop-limit', amount: 0.01, price: up, triggerPrice: up, reduceOnly: true, clientOrderId: 'cover-1' });
    await a.placeOrder({ symbol: 'BTC/USDT:USDT', side: 'buy', type: 'limit', amount: 0.01, price: Math.round(fb.open[START]! * 0.8 * 10) / 10, clientOrderId: 'dip-1' });
    expect((await a.openOrders('BTC/USDT:USDT')).map((o) => o.clientOrderId)).toEqual(['cover-1', 'dip-1']);
    expect((await a.fetchOrder('BTC/USDT:USDT', { clientOrderId: 'cover-1' }))?.triggerPrice).toBe(up);
    expect((await a.cancelOrder('BTC/USDT:USDT', { clientOrderId: 'cover-1' })).status).toBe('canceled');
    expect((await a.openOrders('BTC/USDT:USDT')).map((o) => o.clientOrderId)).toEqual(['dip-1']);
  });
});

describe('no credentials in logs or state files', () => {
  const logFile = join(dir, 'session.log');
  const statePath = join(dir, 'session-state.json');
  afterEach(() => undefined);

  it('after a session with faults, neither the key nor the secret nor a signature appears anywhere we wrote', async () => {
    const lines: string[] = [];
    const ex = await serve({
      statePath,
      log: (l) => lines.push(l),
      seed: 3,
      faults: [
        { kind: 'server-error', match: 'GET /api/v3/account', times: 2, status: 500 },
        { kind: 'drop-after-accept', match: 'POST /api/v3/order', times: 1 },
        { kind: 'rate-limit', match: 'GET /api/v3/openOrders', times: 1, retryAfterSec: 0.05 },
        { kind: 'server-error', match: 'GET /api/v3/myTrades', status: 503 }, // ccxt puts the signed URL in this error
      ],
    });
    const a = adapter(ex, { log: (l) => lines.push(l), retry: { attempts: 3, baseMs: 10, maxMs: 50 } });
    await a.balances();
    await a.placeOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.001, clientOrderId: 'grep-1' });
    await a.placeOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.001, price: 10_000, clientOrderId: 'grep-2' });
    await a.openOrders('BTC/USDT');
    const err = await a.myTrades('BTC/USDT').catch((e: Error) => e); // fails for good: its message must be clean too
    expect(err).toBeInstanceOf(ExchangePortError);
    lines.push(String((err as Error).message));
    await a.placeOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 100, clientOrderId: 'grep-3' }).catch((e: Error) => lines.push(e.message));
    ex.saveState();
    writeFileSync(logFile, `${lines.join('\n')}\n`);

    const written = [readFileSync(logFile, 'utf8'), readFileSync(statePath, 'utf8')];
    // the run did exercise the paths that carry signed URLs into error messages
    expect(written[0]).toMatch(/signature=\*\*\*/);
    expect(written[0]).toMatch(/found the order by its client order id/);
    for (const text of written) {
      expect(text.includes(TEST_KEY)).toBe(false);
      expect(text.includes(TEST_SECRET)).toBe(false);
      expect(text).not.toMatch(/signature=[0-9a-f]{16,}/i);
      expect(text).not.toMatch(/x-mbx-apikey["']?\s*[:=]\s*["']?(?!\*\*\*)\w/i);
    }
    // the state holds the account under a hash of the key
    expect(JSON.parse(written[1]!).accounts[0].id).toMatch(/^acct-[0-9a-f]{16}$/);
  });
});
