/** The local replay exchange: a Binance-compatible REST server that replays shipped datasets. */
export { startReplayExchange, type ReplayExchange, type ReplayExchangeOptions } from './server';
export { ReplayEngine, type EngineOptions, type EngineState, type NewOrderParams, type OrderRef } from './engine';
export { FaultInjector, seededRandom, type FaultKind, type FaultPlan, type FaultRule, type HttpFaultKind, type StreamFaultKind, type StreamFaultPlan } from './faults';
export { accountId, type AccountConfig } from './accounts';
export { makeMarket, splitSymbol, type MarketInput, type MarketKind, type MarketSpec } from './markets';
export { priceAt, formingCandle, forEachMove, type Candle, type Move } from './price-path';
export { BinanceError } from './errors';
export { WeightLimiter } from './weights';
export { readStateFile, writeStateFile } from './snapshot';
export type { Order, Trade, OrderType, OrderStatus } from './orders';
