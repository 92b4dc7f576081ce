import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { QuantlabError } from '../core';
import type { OperatorAction } from '../live/runner';
import { OpsMetrics } from './metrics';
import { OPENAPI } from './openapi';
import { dashboardPage } from './page';
import { bearerMatches } from './token';
import { configView, equityView, logsView, ordersView, paged, positionsView, reconcileView, statusView, tradesView, type StrategySource } from './views';

/**
 * One HTTP server for watching and steering promoted strategies: the dashboard page at `/`, the REST API
 * under `/api` (bearer token on every route, OpenAPI at /api/openapi.json), `/health` and Prometheus
 * `/metrics` (no token: bind to loopback, the default, or put it behind your proxy). Node's http module, no
 * framework. Live updates go to the page as server-sent events (`/api/events`), read with fetch() so the
 * token travels in the Authorization header, never in a URL.
 */
export interface OpsServerOptions {
  sources: StrategySource[];
  token: string;
  /** default 127.0.0.1; any other host needs `allowRemote`. */
  host?: string;
  /** default 0 (a free port). */
  port?: number;
  allowRemote?: boolean;
  /** after a control was applied (the run loop wakes to see a stop at once). */
  afterControl?: (name: string, action: OperatorAction['action']) => void;
  /** how often the event stream looks for a new bar (ms, default 500). */
  watchMs?: number;
}

export interface OpsServer {
  url: string;
  host: string;
  port: number;
  metrics: OpsMetrics;
  close(): Promise<void>;
}

/** A file of an installed package, found where `require` would look (the package's `exports` hide its dist/ files). */
function packageFile(pkg: string, file: string): string {
  for (const dir of require.resolve.paths(pkg) ?? []) {
    const p = join(dir, pkg, file);
    if (existsSync(p)) return p;
  }
  throw new QuantlabError('NOT_FOUND', `${pkg}/${file} is not installed (run npm install)`);
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** Parses `[host:]port` (the `--dashboard` value); throws BAD_ARGUMENT naming the flag. */
export function parseListen(value: string, flag = '--dashboard'): { host: string; port: number } {
  const m = /^(?:(\[[^\]]+\]|[^:]+):)?(\d+)$/.exec(value.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) throw new QuantlabError('BAD_ARGUMENT', `${flag}: expected [host:]port with a port in 0..65535, found '${value}'`);
  return { host: m[1] ? m[1].replace(/^\[|\]$/g, '') : '127.0.0.1', port };
}

const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  const text = typeof body === 'string' ? body : JSON.stringify(body, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(text);
};

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 16_384) throw new QuantlabError('BAD_ARGUMENT', 'request body over 16 KB');
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    throw new QuantlabError('BAD_ARGUMENT', 'request body: expected JSON such as {"by": "alice"}');
  }
}

const num = (v: string | null): number | undefined => (v === null || v === '' || !Number.isFinite(Number(v)) ? undefined : Number(v));

