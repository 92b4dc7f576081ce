import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { parseTimeframe } from '../core';
import type { ReplayEngine } from './engine';
import { BinanceError } from './errors';
import type { FaultInjector } from './faults';
import type { MarketKind, MarketSpec } from './markets';
import type { Candle } from './price-path';
import { INTERVALS, klineRow } from './routes';

/**
 * Binance's kline streams over WebSocket, driven by the replay clock. Spot: `/ws/<symbol>@kline_<interval>`
 * (raw) and `/stream?streams=<a>/<b>` (combined, each message `{ stream, data }`); USDT-M: the same paths
 * under `/fapi` (the prefix the REST side gives futures). `/ws` and `/stream` without streams take Binance's
 * `{"method":"SUBSCRIBE","params":[…],"id":1}` (also UNSUBSCRIBE, LIST_SUBSCRIPTIONS).
 *
 * A message is Binance's kline event: `{"e":"kline","E":<clock>,"s":"BTCUSDT","k":{"t","T","s","i","f","L",
 * "o","c","h","l","v","n","x","q","V","Q","B"}}`, its numbers the same text as the REST klines row of that
 * bar. When the clock moves, each subscription gets every bar that closed since its last message (`x: true`,
 * oldest first), then the forming bar (`x: false`); the forming bar is also pushed every `updateMs` of wall
 * time while the clock stands (Binance pushes every 2 s). A new subscription starts at the forming bar (no
 * history: that is what REST is for). Faults come from the exchange's fault rules (`ws-*` kinds).
 */

export interface StreamHubOptions {
  /** the current engine (a new one after a restart). */
  engine: () => ReplayEngine;
  faults: FaultInjector;
  /** ms between pushes of the forming bar while the clock stands; 0: only when the clock moves. */
  updateMs: number;
  log?: (line: string) => void;
  /** counts one connection under 'WS <path>'. */
  count?: (key: string) => void;
}

interface Sub {
  stream: string;
  market: MarketSpec;
  interval: string;
  ms: number;
  /** open time of the last closed bar sent (or the last one closed when the subscription started). */
  lastClosed: number;
}

interface Conn {
  ws: WebSocket;
  path: string;
  kind: MarketKind;
  combined: boolean;
  subs: Map<string, Sub>;
  /** wall time until which nothing is sent (a stall). */
  silentUntil: number;
  /** out-of-order messages waiting for the next closed-bar message. */
  held: string[];
  cut: boolean;
}

const STREAM = /^([a-z0-9]+)@kline_([0-9]+[smhdwM])$/;

/** What a stream name is, or why it is refused (Binance's message texts). */
function parseStream(engine: ReplayEngine, kind: MarketKind, name: string): Sub {
  const m = STREAM.exec(name);
  if (!m) throw new BinanceError(400, 2, `Invalid request: stream '${name}' is not <symbol>@kline_<interval> with a lowercase symbol (only kline streams are served)`);
  const market = engine.market(kind, m[1]!.toUpperCase());
  const interval = m[2]!;
  const allowed = INTERVALS.filter((x) => parseTimeframe(x).ms % market.tfMs === 0);
  if (!allowed.includes(interval)) throw new BinanceError(400, 2, `Invalid request: stream '${name}': interval '${interval}' is not served for ${market.id}; expected one of ${allowed.join(', ')}`);
  const ms = parseTimeframe(interval).ms;
  const last = engine.klines(market, ms, { limit: 1 })[0];
  const lastClosed = last ? (last.closed ? last.ts : last.ts - ms) : -Infinity;
  return { stream: name, market, interval, ms, lastClosed };
}

function klineEvent(now: number, s: Sub, c: Candle): Record<string, unknown> {
  const r = klineRow(c, s.ms) as [number, string, string, string, string, string, number, string];
  return {
    e: 'kline',
    E: now,
    s: s.market.id,
    k: { t: c.ts, T: r[6], s: s.market.id, i: s.interval, f: -1, L: -1, o: r[1], c: r[4], h: r[2], l: r[3], v: r[5], n: 0, x: c.closed, q: r[7], V: '0', Q: '0', B: '0' },
  };
}

