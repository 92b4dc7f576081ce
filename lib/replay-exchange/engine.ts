import { isoTime, lowerBound, QuantlabError } from '../core';
import { Account, type AccountConfig, type AccountState } from './accounts';
import { BinanceError, errors } from './errors';
import { makeMarket, type MarketInput, type MarketKind, type MarketSpec } from './markets';
import { onMove, settleFutures, settleSpot, signed, toTick, triggerHit, limitCrossed } from './matching';
import { floorToStep, onStep, parseDecimal, round8 } from './numbers';
import { FUTURES_TYPES, isConditional, isFutures, isMarketLike, SPOT_TYPES, type Order, type OrderType, type Side, type Trade } from './orders';
import { barAtOrBefore, formingCandle, forEachMove, priceAt, type Candle, type Move } from './price-path';

/**
 * The replay exchange without HTTP: markets replayed from datasets on a clock, accounts, orders, matching.
 * "Now" is the replay clock: klines show only bars that opened at or before it (the last one still forming),
 * market orders fill at the replayed price, resting orders fill as the clock moves the price across them.
 */

export interface EngineOptions {
  markets: MarketInput[];
  /** Accounts to open (credentials are used only for the account id here). */
  accounts?: AccountConfig[];
  /** Clock start (epoch ms or ISO text), snapped to the next bar open; default: 1000 bars into the data. */
  start?: number | string;
  /** Market orders fill this many basis points worse than the replayed price. Default 0. */
  slippageBps?: number;
}

/** Everything that changes as the exchange runs, as plain JSON (no credentials). */
export interface EngineState {
  version: 1;
  now: number;
  start: number;
  nextOrderId: number;
  nextTradeId: number;
  markets: Array<{ key: string; rows: number; first: number; last: number }>;
  accounts: AccountState[];
  orders: Order[];
  trades: Trade[];
}

/** Parameters of a new order, as Binance names them (all text, as they arrive over HTTP). */
export interface NewOrderParams {
  symbol?: string;
  side?: string;
  type?: string;
  quantity?: string;
  quoteOrderQty?: string;
  price?: string;
  stopPrice?: string;
  timeInForce?: string;
  newClientOrderId?: string;
  reduceOnly?: string;
}

/** Identifies an order by id or client order id. */
export interface OrderRef {
  symbol?: string;
  orderId?: string;
  origClientOrderId?: string;
}

const CLIENT_ID = /^[.A-Za-z0-9:/_-]{1,36}$/;

export class ReplayEngine {
  readonly markets: MarketSpec[];
  private readonly byKey = new Map<string, MarketSpec>();
  readonly start: number;
  readonly end: number;
  now: number;
  readonly accounts = new Map<string, Account>();
  private readonly orders = new Map<number, Order>();
  private readonly open = new Map<string, Order[]>();
  private readonly trades: Trade[] = [];
  private nextOrderId = 1;
  private nextTradeId = 1;
  private readonly slippage: number;
  /** Called after anything changed (an order, a fill, the clock). */
  onChange?: () => void;
  /** Receives one line per order event (no credentials). */
  log?: (line: string) => void;

  constructor(opts: EngineOptions, state?: EngineState) {
    if (!opts.markets?.length) throw new QuantlabError('BAD_ARGUMENT', 'replay exchange: expected at least one dataset to replay, found none');
    this.markets = opts.markets.map(makeMarket);
    for (const m of this.markets) {
      if (this.byKey.has(m.key)) throw new QuantlabError('BAD_ARGUMENT', `replay exchange: ${m.kind} market ${m.id} is listed twice`);
      this.byKey.set(m.key, m);
      this.open.set(m.key, []);
    }
    this.end = Math.max(...this.markets.map((m) => m.bars.ts[m.bars.ts.length - 1]! + m.tfMs));
    this.slippage = (opts.slippageBps ?? 0) / 10_000;
    if (state) {
      this.restore(state);
      this.start = state.start;
      this.now = state.now;
    } else {
      this.start = this.initialTime(opts.start);
      this.now = this.start;
    }
    for (const cfg of opts.accounts ?? []) this.openAccount(cfg);
  }

