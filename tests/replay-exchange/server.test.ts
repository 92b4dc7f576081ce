/**
 * The replay exchange through the real ccxt binance client over HTTP: markets, candles bar for bar against
 * the shipped dataset, orders (market, limit, stop), fees, balances, open orders, trades, auth errors and
 * rate limits. Expected values come from the dataset itself (naive references), never from the server.
 */
import { createHmac } from 'node:crypto';
import * as ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bars } from '../../lib/core';
import type { ReplayExchange } from '../../lib/replay-exchange';
import { binanceClient, startExchange, TEST_KEY, TEST_SECRET, window } from '../helpers/exchange';

let bars: Bars;
let ex: ReplayExchange;
let client: ccxt.binance;
const START = 200;
const free = (b: ccxt.Balances, asset: string): number => b[asset]?.free ?? 0;
const used = (b: ccxt.Balances, asset: string): number => b[asset]?.used ?? 0;
const total = (b: ccxt.Balances, asset: string): number => b[asset]?.total ?? 0; // the clock starts at the open of bar 200 of the window

beforeAll(async () => {
  bars = await window('2024-03-01T00:00:00Z', 300);
  ex = await startExchange({ markets: [{ bars }], start: bars.ts[START] });
  client = binanceClient(ex);
  await client.loadMarkets();
});
afterAll(async () => {
  await ex?.close();
});

describe('markets and market data through ccxt', () => {
  it('lists BTC/USDT with real-looking precision and filters', () => {
    const m = client.market('BTC/USDT');
    expect(m.spot).toBe(true);
    expect(m.id).toBe('BTCUSDT');
    expect(m.precision.price).toBe(0.01);
    expect(m.precision.amount).toBe(0.00001);
    expect(m.limits.cost?.min).toBe(5);
    expect(m.limits.amount?.min).toBe(0.00001);
    expect(Object.keys(client.markets ?? {})).toEqual(['BTC/USDT']);
  });

  it('server time is the replay clock', async () => {
    expect(await client.fetchTime()).toBe(bars.ts[START]);
  });

  it('candles equal the dataset bar for bar; the last one is the forming bar, as Binance sends it', async () => {
    const c = await client.fetchOHLCV('BTC/USDT', '1h', bars.ts[0], 1000);
    expect(c.length).toBe(START + 1);
    for (let i = 0; i < START; i++) {
      expect(c[i]).toEqual([bars.ts[i], bars.open[i], bars.high[i], bars.low[i], bars.close[i], bars.volume[i]]);
    }
    // forming: only the open is known at the bar's open time
    expect(c[START]).toEqual([bars.ts[START], bars.open[START], bars.open[START], bars.open[START], bars.open[START], 0]);
  });

  it('after one step the forming bar is closed and equals the dataset; a later bar never shows early', async () => {
    ex.step();
    try {
      const c = await client.fetchOHLCV('BTC/USDT', '1h', bars.ts[START - 2], 10);
      expect(c.map((r) => r[0])).toEqual([bars.ts[START - 2], bars.ts[START - 1], bars.ts[START], bars.ts[START + 1]]);
      expect(c[2]).toEqual([bars.ts[START], bars.open[START], bars.high[START], bars.low[START], bars.close[START], bars.volume[START]]);
      // without since: the latest `limit` bars up to now
      const last = await client.fetchOHLCV('BTC/USDT', '1h', undefined, 3);
      expect(last.map((r) => r[0])).toEqual([bars.ts[START - 1], bars.ts[START], bars.ts[START + 1]]);
    } finally {
      await rewind();
    }
  });

  it('mid-bar, the forming candle has the path so far: open, partial high/low, current close, volume pro rata', async () => {
    const t = bars.ts[START]! + 2_400_000; // two thirds into the bar: open → (low|high) → (high|low) done
    const fresh = await startExchange({ markets: [{ bars }], start: bars.ts[START] });
    try {
      fresh.advanceTo(t);
      const c = await binanceClient(fresh).fetchOHLCV('BTC/USDT', '1h', bars.ts[START], 1);
      const [o, h, l, cl] = [bars.open[START]!, bars.high[START]!, bars.low[START]!, bars.close[START]!];
      const second = cl >= o ? h : l; // the path's second turning point, reached at 2/3
      expect(c[0]!.slice(0, 5)).toEqual([bars.ts[START], o, h, l, second]);
      expect(c[0]![5]).toBeCloseTo((bars.volume[START]! * 2) / 3, 7);
    } finally {
      await fresh.close();
    }
  });

  it('ticker and order book top sit at the replayed price', async () => {
    const t = await client.fetchTicker('BTC/USDT');
    expect(t.last).toBe(bars.open[START]);
    expect(t.bid).toBe(bars.open[START]);
    expect(t.ask).toBeCloseTo(bars.open[START]! + 0.01, 8);
    const book = await client.fetchOrderBook('BTC/USDT', 5);
    expect(book.bids[0]![0]).toBe(bars.open[START]);
    expect(book.asks.length).toBe(5);
  });
});

