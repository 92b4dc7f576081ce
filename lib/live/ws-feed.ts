import WebSocket from 'ws';
import { barAt, makeBars, parseTimeframe, QuantlabError, type BarFields } from '../core';
import type { Candles, FormingBar, MarketFeed } from './feed';
import type { RunnerEvent } from './runner';

/**
 * Market data from Binance's kline stream over WebSocket (`<base>/ws/<symbol>@kline_<interval>`), with a REST
 * feed as fallback and for backfill — the runner's MarketFeed, answered from memory while the stream is
 * healthy:
 *
 * - closed bars (`x: true`) are kept by open time; a duplicate or a late (out-of-order) message of a bar
 *   already known is ignored, so nothing is decided twice;
 * - the stream is trusted only over a range it has shown to be complete: from a REST answer given while the
 *   connection was open, extended bar by bar by closed messages. A closed bar after a hole, or a forming bar
 *   beyond the next expected one, sends the next answer to REST, which fills the hole before the runner
 *   decides, so no bar is skipped;
 * - while the socket is down (closed, refused, or stalled: no message for `stallAfter` × `expectedMessageMs`,
 *   treated as a disconnect) every answer comes from REST, and the feed reconnects with exponential backoff
 *   and jitter (`baseMs` × 2^(attempt − 1), capped at `maxMs`, half of it random); after a reconnect the first
 *   answer is a REST backfill again.
 *
 * `now` in an answer is the exchange's clock: the newest event time seen (stream `E` or the REST clock) plus
 * the wall time since, so the runner's bar-close → order latency counts the time from the exchange's stamp.
 * Events (`feed-connected`, `feed-disconnected`, `feed-stall`, `feed-reconnect`, `feed-backfill`) go to `log`.
 */

export interface WsFeedOptions {
  /** Base of the stream URLs ('/ws/<stream>' is appended): see {@link binanceStreamUrl}. */
  streamUrl: string;
  /** The REST feed used before the stream is trusted, while it is down, and to fill holes. */
  rest: MarketFeed;
  /** The exchange's id of a unified symbol ('BTC/USDT:USDT' → 'BTCUSDT'). */
  marketId: (symbol: string) => Promise<string>;
  /** How often the exchange pushes a kline update (Binance: 2000 ms; the replay exchange: its klineUpdateMs). Default 2000. */
  expectedMessageMs?: number;
  /** Silence of this many expected intervals is a stall (default 5). */
  stallAfter?: number;
  /** Reconnect backoff: first delay and cap in ms (default 250 and 30 000). */
  backoff?: { baseMs?: number; maxMs?: number };
  /** Source of the jitter, in [0, 1) (default Math.random). */
  random?: () => number;
  /** Wall clock (default Date.now). */
  clock?: () => number;
  /** Closed bars kept in memory per stream (default 5000). */
  maxBars?: number;
  log?: (e: RunnerEvent) => void;
}

export interface WsFeedStats {
  connects: number;
  disconnects: number;
  stalls: number;
  reconnects: number;
  messages: number;
  closedBars: number;
  duplicates: number;
  outOfOrder: number;
  holes: number;
  /** answers given from the stream / from REST. */
  streamAnswers: number;
  restAnswers: number;
}

export interface WsFeed extends MarketFeed {
  readonly stats: WsFeedStats;
  /** Called when a bar closes or a new bar opens on a stream (the runner's loop polls at once); returns the unsubscribe. */
  onBar(listener: () => void): () => void;
  /** Closes every stream (no reconnect). */
  close(): void;
}

/**
 * The kline stream base of a Binance market: the public hosts (spot `wss://stream.binance.com:9443`, USDT-M
 * `wss://fstream.binance.com`), or, for an exchange `url` (the local replay exchange), the same origin over
 * ws with USDT-M under `/fapi`, as its REST paths are.
 */