  private initialTime(start: number | string | undefined): number {
    if (start === undefined) return Math.max(...this.markets.map((m) => m.bars.ts[Math.min(1000, m.bars.ts.length - 1)]!));
    const t = typeof start === 'number' ? start : Date.parse(start);
    if (!Number.isFinite(t)) throw new QuantlabError('BAD_ARGUMENT', `replay exchange start: expected an epoch ms time or ISO date, found '${start}'`);
    let best = Infinity;
    for (const m of this.markets) {
      const i = lowerBound(m.bars.ts, t);
      if (i < m.bars.ts.length) best = Math.min(best, m.bars.ts[i]!);
    }
    if (best === Infinity) {
      const ranges = this.markets.map((m) => `${m.id} ${isoTime(m.bars.ts[0]!)}..${isoTime(m.bars.ts[m.bars.ts.length - 1]!)}`);
      throw new QuantlabError('BAD_ARGUMENT', `replay exchange start ${isoTime(t)}: expected a time inside the data (${ranges.join('; ')})`);
    }
    return best;
  }

  /** Opens the account of a key unless it exists (from a restored state). */
  openAccount(cfg: AccountConfig): Account {
    const fresh = Account.open(cfg);
    const have = this.accounts.get(fresh.id);
    if (have) return have;
    this.accounts.set(fresh.id, fresh);
    return fresh;
  }

  account(id: string): Account {
    const a = this.accounts.get(id);
    if (!a) throw errors.badKey();
    return a;
  }

  /** The market of a symbol on one API (spot or futures); throws Binance's -1121 naming what is listed. */
  market(kind: MarketKind, symbol: string | undefined): MarketSpec {
    if (!symbol) throw errors.mandatory('symbol');
    const m = this.byKey.get(`${kind}:${symbol.toUpperCase()}`);
    if (!m) throw errors.unknownSymbol(symbol, this.markets.filter((x) => x.kind === kind).map((x) => x.id));
    return m;
  }

  marketsOf(kind: MarketKind): MarketSpec[] {
    return this.markets.filter((m) => m.kind === kind);
  }

  /** The replayed price of a market now. */
  price(m: MarketSpec): number {
    return priceAt(m, this.now);
  }

  /** True when the clock reached the end of every dataset. */
  get ended(): boolean {
    return this.now >= this.end;
  }

  /** The next bar open after now over all markets (or the end of the data). */
  nextBarTime(): number {
    let next = Infinity;
    for (const m of this.markets) {
      const i = barAtOrBefore(m, this.now) + 1;
      if (i < m.bars.ts.length) next = Math.min(next, m.bars.ts[i]!);
    }
    return next === Infinity ? this.end : next;
  }

  /** Moves the clock to the next bar open, `n` times. Returns how many steps were taken (fewer at the end of the data). */
  step(n = 1): number {
    let done = 0;
    for (; done < n && !this.ended; done++) this.advanceTo(this.nextBarTime());
    return done;
  }

  /** Moves the clock forward to `t` (capped at the end of the data), trading resting orders on the way. */
  advanceTo(t: number): void {
    const target = Math.min(t, this.end);
    if (!(target > this.now)) return;
    const moves: Array<{ m: MarketSpec; mv: Move }> = [];
    for (const m of this.markets) {
      if (!this.open.get(m.key)!.length) continue;
      forEachMove(m, this.now, target, (mv) => moves.push({ m, mv }));
    }
    moves.sort((a, b) => a.mv.t - b.mv.t);
    for (const { m, mv } of moves) {
      this.now = mv.t;
      this.matchMove(m, mv);
    }
    this.now = target;
    this.onChange?.();
  }

