import { parseTimeframe, QuantlabError, type Bars } from '../core';
import { num, stepDecimals } from './numbers';

/** 'spot' markets are served under /api/v3, 'futures' (USDT-M perpetual) under /fapi/v1. */
export type MarketKind = 'spot' | 'futures';

/** One replayed dataset as the exchange lists it. */
export interface MarketInput {
  bars: Bars;
  kind?: MarketKind;
  /** Exchange symbol id ('BTCUSDT'); default bars.symbol. */
  id?: string;
  tickSize?: number;
  stepSize?: number;
  minNotional?: number;
  makerFee?: number;
  takerFee?: number;
}

export interface MarketSpec {
  /** `${kind}:${id}`, unique on the exchange. */
  key: string;
  kind: MarketKind;
  id: string;
  base: string;
  quote: string;
  bars: Bars;
  timeframe: string;
  tfMs: number;
  tickSize: number;
  stepSize: number;
  minQty: number;
  maxQty: number;
  minPrice: number;
  maxPrice: number;
  minNotional: number;
  makerFee: number;
  takerFee: number;
}

const QUOTES = ['USDT', 'FDUSD', 'USDC', 'BUSD', 'TUSD', 'USD', 'EUR', 'TRY', 'BTC', 'ETH', 'BNB'];

/** Splits 'BTCUSDT' into base and quote by the known quote assets; throws naming the symbol otherwise. */
export function splitSymbol(id: string): { base: string; quote: string } {
  for (const q of QUOTES) {
    if (id.length > q.length && id.endsWith(q)) return { base: id.slice(0, -q.length), quote: q };
  }
  throw new QuantlabError('BAD_ARGUMENT', `replay exchange: cannot split symbol '${id}' into base and quote (expected it to end in one of ${QUOTES.join(', ')})`);
}

/** Decimals used by the prices of a dataset (over its last 5000 bars), capped at 8. */
function priceDecimals(bars: Bars): number {
  const n = bars.close.length;
  let d = 0;
  for (let i = Math.max(0, n - 5000); i < n; i++) {
    for (const col of [bars.open, bars.high, bars.low, bars.close]) {
      const s = num(col[i]!);
      const dot = s.indexOf('.');
      if (dot >= 0) d = Math.max(d, s.length - dot - 1);
    }
    if (d >= 8) return 8;
  }
  return d;
}

function median(x: Float64Array): number {
  const s = Float64Array.from(x).sort();
  return s.length ? s[s.length >> 1]! : NaN;
}

const pow10 = (e: number): number => Number(`1e${e}`);
const clampExp = (e: number): number => Math.min(0, Math.max(-8, e));

/**
 * Builds a market from a dataset with real-looking filters: tick size from the decimals the prices use,
 * lot step so that one step is worth ~0.1–1 quote units on spot (~1–10 on futures) at the median close,
 * min notional 5 (Binance's NOTIONAL filter for USDT pairs), Binance's default fees (spot 0.1%/0.1%,
 * futures maker 0.02% / taker 0.05%). Every value can be overridden.
 */
export function makeMarket(input: MarketInput): MarketSpec {
  const bars = input.bars;
  const kind = input.kind ?? 'spot';
  const id = (input.id ?? bars.symbol).replace(/[/:_-]/g, '').toUpperCase();
  if (!id) throw new QuantlabError('BAD_ARGUMENT', 'replay exchange: a dataset has no symbol; pass { id: "BTCUSDT" } with its bars');
  if (bars.ts.length < 2) {
    throw new QuantlabError('BAD_ARGUMENT', `replay exchange: ${id} needs at least 2 bars to replay, found ${bars.ts.length}`);
  }
  if (!bars.timeframe) throw new QuantlabError('BAD_ARGUMENT', `replay exchange: ${id} bars have no timeframe (expected e.g. '1h')`);
  const tf = parseTimeframe(bars.timeframe);
  const { base, quote } = splitSymbol(id);
  const ref = median(bars.close);
  const tickSize = input.tickSize ?? pow10(-priceDecimals(bars));
  const stepSize = input.stepSize ?? pow10(clampExp(Math.floor(Math.log10((kind === 'spot' ? 1 : 100) / ref))));
  const maxHigh = bars.high.reduce((a, b) => Math.max(a, b), 0);
  return {
    key: `${kind}:${id}`,
    kind,
    id,
    base,
    quote,
    bars,
    timeframe: tf.name,
    tfMs: tf.ms,
    tickSize,
    stepSize,
    minQty: stepSize,
    maxQty: pow10(Math.max(stepDecimals(stepSize), Math.ceil(Math.log10(1e8 / ref)))),
    minPrice: tickSize,
    maxPrice: pow10(Math.ceil(Math.log10(maxHigh * 100))),
    minNotional: input.minNotional ?? 5,
    makerFee: input.makerFee ?? (kind === 'spot' ? 0.001 : 0.0002),
    takerFee: input.takerFee ?? (kind === 'spot' ? 0.001 : 0.0005),
  };
}

