import type { ResolvedOptions } from '../backtest';
import type { Bars } from '../core';
import {
  ExchangePortError,
  type BalanceLine,
  type ExchangePort,
  type Fill,
  type MarketInfo,
  type OrderRef,
  type OrderRequest,
  type OrderState,
  type Position,
} from './exchange-port';
import type { PaperOrderRow, StateStore } from './state-store';

/**
 * A paper account behind the exchange port: market data come from a real exchange port (public data),
 * orders are filled here with the backtester's cost model — a market order fills at the price the runner
 * quoted for it (the forming bar's open) moved by the slippage in basis points against the order, and pays
 * rate fee × notional + fixed fee in the quote currency. Orders and fills live in the runner's state file,
 * keyed by client order id, so placing the same order twice (after a crash) returns the first one.
 * Only market orders are supported: the runner places nothing else.
 */

type PaperRow = PaperOrderRow;

export interface PaperBrokerOptions {
  /** where prices, markets and candles come from. */
  data: ExchangePort;
  store: StateStore;
  /** the execution options (resolved): taker fee, fixed fee, slippage, initial cash. */
  options: ResolvedOptions;
}

export class PaperBroker implements ExchangePort {
  readonly id: string;
  private readonly quotes = new Map<string, { price: number; ts: number }>();
  private readonly data: ExchangePort;
  private readonly store: StateStore;
  private readonly o: ResolvedOptions;
  private marketList?: MarketInfo[];

  constructor(options: PaperBrokerOptions) {
    this.data = options.data;
    this.store = options.store;
    this.o = options.options;
    this.id = `paper:${this.data.id}`;
  }

  /** The price the next market order in `symbol` fills at (before slippage), and its time. */
  setQuote(symbol: string, price: number, ts: number): void {
    this.quotes.set(symbol, { price, ts });
  }

  time(): Promise<number> {
    return this.data.time();
  }

  async markets(): Promise<MarketInfo[]> {
    this.marketList ??= (await this.data.markets()).map((m) => ({ ...m, makerFee: this.o.maker, takerFee: this.o.taker }));
    return this.marketList;
  }

  closedCandles(symbol: string, timeframe: string, options?: { since?: number; limit?: number }): Promise<Bars> {
    return this.data.closedCandles(symbol, timeframe, options);
  }

  private row(clientId: string): PaperRow | undefined {
    return this.store.paperOrder({ clientId });
  }

  private async quoteCurrency(symbol: string): Promise<{ base: string; quote: string }> {
    const m = (await this.markets()).find((x) => x.symbol === symbol);
    if (!m) throw new ExchangePortError(`${this.id}: symbol '${symbol}' is not listed`, 'stop', 'BadSymbol');
    return { base: m.base, quote: m.quote };
  }

  private async state(r: PaperRow): Promise<OrderState> {
    const { quote } = await this.quoteCurrency(r.symbol);
    return {
      id: String(r.id),
      clientOrderId: r.client_id,
      symbol: r.symbol,
      side: r.side,
      type: 'market',
      status: 'closed',
      amount: r.amount,
      filled: r.amount,
      price: NaN,
      average: r.price,
      triggerPrice: NaN,
      fees: [{ currency: quote, cost: r.fee }],
      timestamp: r.ts,
    };
  }

  async placeOrder(req: OrderRequest): Promise<OrderState> {
    const have = this.row(req.clientOrderId);
    if (have) return this.state(have);
    if (req.type !== 'market') throw new ExchangePortError(`${this.id} placeOrder: only market orders are simulated, found '${req.type}'`, 'skip', 'NotSupported');
    if (!(req.amount > 0)) throw new ExchangePortError(`${this.id} placeOrder: amount must be > 0, found ${req.amount}`, 'skip', 'InvalidOrder');
    await this.quoteCurrency(req.symbol);
    const q = this.quotes.get(req.symbol);
    if (!q) throw new ExchangePortError(`${this.id} placeOrder ${req.symbol}: no quote to fill at yet`, 'retry-later', 'NetworkError');
    const dir = req.side === 'buy' ? 1 : -1;
    const price = q.price * (1 + dir * this.o.slip);
    const fee = req.amount * price * this.o.taker + this.o.fixedFee;
    this.store.addPaperOrder({ client_id: req.clientOrderId, symbol: req.symbol, side: req.side, amount: req.amount, price, fee, ts: q.ts });
    return this.state(this.row(req.clientOrderId)!);
  }

  async cancelOrder(symbol: string, ref: OrderRef): Promise<OrderState> {
    const s = await this.fetchOrder(symbol, ref);
    if (!s) throw new ExchangePortError(`${this.id} cancelOrder ${symbol}: no such order`, 'skip', 'OrderNotFound');
    return s;
  }

  async fetchOrder(symbol: string, ref: OrderRef): Promise<OrderState | undefined> {
    const r =
      ref.clientOrderId !== undefined
        ? this.row(ref.clientOrderId)
        : this.store.paperOrder({ id: Number(ref.id) });
    return r && r.symbol === symbol ? this.state(r) : undefined;
  }

  async openOrders(): Promise<OrderState[]> {
    return [];
  }

  private rows(symbol?: string): PaperRow[] {
    const all = this.store.paperOrders();
    return symbol ? all.filter((r) => r.symbol === symbol) : all;
  }

  async myTrades(symbol: string, since?: number): Promise<Fill[]> {
    const { quote } = await this.quoteCurrency(symbol);
    return this.rows(symbol)
      .filter((r) => since === undefined || r.ts >= since)
      .map((r) => ({ id: String(r.id), orderId: String(r.id), symbol, side: r.side, price: r.price, amount: r.amount, fee: r.fee, feeCurrency: quote, maker: false, timestamp: r.ts }));
  }

  async balances(): Promise<Record<string, BalanceLine>> {
    const out: Record<string, BalanceLine> = {};
    const add = (asset: string, v: number) => {
      const l = (out[asset] ??= { free: 0, used: 0, total: 0 });
      l.free += v;
      l.total += v;
    };
    const markets = await this.markets();
    const quote = markets[0]?.quote ?? 'USDT';
    add(quote, this.o.cash);
    for (const r of this.rows()) {
      const m = markets.find((x) => x.symbol === r.symbol);
      if (!m) continue;
      const d = r.side === 'buy' ? r.amount : -r.amount;
      add(m.quote, -(d * r.price + r.fee));
      add(m.base, d);
    }
    return out;
  }

  async positions(symbols?: string[]): Promise<Position[]> {
    const by = new Map<string, number>();
    for (const r of this.rows()) {
      const d = r.side === 'buy' ? r.amount : -r.amount;
      const u = by.get(r.symbol) ?? 0;
      by.set(r.symbol, d === -u ? 0 : u + d);
    }
    const wanted = symbols ?? [...by.keys()];
    return wanted.map((s) => ({ symbol: s, amount: by.get(s) ?? 0, entryPrice: NaN, unrealizedPnl: NaN }));
  }
}
