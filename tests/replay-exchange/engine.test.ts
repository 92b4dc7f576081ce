/**
 * The replay engine without HTTP: price path, matching of resting and stop orders against naive per-bar
 * references on real data, kline selection and aggregation against the data layer's resampler, Binance's
 * error codes and texts, and the state snapshot.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Bars } from '../../lib/core';
import { resampleWithCounts } from '../../lib/data';
import { BinanceError, forEachMove, makeMarket, priceAt, ReplayEngine, seededRandom, type EngineOptions, type Move } from '../../lib/replay-exchange';
import { accountId } from '../../lib/replay-exchange/accounts';
import { window } from '../helpers/exchange';

let bars: Bars;
const H = 3_600_000;
const ACCOUNT = { apiKey: 'engine-test-key', secret: 'engine-test-secret', balances: { USDT: 1e9, BTC: 1e5 } };
const ID = accountId(ACCOUNT.apiKey);

beforeAll(async () => {
  bars = await window('2022-06-01T00:00:00Z', 400); // a volatile month with large gaps between bars' opens and closes
});

const engine = (o: Partial<EngineOptions> = {}) => new ReplayEngine({ markets: [{ bars }], accounts: [ACCOUNT], start: bars.ts[0], ...o });

describe('price path', () => {
  it('walks open → low → high → close (open → high → low → close for a down bar), a third of the bar per leg', () => {
    const m = makeMarket({ bars });
    for (let i = 0; i < 50; i++) {
      const up = bars.close[i]! >= bars.open[i]!;
      const t = bars.ts[i]!;
      expect(priceAt(m, t)).toBe(bars.open[i]);
      expect(priceAt(m, t + H / 3)).toBe(up ? bars.low[i] : bars.high[i]);
      expect(priceAt(m, t + (2 * H) / 3)).toBe(up ? bars.high[i] : bars.low[i]);
      expect(priceAt(m, t + H / 6)).toBeCloseTo((bars.open[i]! + (up ? bars.low[i]! : bars.high[i]!)) / 2, 6);
    }
  });

  it('moves are continuous, in time order, and visit every bar extreme; each bar starts with a jump to its open', () => {
    const m = makeMarket({ bars });
    const moves: Move[] = [];
    forEachMove(m, bars.ts[0]! - 1, bars.ts[100]!, (mv) => moves.push(mv));
    for (let k = 1; k < moves.length; k++) {
      expect(moves[k]!.t).toBeGreaterThanOrEqual(moves[k - 1]!.t);
      if (!moves[k]!.jump) expect(moves[k]!.from).toBe(moves[k - 1]!.to);
    }
    const jumps = moves.filter((x) => x.jump);
    expect(jumps.map((j) => j.t)).toEqual(Array.from(bars.ts.subarray(0, 101)));
    for (let i = 1; i <= 100; i++) expect(jumps[i]).toMatchObject({ from: bars.close[i - 1], to: bars.open[i] });
    // a move cut in the middle of a leg ends at the interpolated price
    const part: Move[] = [];
    forEachMove(m, bars.ts[5]!, bars.ts[5]! + H / 6, (mv) => part.push(mv));
    expect(part).toHaveLength(1);
    expect(part[0]!.to).toBeCloseTo(priceAt(m, bars.ts[5]! + H / 6), 9);
  });
});

type Kind = 'buy-limit' | 'sell-limit' | 'sell-stop' | 'buy-stop' | 'sell-tp' | 'buy-tp';

/**
 * Naive reference, bar by bar: an order placed at the open of bar k fills in the first bar j >= k whose
 * range reaches its level — at the level, or at bar j's open when that bar gaps through it (better for
 * limits, worse for stops). Returns undefined when it never fills within the data.
 */
function reference(kind: Kind, k: number, level: number): { bar: number; price: number } | undefined {
  const below = kind === 'buy-limit' || kind === 'sell-stop' || kind === 'buy-tp';
  for (let j = k; j < bars.ts.length; j++) {
    const reached = below ? bars.low[j]! <= level : bars.high[j]! >= level;
    if (!reached) continue;
    const gapped = j > k && (below ? bars.open[j]! <= level : bars.open[j]! >= level);
    return { bar: j, price: gapped ? bars.open[j]! : level };
  }
  return undefined;
}