export function binanceStreamUrl(exchange: { id: string; url?: string; marketType: 'spot' | 'swap' }): string {
  if (exchange.id !== 'binance') {
    throw new QuantlabError('BAD_ARGUMENT', `runner.feed 'websocket': expected exchange.id 'binance' (the feed reads Binance's kline streams), found '${exchange.id}'; use runner.feed 'rest'`);
  }
  if (exchange.url) return `${exchange.url.replace(/\/+$/, '').replace(/^http/, 'ws')}${exchange.marketType === 'swap' ? '/fapi' : ''}`;
  return exchange.marketType === 'swap' ? 'wss://fstream.binance.com' : 'wss://stream.binance.com:9443';
}

/**
 * Wakes a run loop at each bar of a websocket feed (no-op for other feeds). `ctl` is the loop's stop-signal
 * object, whose `wake` is set while it waits between polls; a bar that arrives during a poll wakes the next
 * wait (tried every 10 ms for up to 2 s), so no bar waits out the poll period.
 */
export function wakeOnBar(feed: MarketFeed, ctl: { requested?: string; wake?: () => void }): void {
  const f = feed as Partial<WsFeed>;
  if (!f.onBar) return;
  let timer: NodeJS.Timeout | undefined;
  const attempt = (tries: number): void => {
    timer = undefined;
    if (ctl.requested) return;
    if (ctl.wake) return ctl.wake();
    if (tries < 200) {
      timer = setTimeout(() => attempt(tries + 1), 10);
      timer.unref();
    }
  };
  f.onBar(() => {
    if (!timer) attempt(0);
  });
}

interface KlineMsg {
  e?: string;
  E?: number;
  k?: { t: number; s: string; i: string; o: string; h: string; l: string; c: string; v: string; x: boolean };
}

class Stream {
  readonly bars = new Map<number, BarFields>();
  /** closed bars with open time in [from, through] are all in `bars` (NaN: nothing verified yet). */
  from = NaN;
  through = NaN;
  /** a forming bar REST showed to follow `through` directly (a gap in the data, not a lost message). */
  confirmedForming = NaN;
  maxClosedSeen = -Infinity;
  forming?: FormingBar & { E: number };
  /** the newest exchange time known and the wall time it was learned. */
  exch = NaN;
  exchWall = NaN;
  lastMessageWall = NaN;
  ws?: WebSocket;
  open = false;
  /** a REST answer was given while the current connection was open. */
  caughtUp = false;
  gen = 0;
  downGen = -1;
  attempt = 0;
  reconnectTimer?: NodeJS.Timeout;
  constructor(
    readonly symbol: string,
    readonly id: string,
    readonly tf: { name: string; ms: number },
    readonly url: string,
  ) {}
}