  private matchMove(m: MarketSpec, mv: Move): void {
    const list = this.open.get(m.key)!;
    if (!list.length) return;
    // orders closer to the move's start are reached first
    const level = (o: Order) => (isConditional(o.type) && !o.triggered ? o.stopPrice : o.price);
    const sorted = [...list].sort((a, b) => Math.abs(level(a) - mv.from) - Math.abs(level(b) - mv.from) || a.orderId - b.orderId);
    for (const o of sorted) {
      if (o.status !== 'NEW') continue;
      const r = onMove(o, mv);
      if (r.trigger !== undefined) {
        o.triggered = true;
        o.updateTime = mv.t;
        this.log?.(`order ${o.orderId} ${o.symbol} ${o.type} ${o.side} triggered at ${r.trigger}`);
      }
      if (r.fill !== undefined) {
        const p = isMarketLike(o.type, isFutures(o)) && !r.maker ? this.slipped(m, o.side, r.fill) : r.fill;
        this.fill(m, o, p, r.maker ?? false, mv.t);
      }
    }
  }

  private slipped(m: MarketSpec, side: Side, p: number): number {
    return toTick(m, p * (1 + (side === 'BUY' ? this.slippage : -this.slippage)));
  }

  /** Fills the rest of an order at `price`; an account that cannot pay gets the order expired. */
  private fill(m: MarketSpec, o: Order, price: number, maker: boolean, time: number): Trade | undefined {
    const a = this.account(o.account);
    const r = m.kind === 'spot' ? settleSpot(a, m, o, price, maker, time) : settleFutures(a, m, o, price, maker, time);
    if (!r.ok) {
      this.finish(o, 'EXPIRED', time);
      this.log?.(`order ${o.orderId} ${o.symbol} expired: ${r.reason}`);
      return undefined;
    }
    const trade: Trade = { id: this.nextTradeId++, ...r.trade };
    this.trades.push(trade);
    o.executedQty = round8(o.executedQty + trade.qty);
    o.cumQuote = round8(o.cumQuote + trade.quoteQty);
    o.trades.push(trade.id);
    this.finish(o, 'FILLED', time);
    this.log?.(`order ${o.orderId} ${o.symbol} ${o.side} filled ${trade.qty} @ ${trade.price} (${maker ? 'maker' : 'taker'}, fee ${trade.commission} ${trade.commissionAsset})`);
    return trade;
  }

  private finish(o: Order, status: Order['status'], time: number): void {
    o.status = status;
    o.updateTime = time;
    if (o.lockedAmount > 0) {
      this.account(o.account).unlock(o.lockedAsset, o.lockedAmount);
      o.lockedAmount = 0;
    }
    const list = this.open.get(o.market)!;
    const i = list.indexOf(o);
    if (i >= 0) list.splice(i, 1);
  }

