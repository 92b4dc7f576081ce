/**
 * The replay exchange's kline streams over WebSocket: Binance's paths (spot /ws and /stream, USDT-M the same
 * under /fapi), message shape, every closed bar once and in order as the clock steps, the same numbers as the
 * REST klines of those bars (and as the shipped dataset), subscriptions, refusals, and each stream fault
 * (disconnect, stall, duplicate, out-of-order) delivered as configured.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Bars } from '../../lib/core';
import { FaultInjector, type FaultRule, type ReplayExchange } from '../../lib/replay-exchange';
import { startExchange, window } from '../helpers/exchange';

const START = 200;
const H = 3_600_000;

interface Kline {
  t: number;
  T: number;
  s: string;
  i: string;
  o: string;
  c: string;
  h: string;
  l: string;
  v: string;
  q: string;
  n: number;
  x: boolean;
}
interface Msg {
  e: string;
  E: number;
  s: string;
  k: Kline;
}

interface Client {
  ws: WebSocket;
  raw: unknown[];
  /** kline events (unwrapped from combined messages). */
  klines: Msg[];
  closed: () => Kline[];
  closeCode?: number;
  ended: Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(ok: () => boolean, what: string, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(3);
  }
}

async function connect(url: string): Promise<Client> {
  const ws = new WebSocket(url);
  const c: Client = { ws, raw: [], klines: [], closed: () => c.klines.filter((m) => m.k.x).map((m) => m.k), ended: Promise.resolve() };
  c.ended = new Promise((r) => ws.on('close', (code) => ((c.closeCode = code), r())));
  ws.on('message', (d) => {
    const j = JSON.parse(d.toString()) as Record<string, unknown>;
    c.raw.push(j);
    const ev = (j.data ?? j) as Msg;
    if (ev.e === 'kline') c.klines.push(ev);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return c;
}

/** The upgrade refused: its HTTP status and body. */
function refused(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.on('open', () => reject(new Error(`${url} was accepted`)));
    ws.on('error', () => undefined);
  });
}

let ex: ReplayExchange | undefined;
const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await ex?.close();
  ex = undefined;
});

async function open(opts: { faults?: FaultRule[]; klineUpdateMs?: number; futures?: boolean } = {}): Promise<{ ex: ReplayExchange; bars: Bars }> {
  const bars = await window('2024-03-01T00:00:00Z', 300);
  ex = await startExchange({
    markets: opts.futures ? [{ bars }, { bars, kind: 'futures' }] : [{ bars }],
    start: bars.ts[START],
    faults: opts.faults,
    klineUpdateMs: opts.klineUpdateMs ?? 0,
  });
  return { ex, bars };
}

async function client(url: string): Promise<Client> {
  const c = await connect(url);
  clients.push(c);
  return c;
}

async function restKlines(ex: ReplayExchange, prefix: string, interval: string, startTime: number, limit: number): Promise<unknown[][]> {
  const r = await fetch(`${ex.url}${prefix}/klines?symbol=BTCUSDT&interval=${interval}&startTime=${startTime}&limit=${limit}`);
  return (await r.json()) as unknown[][];
}

/** A stream kline as the REST row of the same bar: [t, o, h, l, c, v, T, q]. */
const asRow = (k: Kline) => [k.t, k.o, k.h, k.l, k.c, k.v, k.T, k.q];