export class StreamHub {
  private readonly o: StreamHubOptions;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly conns = new Set<Conn>();
  private timer?: NodeJS.Timeout;
  private lastNow = NaN;

  constructor(o: StreamHubOptions) {
    this.o = o;
    if (o.updateMs > 0) {
      this.timer = setInterval(() => this.pushAll(), o.updateMs);
      this.timer.unref();
    }
  }

  /** Open stream connections. */
  get connections(): number {
    return this.conns.size;
  }

  /** True for a path this hub serves (`/ws…`, `/stream…`, the same under `/fapi`). */
  static serves(path: string): boolean {
    return /^(\/fapi)?\/(ws|stream)(\/|$)/.test(path);
  }

  /** Takes an HTTP upgrade request for a stream path. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://replay.local');
    const futures = url.pathname.startsWith('/fapi/');
    const path = futures ? url.pathname.slice(5) : url.pathname;
    const kind: MarketKind = futures ? 'futures' : 'spot';
    this.o.count?.(`WS ${url.pathname}`);
    let names: string[];
    const combined = path === '/stream' || path.startsWith('/stream/');
    if (combined) names = (url.searchParams.get('streams') ?? '').split('/').filter(Boolean);
    else names = path.replace(/^\/ws\/?/, '').split('/').filter(Boolean);
    const subs = new Map<string, Sub>();
    try {
      if (!(path === '/ws' || path.startsWith('/ws/') || path === '/stream')) throw new BinanceError(404, 2, `Invalid request: no stream path ${url.pathname}; expected ${futures ? '/fapi' : ''}/ws/<symbol>@kline_<interval> or ${futures ? '/fapi' : ''}/stream?streams=…`);
      for (const n of names) subs.set(n, parseStream(this.o.engine(), kind, n));
    } catch (e) {
      const be = e instanceof BinanceError ? e : new BinanceError(400, 2, `Invalid request: ${(e as Error).message}`);
      const body = JSON.stringify(be.body());
      socket.end(`HTTP/1.1 ${be.status} ${be.status === 404 ? 'Not Found' : 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      this.o.log?.(`WS ${url.pathname} refused: ${be.message}`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const conn: Conn = { ws, path: url.pathname, kind, combined, subs, silentUntil: 0, held: [], cut: false };
      this.conns.add(conn);
      this.o.log?.(`WS ${conn.path} open (${[...subs.keys()].join(', ') || 'no streams yet'})`);
      ws.on('message', (data) => this.onRequest(conn, data));
      ws.on('close', () => {
        this.conns.delete(conn);
        this.o.log?.(`WS ${conn.path} closed`);
      });
      ws.on('error', () => undefined);
      this.pushConn(conn);
    });
  }

  /** The clock may have moved: push what changed to every subscription. */
  onClock(): void {
    const now = this.o.engine().now;
    if (now === this.lastNow) return;
    this.lastNow = now;
    this.pushAll();
  }

  /** Cuts every stream connection (the server stops serving). */
  closeConnections(): void {
    for (const c of this.conns) c.ws.terminate();
    this.conns.clear();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.closeConnections();
    this.wss.close();
  }

  private pushAll(): void {
    for (const c of this.conns) this.pushConn(c);
  }

  private pushConn(conn: Conn): void {
    const engine = this.o.engine();
    for (const s of conn.subs.values()) {
      if (conn.cut || conn.ws.readyState !== WebSocket.OPEN) return;
      const candles = engine.klines(s.market, s.ms, { startTime: Number.isFinite(s.lastClosed) ? s.lastClosed + 1 : 0, limit: 1000 });
      let forming: Candle | undefined;
      for (const c of candles) {
        if (c.ts <= s.lastClosed) continue;
        if (!c.closed) {
          forming = c;
          continue;
        }
        s.lastClosed = c.ts;
        this.send(conn, s, klineEvent(engine.now, s, c), true);
      }
      if (forming) this.send(conn, s, klineEvent(engine.now, s, forming), false);
    }
  }