  /**
   * Places an order for an account. Checks the parameters and the market's filters the way Binance does
   * (same error codes), locks spot funds or checks futures margin, fills market and marketable orders at
   * once. Returns the order and the trades it made.
   */
  place(accountId: string, kind: MarketKind, p: NewOrderParams, options: { algo?: boolean } = {}): { order: Order; trades: Trade[] } {
    const a = this.account(accountId);
    const m = this.market(kind, p.symbol);
    const algo = Boolean(options.algo);
    const side = (p.side ?? '').toUpperCase();
    if (!p.side) throw errors.mandatory('side');
    if (side !== 'BUY' && side !== 'SELL') throw errors.badSide(p.side);
    if (!p.type) throw errors.mandatory('type');
    const type = p.type.toUpperCase() as OrderType;
    const allowed = kind === 'spot' ? SPOT_TYPES : FUTURES_TYPES;
    if (!allowed.includes(type)) throw errors.badType(p.type, allowed);
    if (algo && !isConditional(type)) throw errors.badType(p.type, allowed.filter(isConditional));
    const clientOrderId = p.newClientOrderId ?? `replay-${this.nextOrderId}`;
    if (!CLIENT_ID.test(clientOrderId)) {
      throw errors.badParam('newClientOrderId', '^[\\.A-Z\\:/a-z0-9_-]{1,36}$', clientOrderId);
    }
    if (this.open.get(m.key)!.some((o) => o.account === a.id && o.clientOrderId === clientOrderId)) throw errors.duplicate(clientOrderId);
    const now = this.now;
    const mkt = toTick(m, this.price(m));

    // price, trigger and time in force
    const needsPrice = !isMarketLike(type, kind === 'futures');
    let price = 0;
    if (needsPrice) {
      if (p.price === undefined) throw errors.mandatory('price');
      price = parseDecimal(p.price);
      if (!Number.isFinite(price)) throw errors.badParam('price', 'a decimal number', p.price);
      this.checkPrice(m, price, 'price');
    }
    let stopPrice = 0;
    if (isConditional(type)) {
      if (p.stopPrice === undefined) throw errors.mandatory('stopPrice');
      stopPrice = parseDecimal(p.stopPrice);
      if (!Number.isFinite(stopPrice)) throw errors.badParam('stopPrice', 'a decimal number', p.stopPrice);
      this.checkPrice(m, stopPrice, 'stopPrice');
    }
    let tif: Order['timeInForce'] = 'GTC';
    const tifNeeded = needsPrice && type !== 'LIMIT_MAKER' && (kind === 'spot' || type === 'LIMIT');
    if (p.timeInForce !== undefined) {
      const t = p.timeInForce.toUpperCase();
      if (t !== 'GTC' && t !== 'IOC' && t !== 'FOK' && !(kind === 'futures' && t === 'GTX')) throw errors.badTif(p.timeInForce);
      tif = t as Order['timeInForce'];
    } else if (tifNeeded && kind === 'spot') throw errors.mandatory('timeInForce');

    // quantity
    let qty: number;
    if (p.quantity !== undefined) {
      qty = parseDecimal(p.quantity);
      if (!Number.isFinite(qty)) throw errors.badParam('quantity', 'a decimal number', p.quantity);
    } else if (p.quoteOrderQty !== undefined && kind === 'spot' && type === 'MARKET') {
      const q = parseDecimal(p.quoteOrderQty);
      if (!(q > 0)) throw errors.badParam('quoteOrderQty', 'a decimal number > 0', p.quoteOrderQty);
      qty = floorToStep(q / this.slipped(m, side, mkt), m.stepSize);
    } else throw errors.mandatory('quantity');
    if (qty < m.minQty || qty > m.maxQty || !onStep(qty, m.stepSize)) {
      throw errors.filter('LOT_SIZE', `${m.id} quantity: expected a multiple of ${m.stepSize} from ${m.minQty} to ${m.maxQty}, found ${qty}`);
    }
    const reduceOnly = p.reduceOnly === 'true';
    if (reduceOnly && kind === 'spot') throw errors.unsupported('reduceOnly is a futures parameter; spot orders cannot be reduce-only');
    const refPrice = type === 'MARKET' ? mkt : price || stopPrice;
    if (!reduceOnly && refPrice * qty < m.minNotional) {
      if (kind === 'spot') throw errors.filter('NOTIONAL', `${m.id} notional: expected price × quantity >= ${m.minNotional} ${m.quote}, found ${round8(refPrice * qty)}`);
      throw new BinanceError(400, -4164, `Order's notional must be no smaller than ${m.minNotional} (unless you choose reduce only).`, `${m.id}: price × quantity = ${round8(refPrice * qty)}`);
    }

    // orders that would act at once
    if (isConditional(type) && triggerHit({ type, side, stopPrice } as Order, mkt)) {
      const detail = `${m.id} ${type} ${side} stopPrice ${stopPrice} is already reached at the current price ${mkt}`;
      if (kind === 'spot') throw errors.wouldTrigger(detail);
      throw new BinanceError(400, -2021, 'Order would trigger immediately.', detail);
    }
    const marketable = (type === 'LIMIT' || type === 'LIMIT_MAKER') && limitCrossed({ side, price } as Order, mkt);
    if (type === 'LIMIT_MAKER' && marketable) throw errors.wouldTake(`${m.id} LIMIT_MAKER ${side} at ${price} would trade against the current price ${mkt}`);

    const order: Order = {
      orderId: this.nextOrderId++,
      clientOrderId,
      account: a.id,
      market: m.key,
      symbol: m.id,
      side: side as Side,
      type,
      timeInForce: tif,
      price,
      stopPrice,
      origQty: qty,
      executedQty: 0,
      cumQuote: 0,
      status: 'NEW',
      triggered: false,
      reduceOnly,
      time: now,
      updateTime: now,
      lockedAsset: '',
      lockedAmount: 0,
      trades: [],
      ...(algo ? { algo: true } : {}),
    };

    // funds
    if (kind === 'spot') this.lockSpot(a, m, order, type === 'MARKET' ? this.slipped(m, order.side, mkt) : price || stopPrice);
    else this.checkMargin(a, m, order, type === 'MARKET' ? mkt : price || stopPrice);

    this.orders.set(order.orderId, order);
    this.open.get(m.key)!.push(order);
    this.log?.(`order ${order.orderId} ${m.id} ${type} ${side} ${qty}${price ? ` @ ${price}` : ''}${stopPrice ? ` stop ${stopPrice}` : ''} accepted`);
    const trades: Trade[] = [];
    if (type === 'MARKET' || marketable) {
      if (marketable && tif === 'GTX') this.finish(order, 'EXPIRED', now);
      else {
        const t = this.fill(m, order, type === 'MARKET' ? this.slipped(m, order.side, mkt) : mkt, false, now);
        if (t) trades.push(t);
      }
    } else if (type === 'LIMIT' && (tif === 'IOC' || tif === 'FOK')) {
      this.finish(order, 'EXPIRED', now);
    }
    this.onChange?.();
    return { order, trades };
  }

