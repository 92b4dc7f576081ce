import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { QuantlabError } from '../core';
import type { AccountConfig } from './accounts';
import { KeyRing } from './auth';
import { ReplayEngine, type EngineOptions, type EngineState } from './engine';
import { BinanceError, errors } from './errors';
import { FaultInjector, type FaultPlan, type FaultRule } from './faults';
import { buildRoutes, type Route } from './routes';
import { readStateFile, writeStateFile } from './snapshot';
import { StreamHub } from './streams';
import { WeightLimiter } from './weights';

/**
 * The replay exchange over HTTP on 127.0.0.1: Binance's REST paths (spot /api/v3, USDT-M /fapi, the few
 * /sapi and /dapi calls ccxt makes while loading markets), signed endpoints checked like Binance, request
 * weights with 429 + Retry-After, seeded fault injection, a state file, and a small control API under
 * /quantlab/ (status, step, advance, run, pause) for driving the clock from another process; and Binance's
 * kline streams over WebSocket on the same port (`/ws/…`, `/stream?streams=…`, USDT-M under `/fapi`; see
 * streams.ts), driven by the same clock, with the `ws-*` faults.
 */

export interface ReplayExchangeOptions extends EngineOptions {
  accounts?: AccountConfig[];
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Address to listen on. Default 127.0.0.1. */
  host?: string;
  /** State file: loaded at start when it exists, written (atomically) after every change and on close. */
  statePath?: string;
  /** Seed of the fault generator. Default 1. */
  seed?: number;
  faults?: FaultRule[];
  /** Request weight allowed per window. Default 6000 (Binance spot). */
  weightLimit?: number;
  /** Weight window in ms (a whole number of seconds). Default 60000. */
  weightWindowMs?: number;
  /** Run the clock at one bar per this many ms from the start (default: stepped only). */
  msPerBar?: number;
  /** Kline streams: ms of wall time between pushes of the forming bar while the clock stands (default 2000, as Binance; 0: only when the clock moves). */
  klineUpdateMs?: number;
  /** One line per request and per order event. Lines never hold keys, signatures or query strings. */
  log?: (line: string) => void;
}

