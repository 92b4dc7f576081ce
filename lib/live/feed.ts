import { makeBars, parseTimeframe, QuantlabError, type Bars } from '../core';
import { withRetry, type RetryPolicy } from '../core/retry';
import type { CcxtAdapter } from './ccxt-adapter';
import { classifyCcxtError } from './ccxt-errors';
import { ExchangePortError } from './exchange-port';

/**
 * Market data as the runner reads it each poll: the exchange clock, the candles closed since a time, and
 * the bar now forming — whose open is the "next open" an order decided on the last close fills near
 * (the runner sizes orders at it, as the backtester sizes them at bar t+1's open).
 */

/** The forming bar: its open time and open price. */
export interface FormingBar {
  ts: number;
  open: number;
}

export interface Candles {
  /** the exchange clock when the candles were read. */
  now: number;
  /** closed candles with open time >= since, oldest first. */
  closed: Bars;
  /** the bar forming at `now` (undefined between bars, e.g. in a gap of the data). */
  forming?: FormingBar;
}

export interface MarketFeed {
  /** timeframes the exchange serves (undefined when it does not say). */
  timeframes(): Promise<string[] | undefined>;
  time(): Promise<number>;
  /** Candles opened at or after `since` (at most `limit` closed ones; paged as needed). */
  candles(symbol: string, timeframe: string, since: number, limit?: number): Promise<Candles>;
}

/**
 * The feed of a ccxt adapter's exchange (public endpoints only: a paper run needs no keys). Retries like the
 * adapter: transient failures back off and retry; when the attempts run out the error is an
 * ExchangePortError with action 'retry-later'; a bad symbol or configuration ends as 'stop'.
 */
export function ccxtFeed(adapter: CcxtAdapter, options: { retry?: RetryPolicy; redact?: (s: string) => string } = {}): MarketFeed {
  const ex = adapter.exchange;
  const policy: RetryPolicy = { attempts: 5, baseMs: 250, maxMs: 10_000, ...options.retry };
  const redact = options.redact ?? ((s: string) => s);
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await withRetry(fn, (e) => {
        const c = classifyCcxtError(e);
        if (c.action === 'retry' || c.action === 'rate-limit' || c.action === 'resync') return { action: 'retry' };
        return { action: 'fail' };
      }, policy);
    } catch (e) {
      if (e instanceof ExchangePortError || e instanceof QuantlabError) throw e;
      const c = classifyCcxtError(e);
      const action = c.action === 'skip' ? 'stop' : c.action === 'stop' ? 'stop' : 'retry-later';
      throw new ExchangePortError(redact(`${ex.id} ${what}: ${c.kind}: ${(e as Error)?.message ?? String(e)}`), action, c.kind);
    }
  };
  return {
    async timeframes() {
      await adapter.markets();
      const tfs = ex.timeframes as Record<string, unknown> | undefined;
      return tfs ? Object.keys(tfs) : undefined;
    },
    time: () => adapter.time(),
    async candles(symbol, timeframe, since, limit) {
      const tf = parseTimeframe(timeframe);
      await adapter.markets();
      const now = await adapter.time();
      const rows: number[][] = [];
      let from = since;
      const page = 1000;
      for (let guard = 0; guard < 10_000; guard++) {
        const got = (await call(`fetchOHLCV ${symbol} ${tf.name} since ${from}`, () => ex.fetchOHLCV(symbol, tf.name, from, page))) as number[][];
        const fresh = got.filter((r) => Number(r[0]) >= from);
        rows.push(...fresh);
        const last = fresh.length ? Number(fresh[fresh.length - 1]![0]) : NaN;
        if (fresh.length < page || !(last + tf.ms <= now) || (limit !== undefined && rows.length > limit)) break;
        from = last + tf.ms;
      }
      const closedRows = rows.filter((r) => Number(r[0]) + tf.ms <= now);
      const kept = limit !== undefined && closedRows.length > limit ? closedRows.slice(0, limit) : closedRows;
      const f = rows.find((r) => Number(r[0]) <= now && now < Number(r[0]) + tf.ms);
      const col = (k: number) => Float64Array.from(kept, (r) => Number(r[k]));
      return {
        now,
        closed: makeBars({ ts: col(0), open: col(1), high: col(2), low: col(3), close: col(4), volume: col(5) }, symbol, tf.name),
        forming: f ? { ts: Number(f[0]), open: Number(f[1]) } : undefined,
      };
    },
  };
}