/** Restarts the shared exchange's clock at START with a fresh state (a new server on a new port). */
async function rewind(): Promise<void> {
  await ex.close();
  ex = await startExchange({ markets: [{ bars }], start: bars.ts[START] });
  client = binanceClient(ex);
  await client.loadMarkets();
}

describe('orders through ccxt', () => {
  beforeAll(rewind);

  it('a market buy fills at the replayed price (the forming bar open) with the taker fee in the asset bought', async () => {
    const before = await client.fetchBalance();
    expect(total(before, 'USDT')).toBe(10_000);
    const o = await client.createOrder('BTC/USDT', 'market', 'buy', 0.01);
    const p = bars.open[START]!;
    expect(o.status).toBe('closed');
    expect(o.filled).toBe(0.01);
    expect(o.average).toBe(p);
    expect(o.fee).toEqual({ currency: 'BTC', cost: 0.00001 }); // 0.1% of 0.01 BTC
    const after = await client.fetchBalance();
    expect(free(after, 'USDT')).toBeCloseTo(10_000 - 0.01 * p, 8);
    expect(free(after, 'BTC')).toBeCloseTo(0.01 - 0.00001, 10);
  });

  it('a market sell pays the fee in the quote asset', async () => {
    const before = free(await client.fetchBalance(), 'USDT');
    const o = await client.createOrder('BTC/USDT', 'market', 'sell', 0.005);
    const p = bars.open[START]!;
    expect(o.fee?.currency).toBe('USDT');
    expect(o.fee?.cost).toBeCloseTo(0.005 * p * 0.001, 8);
    expect(free(await client.fetchBalance(), 'USDT')).toBeCloseTo(before + 0.005 * p * 0.999, 6);
  });

  it('a limit buy below the price rests, locks its funds, shows in open orders, and cancels', async () => {
    const p = Math.round(bars.open[START]! * 0.8); // far below anything the next bars reach
    const free0 = free(await client.fetchBalance(), 'USDT');
    const o = await client.createOrder('BTC/USDT', 'limit', 'buy', 0.01, p, { clientOrderId: 'rest-1' });
    expect(o.status).toBe('open');
    expect(o.clientOrderId).toBe('rest-1');
    const bal = await client.fetchBalance();
    expect(used(bal, 'USDT')).toBeCloseTo(0.01 * p, 8);
    expect(free(bal, 'USDT')).toBeCloseTo(free0 - 0.01 * p, 8);
    const open = await client.fetchOpenOrders('BTC/USDT');
    expect(open.map((x) => x.id)).toEqual([o.id]);
    const byClientId = await client.fetchOrder('', 'BTC/USDT', { clientOrderId: 'rest-1' });
    expect(byClientId.id).toBe(o.id);
    const c = await client.cancelOrder(o.id!, 'BTC/USDT');
    expect(c.status).toBe('canceled');
    expect(free(await client.fetchBalance(), 'USDT')).toBeCloseTo(free0, 8);
    expect(await client.fetchOpenOrders('BTC/USDT')).toEqual([]);
    await expect(client.cancelOrder(o.id!, 'BTC/USDT')).rejects.toThrow(ccxt.OrderNotFound);
  });

  it('a resting limit buy fills (as maker, at its price or a better gap open) when the replayed price crosses it', async () => {
    // naive reference: the first bar from START whose low reaches the limit; a bar after START that opens
    // below it fills at that open
    const lows = Array.from(bars.low.subarray(START, START + 40));
    const p = Math.round((Math.min(...lows) + bars.open[START]!) / 2 * 100) / 100;
    let j = START;
    while (bars.low[j]! > p) j++;
    const expectPrice = j > START && bars.open[j]! <= p ? bars.open[j]! : p;
    const o = await client.createOrder('BTC/USDT', 'limit', 'buy', 0.002, p);
    expect(o.status).toBe('open');
    for (let k = START; k < j; k++) {
      expect((await client.fetchOrder(o.id!, 'BTC/USDT')).status).toBe('open');
      ex.step();
    }
    ex.step(); // through bar j
    const f = await client.fetchOrder(o.id!, 'BTC/USDT');
    expect(f.status).toBe('closed');
    expect(f.average).toBe(expectPrice);
    const trades = await client.fetchMyTrades('BTC/USDT');
    const t = trades.find((x) => x.order === o.id)!;
    expect(t.takerOrMaker).toBe('maker');
    expect(t.price).toBe(expectPrice);
    expect(t.fee?.currency).toBe('BTC');
    expect(t.fee?.cost).toBeCloseTo(0.002 * 0.001, 12);
    expect(t.timestamp).toBeGreaterThanOrEqual(bars.ts[j]!);
    expect(t.timestamp).toBeLessThan(bars.ts[j]! + 3_600_000);
  });

  it('fetchMyTrades lists every fill of the account with its order, side and fee', async () => {
    const trades = await client.fetchMyTrades('BTC/USDT');
    expect(trades.map((t) => t.side)).toEqual(['buy', 'sell', 'buy']);
    expect(trades.every((t) => t.symbol === 'BTC/USDT' && t.fee !== undefined)).toBe(true);
  });

  it('a stop-loss limit sell triggers only once the price falls through its trigger', async () => {
    const now = ex.engine.now;
    const i = bars.ts.indexOf(now);
    const lows = Array.from(bars.low.subarray(i, i + 40));
    const trigger = Math.round((Math.min(...lows) + bars.open[i]!) / 2 * 100) / 100;
    let j = i;
    while (bars.low[j]! > trigger) j++;
    const o = await client.createOrder('BTC/USDT', 'limit', 'sell', 0.001, Math.round(trigger * 0.99 * 100) / 100, { triggerPrice: trigger });
    expect(o.status).toBe('open');
    ex.step(j - i); // up to the open of bar j: not yet triggered
    expect((await client.fetchOrder(o.id!, 'BTC/USDT')).status).toBe('open');
    ex.step();
    const f = await client.fetchOrder(o.id!, 'BTC/USDT');
    expect(f.status).toBe('closed');
    // a gap open below the trigger fills at that open, otherwise at the trigger price
    expect(f.average).toBe(bars.open[j]! <= trigger && j > i ? bars.open[j] : trigger);
  });

  it('rejections map to ccxt classes: insufficient balance, lot size, notional, a stop that would trigger at once', async () => {
    await expect(client.createOrder('BTC/USDT', 'market', 'buy', 5)).rejects.toThrow(ccxt.InsufficientFunds);
    await expect(client.createOrder('BTC/USDT', 'limit', 'buy', 0.000001, 1000)).rejects.toThrow(ccxt.InvalidOrder);
    // below min notional (5 USDT): Binance -1013 NOTIONAL, a BadRequest in ccxt, naming what was expected
    const e = await client.createOrder('BTC/USDT', 'limit', 'buy', 0.00001, 1000).catch((x: Error) => x);
    expect(e).toBeInstanceOf(ccxt.BadRequest);
    expect(String(e)).toMatch(/NOTIONAL.*expected price × quantity >= 5 USDT, found 0\.01/);
    const price = ex.engine.price(ex.engine.markets[0]!);
    await expect(client.createOrder('BTC/USDT', 'market', 'sell', 0.001, undefined, { triggerPrice: Math.round(price * 1.05) })).rejects.toThrow(
      ccxt.OrderImmediatelyFillable,
    );
  });

  it('a client order id cannot be reused while its order is open', async () => {
    const p = Math.round(bars.open[START]! * 0.5);
    await client.createOrder('BTC/USDT', 'limit', 'buy', 0.001, p, { clientOrderId: 'dup-1' });
    await expect(client.createOrder('BTC/USDT', 'limit', 'buy', 0.001, p, { clientOrderId: 'dup-1' })).rejects.toThrow(/Duplicate order sent/);
    await client.cancelOrder('', 'BTC/USDT', { clientOrderId: 'dup-1' });
  });
});