describe('kline streams', () => {
  it('spot /ws/<symbol>@kline_1h: the forming bar, then every closed bar once, in order, equal to REST and to the data', async () => {
    const { ex, bars } = await open();
    const c = await client(`${ex.wsUrl}/ws/btcusdt@kline_1h`);
    await until(() => c.klines.length >= 1, 'the first message');
    const first = c.klines[0]!;
    expect(first.e).toBe('kline');
    expect(first.s).toBe('BTCUSDT');
    expect(first.E).toBe(bars.ts[START]);
    expect(first.k).toMatchObject({ t: bars.ts[START], T: bars.ts[START]! + H - 1, s: 'BTCUSDT', i: '1h', x: false, o: String(bars.open[START]) });
    for (let k = 0; k < 6; k++) ex.step(1);
    await until(() => c.closed().length >= 6, 'six closed bars');
    await sleep(20);
    const closed = c.closed();
    expect(closed.map((k) => k.t)).toEqual(Array.from(bars.ts.slice(START, START + 6))); // once each, in order, none earlier
    for (let j = 0; j < 6; j++) {
      const i = START + j;
      expect([Number(closed[j]!.o), Number(closed[j]!.h), Number(closed[j]!.l), Number(closed[j]!.c), Number(closed[j]!.v)]).toEqual([bars.open[i], bars.high[i], bars.low[i], bars.close[i], bars.volume[i]]);
    }
    const rest = await restKlines(ex, '/api/v3', '1h', bars.ts[START]!, 6);
    expect(closed.map(asRow)).toEqual(rest.map((r) => r.slice(0, 8)));
    // each close is followed by the new forming bar, stamped with the clock
    const last = c.klines[c.klines.length - 1]!;
    expect(last.k.x).toBe(false);
    expect(last.k.t).toBe(bars.ts[START + 6]);
    expect(last.E).toBe(ex.engine.now);
  });

  it('USDT-M under /fapi, combined /fapi/stream with a 4h stream aggregated from 1h bars, equal to /fapi/v1/klines', async () => {
    const { ex, bars } = await open({ futures: true });
    const c = await client(`${ex.wsUrl}/fapi/stream?streams=btcusdt@kline_1h/btcusdt@kline_4h`);
    await until(() => c.raw.length >= 2, 'the forming bars');
    expect(new Set(c.raw.map((m) => (m as { stream: string }).stream))).toEqual(new Set(['btcusdt@kline_1h', 'btcusdt@kline_4h']));
    for (let k = 0; k < 9; k++) ex.step(1);
    await until(() => c.closed().filter((k) => k.i === '1h').length >= 9, 'nine 1h closes');
    await sleep(20);
    const four = c.closed().filter((k) => k.i === '4h');
    expect(four.length).toBeGreaterThanOrEqual(2);
    const rest4 = await restKlines(ex, '/fapi/v1', '4h', four[0]!.t, four.length);
    expect(four.map(asRow)).toEqual(rest4.map((r) => r.slice(0, 8)));
    const one = c.closed().filter((k) => k.i === '1h');
    const rest1 = await restKlines(ex, '/fapi/v1', '1h', bars.ts[START]!, 9);
    expect(one.map(asRow)).toEqual(rest1.map((r) => r.slice(0, 8)));
  });

  it("SUBSCRIBE / LIST_SUBSCRIPTIONS / UNSUBSCRIBE on a bare /ws, with Binance's replies", async () => {
    const { ex } = await open();
    const c = await client(`${ex.wsUrl}/ws`);
    c.ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['btcusdt@kline_1h'], id: 1 }));
    await until(() => c.klines.length >= 1, 'a kline after subscribing');
    expect(c.raw[0]).toEqual({ result: null, id: 1 });
    c.ws.send(JSON.stringify({ method: 'LIST_SUBSCRIPTIONS', id: 2 }));
    c.ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['ethusdt@kline_1h'], id: 3 }));
    c.ws.send('not json');
    await until(() => c.raw.length >= 5, 'the replies');
    expect(c.raw).toContainEqual({ result: ['btcusdt@kline_1h'], id: 2 });
    const err = c.raw.find((m) => (m as { id?: number }).id === 3) as { error: { code: number; msg: string } };
    expect(err.error.msg).toMatch(/Invalid symbol.*ETHUSDT.*listed: BTCUSDT/);
    expect(c.raw).toContainEqual({ error: { code: 3, msg: expect.stringMatching(/^Invalid JSON/) } });
    c.ws.send(JSON.stringify({ method: 'UNSUBSCRIBE', params: ['btcusdt@kline_1h'], id: 4 }));
    await until(() => c.raw.some((m) => (m as { id?: number }).id === 4), 'the unsubscribe reply');
    const n = c.klines.length;
    ex.step(2);
    await sleep(50);
    expect(c.klines.length).toBe(n);
  });

  it('refuses what it does not serve at the upgrade, naming it', async () => {
    const { ex } = await open();
    const bad = await refused(`${ex.wsUrl}/ws/btcusdt@depth`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatch(/<symbol>@kline_<interval>/);
    const sym = await refused(`${ex.wsUrl}/ws/ethusdt@kline_1h`);
    expect(sym.body).toMatch(/ETHUSDT.*listed: BTCUSDT/);
    const iv = await refused(`${ex.wsUrl}/ws/btcusdt@kline_1m`);
    expect(iv.body).toMatch(/interval '1m' is not served.*1h/);
    const fut = await refused(`${ex.wsUrl}/fapi/ws/btcusdt@kline_1h`); // no futures market listed
    expect(fut.body).toMatch(/Invalid symbol/);
    expect((await refused(`${ex.wsUrl}/api/v3/ws`)).status).toBe(404);
  });

  it('pushes the forming bar every klineUpdateMs while the clock stands', async () => {
    const { ex } = await open({ klineUpdateMs: 20 });
    const c = await client(`${ex.wsUrl}/ws/btcusdt@kline_1h`);
    await sleep(200);
    expect(c.klines.length).toBeGreaterThanOrEqual(4);
    expect(c.klines.every((m) => !m.k.x && m.E === ex.engine.now)).toBe(true);
  });
});

