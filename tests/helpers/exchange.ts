/**
 * Starts and stops replay exchanges for tests, and builds real ccxt binance clients pointed at them.
 * Windows of real shipped data keep each server small; always close servers in afterAll.
 */
import * as ccxt from 'ccxt';
import { sliceBars, type Bars } from '../../lib/core';
import { loadDataset } from '../../lib/data';
import { startReplayExchange, type ReplayExchange, type ReplayExchangeOptions } from '../../lib/replay-exchange';

/** Credentials of the test account (distinctive, so the redaction tests can grep for them). */
export const TEST_KEY = 'qlTestKey7f3a9c2e8b1d4f6a0c5e9b2d7f1a3c8eK';
export const TEST_SECRET = 'qlTestSecret4b8e1f7c3a9d2e6b0f5c8a1d7e3b9f2cS';

const cache = new Map<string, Bars>();

/** Shipped Binance bars (spot or USDT-M futures), cached per process. */
export async function dataset(symbol = 'BTCUSDT', timeframe = '1h', market: 'spot' | 'futures' = 'spot'): Promise<Bars> {
  const k = `${symbol} ${timeframe} ${market}`;
  let b = cache.get(k);
  if (!b) cache.set(k, (b = await loadDataset(symbol, timeframe, { market })));
  return b;
}

/** `n` bars of a shipped dataset starting at the first bar at or after `from` (ISO). */
export async function window(from: string, n: number, symbol = 'BTCUSDT', timeframe = '1h', market: 'spot' | 'futures' = 'spot'): Promise<Bars> {
  const b = await dataset(symbol, timeframe, market);
  const t = Date.parse(from);
  let i = 0;
  while (i < b.ts.length && b.ts[i]! < t) i++;
  return sliceBars(b, i, Math.min(b.ts.length, i + n));
}

/** Starts a replay exchange on a random port with the test account; default: 300 BTCUSDT 1h bars from 2024-03-01, clock at bar 200. */
export async function startExchange(opts: Partial<ReplayExchangeOptions> = {}): Promise<ReplayExchange> {
  const markets = opts.markets ?? [{ bars: await window('2024-03-01T00:00:00Z', 300) }];
  return startReplayExchange({
    accounts: [{ apiKey: TEST_KEY, secret: TEST_SECRET, balances: { USDT: 10_000 } }],
    start: markets[0]!.bars.ts[200] ?? markets[0]!.bars.ts[0],
    ...opts,
    markets,
  });
}

/** Points every REST base URL of a ccxt exchange at `url` (keeping each path, e.g. /api/v3, /fapi/v1). */
export function pointAt<T extends { urls: { api?: unknown } }>(exchange: T, url: string): T {
  const api = exchange.urls.api as Record<string, unknown>;
  for (const [k, v] of Object.entries(api)) if (typeof v === 'string') api[k] = v.replace(/^https?:\/\/[^/]+/, url);
  return exchange;
}

/** A real ccxt binance client for the exchange (test credentials unless given; short timeout; ccxt's own throttle off). */
export function binanceClient(ex: ReplayExchange, config: Record<string, unknown> = {}): ccxt.binance {
  const b = new ccxt.binance({ apiKey: TEST_KEY, secret: TEST_SECRET, timeout: 3000, enableRateLimit: false, ...config });
  return pointAt(b, ex.url);
}
