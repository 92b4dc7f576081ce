import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as ccxt from 'ccxt';
import { isoTime, parseTimeframe, QuantlabError, type Bars } from '../core';
import { retryAfterMs, withRetry, type RetryDecision, type RetryPolicy } from '../core/retry';
import { datasetsDir } from './catalogue';
import { finishLoad, loadBars } from './load';
import { saveParquet } from './parquet';
import { allocRaw } from './raw';
import { formatGap, type ValidationReport } from './validate';

/**
 * Market-data download through ccxt (the one file of lib/data that talks to exchanges): paginated
 * fetchOHLCV, rate-limited (ccxt's throttle plus the server's Retry-After), retried with backoff on network
 * errors, incremental against an existing Parquet file, never keeping a candle that is still forming at the
 * exchange's clock, gaps reported by the data layer's validation, written with saveParquet.
 */

export interface FetchOptions {
  /** ccxt exchange id. Default 'binance'. */
  exchange?: string;
  /** Unified symbol ('BTC/USDT', 'BTC/USDT:USDT') or the exchange's id ('BTCUSDT'). */
  symbol: string;
  /** Timeframe ('1m', '1h', '1d', …). */
  timeframe: string;
  /** First open time wanted (epoch ms or ISO date). Required unless `out` exists (then the download continues the file). */
  since?: number | string;
  /** Open times before this (epoch ms or ISO date) only. Default: up to the last closed candle. */
  until?: number | string;
  /** Output Parquet file. Default datasets/downloads/<exchange>_<ID>_<tf>.parquet. */
  out?: string;
  /** Point ccxt at another server, e.g. the local replay exchange at http://127.0.0.1:PORT. */
  exchangeUrl?: string;
  /** Candles per request. Default 1000. */
  pageLimit?: number;
  /** Retries per request. Default: 6 attempts, 250 ms first backoff. */
  retry?: RetryPolicy;
  /** Request timeout in ms. Default 10000. */
  timeoutMs?: number;
  /** Override ccxt's pause between requests (ms per unit of request cost). */
  rateLimitMs?: number;
  /** Progress lines (requests, retries, gaps). */
  log?: (line: string) => void;
  /** Use this ccxt exchange object instead of creating one (its URLs are still pointed at exchangeUrl when given). */
  exchangeInstance?: ccxt.Exchange;
}

export interface FetchResult {
  file: string;
  /** Everything in the file after the download. */
  bars: Bars;
  /** Validation of the whole file: gaps, zero-volume bars. */
  report: ValidationReport;
  /** Candles added by this run. */
  added: number;
  /** fetchOHLCV requests made (retries not counted). */
  requests: number;
  /** Requests that were retried. */
  retries: number;
  /** The open-time ranges [from, to) that were fetched. */
  ranges: Array<{ from: number; to: number }>;
  /** Candles the exchange sent that were not closed yet at its clock (left out). */
  forming: number;
  /** The exchange's clock when the download started. */
  serverTime: number;
}

/** Points every REST base URL of a ccxt exchange at `url`, keeping each path (/api/v3, /fapi/v1, …). */
export function pointExchangeAt<T extends { urls: Record<string, unknown> }>(exchange: T, url: string): T {
  const base = url.replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+$/.test(base)) {
    throw new QuantlabError('BAD_ARGUMENT', `exchange URL: expected http(s)://host[:port] with no path, found '${url}'`);
  }
  const rewrite = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(/^https?:\/\/[^/]+/, base);
    if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) (v as Record<string, unknown>)[k] = rewrite(x);
    }
    return v;
  };
  exchange.urls.api = rewrite(exchange.urls.api);
  return exchange;
}

/** Creates a ccxt exchange by id; throws naming the id and some known ones when there is none. */
export function createCcxtExchange(id: string, config: Record<string, unknown> = {}): ccxt.Exchange {
  const Ctor = (ccxt as unknown as Record<string, unknown>)[id];
  // ccxt.exchanges is a list of ids in the CommonJS build and a map of classes in the ES module build
  const known = ccxt.exchanges as unknown;
  const ids = Array.isArray(known) ? (known as string[]) : Object.keys(known as object);
  if (!ids.includes(id) || typeof Ctor !== 'function') {
    throw new QuantlabError('BAD_ARGUMENT', `exchange: expected a ccxt exchange id (${ids.slice(0, 8).join(', ')}, …), found '${id}'`);
  }
  return new (Ctor as new (c: Record<string, unknown>) => ccxt.Exchange)(config);
}

/** Changes the pause ccxt keeps between requests (ms per unit of request cost) on an existing exchange object. */
export function setRateLimit(exchange: ccxt.Exchange, ms: number): void {
  if (!(ms >= 0)) throw new QuantlabError('BAD_ARGUMENT', `rate limit: expected ms >= 0, found ${ms}`);
  const e = exchange as unknown as { rateLimit: number; tokenBucket: unknown; initRestRateLimiter(): void };
  e.rateLimit = ms;
  e.tokenBucket = undefined;
  e.initRestRateLimiter();
}