export interface ReplayExchange {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** ws://127.0.0.1:PORT (spot streams under /ws and /stream, USDT-M under /fapi/ws and /fapi/stream). */
  readonly wsUrl: string;
  /** The kline streams (open connections; cut them all). */
  readonly streams: Pick<StreamHub, 'connections' | 'closeConnections'>;
  readonly port: number;
  /** The current engine (a new object after restart()). */
  readonly engine: ReplayEngine;
  readonly faults: FaultInjector;
  readonly limiter: WeightLimiter;
  /** Requests served per 'METHOD /path'. */
  readonly requests: Map<string, number>;
  /** Moves the clock to the next bar open n times; returns the steps taken. */
  step(n?: number): number;
  /** Moves the clock to a time (epoch ms or ISO text). */
  advanceTo(t: number | string): void;
  /** Runs the clock at one bar per `msPerBar` ms of wall time until pause(). */
  run(msPerBar: number): void;
  pause(): void;
  /** Writes the state file now (when there is one). */
  saveState(): void;
  /** Stops serving (connections are cut), keeps the state, and serves again on the same port after `downMs`. */
  restart(options?: { downMs?: number }): Promise<void>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Starts a replay exchange; resolves once it listens. */
export async function startReplayExchange(options: ReplayExchangeOptions): Promise<ReplayExchange> {
  const log = options.log;
  const keys = new KeyRing(options.accounts);
  const routes = buildRoutes();
  const faults = new FaultInjector(options.seed ?? 1, options.faults ?? []);
  const limiter = new WeightLimiter(options.weightLimit ?? 6000, options.weightWindowMs ?? 60_000);
  const requests = new Map<string, number>();
  const statePath = options.statePath;
  const hub = new StreamHub({
    engine: () => engine,
    faults,
    updateMs: options.klineUpdateMs ?? 2000,
    log: log ? (l) => log(`replay-exchange ${l}`) : undefined,
    count: (key) => requests.set(key, (requests.get(key) ?? 0) + 1),
  });

  const makeEngine = (state: EngineState | undefined): ReplayEngine => {
    const e = new ReplayEngine(options, state);
    e.log = log ? (l) => log(`replay-exchange ${l}`) : undefined;
    e.onChange = () => {
      scheduleSave();
      hub.onClock();
    };
    return e;
  };
  let saveTimer: NodeJS.Timeout | undefined;
  function scheduleSave(): void {
    if (!statePath || saveTimer) return;
    saveTimer = setTimeout(() => {
      saveTimer = undefined;
      saveState();
    }, 100);
    saveTimer.unref();
  }
  function saveState(): void {
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = undefined;
    if (statePath) writeStateFile(statePath, engine.snapshot());
  }

  let engine = makeEngine(statePath ? readStateFile(statePath) : undefined);
  let server: Server;
  const sockets = new Set<Socket>();
  let port = options.port ?? 0;
  const host = options.host ?? '127.0.0.1';

  // ---- the clock driver
  let runTimer: NodeJS.Timeout | undefined;
  let runMsPerBar = 0;
  let runAnchor = { wall: 0, clock: 0 };
  const tfMs = Math.min(...engine.markets.map((m) => m.tfMs));
  const tick = () => {
    const target = runAnchor.clock + ((Date.now() - runAnchor.wall) / runMsPerBar) * tfMs;
    engine.advanceTo(Math.floor(target));
    if (engine.ended) pause();
  };
  function run(msPerBar: number): void {
    if (!(msPerBar > 0)) throw new QuantlabError('BAD_ARGUMENT', `replay exchange speed: expected ms per bar > 0, found ${msPerBar}`);
    pause();
    runMsPerBar = msPerBar;
    runAnchor = { wall: Date.now(), clock: engine.now };
    runTimer = setInterval(tick, Math.max(5, Math.min(250, msPerBar / 4)));
    runTimer.unref();
  }
  function pause(): void {
    if (runTimer) clearInterval(runTimer);
    runTimer = undefined;
  }

  // ---- requests
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const t0 = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://replay.local');
    const path = url.pathname;
    const rawQuery = url.search.startsWith('?') ? url.search.slice(1) : '';
    const read = await readBody(req);
    if (read === TOO_LARGE) {
      send(res, 413, errors.tooLarge(MAX_BODY_BYTES).body(), { Connection: 'close' });
      return;
    }
    const body = read;
    const key = `${method} ${path}`;
    requests.set(key, (requests.get(key) ?? 0) + 1);
    if (path.startsWith('/quantlab/')) return control(method, path, url.searchParams, res);

    const route = routes.get(key);
    const plan = faults.plan(method, path);
    const finish = (status: number, code?: number) =>
      log?.(`replay-exchange ${key} ${status}${code !== undefined ? ` ${code}` : ''}${plan.action !== 'none' ? ` fault=${plan.action}` : ''}${plan.latencyMs ? ` +${Math.round(plan.latencyMs)}ms` : ''} ${Date.now() - t0}ms`);
    if (plan.latencyMs > 0) await sleep(plan.latencyMs);
    if (plan.action === 'drop') {
      req.socket.destroy();
      return finish(0);
    }
    if (plan.action === 'rate-limit') {
      const e = errors.tooMuchWeight(limiter.limit, limiter.windowText);
      send(res, 429, e.body(), { 'Retry-After': String(plan.retryAfterSec) });
      return finish(429, e.code);
    }
    if (plan.action === 'server-error' && !plan.accepted) return serverError(res, plan.status, finish);
    if (plan.action === 'timeout' && !plan.accepted) return finish(0);

    let status = 200;
    let out: unknown;
    let code: number | undefined;
    const weight = route ? route.weight(url.searchParams) : 1;
    const taken = limiter.take(weight);
    const headers: Record<string, string> = { [limiter.header]: String(limiter.current()) };
    try {
      if (!taken.ok) {
        headers['Retry-After'] = String(Math.max(1, Math.ceil(taken.retryAfterMs / 1000)));
        throw errors.tooMuchWeight(limiter.limit, limiter.windowText);
      }
      if (!route) throw errors.notFound(method, path);
      out = execute(route, rawQuery, body, req.headers['x-mbx-apikey']);
    } catch (e) {
      if (!(e instanceof BinanceError)) {
        log?.(`replay-exchange ${key} internal error: ${(e as Error).message}`);
        e = errors.internal();
      }
      const be = e as BinanceError;
      status = be.status;
      code = be.code;
      out = be.body();
    }
    if (plan.action === 'drop-after-accept') {
      req.socket.destroy();
      return finish(0, code);
    }
    if (plan.action === 'timeout') return finish(0, code);
    if (plan.action === 'server-error') return serverError(res, plan.status, finish);
    send(res, status, out, headers);
    finish(status, code);
  }

  function execute(route: Route, rawQuery: string, body: string, apiKey: string | string[] | undefined): unknown {
    const params = new URLSearchParams(rawQuery);
    for (const [k, v] of new URLSearchParams(body)) params.append(k, v);
    let account = '';
    if (route.signed) {
      account = keys.verify({ apiKey: Array.isArray(apiKey) ? apiKey[0] : apiKey, query: rawQuery, body, serverTimes: [Date.now(), engine.now] });
      engine.account(account);
    }
    return route.handler({ engine, params, account, limiter });
  }