describe('stream faults', () => {
  it('ws-disconnect after 2 closed bars: a close frame 1001 instead of the third, which is lost', async () => {
    const { ex, bars } = await open({ faults: [{ kind: 'ws-disconnect', after: 2, times: 1 }] });
    const c = await client(`${ex.wsUrl}/ws/btcusdt@kline_1h`);
    for (let k = 0; k < 4; k++) ex.step(1);
    await c.ended;
    expect(c.closeCode).toBe(1001);
    expect(c.closed().map((k) => k.t)).toEqual([bars.ts[START], bars.ts[START + 1]]);
    expect(ex.faults.fired['ws-disconnect']).toBe(1);
    // a new connection is served again (the rule fired its one time)
    const d = await client(`${ex.wsUrl}/ws/btcusdt@kline_1h`);
    ex.step(1);
    await until(() => d.closed().length >= 1, 'a close on the new connection');
    expect(d.closed()[0]!.t).toBe(bars.ts[START + 4]);
  });

  it('ws-disconnect abrupt: the TCP connection is destroyed (no close frame)', async () => {
    const { ex } = await open({ faults: [{ kind: 'ws-disconnect', abrupt: true }] });
    const c = await client(`${ex.wsUrl}/ws/btcusdt@kline_1h`);
    ex.step(1);
    await c.ended;
    expect(c.closeCode).toBe(1006);
    expect(c.closed()).toEqual([]);
  });

  it('ws-stall: the socket stays open and answers pings, but sends nothing more (forming updates included)', async () => {
    const { ex, bars } = await open({ klineUpdateMs: 15, faults: [{ kind: 'ws-stall', after: 1 }] });
    const c = await client(`${ex.wsUrl}/ws/btcusdt@kline_1h`);
    ex.step(1);
    await until(() => c.closed().length >= 1, 'the first close');
    ex.step(1);
    await sleep(30);
    const n = c.klines.length;
    ex.step(2);
    await sleep(150);
    expect(c.klines.length).toBe(n);
    expect(c.closed().map((k) => k.t)).toEqual([bars.ts[START]]);
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    const pong = new Promise<void>((r) => c.ws.once('pong', () => r()));
    c.ws.ping();
    await pong;
    expect(ex.faults.fired['ws-stall']).toBe(1);
  });

  it('ws-stall with stallMs: silent for that long, then messages again (what fell in the stall is lost)', async () => {
    const { ex, bars } = await open({ faults: [{ kind: 'ws-stall', stallMs: 150, times: 1 }] });
    const c = await client(`${ex.wsUrl}/ws/btcusdt@kline_1h`);
    ex.step(1);
    await sleep(30);
    ex.step(1);
    await sleep(200);
    ex.step(1);
    await until(() => c.closed().length >= 1, 'a close after the stall');
    expect(c.closed().map((k) => k.t)).toEqual([bars.ts[START + 2]]);
  });

  it('ws-duplicate: the closed bar arrives twice', async () => {
    const { ex, bars } = await open({ faults: [{ kind: 'ws-duplicate', after: 1, times: 1 }] });
    const c = await client(`${ex.wsUrl}/ws/btcusdt@kline_1h`);
    for (let k = 0; k < 3; k++) ex.step(1);
    await until(() => c.closed().length >= 4, 'four closed messages');
    expect(c.closed().map((k) => k.t)).toEqual([bars.ts[START], bars.ts[START + 1], bars.ts[START + 1], bars.ts[START + 2]]);
    expect(ex.faults.fired['ws-duplicate']).toBe(1);
  });

  it('ws-out-of-order: a closed bar arrives after the next one', async () => {
    const { ex, bars } = await open({ faults: [{ kind: 'ws-out-of-order', after: 1, times: 1 }] });
    const c = await client(`${ex.wsUrl}/ws/btcusdt@kline_1h`);
    for (let k = 0; k < 4; k++) ex.step(1);
    await until(() => c.closed().length >= 4, 'four closed messages');
    expect(c.closed().map((k) => k.t)).toEqual([bars.ts[START], bars.ts[START + 2], bars.ts[START + 1], bars.ts[START + 3]]);
  });

  it('stream rule options are checked; HTTP plans never pick a stream rule, message plans never an HTTP one', () => {
    const f = new FaultInjector(1);
    expect(() => f.add({ kind: 'ws-stall', stallMs: 0 })).toThrow(/ws-stall stallMs: expected ms > 0, found 0/);
    expect(() => f.add({ kind: 'ws-duplicate', messages: 'some' as 'all' })).toThrow(/messages: expected 'closed' or 'all', found 'some'/);
    expect(() => f.add({ kind: 'boom' as never })).toThrow(/found 'boom' \(stream faults: ws-disconnect, ws-stall, ws-duplicate, ws-out-of-order\)/);
    f.add({ kind: 'ws-disconnect' }, { kind: 'drop' });
    expect(f.plan('GET', '/api/v3/klines').action).toBe('drop');
    expect(f.planMessage('/ws/btcusdt@kline_1h', 'btcusdt@kline_1h', false).action).toBe('none'); // forming updates do not count by default
    expect(f.planMessage('/ws/btcusdt@kline_1h', 'btcusdt@kline_1h', true).action).toBe('disconnect');
    expect(f.fired).toMatchObject({ drop: 1, 'ws-disconnect': 1 });
  });

  it("stream rules leave HTTP requests alone and match on 'WS <path> <stream>'", async () => {
    const { ex, bars } = await open({ futures: true, faults: [{ kind: 'ws-disconnect', match: 'WS /fapi' }] });
    const spot = await client(`${ex.wsUrl}/ws/btcusdt@kline_1h`);
    const fut = await client(`${ex.wsUrl}/fapi/ws/btcusdt@kline_1h`);
    expect((await restKlines(ex, '/fapi/v1', '1h', bars.ts[0]!, 3)).length).toBe(3);
    ex.step(1);
    await fut.ended;
    await until(() => spot.closed().length >= 1, 'the spot close');
    expect(spot.ws.readyState).toBe(WebSocket.OPEN);
    expect(ex.requests.get('WS /fapi/ws/btcusdt@kline_1h')).toBe(1);
  });
});