const toMs = (v: number | string, name: string): number => {
  const t = typeof v === 'number' ? v : /^\d+$/.test(v) ? Number(v) : Date.parse(/^\d{4}-\d\d-\d\d$/.test(v) ? `${v}T00:00:00Z` : v);
  if (!Number.isFinite(t)) throw new QuantlabError('BAD_ARGUMENT', `${name}: expected an ISO date (2024-01-01) or epoch ms, found '${v}'`);
  return t;
};

/**
 * Downloads OHLCV candles into a Parquet file (or extends the file: only open times before its first
 * bar, when `since` asks for them, and after its last bar are fetched). Returns what was written and the
 * validation report of the whole file (gaps are reported, never filled).
 */
export async function fetchOhlcv(options: FetchOptions): Promise<FetchResult> {
  const log = options.log ?? (() => {});
  const exchangeId = options.exchange ?? 'binance';
  const tf = parseTimeframe(options.timeframe);
  const pageLimit = options.pageLimit ?? 1000;
  if (!(Number.isInteger(pageLimit) && pageLimit >= 1)) throw new QuantlabError('BAD_ARGUMENT', `pageLimit: expected an integer >= 1, found ${pageLimit}`);
  const ex =
    options.exchangeInstance ??
    createCcxtExchange(exchangeId, { enableRateLimit: true, timeout: options.timeoutMs ?? 10_000, ...(options.rateLimitMs !== undefined ? { rateLimit: options.rateLimitMs } : {}) });
  if (options.exchangeUrl) pointExchangeAt(ex, options.exchangeUrl);
  if (options.exchangeInstance && options.rateLimitMs !== undefined) setRateLimit(ex, options.rateLimitMs);
  const policy: RetryPolicy = { attempts: 6, baseMs: 250, maxMs: 10_000, ...options.retry };
  let retries = 0;
  const decide = (e: unknown): RetryDecision => {
    if (e instanceof ccxt.RateLimitExceeded || e instanceof ccxt.DDoSProtection) {
      const ms = retryAfterMs(ex.last_response_headers as Record<string, unknown> | undefined);
      return ms === undefined ? { action: 'retry' } : { action: 'wait', ms };
    }
    if (e instanceof ccxt.NetworkError || e instanceof ccxt.OperationFailed) return { action: 'retry' };
    return { action: 'fail' };
  };
  const call = <T>(what: string, fn: (attempt: number) => Promise<T>): Promise<T> =>
    withRetry(fn, decide, policy, (ev) => {
      retries++;
      log(`${what}: ${(ev.error as Error).name ?? 'error'} (attempt ${ev.attempt}), retrying in ${ev.delayMs} ms`);
    }).catch((e: unknown) => {
      throw new QuantlabError('NOT_FOUND', `${exchangeId} ${what} failed after ${policy.attempts} attempts: ${(e as Error).message}`);
    });

  // ccxt keeps a failed loadMarkets promise: a retry must ask for a reload
  await call('loadMarkets', (attempt) => ex.loadMarkets(attempt > 1));
  const market = findMarket(ex, exchangeId, options.symbol);
  if (ex.timeframes && !(tf.name in ex.timeframes)) {
    throw new QuantlabError('BAD_TIMEFRAME', `${exchangeId} ${market.symbol}: timeframe '${options.timeframe}' is not offered; expected one of ${Object.keys(ex.timeframes).join(', ')}`);
  }
  const serverTime = ex.has.fetchTime ? await call('fetchTime', () => ex.fetchTime()) : Date.now();
  if (typeof serverTime !== 'number') throw new QuantlabError('PARSE_ERROR', `${exchangeId} fetchTime: expected epoch ms, found ${String(serverTime)}`);
  const marketId = String(market.id).replace(/[/:_-]/g, '').toUpperCase();
  const out = options.out ?? join(datasetsDir(), 'downloads', `${exchangeId}_${marketId}${market.spot ? '' : `-${market.type}`}_${tf.name}.parquet`);

  // what is there already
  let existing: Bars | undefined;
  if (existsSync(out)) {
    existing = (await loadBars(out)).bars;
    if (existing.symbol && existing.symbol !== marketId) {
      throw new QuantlabError('BAD_ARGUMENT', `${out}: holds ${existing.symbol}, expected ${marketId} (${market.symbol}); pass another --out`);
    }
    if (existing.timeframe !== tf.name) throw new QuantlabError('BAD_ARGUMENT', `${out}: holds ${existing.timeframe} bars, expected ${tf.name}; pass another --out`);
  }
  const since = options.since === undefined ? undefined : toMs(options.since, 'since');
  const until = options.until === undefined ? Infinity : toMs(options.until, 'until');
  if (since === undefined && !existing) throw new QuantlabError('BAD_ARGUMENT', `since: expected a start date (e.g. 2024-01-01) because ${out} does not exist yet`);
  if (since !== undefined && !(since < until)) throw new QuantlabError('BAD_ARGUMENT', `since ${isoTime(since)} must be before until ${isoTime(until)}`);
  // a candle is kept only when it closed at or before the server time read above
  const end = Math.min(until, Math.floor(serverTime / tf.ms) * tf.ms - tf.ms + 1);
  let head: Range | undefined;
  let tail: Range;
  if (existing && existing.ts.length) {
    const first = existing.ts[0]!;
    const last = existing.ts[existing.ts.length - 1]!;
    if (since !== undefined && since < first) head = { from: since, to: Math.min(first, end) };
    tail = { from: Math.max(last + tf.ms, since ?? -Infinity), to: end };
  } else tail = { from: since!, to: end };

  let requests = 0;
  let forming = 0;
  const fetchRange = async (r: Range): Promise<Row[]> => {
    const rows: Row[] = [];
    let cursor = r.from;
    while (cursor < r.to && cursor + tf.ms <= serverTime) {
      const page = await call(`fetchOHLCV ${market.symbol} ${tf.name} since ${isoTime(cursor)}`, () =>
        ex.fetchOHLCV(market.symbol, tf.name, cursor, pageLimit, { until: r.to - 1 }),
      );
      requests++;
      let lastTs = -Infinity;
      for (const c of page) {
        const ts = Number(c[0]);
        lastTs = Math.max(lastTs, ts);
        if (ts + tf.ms > serverTime) {
          forming++;
          continue;
        }
        if (ts < cursor || ts >= r.to) continue;
        rows.push([ts, Number(c[1]), Number(c[2]), Number(c[3]), Number(c[4]), Number(c[5])]);
      }
      log(`fetchOHLCV ${market.symbol} ${tf.name} since ${isoTime(cursor)}: ${page.length} candles`);
      if (!page.length || !(lastTs >= cursor)) break;
      cursor = lastTs + tf.ms;
    }
    return rows;
  };
  const headRows = head && head.from < head.to ? await fetchRange(head) : [];
  const tailRows = tail.from < tail.to ? await fetchRange(tail) : [];
  const added = headRows.length + tailRows.length;

  // merge: head rows, the file, tail rows
  const n = headRows.length + (existing?.ts.length ?? 0) + tailRows.length;
  if (n === 0) {
    throw new QuantlabError('NOT_FOUND', `${exchangeId} ${market.symbol} ${tf.name}: no closed candles from ${isoTime(tail.from)} to ${isoTime(Math.min(end, serverTime))} (server time ${isoTime(serverTime)})`);
  }
  const raw = allocRaw(n, `ccxt ${exchangeId} fetchOHLCV`);
  let k = 0;
  const put = (ts: number, o: number, h: number, l: number, c: number, v: number) => {
    raw.ts[k] = ts;
    raw.open[k] = o;
    raw.high[k] = h;
    raw.low[k] = l;
    raw.close[k] = c;
    raw.volume[k] = v;
    raw.line[k] = k + 1;
    k++;
  };
  for (const r of headRows) put(...r);
  if (existing) for (let i = 0; i < existing.ts.length; i++) put(existing.ts[i]!, existing.open[i]!, existing.high[i]!, existing.low[i]!, existing.close[i]!, existing.volume[i]!);
  for (const r of tailRows) put(...r);
  const { bars, report } = finishLoad(raw, { file: out, timeframe: tf.name, timeframeMs: tf.ms, symbol: marketId });
  if (added > 0 || !existing) saveParquet(bars, out, { symbol: marketId, timeframe: tf.name, source: `ccxt ${exchangeId}${options.exchangeUrl ? ` via ${options.exchangeUrl}` : ''}` });
  log(`${out}: ${added} new candles (${bars.ts.length} in the file, ${report.first} .. ${report.last}), ${requests} requests, ${retries} retries`);
  for (const g of report.gaps) log(`gap ${formatGap(g)}`);
  const ranges = [head, tail].filter((r): r is Range => r !== undefined && r.from < r.to);
  return { file: out, bars, report, added, requests, retries, ranges, forming, serverTime };
}

type Range = { from: number; to: number };
type Row = [number, number, number, number, number, number];

function findMarket(ex: ccxt.Exchange, exchangeId: string, symbol: string): ccxt.MarketInterface {
  const markets = ex.markets ?? {};
  if (markets[symbol]) return markets[symbol]!;
  const id = symbol.replace(/[/:_-]/g, '').toUpperCase();
  const byId = Object.values(markets).filter((m) => m && String(m.id).toUpperCase() === id);
  const spot = byId.find((m) => m!.spot) ?? byId[0];
  if (spot) return spot as ccxt.MarketInterface;
  const listed = Object.keys(markets);
  throw new QuantlabError(
    'NOT_FOUND',
    `${exchangeId}: symbol '${symbol}' is not listed; expected a unified symbol like BTC/USDT (listed: ${listed.slice(0, 12).join(', ')}${listed.length > 12 ? `, … ${listed.length} in all` : ''})`,
  );
}
