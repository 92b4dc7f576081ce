/**
 * The runner's REST API, /health and /metrics on a real paper session against the replay exchange (real
 * ccxt over HTTP): the bearer token guards every /api route (401 without it, never echoed), the views agree
 * with the state file, and the operator controls do what they promise and survive a restart — pause (no new
 * orders, the position kept), resume, flatten (through the normal order path), stop (the kill switch).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveReplay } from '../../lib/live/session';
import { sessionTrades } from '../../lib/live/runner';
import { startOpsServer, type OpsServer } from '../../lib/ops';
import { newToken } from '../../lib/ops/token';
import type { StrategySource } from '../../lib/ops/views';
import { futuresWindow, harness, type Harness, type Opened } from '../helpers/runner';

let h: Harness;
let r: Opened;
let server: OpsServer;
let token: string;
let source: StrategySource;
const tokenFile = () => join(h.dir, 'dashboard.token');

beforeAll(async () => {
  h = await harness({ bars: await futuresWindow(260), warmup: 100 });
  r = h.open({ mode: 'paper' });
  token = newToken(tokenFile());
  source = { name: 'api-test', dir: h.dir, mode: 'paper', config: h.config, store: r.store, runner: r.runner };
  server = await startOpsServer({ sources: [source], token, watchMs: 50 });
});
afterAll(async () => {
  await server?.close();
  await h?.close();
});

const get = (path: string, auth: string | null = `Bearer ${token}`) => fetch(new URL(path, server.url), { headers: auth ? { authorization: auth } : {} });
const getJson = async <T = Record<string, unknown>>(path: string): Promise<T> => {
  const res = await get(path);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
};
const post = (path: string, by = 'tester') => fetch(new URL(path, server.url), { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ by }) });

describe('authentication', () => {
  it('every /api route needs the bearer token: 401 without it or with a wrong one, the token never in an answer', async () => {
    expect(statSync(tokenFile()).mode & 0o777).toBe(0o600);
    expect(readFileSync(tokenFile(), 'utf8').trim()).toBe(token);
    for (const path of ['/api/status', '/api/openapi.json', '/api/trades', '/api/equity', '/api/logs', '/api/events']) {
      for (const auth of [null, 'Bearer wrong', `Bearer ${token}x`, token, `Basic ${token}`]) {
        const res = await get(path, auth);
        expect(res.status, `${path} with ${auth === null ? 'no header' : auth.slice(0, 8)}`).toBe(401);
        const text = await res.text();
        expect(text).not.toContain(token);
      }
    }
    for (const action of ['pause', 'stop']) {
      const res = await fetch(new URL(`/api/${action}`, server.url), { method: 'POST' });
      expect(res.status).toBe(401);
    }
    const page = await (await get('/', null)).text();
    expect(page).toContain('quantlab dashboard');
    expect(page).not.toContain(token);
  });

  it("the page's inline script parses (a template-literal escape slip would blank the whole dashboard)", async () => {
    const html = await (await get('/', null)).text();
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(scripts.length).toBe(1);
    expect(() => new Function(scripts[0]!)).not.toThrow();
  });

  it('/health and /metrics answer without a token; the OpenAPI document lists every route', async () => {
    expect((await get('/health', null)).status).toBe(200);
    expect((await get('/metrics', null)).status).toBe(200);
    const doc = await getJson<{ openapi: string; paths: Record<string, unknown> }>('/api/openapi.json');
    expect(doc.openapi).toMatch(/^3\./);
    for (const p of ['status', 'positions', 'orders', 'trades', 'equity', 'logs', 'pause', 'resume', 'flatten', 'stop']) expect(doc.paths).toHaveProperty(`/api/${p}`);
  });
});

describe('views and controls on a paper session', () => {
  it('status, trades, equity and metrics agree with the state file as bars arrive', async () => {
    await driveReplay(r.runner, h.ex, { steps: 60 });
    const s = await getJson<{ status: string; trades: number; equity: number; position: number; lastBar: { time: string } }>('/api/status');
    expect(s.status).toBe('running');
    const trades = sessionTrades(r.store);
    expect(trades.length).toBeGreaterThan(1);
    expect(s.trades).toBe(trades.length);
    expect(s.position).toBeCloseTo(r.runner.snapshot().position, 12);
    const eq = await getJson<{ t: number; equity: number }[]>('/api/equity');
    const bars = r.store.bars(['done', 'missed']);
    expect(eq.length).toBe(bars.length);
    expect(eq[eq.length - 1]!.equity).toBe(bars[bars.length - 1]!.equity);
    const since = await getJson<unknown[]>(`/api/equity?since=${eq[eq.length - 6]!.t}`);
    expect(since.length).toBe(5);
    const page = await getJson<{ total: number; rows: { entryTs: number }[] }>('/api/trades?size=2&page=1&sort=entryTs&dir=asc');
    expect(page.total).toBe(trades.length);
    expect(page.rows.map((t) => t.entryTs)).toEqual(trades.slice(0, 2).map((t) => t.entryTs));
    const metrics = await (await get('/metrics', null)).text();
    const value = (name: string) => Number(new RegExp(`^${name}\\{strategy="api-test"\\} (\\S+)$`, 'm').exec(metrics)?.[1]);
    expect(value('quantlab_bars_processed')).toBe(bars.length);
    expect(value('quantlab_fills')).toBe(r.store.fills().length);
    expect(value('quantlab_equity')).toBeCloseTo(s.equity, 6);
    expect(metrics).toMatch(/# TYPE quantlab_bar_to_order_seconds histogram/);
    const rec = await getJson<{ summary: { runTrades: number; matched: number; differing: number; runOnly: number; backtestOnly: number }; text: string; equity: { t: number[] } }>('/api/reconcile');
    expect(rec.summary.runTrades).toBe(trades.length);
    expect(rec.summary).toMatchObject({ matched: trades.length, differing: 0, runOnly: 0, backtestOnly: 0 });
    expect(rec.equity.t.length).toBeGreaterThan(50);
    expect(rec.text).toMatch(/\d+ match, 0 differ, 0 run-only, 0 backtest-only/);
  });

  it('each scrape reads the state afresh, even right after the last one', async () => {
    const scrape = async () => {
      const text = await (await get('/metrics', null)).text();
      return (name: string) => Number(new RegExp(`^${name}\\{strategy="api-test"\\} (\\S+)$`, 'm').exec(text)?.[1]);
    };
    const before = await scrape();
    let status = await getJson<{ equity: number }>('/api/status');
    for (let i = 0; i < 30 && status.equity === before('quantlab_equity'); i++) {
      await driveReplay(r.runner, h.ex, { steps: 1 });
      status = await getJson<{ equity: number }>('/api/status');
    }
    expect(status.equity).not.toBe(before('quantlab_equity'));
    const after = await scrape();
    expect(after('quantlab_equity')).toBe(status.equity);
    expect(after('quantlab_bars_processed')).toBe(r.store.bars(['done', 'missed']).length);
  });

  it('pause: bars are still decided, no new order; the pause survives a restart; resume trades the wanted target', async () => {
    const res = await post('/api/pause', 'alice');
    expect(res.status).toBe(200);
    const ordersBefore = r.store.orders().length;
    const positionBefore = r.runner.snapshot().position;
    const done = r.store.bars(['done']).length;
    await driveReplay(r.runner, h.ex, { steps: 40 });
    expect(r.store.bars(['done']).length).toBe(done + 40);
    // the strategy changed its mind while paused (an order was due), yet none was placed
    const targets = r.store.bars(['done']).slice(-40).map((b) => b.target).filter((t) => t === t);
    expect(new Set(targets).size).toBeGreaterThan(1);
    expect(r.store.orders().length).toBe(ordersBefore);
    expect(r.runner.snapshot().position).toBe(positionBefore);
    const s = await getJson<{ status: string; paused: { by: string } }>('/api/status');
    expect(s.status).toBe('paused');
    expect(s.paused.by).toBe('alice');
    const control = r.store.events(['control']);
    expect(control.at(-1)!.detail).toMatchObject({ action: 'pause', by: 'alice' });
    expect(readFileSync(join(h.dir, 'dashboard.token'), 'utf8')).not.toBe('');

    // a new process on the same state: still paused
    const again = h.open({ mode: 'paper' });
    await again.runner.start();
    expect(again.runner.operatorPause?.by).toBe('alice');
    again.store.close();

    expect((await post('/api/resume', 'alice')).status).toBe(200);
    await driveReplay(r.runner, h.ex, { steps: 30 });
    expect(r.store.orders().length).toBeGreaterThan(ordersBefore);
    expect((await getJson<{ status: string }>('/api/status')).status).toBe('running');
  });

  it('flatten closes the position through the order path; stop trips the kill switch, and a restart refuses', async () => {
    // get into a position first
    for (let k = 0; k < 80 && r.runner.snapshot().position === 0; k++) await driveReplay(r.runner, h.ex, { steps: 1 });
    expect(r.runner.snapshot().position).not.toBe(0);
    const f = await post('/api/flatten', 'bob');
    expect(f.status).toBe(200);
    expect(r.runner.snapshot().position).toBe(0);
    const stopOrders = r.store.orders().filter((o) => o.reason === 'stop');
    expect(stopOrders.at(-1)!.status).toBe('filled');
    const s = await post('/api/stop', 'bob');
    expect(s.status).toBe(200);
    expect(r.runner.stopped).toMatchObject({ kind: 'risk' });
    expect(r.store.get('kill_switch')).toContain('bob');
    expect((await get('/health', null)).status).toBe(503);
    expect((await post('/api/flatten')).status).toBe(409);
    const again = h.open({ mode: 'paper' });
    await expect(again.runner.start()).rejects.toThrow(/kill switch/);
    again.store.close();
    const log = r.events.filter((e) => e.event === 'control').map((e) => `${String(e.action)}:${String(e.by)}`);
    expect(log).toEqual(['pause:alice', 'resume:alice', 'flatten:bob', 'stop:bob']);
  });

  it('bad requests get clear JSON errors, never a stack trace', async () => {
    const unknown = await get('/api/status?strategy=nope');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { message: string }).message).toMatch(/no strategy 'nope'.*api-test/);
    const bad = await fetch(new URL('/api/pause', server.url), { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: '{not json' });
    expect(bad.status).toBe(400);
    const text = await bad.text();
    expect(text).not.toMatch(/\n\s+at /);
    expect((await get('/api/nothing')).status).toBe(404);
  });
});