const fx = (x: number, step: number): string => x.toFixed(stepDecimals(step) > 8 ? stepDecimals(step) : 8);

/** The market's entry in GET /api/v3/exchangeInfo or /fapi/v1/exchangeInfo. */
export function exchangeInfoSymbol(m: MarketSpec): Record<string, unknown> {
  const priceDec = stepDecimals(m.tickSize);
  const qtyDec = stepDecimals(m.stepSize);
  if (m.kind === 'spot') {
    return {
      symbol: m.id,
      status: 'TRADING',
      baseAsset: m.base,
      baseAssetPrecision: 8,
      quoteAsset: m.quote,
      quotePrecision: 8,
      quoteAssetPrecision: 8,
      baseCommissionPrecision: 8,
      quoteCommissionPrecision: 8,
      orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'],
      icebergAllowed: false,
      ocoAllowed: false,
      quoteOrderQtyMarketAllowed: true,
      allowTrailingStop: false,
      cancelReplaceAllowed: false,
      isSpotTradingAllowed: true,
      isMarginTradingAllowed: false,
      filters: [
        { filterType: 'PRICE_FILTER', minPrice: fx(m.minPrice, m.tickSize), maxPrice: fx(m.maxPrice, m.tickSize), tickSize: fx(m.tickSize, m.tickSize) },
        { filterType: 'LOT_SIZE', minQty: fx(m.minQty, m.stepSize), maxQty: fx(m.maxQty, m.stepSize), stepSize: fx(m.stepSize, m.stepSize) },
        { filterType: 'MARKET_LOT_SIZE', minQty: '0.00000000', maxQty: fx(m.maxQty, m.stepSize), stepSize: '0.00000000' },
        { filterType: 'NOTIONAL', minNotional: fx(m.minNotional, 1e-8), applyMinToMarket: true, maxNotional: '9000000.00000000', applyMaxToMarket: false, avgPriceMins: 5 },
        { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200 },
      ],
      permissions: [],
      permissionSets: [['SPOT']],
      defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
      allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
    };
  }
  return {
    symbol: m.id,
    pair: m.id,
    contractType: 'PERPETUAL',
    deliveryDate: 4133404800000,
    onboardDate: m.bars.ts[0],
    status: 'TRADING',
    maintMarginPercent: '2.5000',
    requiredMarginPercent: '5.0000',
    baseAsset: m.base,
    quoteAsset: m.quote,
    marginAsset: m.quote,
    pricePrecision: priceDec,
    quantityPrecision: qtyDec,
    baseAssetPrecision: 8,
    quotePrecision: 8,
    underlyingType: 'COIN',
    settlePlan: 0,
    triggerProtect: '0.0500',
    liquidationFee: '0.012500',
    marketTakeBound: '0.05',
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: num(m.minPrice), maxPrice: num(m.maxPrice), tickSize: num(m.tickSize) },
      { filterType: 'LOT_SIZE', minQty: num(m.minQty), maxQty: num(m.maxQty), stepSize: num(m.stepSize) },
      { filterType: 'MARKET_LOT_SIZE', minQty: num(m.minQty), maxQty: num(m.maxQty), stepSize: num(m.stepSize) },
      { filterType: 'MAX_NUM_ORDERS', limit: 200 },
      { filterType: 'MIN_NOTIONAL', notional: num(m.minNotional) },
    ],
    orderTypes: ['LIMIT', 'MARKET', 'STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET'],
    timeInForce: ['GTC', 'IOC', 'FOK', 'GTX'],
  };
}