describe('accounts', () => {
  it('each API key has its own balances, orders and trades', async () => {
    const two = await startExchange({
      markets: [{ bars }],
      start: bars.ts[START],
      accounts: [
        { apiKey: TEST_KEY, secret: TEST_SECRET, balances: { USDT: 10_000 } },
        { apiKey: 'second-key-abcdef', secret: 'second-secret-abcdef', balances: { USDT: 50, BTC: 1 } },
      ],
    });
    try {
      const a = binanceClient(two);
      const b = binanceClient(two, { apiKey: 'second-key-abcdef', secret: 'second-secret-abcdef' });
      await a.createOrder('BTC/USDT', 'market', 'buy', 0.01);
      await b.createOrder('BTC/USDT', 'limit', 'sell', 0.5, Math.round(bars.open[START]! * 2));
      expect(total(await b.fetchBalance(), 'USDT')).toBe(50);
      expect(used(await b.fetchBalance(), 'BTC')).toBe(0.5);
      expect(await a.fetchOpenOrders('BTC/USDT')).toEqual([]);
      expect((await b.fetchOpenOrders('BTC/USDT')).length).toBe(1);
      expect(await b.fetchMyTrades('BTC/USDT')).toEqual([]);
      expect((await a.fetchClosedOrders('BTC/USDT')).map((o) => o.amount)).toEqual([0.01]);
    } finally {
      await two.close();
    }
  });
});