  private send(conn: Conn, s: Sub, event: Record<string, unknown>, closed: boolean): void {
    if (conn.cut || conn.ws.readyState !== WebSocket.OPEN) return;
    if (Date.now() < conn.silentUntil) return; // stalled: lost
    const text = JSON.stringify(conn.combined ? { stream: s.stream, data: event } : event);
    const plan = this.o.faults.planMessage(conn.path, s.stream, closed);
    const k = event.k as { t: number; x: boolean };
    const what = `${s.stream} ${new Date(k.t).toISOString()}${k.x ? ' closed' : ''}`;
    switch (plan.action) {
      case 'disconnect':
        conn.cut = true;
        this.o.log?.(`WS ${conn.path} fault=ws-disconnect${plan.abrupt ? ' (abrupt)' : ''} instead of ${what}`);
        if (plan.abrupt) conn.ws.terminate();
        else conn.ws.close(1001, 'replay exchange fault: disconnect');
        return;
      case 'stall':
        conn.silentUntil = Date.now() + plan.stallMs;
        this.o.log?.(`WS ${conn.path} fault=ws-stall for ${plan.stallMs === Infinity ? 'good' : `${plan.stallMs}ms`} from ${what}`);
        return;
      case 'out-of-order':
        conn.held.push(text);
        this.o.log?.(`WS ${conn.path} fault=ws-out-of-order holding ${what}`);
        return;
      case 'duplicate':
        conn.ws.send(text);
        conn.ws.send(text);
        this.o.log?.(`WS ${conn.path} fault=ws-duplicate ${what}`);
        break;
      default:
        conn.ws.send(text);
    }
    if (closed && conn.held.length) {
      for (const h of conn.held) conn.ws.send(h);
      conn.held = [];
    }
  }

  /** Binance's subscription requests on a connection. */
  private onRequest(conn: Conn, data: RawData): void {
    let req: { method?: unknown; params?: unknown; id?: unknown };
    const reply = (o: unknown) => conn.ws.readyState === WebSocket.OPEN && conn.ws.send(JSON.stringify(o));
    try {
      req = JSON.parse(data.toString()) as typeof req;
    } catch (e) {
      reply({ error: { code: 3, msg: `Invalid JSON: ${(e as Error).message}` } });
      return;
    }
    const id = typeof req?.id === 'number' || typeof req?.id === 'string' ? req.id : null;
    try {
      if (req.method === 'LIST_SUBSCRIPTIONS') return void reply({ result: [...conn.subs.keys()], id });
      if (req.method !== 'SUBSCRIBE' && req.method !== 'UNSUBSCRIBE') {
        throw new BinanceError(400, 2, `Invalid request: method ${JSON.stringify(req.method)}; expected SUBSCRIBE, UNSUBSCRIBE or LIST_SUBSCRIPTIONS`);
      }
      if (!Array.isArray(req.params) || !req.params.every((p) => typeof p === 'string')) throw new BinanceError(400, 1, 'Invalid value type: params: expected an array of stream names');
      const names = req.params as string[];
      if (req.method === 'UNSUBSCRIBE') for (const n of names) conn.subs.delete(n);
      else {
        const fresh = names.map((n) => parseStream(this.o.engine(), conn.kind, n));
        for (const s of fresh) if (!conn.subs.has(s.stream)) conn.subs.set(s.stream, s);
      }
      reply({ result: null, id });
      if (req.method === 'SUBSCRIBE') this.pushConn(conn);
    } catch (e) {
      const msg = e instanceof BinanceError ? e.message : `Invalid request: ${(e as Error).message}`;
      reply({ error: { code: e instanceof BinanceError && e.code > 0 && e.code < 4 ? e.code : 2, msg }, id });
    }
  }
}