  private checkPrice(m: MarketSpec, v: number, name: string): void {
    if (v < m.minPrice || v > m.maxPrice || !onStep(v, m.tickSize)) {
      throw errors.filter('PRICE_FILTER', `${m.id} ${name}: expected a multiple of ${m.tickSize} from ${m.minPrice} to ${m.maxPrice}, found ${v}`);
    }
  }

  private lockSpot(a: Account, m: MarketSpec, o: Order, price: number): void {
    const asset = o.side === 'BUY' ? m.quote : m.base;
    const need = o.side === 'BUY' ? round8(price * o.origQty) : o.origQty;
    const free = a.balance(asset).free;
    if (free < need) {
      throw errors.insufficient(`${m.id} ${o.type} ${o.side} ${o.origQty}: needs ${need} ${asset}, free ${free} ${asset}`);
    }
    a.lock(asset, need);
    o.lockedAsset = asset;
    o.lockedAmount = need;
  }

  /** USDT-M: initial margin of positions and open orders, unrealized PnL and what is free to use. */
  futuresSummary(a: Account): { wallet: number; upnl: number; positionMargin: number; orderMargin: number; available: number } {
    let upnl = 0;
    let positionMargin = 0;
    for (const [sym, pos] of a.positions) {
      if (pos.amt === 0) continue;
      const m = this.byKey.get(`futures:${sym}`);
      if (!m) continue;
      const mark = this.price(m);
      upnl += (mark - pos.entry) * pos.amt;
      positionMargin += (Math.abs(pos.amt) * mark) / a.leverageOf(sym);
    }
    let orderMargin = 0;
    for (const m of this.marketsOf('futures')) {
      for (const o of this.open.get(m.key)!) {
        if (o.account !== a.id || o.reduceOnly) continue;
        orderMargin += ((o.price || o.stopPrice || this.price(m)) * (o.origQty - o.executedQty)) / a.leverageOf(m.id);
      }
    }
    const available = a.wallet + Math.min(0, upnl) - positionMargin - orderMargin;
    return { wallet: a.wallet, upnl: round8(upnl), positionMargin: round8(positionMargin), orderMargin: round8(orderMargin), available: round8(available) };
  }

