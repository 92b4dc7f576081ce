import { parseTimeframe } from '../core';
import { BinanceError, errors } from './errors';
import type { ReplayEngine } from './engine';
import { exchangeInfoSymbol, type MarketKind, type MarketSpec } from './markets';
import { toTick } from './matching';
import { fixed8, floorToStep, num } from './numbers';
import { futuresAlgoJson, futuresOrderJson, futuresTradeJson, spotNewOrderJson, spotOrderJson, spotTradeJson, type Order } from './orders';
import { barAtOrBefore, type Candle } from './price-path';
import type { WeightLimiter } from './weights';

/**
 * The Binance REST endpoints the replay exchange serves: the subset ccxt's `binance` class calls for
 * markets, candles, tickers, book top, server time, balances, orders, open orders, trades and (USDT-M)
 * positions. Paths, parameters, weights and JSON shapes follow Binance's spot (/api/v3) and USDT-M
 * futures (/fapi) APIs.
 */

export interface RouteContext {
  engine: ReplayEngine;
  params: URLSearchParams;
  /** The account of a signed request. */
  account: string;
  limiter: WeightLimiter;
}

export interface Route {
  method: string;
  path: string;
  signed: boolean;
  /** Request weight (Binance's), possibly depending on the parameters. */
  weight: (p: URLSearchParams) => number;
  handler: (c: RouteContext) => unknown;
}

export const INTERVALS = ['1s', '1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w'];

const int = (p: URLSearchParams, name: string): number | undefined => {
  const v = p.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw errors.badParam(name, 'an integer', v);
  return n;
};

const str = (p: URLSearchParams, name: string): string | undefined => p.get(name) ?? undefined;

function limitParam(p: URLSearchParams, dflt: number, max: number): number {
  const l = int(p, 'limit') ?? dflt;
  if (l < 1 || l > max) throw new BinanceError(400, -1130, "Data sent for parameter 'limit' is not valid.", `expected 1..${max}, found ${l}`);
  return l;
}