export async function startOpsServer(o: OpsServerOptions): Promise<OpsServer> {
  const host = o.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host) && !o.allowRemote) {
    throw new QuantlabError('BAD_ARGUMENT', `dashboard host '${host}' is not loopback: anyone who can reach it sees the account; pass --allow-remote to bind it anyway`);
  }
  const metrics = new OpsMetrics(() => o.sources);
  const charts = readFileSync(packageFile('lightweight-charts', 'dist/lightweight-charts.standalone.production.js'));
  const page = dashboardPage();
  const find = (name: string | null): StrategySource => {
    const s = name ? o.sources.find((x) => x.name === name) : o.sources[0];
    if (!s) throw new QuantlabError('NOT_FOUND', name ? `no strategy '${name}' here; known: ${o.sources.map((x) => x.name).join(', ') || 'none'}` : 'no promoted strategy to show');
    return s;
  };
  const streams = new Set<ServerResponse>();

  const api = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    if (!bearerMatches(req.headers.authorization, o.token)) {
      send(res, 401, { error: 'unauthorized', message: 'every /api route needs Authorization: Bearer <token> (see the token file printed at start)' }, { 'www-authenticate': 'Bearer' });
      return;
    }
    const route = url.pathname.slice('/api/'.length);
    const q = url.searchParams;
    const pq = { page: num(q.get('page')), size: num(q.get('size')), sort: q.get('sort') ?? undefined, dir: q.get('dir') ?? undefined };
    if (req.method === 'POST') {
      const action = route as OperatorAction['action'];
      if (!['pause', 'resume', 'flatten', 'stop'].includes(action)) return send(res, 404, { error: 'not found', message: `no POST /api/${route}` });
      const s = find(q.get('strategy'));
      const body = await readBody(req);
      const by = typeof body.by === 'string' && body.by.trim() ? body.by.trim().slice(0, 80) : `api@${req.socket.remoteAddress ?? '?'}`;
      if (!s.runner) return send(res, 409, { error: 'read-only', message: `${s.name}: this dashboard only reads the state; control a runner from its own server (quantlab run ${s.name} --${s.mode} --dashboard)` });
      const r = await s.runner.control(action, by);
      o.afterControl?.(s.name, action);
      for (const st of streams) st.write(`event: update\ndata: ${JSON.stringify({ strategy: s.name, control: action })}\n\n`);
      return send(res, r.ok ? 200 : 409, r);
    }
    if (req.method !== 'GET') return send(res, 405, { error: 'method not allowed' }, { allow: 'GET, POST' });
    switch (route) {
      case 'openapi.json':
        return send(res, 200, OPENAPI);
      case 'strategies':
        return send(res, 200, o.sources.map((s) => ({ name: s.name, mode: s.mode, symbol: s.config.symbol, timeframe: s.config.timeframe, controls: Boolean(s.runner) })));
      case 'status':
        return send(res, 200, statusView(find(q.get('strategy'))));
      case 'positions':
        return send(res, 200, positionsView(find(q.get('strategy'))));
      case 'orders':
        return send(res, 200, paged(ordersView(find(q.get('strategy'))), pq, 'barTs'));
      case 'trades':
        return send(res, 200, paged(tradesView(find(q.get('strategy'))), pq, 'entryTs'));
      case 'equity':
        return send(res, 200, equityView(find(q.get('strategy')), num(q.get('since')) ?? -Infinity));
      case 'logs':
        return send(res, 200, logsView(find(q.get('strategy')), num(q.get('n')) ?? 200));
      case 'config':
        return send(res, 200, configView(find(q.get('strategy'))));
      case 'reconcile':
        return send(res, 200, await reconcileView(find(q.get('strategy'))));
      case 'events': {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        res.write(': stream open\n\n');
        streams.add(res);
        req.on('close', () => streams.delete(res));
        return;
      }
      default:
        return send(res, 404, { error: 'not found', message: `no GET /api/${route}; see /api/openapi.json` });
    }
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const handle = async () => {
      if (url.pathname.startsWith('/api/')) return api(req, res, url);
      if (req.method !== 'GET') return send(res, 405, { error: 'method not allowed' }, { allow: 'GET' });
      switch (url.pathname) {
        case '/':
        case '/index.html':
          return send(res, 200, page, { 'content-type': 'text/html; charset=utf-8' });
        case '/assets/lightweight-charts.js':
          res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'max-age=3600' });
          return void res.end(charts);
        case '/health': {
          const checks = o.sources.map((s) => {
            const v = statusView(s);
            return { name: s.name, status: v.status, lastBarAgeMs: v.lastBar?.ageMs ?? null };
          });
          const ready = checks.every((c) => c.status === 'running' || c.status === 'paused' || !o.sources.some((s) => s.runner));
          return send(res, ready ? 200 : 503, { live: true, ready, strategies: checks });
        }
        case '/metrics':
          res.writeHead(200, { 'content-type': metrics.contentType });
          return void res.end(await metrics.text());
        case '/favicon.ico':
          res.writeHead(204);
          return void res.end();
        default:
          return send(res, 404, { error: 'not found' });
      }
    };
    handle().catch((e: unknown) => {
      const code = e instanceof QuantlabError ? e.code : 'INTERNAL';
      const status = code === 'NOT_FOUND' ? 404 : code === 'BAD_ARGUMENT' ? 400 : 500;
      if (!res.headersSent) send(res, status, { error: code, message: (e as Error).message });
      else res.end();
    });
  });

  // a new bar or a control: tell every open event stream (one look per watchMs, cheap: the last bar's time)
  const lastSeen = new Map<string, number>();
  const watch = setInterval(() => {
    if (!streams.size) return;
    for (const s of o.sources) {
      const ts = s.store.lastBar()?.ts ?? NaN;
      if (ts !== lastSeen.get(s.name) && !(Number.isNaN(ts) && lastSeen.has(s.name))) {
        lastSeen.set(s.name, ts);
        for (const st of streams) st.write(`event: update\ndata: ${JSON.stringify({ strategy: s.name, lastBarTs: Number.isFinite(ts) ? ts : null })}\n\n`);
      }
    }
  }, o.watchMs ?? 500);
  watch.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new QuantlabError('BAD_ARGUMENT', e.code === 'EADDRINUSE' ? `dashboard: port ${o.port ?? 0} on ${host} is in use; pick another ([host:]port)` : `dashboard: cannot listen on ${host}:${o.port ?? 0} (${e.code ?? e.message})`)),
    );
    server.listen(o.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/`,
    host,
    port,
    metrics,
    close: async () => {
      clearInterval(watch);
      for (const st of streams) st.end();
      streams.clear();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
    },
  };
}