  private checkMargin(a: Account, m: MarketSpec, o: Order, price: number): void {
    const pos = a.position(m.id);
    const s = signed(o.side, o.origQty);
    if (o.reduceOnly) {
      if (pos.amt === 0 || Math.sign(pos.amt) === Math.sign(s)) {
        throw errors.reduceOnly(`${m.id} reduce-only ${o.side} ${o.origQty} would not reduce the position (${pos.amt})`);
      }
      return;
    }
    // only the part that opens or adds exposure needs margin
    const opening = Math.sign(pos.amt) === Math.sign(s) || pos.amt === 0 ? o.origQty : Math.max(0, o.origQty - Math.abs(pos.amt));
    if (opening <= 0) return;
    const need = round8((opening * price) / a.leverageOf(m.id) + opening * price * m.takerFee);
    const { available } = this.futuresSummary(a);
    if (need > available) {
      throw errors.marginInsufficient(`${m.id} ${o.side} ${o.origQty} at ${price} with leverage ${a.leverageOf(m.id)}: needs ${need} ${m.quote} margin, available ${available}`);
    }
  }

  private findOrder(accountId: string, m: MarketSpec, ref: OrderRef, notFound: (d: string) => BinanceError, algo = false): Order {
    if (ref.orderId === undefined && ref.origClientOrderId === undefined) throw errors.mandatory('orderId');
    let o: Order | undefined;
    if (ref.orderId !== undefined) {
      o = this.orders.get(Number(ref.orderId));
      if (o && ref.origClientOrderId !== undefined && o.clientOrderId !== ref.origClientOrderId) o = undefined;
    } else {
      // the newest order with that client id (ids may be reused once an order is closed)
      for (const x of this.orders.values()) if (x.account === accountId && x.market === m.key && x.clientOrderId === ref.origClientOrderId && Boolean(x.algo) === algo) o = x;
    }
    if (!o || o.account !== accountId || o.market !== m.key || Boolean(o.algo) !== algo) {
      const what = ref.orderId !== undefined ? `orderId ${ref.orderId}` : `origClientOrderId '${ref.origClientOrderId}'`;
      throw notFound(`no order with ${what} in ${m.id} for this account`);
    }
    return o;
  }

  /** The order an id or client order id names (Binance -2013 when there is none). */
  getOrder(accountId: string, kind: MarketKind, ref: OrderRef, algo = false): Order {
    const m = this.market(kind, ref.symbol);
    return this.findOrder(accountId, m, ref, errors.noSuchOrder, algo);
  }

  /** Cancels an open order (Binance -2011 when it is unknown or no longer open). Returns it. */
  cancel(accountId: string, kind: MarketKind, ref: OrderRef, algo = false): Order {
    const m = this.market(kind, ref.symbol);
    const o = this.findOrder(accountId, m, ref, errors.unknownOrder, algo);
    if (o.status !== 'NEW') throw errors.unknownOrder(`order ${o.orderId} ('${o.clientOrderId}') in ${m.id} is ${o.status}, not open`);
    this.finish(o, 'CANCELED', this.now);
    this.log?.(`order ${o.orderId} ${m.id} canceled`);
    this.onChange?.();
    return o;
  }

  /** Open orders of an account (in one market or all of one API), oldest first. */
  openOrders(accountId: string, kind: MarketKind, symbol?: string, algo = false): Order[] {
    const ms = symbol ? [this.market(kind, symbol)] : this.marketsOf(kind);
    return ms.flatMap((m) => this.open.get(m.key)!.filter((o) => o.account === accountId && Boolean(o.algo) === algo)).sort((a, b) => a.orderId - b.orderId);
  }

  /** All orders of an account in a market, filtered like Binance's allOrders (orderId >=, time range, limit). */
  allOrders(accountId: string, kind: MarketKind, symbol: string | undefined, q: { orderId?: number; startTime?: number; endTime?: number; limit?: number }): Order[] {
    const m = this.market(kind, symbol);
    const out: Order[] = [];
    for (const o of this.orders.values()) {
      if (o.account !== accountId || o.market !== m.key || o.algo) continue;
      if (q.orderId !== undefined && o.orderId < q.orderId) continue;
      if (q.startTime !== undefined && o.time < q.startTime) continue;
      if (q.endTime !== undefined && o.time > q.endTime) continue;
      out.push(o);
    }
    const limit = q.limit ?? 500;
    return q.startTime === undefined && q.orderId === undefined ? out.slice(-limit) : out.slice(0, limit);
  }