  function control(method: string, path: string, q: URLSearchParams, res: ServerResponse): void {
    try {
      if (method === 'POST' && path === '/quantlab/step') step(Number(q.get('n') ?? 1));
      else if (method === 'POST' && path === '/quantlab/advance') advanceTo(q.get('to') ?? '');
      else if (method === 'POST' && path === '/quantlab/run') run(Number(q.get('msPerBar')));
      else if (method === 'POST' && path === '/quantlab/pause') pause();
      else if (!(method === 'GET' && path === '/quantlab/status')) {
        return send(res, 404, { error: `no control route ${method} ${path}; expected GET /quantlab/status or POST /quantlab/step|advance|run|pause` });
      }
      send(res, 200, status());
    } catch (e) {
      send(res, 400, { error: (e as Error).message });
    }
  }

  function status(): unknown {
    return {
      now: engine.now,
      nowIso: new Date(engine.now).toISOString(),
      start: engine.start,
      end: engine.end,
      ended: engine.ended,
      running: runTimer !== undefined,
      msPerBar: runTimer ? runMsPerBar : null,
      markets: engine.markets.map((m) => ({ kind: m.kind, symbol: m.id, timeframe: m.timeframe, bars: m.bars.ts.length, price: engine.price(m) })),
    };
  }

  function step(n = 1): number {
    if (!(Number.isInteger(n) && n >= 1)) throw new QuantlabError('BAD_ARGUMENT', `replay exchange step: expected a whole number of bars >= 1, found ${n}`);
    return engine.step(n);
  }

  function advanceTo(t: number | string): void {
    const ms = typeof t === 'number' ? t : /^\d+$/.test(t) ? Number(t) : Date.parse(t);
    if (!Number.isFinite(ms)) throw new QuantlabError('BAD_ARGUMENT', `replay exchange advance: expected an epoch ms time or ISO date, found '${t}'`);
    engine.advanceTo(ms);
  }

  async function listen(): Promise<void> {
    server = createServer((req, res) => {
      handle(req, res).catch((e) => {
        log?.(`replay-exchange internal error: ${(e as Error).message}`);
        if (!res.headersSent) send(res, 500, errors.internal().body());
      });
    });
    server.keepAliveTimeout = 5000;
    server.on('upgrade', (req, socket, head) => {
      const path = new URL(req.url ?? '/', 'http://replay.local').pathname;
      if (StreamHub.serves(path)) return hub.upgrade(req, socket, head);
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    });
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address();
    if (addr && typeof addr === 'object') port = addr.port;
  }

  async function stopServing(): Promise<void> {
    const closed = new Promise<void>((r) => server.close(() => r()));
    hub.closeConnections();
    for (const s of sockets) s.destroy();
    sockets.clear();
    await closed;
  }

  if (options.msPerBar !== undefined) run(options.msPerBar);
  await listen();
  log?.(`replay-exchange listening on http://${host}:${port} (${engine.markets.map((m) => `${m.kind} ${m.id} ${m.timeframe}`).join(', ')})`);

  return {
    get url() {
      return `http://${host}:${port}`;
    },
    get wsUrl() {
      return `ws://${host}:${port}`;
    },
    get port() {
      return port;
    },
    streams: hub,
    get engine() {
      return engine;
    },
    faults,
    limiter,
    requests,
    step,
    advanceTo,
    run,
    pause,
    saveState,
    async restart(o = {}) {
      const wasRunning = runTimer !== undefined ? runMsPerBar : 0;
      pause();
      await stopServing();
      saveState();
      const state: EngineState = statePath ? readStateFile(statePath)! : (JSON.parse(JSON.stringify(engine.snapshot())) as EngineState);
      log?.(`replay-exchange restarting (state kept, down ${o.downMs ?? 0}ms)`);
      if (o.downMs) await sleep(o.downMs);
      engine = makeEngine(state);
      await listen();
      if (wasRunning) run(wasRunning);
    },
    async close() {
      pause();
      hub.close();
      await stopServing();
      saveState();
      log?.('replay-exchange closed');
    },
  };
}

/** A 5xx: 500 carries Binance's -1001 JSON; other statuses the plain-text page a gateway sends. */
function serverError(res: ServerResponse, status: number, finish: (status: number, code?: number) => void): void {
  if (status === 500) {
    const e = errors.internal();
    send(res, status, e.body());
    return finish(status, e.code);
  }
  const text = `${status} ${STATUS_CODES[status] ?? 'Server Error'}`;
  res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
  finish(status);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The largest request body read; a larger one is answered 413 without reading the rest. */
export const MAX_BODY_BYTES = 1_000_000;
const TOO_LARGE = Symbol('too large');

function readBody(req: IncomingMessage): Promise<string | typeof TOO_LARGE> {
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
    req.resume();
    return Promise.resolve(TOO_LARGE);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) return void chunks.push(c);
      req.off('data', onData);
      req.resume(); // drain the rest unread
      resolve(TOO_LARGE);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export { FaultInjector, type FaultPlan, type FaultRule };