/** A WebSocket kline feed with REST fallback (see the module comment). */
export function wsFeed(o: WsFeedOptions): WsFeed {
  const expected = o.expectedMessageMs ?? 2000;
  const stallMs = expected * (o.stallAfter ?? 5);
  const baseMs = o.backoff?.baseMs ?? 250;
  const maxMs = o.backoff?.maxMs ?? 30_000;
  const random = o.random ?? Math.random;
  const clock = o.clock ?? Date.now;
  const maxBars = o.maxBars ?? 5000;
  const stats: WsFeedStats = { connects: 0, disconnects: 0, stalls: 0, reconnects: 0, messages: 0, closedBars: 0, duplicates: 0, outOfOrder: 0, holes: 0, streamAnswers: 0, restAnswers: 0 };
  const streams = new Map<string, Promise<Stream>>();
  const listeners = new Set<() => void>();
  let closed = false;
  const emit = (event: string, fields: Record<string, unknown>) => o.log?.({ event, at: new Date(clock()).toISOString(), ...fields });
  const notify = () => {
    for (const l of listeners) l();
  };

  const stallTimer = setInterval(() => {
    for (const p of streams.values()) {
      void p.then((s) => {
        if (s.open && clock() - s.lastMessageWall > stallMs) {
          stats.stalls++;
          emit('feed-stall', { stream: s.url, silentMs: clock() - s.lastMessageWall, limitMs: stallMs });
          down(s, s.gen, `no message for ${clock() - s.lastMessageWall} ms (stall)`);
        }
      }, () => undefined);
    }
  }, Math.max(5, Math.min(expected, 1000)));
  stallTimer.unref();

  function learnTime(s: Stream, t: number): void {
    if (Number.isFinite(t) && !(t < s.exch)) {
      s.exch = t;
      s.exchWall = clock();
    }
  }

  function connect(s: Stream): void {
    if (closed) return;
    const gen = ++s.gen;
    const ws = new WebSocket(s.url, { handshakeTimeout: Math.max(1000, stallMs) });
    s.ws = ws;
    ws.on('open', () => {
      if (gen !== s.gen) return;
      s.open = true;
      s.caughtUp = false;
      s.lastMessageWall = clock();
      stats.connects++;
      emit('feed-connected', { stream: s.url, attempt: s.attempt });
      notify();
    });
    ws.on('message', (d) => {
      if (gen === s.gen) onMessage(s, d.toString());
    });
    ws.on('close', (code) => down(s, gen, `closed (${code})`));
    ws.on('error', (e) => down(s, gen, e.message));
  }

  function down(s: Stream, gen: number, why: string): void {
    if (gen !== s.gen || s.downGen === gen) return;
    s.downGen = gen;
    const wasOpen = s.open;
    s.open = false;
    s.caughtUp = false;
    s.ws?.removeAllListeners('message');
    s.ws?.on('error', () => undefined);
    s.ws?.terminate();
    if (closed) return;
    if (wasOpen) stats.disconnects++;
    emit('feed-disconnected', { stream: s.url, why });
    notify(); // the next poll answers from REST
    s.attempt++;
    const cap = Math.min(maxMs, baseMs * 2 ** (s.attempt - 1));
    const delayMs = Math.round(cap / 2 + (random() * cap) / 2);
    stats.reconnects++;
    emit('feed-reconnect', { stream: s.url, attempt: s.attempt, delayMs });
    s.reconnectTimer = setTimeout(() => connect(s), delayMs);
    s.reconnectTimer.unref();
  }

  function extend(s: Stream): void {
    if (!Number.isFinite(s.through)) return;
    while (s.bars.has(s.through + s.tf.ms)) s.through += s.tf.ms;
  }

  function trim(s: Stream): void {
    if (s.bars.size <= maxBars + 500) return;
    const keys = [...s.bars.keys()].sort((a, b) => a - b);
    for (const k of keys.slice(0, keys.length - maxBars)) s.bars.delete(k);
    const first = keys[keys.length - maxBars]!;
    if (!(s.from >= first)) s.from = first;
  }

  function onMessage(s: Stream, text: string): void {
    s.lastMessageWall = clock();
    s.attempt = 0;
    stats.messages++;
    let j: { data?: KlineMsg } & KlineMsg;
    try {
      j = JSON.parse(text) as typeof j;
    } catch {
      return;
    }
    const ev = j.data ?? j;
    const k = ev.k;
    if (ev.e !== 'kline' || !k || k.s !== s.id || k.i !== s.tf.name) return;
    const t = Number(k.t);
    learnTime(s, Number(ev.E));
    if (k.x) {
      if (s.bars.has(t) || t <= s.through) {
        if (t < s.maxClosedSeen) stats.outOfOrder++;
        else stats.duplicates++;
        return;
      }
      const bar: BarFields = { ts: t, open: Number(k.o), high: Number(k.h), low: Number(k.l), close: Number(k.c), volume: Number(k.v) };
      if (![bar.open, bar.high, bar.low, bar.close, bar.volume, t].every(Number.isFinite)) return;
      s.bars.set(t, bar);
      stats.closedBars++;
      if (t < s.maxClosedSeen) stats.outOfOrder++;
      s.maxClosedSeen = Math.max(s.maxClosedSeen, t);
      if (Number.isFinite(s.through) && t > s.through + s.tf.ms) stats.holes++;
      extend(s);
      trim(s);
      notify();
      return;
    }
    if (t <= s.through) return; // an update of a bar that has closed, arriving late
    const E = Number(ev.E);
    if (!s.forming || t > s.forming.ts || (t === s.forming.ts && !(E < s.forming.E))) {
      const fresh = !s.forming || t > s.forming.ts;
      s.forming = { ts: t, open: Number(k.o), E };
      if (fresh) notify();
    }
  }

  /** True when the stream alone can answer candles since `since`. */
  function trusted(s: Stream, since: number): boolean {
    if (!s.open || !s.caughtUp || !Number.isFinite(s.through) || !(since >= s.from)) return false;
    if (s.maxClosedSeen > s.through) return false; // a closed bar came after a hole
    if (s.forming && s.forming.ts > s.through + s.tf.ms && s.forming.ts !== s.confirmedForming) return false; // bars closed that never came
    return true;
  }

  async function stream(symbol: string, timeframe: string): Promise<Stream> {
    const key = `${symbol} ${timeframe}`;
    let p = streams.get(key);
    if (!p) {
      p = (async () => {
        const tf = parseTimeframe(timeframe);
        const id = await o.marketId(symbol);
        const s = new Stream(symbol, id, { name: tf.name, ms: tf.ms }, `${o.streamUrl.replace(/\/+$/, '')}/ws/${id.toLowerCase()}@kline_${tf.name}`);
        connect(s);
        return s;
      })();
      streams.set(key, p);
      p.catch(() => streams.delete(key));
    }
    return p;
  }

  async function backfill(s: Stream, since: number, limit: number | undefined): Promise<Candles> {
    const gen = s.gen;
    const live = s.open;
    const r = await o.rest.candles(s.symbol, s.tf.name, since, limit);
    stats.restAnswers++;
    learnTime(s, r.now);
    const c = r.closed;
    const n = c.ts.length;
    for (let i = 0; i < n; i++) s.bars.set(c.ts[i]!, barAt(c, i));
    const complete = limit === undefined || n < limit;
    if (complete) {
      // every closed bar from `since` to the exchange's now is known
      const joins = Number.isFinite(s.through) && s.from <= since && s.through >= since - s.tf.ms;
      if (!joins) s.from = since;
      const last = n ? c.ts[n - 1]! : since - s.tf.ms;
      s.through = joins ? Math.max(s.through, last) : last;
      s.maxClosedSeen = Math.max(s.maxClosedSeen, last);
      extend(s);
      s.confirmedForming = r.forming ? r.forming.ts : NaN;
      if (live && s.open && gen === s.gen) s.caughtUp = true;
    }
    if (r.forming && (!s.forming || r.forming.ts >= s.forming.ts)) s.forming = { ...r.forming, E: r.now };
    trim(s);
    if (n) emit('feed-backfill', { stream: s.url, from: new Date(c.ts[0]!).toISOString(), bars: n, connected: s.open });
    return r;
  }

  return {
    stats,
    timeframes: () => o.rest.timeframes(),
    time: () => o.rest.time(),
    async candles(symbol, timeframe, since, limit) {
      if (closed) throw new QuantlabError('BAD_ARGUMENT', `websocket feed: candles of ${symbol} ${timeframe} asked after close()`);
      const s = await stream(symbol, timeframe);
      if (!trusted(s, since)) return backfill(s, since, limit);
      stats.streamAnswers++;
      const keys: number[] = [];
      for (const t of s.bars.keys()) if (t >= since && t <= s.through) keys.push(t);
      keys.sort((x, y) => x - y);
      const rows = (limit === undefined ? keys : keys.slice(0, limit)).map((t) => s.bars.get(t)!);
      const col = (k: keyof BarFields) => Float64Array.from(rows, (r) => r[k]);
      const forming = s.forming && s.forming.ts > s.through ? { ts: s.forming.ts, open: s.forming.open } : undefined;
      return {
        now: s.exch + (clock() - s.exchWall),
        closed: makeBars({ ts: col('ts'), open: col('open'), high: col('high'), low: col('low'), close: col('close'), volume: col('volume') }, symbol, s.tf.name),
        forming,
      };
    },
    onBar(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      closed = true;
      clearInterval(stallTimer);
      listeners.clear();
      for (const p of streams.values()) {
        void p.then((s) => {
          if (s.reconnectTimer) clearTimeout(s.reconnectTimer);
          s.gen++;
          s.open = false;
          s.ws?.removeAllListeners();
          s.ws?.on('error', () => undefined);
          s.ws?.terminate();
        }, () => undefined);
      }
    },
  };
}