function rateLimits(c: { limiter: WeightLimiter }): unknown[] {
  return [
    { rateLimitType: 'REQUEST_WEIGHT', interval: c.limiter.interval.name, intervalNum: c.limiter.interval.num, limit: c.limiter.limit },
    { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
    { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
  ];
}

/** One kline as Binance's REST klines endpoint lists it. */
export function klineRow(c: Candle, intervalMs: number): unknown[] {
  const quote = (c.volume * (c.high + c.low + c.close)) / 3;
  return [c.ts, num(c.open), num(c.high), num(c.low), num(c.close), num(c.volume), c.ts + intervalMs - 1, num(Math.round(quote * 1e8) / 1e8), 0, '0', '0', '0'];
}

function klines(kind: MarketKind, c: RouteContext): unknown[] {
  const m = c.engine.market(kind, str(c.params, 'symbol'));
  const iv = str(c.params, 'interval');
  if (!iv) throw errors.mandatory('interval');
  const allowed = INTERVALS.filter((x) => parseTimeframe(x).ms % m.tfMs === 0);
  if (!allowed.includes(iv)) throw errors.badInterval(iv, allowed);
  const ms = parseTimeframe(iv).ms;
  const limit = limitParam(c.params, 500, kind === 'spot' ? 1000 : 1500);
  const startTime = int(c.params, 'startTime');
  const endTime = int(c.params, 'endTime');
  return c.engine.klines(m, ms, { startTime, endTime, limit }).map((k) => klineRow(k, ms));
}

function bookTop(c: RouteContext, m: MarketSpec): { bid: number; ask: number; qty: number } {
  const p = toTick(m, c.engine.price(m));
  const i = Math.max(0, Math.min(m.bars.ts.length - 1, barAtOrBefore(m, c.engine.now)));
  const qty = Math.max(m.minQty, floorToStep(m.bars.volume[i]! / 100, m.stepSize));
  return { bid: p, ask: toTick(m, p + m.tickSize), qty };
}

function depth(kind: MarketKind, c: RouteContext): unknown {
  const m = c.engine.market(kind, str(c.params, 'symbol'));
  const limit = limitParam(c.params, 100, 5000);
  const top = bookTop(c, m);
  const level = (p: number) => [num(toTick(m, p)), num(top.qty)];
  const bids = [];
  const asks = [];
  for (let k = 0; k < limit; k++) {
    bids.push(level(top.bid - k * m.tickSize));
    asks.push(level(top.ask + k * m.tickSize));
  }
  const id = Math.floor(c.engine.now / 1000);
  return kind === 'spot' ? { lastUpdateId: id, bids, asks } : { lastUpdateId: id, E: c.engine.now, T: c.engine.now, bids, asks };
}

function ticker24(kind: MarketKind, c: RouteContext, m: MarketSpec): Record<string, unknown> {
  const t = c.engine.ticker24h(m);
  const top = bookTop(c, m);
  const change = t.last - t.open;
  const base = {
    symbol: m.id,
    priceChange: num(Math.round(change * 1e8) / 1e8),
    priceChangePercent: num(Math.round((change / t.open) * 1e5) / 1e3),
    weightedAvgPrice: num(t.volume > 0 ? t.quoteVolume / t.volume : t.last),
    lastPrice: num(t.last),
    lastQty: num(m.minQty),
    openPrice: num(t.open),
    highPrice: num(t.high),
    lowPrice: num(t.low),
    volume: num(t.volume),
    quoteVolume: num(t.quoteVolume),
    openTime: t.openTime,
    closeTime: c.engine.now,
    firstId: 0,
    lastId: t.count,
    count: t.count,
  };
  if (kind === 'futures') return base;
  return { ...base, prevClosePrice: num(t.open), bidPrice: num(top.bid), bidQty: num(top.qty), askPrice: num(top.ask), askQty: num(top.qty) };
}

function perSymbol(kind: MarketKind, c: RouteContext, one: (m: MarketSpec) => unknown): unknown {
  const s = str(c.params, 'symbol');
  if (s) return one(c.engine.market(kind, s));
  const list = str(c.params, 'symbols');
  if (list) {
    let ids: unknown;
    try {
      ids = JSON.parse(list);
    } catch {
      ids = undefined;
    }
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string')) {
      throw errors.badParam('symbols', 'a JSON array of symbols such as ["BTCUSDT","ETHUSDT"]', list.slice(0, 80));
    }
    return (ids as string[]).map((id) => one(c.engine.market(kind, id)));
  }
  return c.engine.marketsOf(kind).map(one);
}

function ref(p: URLSearchParams): { symbol?: string; orderId?: string; origClientOrderId?: string } {
  return { symbol: str(p, 'symbol'), orderId: str(p, 'orderId'), origClientOrderId: str(p, 'origClientOrderId') };
}

function newOrderParams(p: URLSearchParams) {
  const g = (k: string) => str(p, k);
  return {
    symbol: g('symbol'),
    side: g('side'),
    type: g('type'),
    quantity: g('quantity'),
    quoteOrderQty: g('quoteOrderQty'),
    price: g('price'),
    stopPrice: g('stopPrice'),
    timeInForce: g('timeInForce'),
    newClientOrderId: g('newClientOrderId'),
    reduceOnly: g('reduceOnly'),
  };
}

function spotAccount(c: RouteContext): unknown {
  const a = c.engine.account(c.account);
  const fee = c.engine.marketsOf('spot')[0];
  const rate = (x: number | undefined) => fixed8(x ?? 0.001);
  return {
    makerCommission: Math.round((fee?.makerFee ?? 0.001) * 10_000),
    takerCommission: Math.round((fee?.takerFee ?? 0.001) * 10_000),
    buyerCommission: 0,
    sellerCommission: 0,
    commissionRates: { maker: rate(fee?.makerFee), taker: rate(fee?.takerFee), buyer: '0.00000000', seller: '0.00000000' },
    canTrade: true,
    canWithdraw: false,
    canDeposit: false,
    brokered: false,
    requireSelfTradePrevention: false,
    preventSor: false,
    updateTime: c.engine.now,
    accountType: 'SPOT',
    balances: [...a.spot.entries()].map(([asset, b]) => ({ asset, free: fixed8(b.free), locked: fixed8(b.locked) })),
    permissions: ['SPOT'],
    uid: 0,
  };
}

function futuresPositions(c: RouteContext): Array<Record<string, unknown>> {
  const a = c.engine.account(c.account);
  const sym = str(c.params, 'symbol');
  const out: Array<Record<string, unknown>> = [];
  for (const m of c.engine.marketsOf('futures')) {
    if (sym && sym !== m.id) continue;
    const pos = a.positions.get(m.id) ?? { amt: 0, entry: 0, updateTime: 0 };
    const mark = c.engine.price(m);
    const notional = pos.amt * mark;
    const lev = a.leverageOf(m.id);
    const im = Math.abs(notional) / lev;
    out.push({
      symbol: m.id,
      positionSide: 'BOTH',
      positionAmt: num(pos.amt),
      entryPrice: num(pos.entry),
      breakEvenPrice: num(pos.entry),
      markPrice: num(mark),
      unRealizedProfit: num(Math.round((mark - pos.entry) * pos.amt * 1e8) / 1e8),
      liquidationPrice: '0',
      isolatedMargin: '0',
      notional: num(Math.round(notional * 1e8) / 1e8),
      marginAsset: m.quote,
      isolatedWallet: '0',
      initialMargin: num(Math.round(im * 1e8) / 1e8),
      maintMargin: num(Math.round(Math.abs(notional) * 0.004 * 1e8) / 1e8),
      positionInitialMargin: num(Math.round(im * 1e8) / 1e8),
      openOrderInitialMargin: '0',
      adl: 0,
      bidNotional: '0',
      askNotional: '0',
      leverage: String(lev),
      marginType: 'cross',
      updateTime: pos.updateTime,
    });
  }
  return out;
}

function futuresAssets(c: RouteContext): Record<string, unknown> {
  const a = c.engine.account(c.account);
  const s = c.engine.futuresSummary(a);
  const quote = c.engine.marketsOf('futures')[0]?.quote ?? 'USDT';
  const marginBalance = s.wallet + s.upnl;
  return {
    accountAlias: 'replay',
    asset: quote,
    walletBalance: num(s.wallet),
    balance: num(s.wallet),
    unrealizedProfit: num(s.upnl),
    crossUnPnl: num(s.upnl),
    marginBalance: num(Math.round(marginBalance * 1e8) / 1e8),
    maintMargin: '0',
    initialMargin: num(Math.round((s.positionMargin + s.orderMargin) * 1e8) / 1e8),
    positionInitialMargin: num(s.positionMargin),
    openOrderInitialMargin: num(s.orderMargin),
    crossWalletBalance: num(s.wallet),
    availableBalance: num(Math.max(0, s.available)),
    maxWithdrawAmount: num(Math.max(0, s.available)),
    marginAvailable: true,
    updateTime: c.engine.now,
  };
}

function futuresAccount(c: RouteContext): unknown {
  const asset = futuresAssets(c);
  const positions = futuresPositions(c);
  return {
    totalInitialMargin: asset.initialMargin,
    totalMaintMargin: '0',
    totalWalletBalance: asset.walletBalance,
    totalUnrealizedProfit: asset.unrealizedProfit,
    totalMarginBalance: asset.marginBalance,
    totalPositionInitialMargin: asset.positionInitialMargin,
    totalOpenOrderInitialMargin: asset.openOrderInitialMargin,
    totalCrossWalletBalance: asset.walletBalance,
    totalCrossUnPnl: asset.unrealizedProfit,
    availableBalance: asset.availableBalance,
    maxWithdrawAmount: asset.maxWithdrawAmount,
    canTrade: true,
    canDeposit: false,
    canWithdraw: false,
    feeTier: 0,
    updateTime: c.engine.now,
    assets: [asset],
    positions: positions.filter((p) => p.positionAmt !== '0'),
  };
}

function exchangeInfo(kind: MarketKind, c: RouteContext): unknown {
  const sym = str(c.params, 'symbol');
  const ms = c.engine.marketsOf(kind).filter((m) => !sym || m.id === sym);
  if (sym && !ms.length) throw errors.unknownSymbol(sym, c.engine.marketsOf(kind).map((m) => m.id));
  return {
    timezone: 'UTC',
    serverTime: c.engine.now,
    rateLimits: rateLimits(c),
    exchangeFilters: [],
    ...(kind === 'futures' ? { assets: [{ asset: 'USDT', marginAvailable: true, autoAssetExchange: '0' }] } : {}),
    symbols: ms.map(exchangeInfoSymbol),
  };
}

const w = (n: number) => () => n;
const bySymbol = (one: number, all: number) => (p: URLSearchParams) => (p.get('symbol') ? one : all);
const byLimit = (steps: Array<[number, number]>, last: number) => (p: URLSearchParams) => {
  const l = Number(p.get('limit') ?? 100);
  for (const [max, weight] of steps) if (l <= max) return weight;
  return last;
};

/** Builds the route table: `${method} ${path}` → route. */
export function buildRoutes(): Map<string, Route> {
  const routes = new Map<string, Route>();
  const add = (method: string, path: string, signed: boolean, weight: Route['weight'], handler: Route['handler']) =>
    routes.set(`${method} ${path}`, { method, path, signed, weight, handler });

  // ---- spot, public
  for (const [prefix, kind] of [['/api/v3', 'spot'], ['/fapi/v1', 'futures']] as const) {
    const spot = kind === 'spot';
    add('GET', `${prefix}/ping`, false, w(1), () => ({}));
    add('GET', `${prefix}/time`, false, w(1), (c) => ({ serverTime: c.engine.now }));
    add('GET', `${prefix}/exchangeInfo`, false, w(spot ? 20 : 1), (c) => exchangeInfo(kind, c));
    add('GET', `${prefix}/klines`, false, spot ? w(2) : byLimit([[99, 1], [499, 2], [1000, 5]], 10), (c) => klines(kind, c));
    add('GET', `${prefix}/depth`, false, spot ? byLimit([[100, 5], [500, 25], [1000, 50]], 250) : byLimit([[50, 2], [100, 5], [500, 10]], 20), (c) => depth(kind, c));
    add('GET', `${prefix}/ticker/24hr`, false, bySymbol(spot ? 2 : 1, spot ? 80 : 40), (c) => perSymbol(kind, c, (m) => ticker24(kind, c, m)));
    add('GET', `${prefix}/ticker/price`, false, bySymbol(spot ? 2 : 1, spot ? 4 : 2), (c) =>
      perSymbol(kind, c, (m) => ({ symbol: m.id, price: num(toTick(m, c.engine.price(m))), ...(spot ? {} : { time: c.engine.now }) })),
    );
    add('GET', `${prefix}/ticker/bookTicker`, false, bySymbol(spot ? 2 : 2, spot ? 4 : 5), (c) =>
      perSymbol(kind, c, (m) => {
        const t = bookTop(c, m);
        return { symbol: m.id, bidPrice: num(t.bid), bidQty: num(t.qty), askPrice: num(t.ask), askQty: num(t.qty), ...(spot ? {} : { time: c.engine.now }) };
      }),
    );
    add('GET', `${prefix}/trades`, false, w(spot ? 25 : 5), (c) => {
      c.engine.market(kind, str(c.params, 'symbol'));
      return [];
    });
  }
  add('GET', '/api/v3/avgPrice', false, w(2), (c) => {
    const m = c.engine.market('spot', str(c.params, 'symbol'));
    return { mins: 5, price: num(toTick(m, c.engine.price(m))), closeTime: c.engine.now };
  });
  add('GET', '/api/v3/uiKlines', false, w(2), (c) => klines('spot', c));

  // ---- spot, signed
  add('GET', '/api/v3/account', true, w(20), spotAccount);
  add('POST', '/api/v3/order', true, w(1), (c) => {
    const { order, trades } = c.engine.place(c.account, 'spot', newOrderParams(c.params));
    const resp = str(c.params, 'newOrderRespType') ?? (order.type === 'MARKET' || order.type === 'LIMIT' ? 'FULL' : 'ACK');
    return spotNewOrderJson(order, trades, resp.toUpperCase());
  });
  add('GET', '/api/v3/order', true, w(4), (c) => spotOrderJson(c.engine.getOrder(c.account, 'spot', ref(c.params))));
  add('DELETE', '/api/v3/order', true, w(1), (c) => spotCancelJson(c.engine.cancel(c.account, 'spot', ref(c.params))));
  add('GET', '/api/v3/openOrders', true, bySymbol(6, 80), (c) => c.engine.openOrders(c.account, 'spot', str(c.params, 'symbol')).map(spotOrderJson));
  add('DELETE', '/api/v3/openOrders', true, w(1), (c) => {
    const sym = str(c.params, 'symbol');
    if (!sym) throw errors.mandatory('symbol');
    return c.engine.openOrders(c.account, 'spot', sym).map((o) => spotCancelJson(c.engine.cancel(c.account, 'spot', { symbol: sym, orderId: String(o.orderId) })));
  });
  add('GET', '/api/v3/allOrders', true, w(20), (c) =>
    c.engine
      .allOrders(c.account, 'spot', str(c.params, 'symbol'), { orderId: int(c.params, 'orderId'), startTime: int(c.params, 'startTime'), endTime: int(c.params, 'endTime'), limit: limitParam(c.params, 500, 1000) })
      .map(spotOrderJson),
  );
  add('GET', '/api/v3/myTrades', true, w(20), (c) =>
    c.engine
      .myTrades(c.account, 'spot', str(c.params, 'symbol'), {
        fromId: int(c.params, 'fromId'),
        orderId: int(c.params, 'orderId'),
        startTime: int(c.params, 'startTime'),
        endTime: int(c.params, 'endTime'),
        limit: limitParam(c.params, 500, 1000),
      })
      .map(spotTradeJson),
  );

  // ---- sapi (what ccxt's loadMarkets asks for when it has keys)
  add('GET', '/sapi/v1/system/status', false, w(1), () => ({ status: 0, msg: 'normal' }));
  add('GET', '/sapi/v1/margin/allPairs', true, w(1), () => []);
  add('GET', '/sapi/v1/margin/isolated/allPairs', true, w(10), () => []);
  add('GET', '/sapi/v1/capital/config/getall', true, w(10), (c) => {
    const a = c.engine.account(c.account);
    const assets = new Set<string>();
    for (const m of c.engine.marketsOf('spot')) assets.add(m.base).add(m.quote);
    for (const k of a.spot.keys()) assets.add(k);
    return [...assets].sort().map((coin) => {
      const b = a.spot.get(coin) ?? { free: 0, locked: 0 };
      return { coin, name: coin, depositAllEnable: false, withdrawAllEnable: false, free: fixed8(b.free), locked: fixed8(b.locked), freeze: '0', withdrawing: '0', ipoing: '0', ipoable: '0', storage: '0', isLegalMoney: false, trading: true, networkList: [] };
    });
  });
  add('GET', '/sapi/v1/asset/tradeFee', true, w(1), (c) =>
    c.engine.marketsOf('spot').map((m) => ({ symbol: m.id, makerCommission: num(m.makerFee), takerCommission: num(m.takerFee) })),
  );

  // ---- USDT-M futures, signed
  add('POST', '/fapi/v1/order', true, w(1), (c) => futuresOrderJson(c.engine.place(c.account, 'futures', newOrderParams(c.params)).order));
  add('GET', '/fapi/v1/order', true, w(1), (c) => futuresOrderJson(c.engine.getOrder(c.account, 'futures', ref(c.params))));
  add('DELETE', '/fapi/v1/order', true, w(1), (c) => futuresOrderJson(c.engine.cancel(c.account, 'futures', ref(c.params))));
  add('GET', '/fapi/v1/openOrders', true, bySymbol(1, 40), (c) => c.engine.openOrders(c.account, 'futures', str(c.params, 'symbol')).map(futuresOrderJson));
  add('GET', '/fapi/v1/allOrders', true, w(5), (c) =>
    c.engine
      .allOrders(c.account, 'futures', str(c.params, 'symbol'), { orderId: int(c.params, 'orderId'), startTime: int(c.params, 'startTime'), endTime: int(c.params, 'endTime'), limit: limitParam(c.params, 500, 1000) })
      .map(futuresOrderJson),
  );
  add('GET', '/fapi/v1/userTrades', true, w(5), (c) =>
    c.engine
      .myTrades(c.account, 'futures', str(c.params, 'symbol'), {
        fromId: int(c.params, 'fromId'),
        orderId: int(c.params, 'orderId'),
        startTime: int(c.params, 'startTime'),
        endTime: int(c.params, 'endTime'),
        limit: limitParam(c.params, 500, 1000),
      })
      .map(futuresTradeJson),
  );
  // conditional orders go through Binance's algo-order API (ccxt sends stops and take-profits there)
  const algoParams = (p: URLSearchParams) => ({ ...newOrderParams(p), stopPrice: str(p, 'triggerPrice'), newClientOrderId: str(p, 'clientAlgoId') });
  const algoRef = (p: URLSearchParams) => ({ symbol: str(p, 'symbol'), orderId: str(p, 'algoId'), origClientOrderId: str(p, 'clientAlgoId') });
  add('POST', '/fapi/v1/algoOrder', true, w(1), (c) => {
    const t = str(c.params, 'algoType');
    if (t !== undefined && t !== 'CONDITIONAL') throw errors.badParam('algoType', 'CONDITIONAL', t);
    return futuresAlgoJson(c.engine.place(c.account, 'futures', algoParams(c.params), { algo: true }).order);
  });
  add('GET', '/fapi/v1/algoOrder', true, w(1), (c) => futuresAlgoJson(c.engine.getOrder(c.account, 'futures', algoRef(c.params), true)));
  add('DELETE', '/fapi/v1/algoOrder', true, w(1), (c) => ({ ...futuresAlgoJson(c.engine.cancel(c.account, 'futures', algoRef(c.params), true)), code: '200', msg: 'success' }));
  add('GET', '/fapi/v1/openAlgoOrders', true, bySymbol(1, 40), (c) => c.engine.openOrders(c.account, 'futures', str(c.params, 'symbol'), true).map(futuresAlgoJson));
  add('POST', '/fapi/v1/leverage', true, w(1), (c) => {
    const r = c.engine.setLeverage(c.account, str(c.params, 'symbol'), str(c.params, 'leverage'));
    return { ...r, maxNotionalValue: '1000000000' };
  });
  add('GET', '/fapi/v1/leverageBracket', true, w(1), (c) =>
    c.engine.marketsOf('futures').map((m) => ({
      symbol: m.id,
      brackets: [{ bracket: 1, initialLeverage: 125, notionalCap: 1e12, notionalFloor: 0, maintMarginRatio: 0.004, cum: 0 }],
    })),
  );
  add('GET', '/fapi/v1/positionSide/dual', true, w(30), () => ({ dualSidePosition: false }));
  add('GET', '/fapi/v1/multiAssetsMargin', true, w(30), () => ({ multiAssetsMargin: false }));
  add('GET', '/fapi/v1/commissionRate', true, w(20), (c) => {
    const m = c.engine.market('futures', str(c.params, 'symbol'));
    return { symbol: m.id, makerCommissionRate: num(m.makerFee), takerCommissionRate: num(m.takerFee) };
  });
  add('GET', '/fapi/v1/premiumIndex', false, bySymbol(1, 10), (c) =>
    perSymbol('futures', c, (m) => ({ symbol: m.id, markPrice: num(c.engine.price(m)), indexPrice: num(c.engine.price(m)), estimatedSettlePrice: num(c.engine.price(m)), lastFundingRate: '0', interestRate: '0', nextFundingTime: 0, time: c.engine.now })),
  );
  add('GET', '/fapi/v1/fundingRate', false, w(1), () => []);
  for (const v of ['v2', 'v3']) {
    add('GET', `/fapi/${v}/account`, true, w(5), futuresAccount);
    add('GET', `/fapi/${v}/balance`, true, w(5), (c) => [futuresAssets(c)]);
    add('GET', `/fapi/${v}/positionRisk`, true, w(5), futuresPositions);
  }

  // ---- coin-M: nothing is listed, but ccxt's loadMarkets asks
  add('GET', '/dapi/v1/exchangeInfo', false, w(1), (c) => ({ timezone: 'UTC', serverTime: c.engine.now, rateLimits: rateLimits(c), exchangeFilters: [], symbols: [] }));
  add('GET', '/dapi/v1/ping', false, w(1), () => ({}));
  add('GET', '/dapi/v1/time', false, w(1), (c) => ({ serverTime: c.engine.now }));
  return routes;
}

function spotCancelJson(o: Order): Record<string, unknown> {
  const j = spotOrderJson(o);
  return {
    symbol: j.symbol,
    origClientOrderId: o.clientOrderId,
    orderId: o.orderId,
    orderListId: -1,
    clientOrderId: o.clientOrderId,
    transactTime: o.updateTime,
    price: j.price,
    origQty: j.origQty,
    executedQty: j.executedQty,
    cummulativeQuoteQty: j.cummulativeQuoteQty,
    status: o.status,
    timeInForce: o.timeInForce,
    type: o.type,
    side: o.side,
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
}