describe('authentication', () => {
  it('a wrong API key or a wrong secret raises ccxt.AuthenticationError (Binance -2015 / -1022)', async () => {
    const badKey = binanceClient(ex, { apiKey: 'not-a-registered-key' });
    const e1 = await badKey.fetchBalance().catch((e: Error) => e);
    expect(e1).toBeInstanceOf(ccxt.AuthenticationError);
    expect(String(e1)).toMatch(/-2015/);
    const badSecret = binanceClient(ex, { secret: `${TEST_SECRET}x` });
    const e2 = await badSecret.fetchBalance().catch((e: Error) => e);
    expect(e2).toBeInstanceOf(ccxt.AuthenticationError);
    expect(String(e2)).toMatch(/-1022.*Signature for this request is not valid/);
  });

  it('a stale timestamp raises ccxt.InvalidNonce (Binance -1021); a request signed on the replay clock passes', async () => {
    const stale = binanceClient(ex);
    stale.options.timeDifference = 120_000; // signs two minutes in the past
    await expect(stale.fetchBalance()).rejects.toThrow(ccxt.InvalidNonce);
    const synced = binanceClient(ex, { options: { adjustForTimeDifference: true } });
    await synced.loadTimeDifference();
    expect(total(await synced.fetchBalance(), 'USDT')).toBeGreaterThan(0);
  });

  it('the key and secret are checked by signature, not by value in the request', async () => {
    const res = await fetch(`${ex.url}/api/v3/account?timestamp=${Date.now()}&signature=${'0'.repeat(64)}`, { headers: { 'X-MBX-APIKEY': TEST_KEY } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: -1022 });
    const noKey = await fetch(`${ex.url}/api/v3/account?timestamp=${Date.now()}&signature=00`);
    expect(await noKey.json()).toMatchObject({ code: -2014 });
  });
});

