import { fixed8, num } from './numbers';

/** Order types the replay exchange accepts (spot and USDT-M names). */
export type OrderType =
  | 'MARKET'
  | 'LIMIT'
  | 'LIMIT_MAKER'
  | 'STOP_LOSS'
  | 'STOP_LOSS_LIMIT'
  | 'TAKE_PROFIT'
  | 'TAKE_PROFIT_LIMIT'
  | 'STOP'
  | 'STOP_MARKET'
  | 'TAKE_PROFIT_MARKET';

export const SPOT_TYPES: OrderType[] = ['MARKET', 'LIMIT', 'LIMIT_MAKER', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'];
export const FUTURES_TYPES: OrderType[] = ['MARKET', 'LIMIT', 'STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET'];

export type OrderStatus = 'NEW' | 'FILLED' | 'CANCELED' | 'EXPIRED' | 'REJECTED';
export type Side = 'BUY' | 'SELL';

/** True for the types that wait for a trigger price before they work. */
export const isConditional = (t: OrderType): boolean => t !== 'MARKET' && t !== 'LIMIT' && t !== 'LIMIT_MAKER';
/**
 * True for the types that execute at market once working (triggered or not conditional). TAKE_PROFIT is a
 * market order on spot but a limit order on USDT-M futures (where the market one is TAKE_PROFIT_MARKET).
 */
export const isMarketLike = (t: OrderType, futures: boolean): boolean =>
  t === 'MARKET' || t === 'STOP_LOSS' || (t === 'TAKE_PROFIT' && !futures) || t === 'STOP_MARKET' || t === 'TAKE_PROFIT_MARKET';
/** True when the order's market is a USDT-M futures market. */
export const isFutures = (o: Pick<Order, 'market'>): boolean => o.market.startsWith('futures:');
/** True for stop-loss-like triggers (sell below / buy above); take-profit-like trigger the other way. */
export const isStopLike = (t: OrderType): boolean => t === 'STOP_LOSS' || t === 'STOP_LOSS_LIMIT' || t === 'STOP' || t === 'STOP_MARKET';

export interface Order {
  orderId: number;
  clientOrderId: string;
  account: string;
  market: string;
  symbol: string;
  side: Side;
  type: OrderType;
  timeInForce: 'GTC' | 'IOC' | 'FOK' | 'GTX';
  price: number;
  stopPrice: number;
  origQty: number;
  executedQty: number;
  cumQuote: number;
  status: OrderStatus;
  /** True once a conditional order's trigger was hit (it now works as a market or limit order). */
  triggered: boolean;
  reduceOnly: boolean;
  time: number;
  updateTime: number;
  /** Spot: what the order holds locked until it fills or is cancelled. */
  lockedAsset: string;
  lockedAmount: number;
  /** Ids of the trades that filled it. */
  trades: number[];
  /** USDT-M conditional order placed through the algo-order API (/fapi/v1/algoOrder). */
  algo?: boolean;
}

export interface Trade {
  id: number;
  orderId: number;
  account: string;
  market: string;
  symbol: string;
  side: Side;
  price: number;
  qty: number;
  quoteQty: number;
  commission: number;
  commissionAsset: string;
  realizedPnl: number;
  time: number;
  isMaker: boolean;
}

const avgPrice = (o: Order): number => (o.executedQty > 0 ? o.cumQuote / o.executedQty : 0);

/** A spot order as GET /api/v3/order returns it. */
export function spotOrderJson(o: Order): Record<string, unknown> {
  return {
    symbol: o.symbol,
    orderId: o.orderId,
    orderListId: -1,
    clientOrderId: o.clientOrderId,
    price: o.price.toFixed(8),
    origQty: fixed8(o.origQty),
    executedQty: fixed8(o.executedQty),
    cummulativeQuoteQty: fixed8(o.cumQuote),
    status: o.status,
    timeInForce: o.timeInForce,
    type: o.type,
    side: o.side,
    stopPrice: o.stopPrice.toFixed(8),
    icebergQty: '0.00000000',
    time: o.time,
    updateTime: o.updateTime,
    isWorking: !isConditional(o.type) || o.triggered,
    workingTime: o.time,
    origQuoteOrderQty: '0.00000000',
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
}

/** A spot order as POST /api/v3/order returns it with newOrderRespType ACK, RESULT or FULL. */
export function spotNewOrderJson(o: Order, trades: Trade[], respType: string): Record<string, unknown> {
  const ack = { symbol: o.symbol, orderId: o.orderId, orderListId: -1, clientOrderId: o.clientOrderId, transactTime: o.time };
  if (respType === 'ACK') return ack;
  const { time: _t, updateTime: _u, isWorking: _w, stopPrice: _s, icebergQty: _i, ...rest } = spotOrderJson(o);
  const result = { ...rest, ...ack, workingTime: o.time };
  if (o.stopPrice) (result as Record<string, unknown>).stopPrice = o.stopPrice.toFixed(8);
  if (respType === 'RESULT') return result;
  return {
    ...result,
    fills: trades.map((t) => ({
      price: t.price.toFixed(8),
      qty: fixed8(t.qty),
      commission: fixed8(t.commission),
      commissionAsset: t.commissionAsset,
      tradeId: t.id,
    })),
  };
}

/** A USDT-M order as GET/POST/DELETE /fapi/v1/order return it. */
export function futuresOrderJson(o: Order): Record<string, unknown> {
  return {
    orderId: o.orderId,
    symbol: o.symbol,
    status: o.status,
    clientOrderId: o.clientOrderId,
    price: num(o.price),
    avgPrice: num(avgPrice(o)),
    origQty: num(o.origQty),
    executedQty: num(o.executedQty),
    cumQty: num(o.executedQty),
    cumQuote: num(o.cumQuote),
    timeInForce: o.timeInForce,
    type: o.type,
    reduceOnly: o.reduceOnly,
    closePosition: false,
    side: o.side,
    positionSide: 'BOTH',
    stopPrice: num(o.stopPrice),
    workingType: 'CONTRACT_PRICE',
    priceProtect: false,
    origType: o.type,
    priceMatch: 'NONE',
    selfTradePreventionMode: 'NONE',
    goodTillDate: 0,
    time: o.time,
    updateTime: o.updateTime,
  };
}

/** A USDT-M conditional order as the algo-order endpoints return it (waiting: NEW, triggered and resting: TRIGGERING, filled: FINISHED). */
export function futuresAlgoJson(o: Order): Record<string, unknown> {
  const status = o.status === 'NEW' ? (o.triggered ? 'TRIGGERING' : 'NEW') : o.status === 'FILLED' ? 'FINISHED' : o.status;
  return {
    algoId: o.orderId,
    clientAlgoId: o.clientOrderId,
    algoType: 'CONDITIONAL',
    orderType: o.type,
    symbol: o.symbol,
    side: o.side,
    positionSide: 'BOTH',
    timeInForce: o.timeInForce,
    quantity: num(o.origQty),
    algoStatus: status,
    triggerPrice: num(o.stopPrice),
    price: num(o.price),
    icebergQuantity: null,
    selfTradePreventionMode: 'EXPIRE_MAKER',
    workingType: 'CONTRACT_PRICE',
    priceMatch: 'NONE',
    closePosition: false,
    priceProtect: false,
    reduceOnly: o.reduceOnly,
    executedQty: num(o.executedQty),
    avgPrice: num(avgPrice(o)),
    createTime: o.time,
    updateTime: o.updateTime,
    triggerTime: o.triggered ? o.updateTime : 0,
    goodTillDate: 0,
  };
}

/** A spot trade as GET /api/v3/myTrades returns it. */
export function spotTradeJson(t: Trade): Record<string, unknown> {
  return {
    symbol: t.symbol,
    id: t.id,
    orderId: t.orderId,
    orderListId: -1,
    price: t.price.toFixed(8),
    qty: fixed8(t.qty),
    quoteQty: fixed8(t.quoteQty),
    commission: fixed8(t.commission),
    commissionAsset: t.commissionAsset,
    time: t.time,
    isBuyer: t.side === 'BUY',
    isMaker: t.isMaker,
    isBestMatch: true,
  };
}

/** A USDT-M trade as GET /fapi/v1/userTrades returns it. */
export function futuresTradeJson(t: Trade): Record<string, unknown> {
  return {
    buyer: t.side === 'BUY',
    commission: num(t.commission),
    commissionAsset: t.commissionAsset,
    id: t.id,
    maker: t.isMaker,
    orderId: t.orderId,
    price: num(t.price),
    qty: num(t.qty),
    quoteQty: num(t.quoteQty),
    realizedPnl: num(t.realizedPnl),
    side: t.side,
    positionSide: 'BOTH',
    symbol: t.symbol,
    time: t.time,
  };
}