describe('matching against a naive per-bar reference (real BTCUSDT 1h, June 2022)', () => {
  it('120 random limit, stop-loss and take-profit orders fill in the right bar at the right price and fee', () => {
    const e = engine();
    const m = e.markets[0]!;
    const rnd = seededRandom(42);
    const kinds: Kind[] = ['buy-limit', 'sell-limit', 'sell-stop', 'buy-stop', 'sell-tp', 'buy-tp'];
    const placed: Array<{ kind: Kind; k: number; level: number; orderId: number }> = [];
    for (let k = 0; k < 300; k += 5) {
      e.advanceTo(bars.ts[k]!);
      for (let r = 0; r < 2; r++) {
        const kind = kinds[Math.floor(rnd() * kinds.length)]!;
        const open = bars.open[k]!;
        const below = kind === 'buy-limit' || kind === 'sell-stop' || kind === 'buy-tp';
        const dist = 0.002 + rnd() * 0.04;
        const level = Math.round(open * (below ? 1 - dist : 1 + dist) * 100) / 100;
        const side = kind.startsWith('buy') ? 'BUY' : 'SELL';
        const type = kind.endsWith('limit') ? 'LIMIT' : kind.endsWith('stop') ? 'STOP_LOSS' : 'TAKE_PROFIT';
        const p = type === 'LIMIT' ? { price: String(level), timeInForce: 'GTC' } : { stopPrice: String(level) };
        const { order } = e.place(ID, 'spot', { symbol: 'BTCUSDT', side, type, quantity: '0.01', ...p });
        expect(order.status).toBe('NEW');
        placed.push({ kind, k, level, orderId: order.orderId });
      }
    }
    e.advanceTo(e.end);
    let filled = 0;
    for (const o of placed) {
      const want = reference(o.kind, o.k, o.level);
      const got = e.getOrder(ID, 'spot', { symbol: 'BTCUSDT', orderId: String(o.orderId) });
      if (!want) {
        expect(got.status, `${o.kind} ${o.level} from bar ${o.k}`).toBe('NEW');
        continue;
      }
      filled++;
      expect(got.status, `${o.kind} ${o.level} from bar ${o.k}`).toBe('FILLED');
      const [t] = e.tradesOf(got);
      expect(t!.price, `${o.kind} ${o.level} from bar ${o.k}`).toBe(want.price);
      expect(Math.floor((t!.time - bars.ts[0]!) / H), `${o.kind} bar`).toBe(want.bar);
      const maker = o.kind.endsWith('limit');
      expect(t!.isMaker).toBe(maker);
      const fee = (maker ? m.makerFee : m.takerFee) * (o.kind.startsWith('buy') ? 0.01 : 0.01 * want.price);
      expect(t!.commission).toBeCloseTo(fee, 8);
    }
    expect(filled).toBeGreaterThan(60);
  });

  it('a stop and a take-profit inside one bar resolve in path order (open → low → high → close for an up bar)', () => {
    // find an up bar whose range is wide: place a sell stop below and a sell take-profit above at its open
    const i = Array.from(bars.ts).findIndex((_, j) => j > 10 && bars.close[j]! > bars.open[j]! && bars.open[j]! - bars.low[j]! > 50 && bars.high[j]! - bars.open[j]! > 50);
    const e = engine({ start: bars.ts[i] });
    const stop = Math.round((bars.low[i]! + 10) * 100) / 100;
    const tp = Math.round((bars.high[i]! - 10) * 100) / 100;
    const a = e.place(ID, 'spot', { symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_LOSS', quantity: '0.01', stopPrice: String(stop) }).order;
    const b = e.place(ID, 'spot', { symbol: 'BTCUSDT', side: 'SELL', type: 'TAKE_PROFIT', quantity: '0.01', stopPrice: String(tp) }).order;
    e.step();
    const ta = e.tradesOf(e.getOrder(ID, 'spot', { symbol: 'BTCUSDT', orderId: String(a.orderId) }))[0]!;
    const tb = e.tradesOf(e.getOrder(ID, 'spot', { symbol: 'BTCUSDT', orderId: String(b.orderId) }))[0]!;
    expect(ta.time).toBeLessThan(tb.time); // the low comes first in an up bar
    expect([ta.price, tb.price]).toEqual([stop, tp]);
  });

  it('spot balances: locked at placement, settled at the fill, released on cancel; fees in the asset received', () => {
    const e = new ReplayEngine({ markets: [{ bars }], accounts: [{ ...ACCOUNT, balances: { USDT: 1000 } }], start: bars.ts[0] });
    const a = e.account(ID);
    const p = Math.round(bars.open[0]! * 0.9 * 100) / 100;
    const { order } = e.place(ID, 'spot', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.01', price: String(p), timeInForce: 'GTC' });
    expect(a.balance('USDT')).toEqual({ free: Math.round((1000 - 0.01 * p) * 1e8) / 1e8, locked: 0.01 * p });
    e.cancel(ID, 'spot', { symbol: 'BTCUSDT', orderId: String(order.orderId) });
    expect(a.balance('USDT')).toEqual({ free: 1000, locked: 0 });
    const mk = e.place(ID, 'spot', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '100' });
    const t = mk.trades[0]!;
    expect(t.qty).toBe(Math.floor((100 / bars.open[0]!) * 1e5) / 1e5); // quote amount → quantity, rounded down to the lot step
    expect(a.balance('BTC').free).toBeCloseTo(t.qty * 0.999, 10);
    expect(a.balance('USDT').free).toBeCloseTo(1000 - t.qty * bars.open[0]!, 6);
  });
});

describe('klines', () => {
  it('aggregate to 4h buckets equal to the data layer resampler (closed buckets)', () => {
    const e = engine({ start: bars.ts[300] });
    const m = e.markets[0]!;
    const got = e.klines(m, 4 * H, { startTime: bars.ts[0], limit: 1000 }).filter((c) => c.closed);
    const ref = resampleWithCounts(bars, '4h', { incomplete: 'drop' }).bars;
    const byTs = new Map(Array.from(ref.ts, (t, i) => [t, i]));
    let compared = 0;
    for (const c of got) {
      const i = byTs.get(c.ts);
      if (i === undefined || c.ts + 4 * H > bars.ts[300]!) continue;
      compared++;
      expect([c.open, c.high, c.low, c.close]).toEqual([ref.open[i], ref.high[i], ref.low[i], ref.close[i]]);
      expect(c.volume).toBeCloseTo(ref.volume[i]!, 6);
    }
    expect(compared).toBeGreaterThan(60);
  });

  it('select like Binance: startTime/endTime/limit, latest when no startTime, nothing after now', () => {
    const e = engine({ start: bars.ts[100] });
    const m = e.markets[0]!;
    expect(e.klines(m, H, { limit: 3 }).map((c) => c.ts)).toEqual([bars.ts[98], bars.ts[99], bars.ts[100]]);
    expect(e.klines(m, H, { startTime: bars.ts[10], limit: 2 }).map((c) => c.ts)).toEqual([bars.ts[10], bars.ts[11]]);
    expect(e.klines(m, H, { startTime: bars.ts[10], endTime: bars.ts[12], limit: 100 }).map((c) => c.ts)).toEqual([bars.ts[10], bars.ts[11], bars.ts[12]]);
    expect(e.klines(m, H, { endTime: bars.ts[50], limit: 2 }).map((c) => c.ts)).toEqual([bars.ts[49], bars.ts[50]]);
    expect(e.klines(m, H, { startTime: bars.ts[150], limit: 10 })).toEqual([]);
    const last = e.klines(m, H, { limit: 1 })[0]!;
    expect(last).toMatchObject({ ts: bars.ts[100], closed: false, volume: 0 });
  });
});

describe("Binance's errors, with what was expected and what was found", () => {
  const place = (e: ReplayEngine, p: Record<string, string>) => {
    try {
      e.place(ID, 'spot', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.01', price: '20000', timeInForce: 'GTC', ...p });
    } catch (x) {
      return x as BinanceError;
    }
    throw new Error('expected a rejection');
  };

  it.each([
    [{ symbol: 'ETHUSDT' }, -1121, /Invalid symbol\. \(symbol 'ETHUSDT' is not listed here; listed: BTCUSDT\)/],
    [{ side: 'HOLD' }, -1117, /expected BUY or SELL, found 'HOLD'/],
    [{ type: 'ICEBERG' }, -1116, /expected one of MARKET, LIMIT, LIMIT_MAKER, STOP_LOSS.*found 'ICEBERG'/],
    [{ quantity: '0.000001' }, -1013, /Filter failure: LOT_SIZE \(BTCUSDT quantity: expected a multiple of 0\.00001 from 0\.00001 to \d+, found 0\.000001\)/],
    [{ price: '20000.005' }, -1013, /Filter failure: PRICE_FILTER \(BTCUSDT price: expected a multiple of 0\.01 .*found 20000\.005\)/],
    [{ quantity: '0.0001', price: '100' }, -1013, /Filter failure: NOTIONAL \(BTCUSDT notional: expected price × quantity >= 5 USDT, found 0\.01\)/],
    [{ timeInForce: 'GTD' }, -1115, /expected GTC, IOC or FOK, found 'GTD'/],
    [{ newClientOrderId: 'has spaces' }, -1100, /newClientOrderId.*found 'has spaces'/],
  ])('%o → %i', (p, code, msg) => {
    const err = place(engine(), p as Record<string, string>);
    expect(err).toBeInstanceOf(BinanceError);
    expect(err.code).toBe(code);
    expect(err.message).toMatch(msg);
  });

  it('insufficient balance keeps the exact text ccxt matches on, with the detail beside it', () => {
    const e = new ReplayEngine({ markets: [{ bars }], accounts: [{ ...ACCOUNT, balances: { USDT: 10 } }], start: bars.ts[0] });
    const err = place(e, {});
    expect(err.body()).toEqual({ code: -2010, msg: 'Account has insufficient balance for requested action.', detail: 'BTCUSDT LIMIT BUY 0.01: needs 200 USDT, free 10 USDT' });
  });

  it('unknown orders: -2013 on fetch, -2011 on cancel', () => {
    const e = engine();
    expect(() => e.getOrder(ID, 'spot', { symbol: 'BTCUSDT', orderId: '99' })).toThrow(/Order does not exist\. \(no order with orderId 99 in BTCUSDT for this account\)/);
    expect(() => e.cancel(ID, 'spot', { symbol: 'BTCUSDT', origClientOrderId: 'nope' })).toThrow(/Unknown order sent\. \(no order with origClientOrderId 'nope'/);
  });
});

describe('state snapshot', () => {
  it('round-trips through JSON, and a restored engine continues exactly like the original', () => {
    const a = engine();
    const rnd = seededRandom(9);
    for (let k = 0; k < 40; k++) {
      const open = a.price(a.markets[0]!);
      const below = rnd() < 0.5;
      const price = Math.round(open * (below ? 0.99 : 1.01) * 100) / 100;
      a.place(ID, 'spot', { symbol: 'BTCUSDT', side: below ? 'BUY' : 'SELL', type: 'LIMIT', quantity: '0.01', price: String(price), timeInForce: 'GTC' });
      a.step();
    }
    const state = JSON.parse(JSON.stringify(a.snapshot()));
    const b = new ReplayEngine({ markets: [{ bars }], accounts: [ACCOUNT] }, state);
    expect(b.snapshot()).toEqual(a.snapshot());
    a.step(50);
    b.step(50);
    expect(b.snapshot()).toEqual(a.snapshot());
    expect(JSON.stringify(a.snapshot())).not.toContain(ACCOUNT.apiKey);
    expect(JSON.stringify(a.snapshot())).not.toContain(ACCOUNT.secret);
  });

  it('refuses a state saved with other data, naming both', () => {
    const state = engine().snapshot();
    const other = { bars: { ...bars, symbol: 'ETHUSDT' } };
    expect(() => new ReplayEngine({ markets: [other] }, state)).toThrow(/it was saved with spot:BTCUSDT \(400 rows from 2022-06-01T00:00:00Z\), but the data loaded now is spot:ETHUSDT/);
  });
});