  /** Trades of an account in a market, filtered like Binance's myTrades (fromId, orderId, time range, limit). */
  myTrades(accountId: string, kind: MarketKind, symbol: string | undefined, q: { fromId?: number; orderId?: number; startTime?: number; endTime?: number; limit?: number }): Trade[] {
    const m = this.market(kind, symbol);
    const out = this.trades.filter(
      (t) =>
        t.account === accountId &&
        t.market === m.key &&
        (q.fromId === undefined || t.id >= q.fromId) &&
        (q.orderId === undefined || t.orderId === q.orderId) &&
        (q.startTime === undefined || t.time >= q.startTime) &&
        (q.endTime === undefined || t.time <= q.endTime),
    );
    const limit = q.limit ?? 500;
    return q.startTime === undefined && q.fromId === undefined ? out.slice(-limit) : out.slice(0, limit);
  }

  /** Trades of an order. */
  tradesOf(o: Order): Trade[] {
    return o.trades.map((id) => this.trades.find((t) => t.id === id)!).filter(Boolean);
  }

  /** Sets the leverage of a futures symbol for an account (1..125). */
  setLeverage(accountId: string, symbol: string | undefined, leverage: string | undefined): { leverage: number; symbol: string } {
    const a = this.account(accountId);
    const m = this.market('futures', symbol);
    const l = Number(leverage);
    if (!(Number.isInteger(l) && l >= 1 && l <= 125)) throw errors.leverage(String(leverage));
    a.leverage.set(m.id, l);
    this.onChange?.();
    return { leverage: l, symbol: m.id };
  }

  /**
   * Candles of a market at an interval that is a whole multiple of its timeframe, as Binance's klines
   * endpoint selects them: open time in [startTime, endTime], at most `limit`, the latest ones when no
   * startTime is given. Only bars that opened at or before now are visible; the last may be forming.
   */
  klines(m: MarketSpec, intervalMs: number, q: { startTime?: number; endTime?: number; limit: number }): Candle[] {
    const anchor = intervalMs % 604_800_000 === 0 ? 4 * 86_400_000 : 0;
    const bucket = (t: number) => anchor + Math.floor((t - anchor) / intervalMs) * intervalMs;
    const ts = m.bars.ts;
    const lastVisible = barAtOrBefore(m, Math.min(this.now, q.endTime ?? Infinity));
    const maxIndex = barAtOrBefore(m, this.now);
    const hiIndex = Math.min(maxIndex, lastVisible);
    const build = (i0: number, i1: number): Candle => {
      // bars [i0, i1] form one candle
      const last = i1 === maxIndex ? formingCandle(m, this.now) : undefined;
      let hi = -Infinity;
      let lo = Infinity;
      let vol = 0;
      for (let i = i0; i <= i1; i++) {
        const c = i === i1 && last ? last : undefined;
        hi = Math.max(hi, c ? c.high : m.bars.high[i]!);
        lo = Math.min(lo, c ? c.low : m.bars.low[i]!);
        vol += c ? c.volume : m.bars.volume[i]!;
      }
      const start = bucket(ts[i0]!);
      return {
        ts: start,
        open: m.bars.open[i0]!,
        high: hi,
        low: lo,
        close: last ? last.close : m.bars.close[i1]!,
        volume: i0 === i1 ? (last ? last.volume : m.bars.volume[i0]!) : round8(vol),
        closed: start + intervalMs <= this.now,
      };
    };
    const out: Candle[] = [];
    if (hiIndex < 0) return out;
    if (q.startTime !== undefined) {
      let i = lowerBound(ts, bucket(q.startTime) < q.startTime ? bucket(q.startTime) + intervalMs : q.startTime);
      while (i <= hiIndex && out.length < q.limit) {
        const b = bucket(ts[i]!);
        let j = i;
        while (j + 1 <= maxIndex && bucket(ts[j + 1]!) === b) j++;
        if (q.endTime !== undefined && b > q.endTime) break;
        out.push(build(i, j));
        i = j + 1;
      }
      return out;
    }
    let j = hiIndex;
    // extend the last bucket to the bars after hiIndex that belong to it (when endTime cut inside it)
    while (j + 1 <= maxIndex && bucket(ts[j + 1]!) === bucket(ts[j]!)) j++;
    while (j >= 0 && out.length < q.limit) {
      const b = bucket(ts[j]!);
      let i = j;
      while (i - 1 >= 0 && bucket(ts[i - 1]!) === b) i--;
      if (q.endTime === undefined || b <= q.endTime) out.push(build(i, j));
      j = i - 1;
    }
    return out.reverse();
  }