describe('hostile requests', () => {
  const sign = (query: string) => createHmac('sha256', TEST_SECRET).update(query).digest('hex');
  const get = (path: string, query: string) => fetch(`${ex.url}${path}?${query}`, { headers: { 'X-MBX-APIKEY': TEST_KEY } });

  it('a captured signed request expires after recvWindow of wall time, though the stepped replay clock stands still', async () => {
    const status = (await (await fetch(`${ex.url}/quantlab/status`)).json()) as { now: number };
    const q = `timestamp=${status.now}&recvWindow=300`; // stamped with the replay clock, which does not move
    const url = `${q}&signature=${sign(q)}`;
    const first = await get('/api/v3/account', url);
    expect(first.status).toBe(200);
    await first.arrayBuffer();
    const soon = await get('/api/v3/account', url); // within recvWindow: accepted, as Binance would
    expect(soon.status).toBe(200);
    await soon.arrayBuffer();
    await new Promise((r) => setTimeout(r, 400));
    for (let i = 0; i < 3; i++) {
      const again = await get('/api/v3/account', url);
      expect(again.status).toBe(400);
      expect(await again.json()).toMatchObject({ code: -1021, detail: expect.stringMatching(/first received more than recvWindow/) });
    }
    // a fresh signature of the same request (the secret holder) still passes
    const q2 = `timestamp=${status.now + 1}&recvWindow=300`;
    expect((await get('/api/v3/account', `${q2}&signature=${sign(q2)}`)).status).toBe(200);
  });

  it('a malformed signature= or symbols= answers 400 naming the parameter, never 500', async () => {
    const q = `timestamp=${Date.now()}`;
    const badSig = await get('/api/v3/account', `${q}&signature=%zz${'0'.repeat(60)}`);
    expect(badSig.status).toBe(400);
    expect(await badSig.json()).toMatchObject({ code: -1022, detail: expect.stringMatching(/percent-encoding/) });
    for (const symbols of ['not-json', '{"a":1}', '[1,2]', '[]', '["BTCUSDT"']) {
      const r = await fetch(`${ex.url}/api/v3/ticker/price?symbols=${encodeURIComponent(symbols)}`);
      expect(r.status, symbols).toBe(400);
      expect(await r.json(), symbols).toMatchObject({ code: -1100, msg: expect.stringMatching(/'symbols'/) });
    }
    const ok = await fetch(`${ex.url}/api/v3/ticker/price?symbols=${encodeURIComponent('["BTCUSDT"]')}`);
    expect(ok.status).toBe(200);
  });

  it('an oversized body answers 413 (not a reset), and the server keeps serving', async () => {
    const big = 'x'.repeat(1_500_000);
    const r = await fetch(`${ex.url}/api/v3/order`, { method: 'POST', body: big, headers: { 'X-MBX-APIKEY': TEST_KEY, 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(r.status).toBe(413);
    expect(await r.json()).toMatchObject({ code: -1104 });
    expect((await fetch(`${ex.url}/api/v3/ping`)).status).toBe(200);
  });
});

describe('rate limits', () => {
  it('past the weight limit the server answers 429 with Retry-After; ccxt raises its rate-limit class (DDoSProtection for binance)', async () => {
    const small = await startExchange({ markets: [{ bars }], weightLimit: 10, weightWindowMs: 1000 });
    try {
      const c = binanceClient(small);
      await c.loadMarkets().catch(() => undefined);
      let err: unknown;
      for (let k = 0; k < 20 && !err; k++) await c.fetchTicker('BTC/USDT').catch((e: unknown) => (err = e));
      expect(err).toBeInstanceOf(ccxt.DDoSProtection);
      expect(String(err)).toMatch(/-1003/);
      expect(Number(c.last_response_headers?.['Retry-After'])).toBeGreaterThanOrEqual(1);
      expect(c.last_response_headers?.['X-Mbx-Used-Weight-1s']).toBeDefined();
    } finally {
      await small.close();
    }
  });
});

describe('USDT-M futures', () => {
  let fx: ReplayExchange;
  let fb: Bars;
  let fc: ccxt.binance;
  beforeAll(async () => {
    fb = await window('2024-03-01T00:00:00Z', 300, 'BTCUSDT', '1h', 'futures');
    fx = await startExchange({ markets: [{ bars: fb, kind: 'futures' }], start: fb.ts[START] });
    fc = binanceClient(fx);
    await fc.loadMarkets();
  });
  afterAll(async () => fx?.close());

  it('lists BTC/USDT:USDT and serves its candles bar for bar', async () => {
    expect(Object.keys(fc.markets ?? {})).toEqual(['BTC/USDT:USDT']);
    const c = await fc.fetchOHLCV('BTC/USDT:USDT', '1h', fb.ts[0], 1000);
    expect(c.length).toBe(START + 1);
    for (let i = 0; i < START; i++) expect(c[i]).toEqual([fb.ts[i], fb.open[i], fb.high[i], fb.low[i], fb.close[i], fb.volume[i]]);
  });

  it('a market buy opens a long position; its PnL follows the replayed price; a reduce-only sell closes it', async () => {
    const o = await fc.createOrder('BTC/USDT:USDT', 'market', 'buy', 0.01);
    expect(o.status).toBe('closed');
    expect(o.average).toBe(fb.open[START]);
    let [pos] = await fc.fetchPositions(['BTC/USDT:USDT']);
    expect(pos!.side).toBe('long');
    expect(pos!.contracts).toBe(0.01);
    expect(pos!.entryPrice).toBe(fb.open[START]);
    fx.step();
    [pos] = await fc.fetchPositions(['BTC/USDT:USDT']);
    expect(pos!.unrealizedPnl).toBeCloseTo((fb.open[START + 1]! - fb.open[START]!) * 0.01, 6);
    const c = await fc.createOrder('BTC/USDT:USDT', 'market', 'sell', 0.01, undefined, { reduceOnly: true });
    expect(c.status).toBe('closed');
    const positions = await fc.fetchPositions(['BTC/USDT:USDT']);
    expect(positions.every((p) => !p.contracts)).toBe(true);
    const bal = await fc.fetchBalance({ type: 'future' });
    const fees = 0.01 * fb.open[START]! * 0.0005 + 0.01 * fb.open[START + 1]! * 0.0005;
    expect(total(bal, 'USDT')).toBeCloseTo(10_000 + (fb.open[START + 1]! - fb.open[START]!) * 0.01 - fees, 6);
    const trades = await fc.fetchMyTrades('BTC/USDT:USDT');
    expect(trades.length).toBe(2);
  });

  it('a stop-market sell (Binance algo order) waits, triggers when the price falls through it, and fills at the trigger or a gap open', async () => {
    const i = fb.ts.indexOf(fx.engine.now);
    const lows = Array.from(fb.low.subarray(i, i + 40));
    const trigger = Math.round(((Math.min(...lows) + fb.open[i]!) / 2) * 10) / 10;
    let j = i;
    while (fb.low[j]! > trigger) j++;
    await fc.createOrder('BTC/USDT:USDT', 'market', 'buy', 0.002);
    const o = await fc.createOrder('BTC/USDT:USDT', 'market', 'sell', 0.002, undefined, { triggerPrice: trigger, reduceOnly: true, clientOrderId: 'fut-stop' });
    expect(o.status).toBe('open');
    expect(o.triggerPrice).toBe(trigger);
    expect((await fc.fetchOpenOrders('BTC/USDT:USDT', undefined, undefined, { trigger: true })).map((x) => x.id)).toEqual([o.id]);
    expect(await fc.fetchOpenOrders('BTC/USDT:USDT')).toEqual([]); // the regular book holds no conditional orders
    fx.step(j - i);
    expect((await fc.fetchOrder(o.id!, 'BTC/USDT:USDT', { trigger: true })).status).toBe('open');
    fx.step();
    const f = await fc.fetchOrder(o.id!, 'BTC/USDT:USDT', { trigger: true });
    expect(f.status).toBe('closed');
    const t = (await fc.fetchMyTrades('BTC/USDT:USDT')).find((x) => x.order === o.id)!;
    expect(t.price).toBe(j > i && fb.open[j]! <= trigger ? fb.open[j] : trigger);
    expect((await fc.fetchPositions(['BTC/USDT:USDT'])).every((p) => !p.contracts)).toBe(true);
  });

  it('a conditional order can be cancelled by its client id', async () => {
    const price = fx.engine.price(fx.engine.markets[0]!);
    const o = await fc.createOrder('BTC/USDT:USDT', 'limit', 'buy', 0.001, Math.round(price * 1.11 * 10) / 10, { triggerPrice: Math.round(price * 1.1 * 10) / 10, clientOrderId: 'fut-sl' });
    expect(o.status).toBe('open');
    const c = await fc.cancelOrder('', 'BTC/USDT:USDT', { clientOrderId: 'fut-sl', trigger: true });
    expect(c.status).toBe('canceled');
    await expect(fc.fetchOpenOrders('BTC/USDT:USDT', undefined, undefined, { trigger: true })).resolves.toEqual([]);
  });

  it('margin is checked: an order beyond the wallet at leverage 1 is rejected, and fits after setLeverage', async () => {
    const big = Math.round((20_000 / fx.engine.price(fx.engine.markets[0]!)) * 1000) / 1000;
    await expect(fc.createOrder('BTC/USDT:USDT', 'market', 'buy', big)).rejects.toThrow(/Margin is insufficient/);
    await fc.setLeverage(5, 'BTC/USDT:USDT');
    const o = await fc.createOrder('BTC/USDT:USDT', 'market', 'buy', big);
    expect(o.status).toBe('closed');
  });
});

describe('the clock', () => {
  it('runs at one bar per N ms of wall time, and pauses', async () => {
    const r = await startExchange({ markets: [{ bars }], start: bars.ts[START] });
    try {
      const w0 = Date.now();
      r.run(20);
      await new Promise((res) => setTimeout(res, 130));
      r.pause();
      const elapsed = Date.now() - w0;
      const moved = (r.engine.now - bars.ts[START]!) / 3_600_000; // in bars: about elapsed / 20 (the timer ticks every 5 ms)
      expect(moved).toBeGreaterThan(elapsed / 20 - 2);
      expect(moved).toBeLessThanOrEqual(elapsed / 20 + 0.01);
      const t = r.engine.now;
      await new Promise((res) => setTimeout(res, 50));
      expect(r.engine.now).toBe(t);
      const st = (await (await fetch(`${r.url}/quantlab/status`)).json()) as { now: number; running: boolean };
      expect(st).toMatchObject({ now: t, running: false });
      const stepped = (await (await fetch(`${r.url}/quantlab/step?n=2`, { method: 'POST' })).json()) as { now: number };
      expect(stepped.now).toBeGreaterThan(t);
    } finally {
      await r.close();
    }
  });
});
