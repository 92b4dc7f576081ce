import type { Bars } from '../core';

/**
 * The exchange port: the few things the runner and the paper broker need from an exchange, with no
 * exchange library in sight. `CcxtAdapter` implements it over any ccxt exchange (and so over the local
 * replay exchange); a paper broker can implement it in memory.
 *
 * Conventions: symbols are unified ('BTC/USDT', 'BTC/USDT:USDT' for USDT-M perpetuals); times are UTC
 * epoch ms; amounts are in the base asset; every order carries a client order id chosen by the caller,
 * which makes placing an order safe to repeat (an order lost in transit is found by that id).
 */
export interface ExchangePort {
  /** Exchange id, e.g. 'binance'. */
  readonly id: string;
  /** The exchange's clock (for the replay exchange: the replay clock). */
  time(): Promise<number>;
  /** Tradable markets with their filters and fees. */
  markets(): Promise<MarketInfo[]>;
  /**
   * Closed candles only (the still-forming bar is never returned), oldest first, as Bars.
   * `since` = first open time wanted; `limit` = at most this many (the latest ones when `since` is absent).
   */
  closedCandles(symbol: string, timeframe: string, options?: { since?: number; limit?: number }): Promise<Bars>;
  /** Places an order; resolves with its state right after the exchange accepted it (market orders are usually filled). */
  placeOrder(request: OrderRequest): Promise<OrderState>;
  /** Cancels an open order; resolves with its final state (also when it had filled or was cancelled already). */
  cancelOrder(symbol: string, ref: OrderRef): Promise<OrderState>;
  /** The order an id or client order id names, or undefined when the exchange does not know it. */
  fetchOrder(symbol: string, ref: OrderRef): Promise<OrderState | undefined>;
  /** Open orders, in one market or (when supported) all. */
  openOrders(symbol?: string): Promise<OrderState[]>;
  /** The account's fills in a market since a time. */
  myTrades(symbol: string, since?: number): Promise<Fill[]>;
  /** Balances per asset. */
  balances(): Promise<Record<string, BalanceLine>>;
  /** Positions: USDT-M positions for swap markets; for spot markets the base asset held. */
  positions(symbols?: string[]): Promise<Position[]>;
}

export interface MarketInfo {
  symbol: string;
  /** The exchange's own id ('BTCUSDT'). */
  id: string;
  base: string;
  quote: string;
  type: 'spot' | 'swap';
  /** Price step and amount step. */
  tickSize: number;
  stepSize: number;
  minAmount: number;
  /** Smallest price × amount accepted. */
  minCost: number;
  makerFee: number;
  takerFee: number;
}

export type OrderSide = 'buy' | 'sell';
/** market; limit; stop-market / stop-limit (work once `triggerPrice` is reached: sells at or below, buys at or above). */
export type OrderKind = 'market' | 'limit' | 'stop-market' | 'stop-limit';

export interface OrderRequest {
  symbol: string;
  side: OrderSide;
  type: OrderKind;
  amount: number;
  /** Limit price (limit and stop-limit). */
  price?: number;
  /** Trigger price (stop-market and stop-limit). */
  triggerPrice?: number;
  /** Required: unique per open order (letters, digits and . : / _ -, at most 36). */
  clientOrderId: string;
  /** Futures only: never increase the position. */
  reduceOnly?: boolean;
}

export interface OrderRef {
  id?: string;
  clientOrderId?: string;
}

export type OrderStatus = 'open' | 'closed' | 'canceled' | 'expired' | 'rejected';

export interface OrderState {
  id: string;
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  type: string;
  status: OrderStatus;
  amount: number;
  filled: number;
  /** Limit price (NaN for market orders). */
  price: number;
  /** Average fill price (NaN before any fill). */
  average: number;
  triggerPrice: number;
  /** Fees paid so far, by currency. */
  fees: Array<{ currency: string; cost: number }>;
  timestamp: number;
}

export interface Fill {
  id: string;
  orderId: string;
  symbol: string;
  side: OrderSide;
  price: number;
  amount: number;
  fee: number;
  feeCurrency: string;
  maker: boolean;
  timestamp: number;
}

export interface BalanceLine {
  free: number;
  used: number;
  total: number;
}

export interface Position {
  symbol: string;
  /** Signed size in base units: > 0 long, < 0 short. */
  amount: number;
  /** NaN when unknown (spot holdings). */
  entryPrice: number;
  unrealizedPnl: number;
}

/** What a caller should do after a failed exchange call (the adapter already retried what it could). */
export type FailureAction = 'retry-later' | 'skip' | 'stop';

/**
 * An exchange call that failed for good. `action`: 'retry-later' (transient: network, rate limit,
 * exchange down — the retries ran out, try again on the next bar), 'skip' (this request is refused:
 * insufficient funds, invalid order, unknown order — carry on without it), 'stop' (credentials,
 * permissions or configuration are wrong — stop the runner). The message names the operation, its
 * arguments and the exchange's answer, never a key or signature.
 */
export class ExchangePortError extends Error {
  constructor(
    message: string,
    readonly action: FailureAction,
    /** The exchange library's error class name ('InsufficientFunds', 'AuthenticationError', …). */
    readonly kind: string,
  ) {
    super(message);
    this.name = 'ExchangePortError';
  }
}