  /** Rolling 24-hour statistics of a market at now. */
  ticker24h(m: MarketSpec): { open: number; high: number; low: number; last: number; volume: number; quoteVolume: number; openTime: number; count: number } {
    const from = this.now - 86_400_000;
    const candles = this.klines(m, m.tfMs, { startTime: from, limit: Math.ceil(86_400_000 / m.tfMs) + 2 });
    const last = this.price(m);
    if (!candles.length) return { open: last, high: last, low: last, last, volume: 0, quoteVolume: 0, openTime: from, count: 0 };
    let high = -Infinity;
    let low = Infinity;
    let volume = 0;
    let quoteVolume = 0;
    for (const c of candles) {
      high = Math.max(high, c.high);
      low = Math.min(low, c.low);
      volume += c.volume;
      quoteVolume += (c.volume * (c.high + c.low + c.close)) / 3;
    }
    return { open: candles[0]!.open, high, low, last, volume: round8(volume), quoteVolume: round8(quoteVolume), openTime: candles[0]!.ts, count: candles.length };
  }

  /** Everything that changes, as plain JSON (no credentials). */
  snapshot(): EngineState {
    return {
      version: 1,
      now: this.now,
      start: this.start,
      nextOrderId: this.nextOrderId,
      nextTradeId: this.nextTradeId,
      markets: this.markets.map((m) => ({ key: m.key, rows: m.bars.ts.length, first: m.bars.ts[0]!, last: m.bars.ts[m.bars.ts.length - 1]! })),
      accounts: [...this.accounts.values()].map((a) => a.toState()),
      orders: [...this.orders.values()].map((o) => ({ ...o, trades: [...o.trades] })),
      trades: this.trades.map((t) => ({ ...t })),
    };
  }

  private restore(s: EngineState): void {
    if (s.version !== 1) throw new QuantlabError('BAD_ARGUMENT', `replay exchange state: expected version 1, found ${String(s.version)}`);
    const have = this.markets.map((m) => `${m.key} (${m.bars.ts.length} rows from ${isoTime(m.bars.ts[0]!)})`).join(', ');
    for (const sm of s.markets) {
      const m = this.byKey.get(sm.key);
      if (!m || m.bars.ts.length < sm.rows || m.bars.ts[0] !== sm.first) {
        throw new QuantlabError(
          'BAD_ARGUMENT',
          `replay exchange state: it was saved with ${sm.key} (${sm.rows} rows from ${isoTime(sm.first)}), but the data loaded now is ${have}; start the exchange with the same --data`,
        );
      }
    }
    this.nextOrderId = s.nextOrderId;
    this.nextTradeId = s.nextTradeId;
    for (const a of s.accounts) this.accounts.set(a.id, Account.fromState(a));
    for (const o of s.orders) {
      const copy = { ...o, trades: [...o.trades] };
      this.orders.set(o.orderId, copy);
      if (copy.status === 'NEW') this.open.get(copy.market)?.push(copy);
    }
    for (const t of s.trades) this.trades.push({ ...t });
  }
}
