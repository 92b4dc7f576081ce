/**
 * The state store (SQLite and PostgreSQL, the same tests on each), client order ids and the ledger: round trips of every record kind, NaN kept as
 * NaN, transactions that are all or nothing — also under a real kill -9 of a writing process —, a read-only
 * watcher beside a writer, ids that are derived (same inputs, same id; any input changed, another id), and
 * the books checked against trades worked out by hand.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../lib/live/ledger';
import { canonicalJson, clientOrderId, paramsHash, sessionPrefix, type OrderIdParts } from '../../lib/live/order-ids';
import { sessionTrades } from '../../lib/live/runner';
import { StateStore, type BarRow, type StateStore as Store } from '../../lib/live/state-store';
import { PostgresStateStore } from '../../lib/live/state-store-pg';
import { startPg, type PgServer } from '../optimizer/pg-server';
import { ROOT, sleep, spawnRun, tempDir } from '../helpers/runner';

const bar = (ts: number, over: Partial<BarRow> = {}): BarRow => ({
  ts,
  open: 100,
  high: 101,
  low: 99,
  close: 100.5,
  volume: 12,
  target: NaN,
  phase: 'warmup',
  equity: NaN,
  position: NaN,
  cash: NaN,
  refPrice: NaN,
  refTs: NaN,
  ...over,
});

/** A backend under test: opens stores by a key (a file in a temp folder, or a namespace in one database). */
interface Backend {
  name: string;
  start?(): Promise<void>;
  stop?(): void;
  open(key: string, o?: { readonly?: boolean }): Store;
  /** a place where no runner has written. */
  openMissing(): Store;
  /** the import line and expression a child process opens `key` with. */
  child(key: string): { imports: string; open: string };
}

const sqliteDir = tempDir('state');
let pg: PgServer | undefined;

const BACKENDS: Backend[] = [
  {
    name: 'sqlite',
    open: (key, o) => new StateStore(join(sqliteDir, `${key}.db`), o),
    openMissing: () => new StateStore(join(tempDir('state'), 'none.db'), { readonly: true }),
    child: (key) => ({ imports: `import { StateStore } from '${ROOT}/lib/live/state-store';`, open: `new StateStore(${JSON.stringify(join(sqliteDir, `${key}.db`))})` }),
  },
  {
    name: 'postgres',
    async start() {
      pg = await startPg();
      const c = new Client({ connectionString: pg.url });
      await c.connect();
      await c.query('CREATE DATABASE empty');
      await c.end();
    },
    stop: () => pg?.stop(),
    open: (key, o) => new PostgresStateStore(pg!.url, `${key}/paper`, o),
    openMissing: () => new PostgresStateStore(pg!.url.replace(/\/postgres$/, '/empty'), 'x/paper', { readonly: true }),
    child: (key) => ({ imports: `import { PostgresStateStore } from '${ROOT}/lib/live/state-store-pg';`, open: `new PostgresStateStore(${JSON.stringify(pg!.url)}, ${JSON.stringify(`${key}/paper`)})` }),
  },
];

describe.each(BACKENDS)('state store ($name)', (backend) => {
  beforeAll(async () => backend.start?.(), 120_000);
  afterAll(() => backend.stop?.());

  it('keeps bars, orders, fills, events and values; NaN comes back as NaN', () => {
    const s = backend.open('roundtrip');
    if (s instanceof StateStore) expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
    s.putBar(bar(1000));
    s.putBar(bar(2000, { target: 1, phase: 'decided', equity: 10_000.125, position: 0, cash: 10_000.125, refPrice: 101.5, refTs: 3000 }));
    expect(s.bars()).toEqual([bar(1000), bar(2000, { target: 1, phase: 'decided', equity: 10_000.125, position: 0, cash: 10_000.125, refPrice: 101.5, refTs: 3000 })]);
    s.setBarPhase(2000, 'done');
    expect([s.lastDoneTs(), s.lastBar()!.phase, s.bars(['warmup']).length]).toEqual([2000, 'done', 1]);

    const o = { barTs: 2000, symbol: 'BTC/USDT', side: 'buy' as const, reduceOnly: false, reason: 'signal', target: 1, expectedPrice: 101.5 };
    s.addOrders([
      { ...o, clientId: 'a1', leg: 'a', amount: 0.5 },
      { ...o, clientId: 'b1', leg: 'b', amount: 0.25, side: 'sell' },
    ]);
    expect(() => s.addOrders([{ ...o, clientId: 'a1', leg: 'a', amount: 1 }])).toThrow(/UNIQUE/);
    expect(s.orders().map((x) => [x.clientId, x.seq, x.status, x.filled, x.sentAt])).toEqual([
      ['a1', 1, 'intent', 0, NaN],
      ['b1', 2, 'intent', 0, NaN],
    ]);
    s.updateOrder('a1', { status: 'filled', exchangeId: '77', filled: 0.5, average: 101.6, fee: 0.0508, feeCurrency: 'USDT', fillTs: 3000, sentAt: 5 });
    expect(s.order('a1')).toMatchObject({ status: 'filled', exchangeId: '77', filled: 0.5, average: 101.6, fee: 0.0508, feeCurrency: 'USDT', fillTs: 3000, sentAt: 5 });
    expect(s.ordersSentSince(5)).toBe(1);
    expect(s.orders({ status: ['intent'] }).map((x) => x.clientId)).toEqual(['b1']);

    s.addFill('a1', { ts: 3000, barTs: 3000, delta: 0.5, price: 101.6, fee: 0.0508, reason: 'signal' });
    expect(s.fills()).toEqual([{ clientId: 'a1', ts: 3000, barTs: 3000, delta: 0.5, price: 101.6, fee: 0.0508, reason: 'signal' }]);
    s.addEvent('risk', { kind: 'max-notional', message: 'cut' }, 2000, 42);
    expect(s.events(['risk'])).toEqual([{ id: 1, at: 42, barTs: 2000, kind: 'risk', detail: { kind: 'max-notional', message: 'cut' } }]);
    s.setNumber('last_target', NaN);
    expect(s.getNumber('last_target')).toBeNaN();
    s.setNumber('last_target', -1);
    expect(s.getNumber('last_target')).toBe(-1);
    s.setMeta({ session: 'abc', strategy: 'sma-cross' });
    expect(s.allMeta()).toEqual({ session: 'abc', strategy: 'sma-cross' });
    s.close();
  });

  it('a transaction that throws leaves nothing behind; a read-only watcher sees only committed steps', () => {
    const w = backend.open('watched');
    const r = backend.open('watched', { readonly: true });
    expect(() =>
      w.tx(() => {
        w.putBar(bar(1000, { phase: 'decided' }));
        w.addOrders([{ clientId: 'x', barTs: 1000, leg: 'a', symbol: 'S', side: 'buy', amount: 1, reduceOnly: false, reason: 'signal', target: 1, expectedPrice: 1 }]);
        expect([w.bars().length, w.orders().length, r.bars().length]).toEqual([1, 1, 0]); // the step sees its own writes, the watcher does not
        w.tx(() => w.setNumber('inner', 1)); // a nested step joins the outer one
        expect(w.getNumber('inner')).toBe(1);
        throw new Error('crash in the middle of a step');
      }),
    ).toThrow(/crash/);
    expect([w.bars().length, w.orders().length, w.getNumber('inner')]).toEqual([0, 0, NaN]);
    w.putBar(bar(1000, { phase: 'done' }));
    expect(r.lastDoneTs()).toBe(1000);
    expect(() => backend.openMissing()).toThrow(/no runner state here/);
    expect(() => r.putBar(bar(5000))).toThrow(); // a watcher cannot write
    w.close();
    r.close();
  });

  it('kill -9 of a process writing steps: every step is there whole or not at all', { timeout: 30_000 }, async () => {
    const dir = tempDir('state-kill');
    const script = join(dir, 'writer.ts');
    const { imports, open } = backend.child('killed');
    writeFileSync(
      script,
      `${imports}
const s = ${open};
console.log('ready');
for (let i = 1; ; i++) {
  s.tx(() => {
    s.putBar({ ts: i * 1000, open: 1, high: 1, low: 1, close: 1, volume: 1, target: 1, phase: 'decided', equity: i, position: 0, cash: i, refPrice: 1, refTs: i * 1000 + 1000 });
    for (const leg of ['a', 'b', 'c']) s.addOrders([{ clientId: 'o' + i + leg, barTs: i * 1000, leg, symbol: 'S', side: 'buy', amount: i, reduceOnly: false, reason: 'signal', target: 1, expectedPrice: 1 }]);
    s.setNumber('last_target', i);
  });
}
`,
    );
    const c = spawnRun(script, []);
    const t0 = Date.now();
    while (!c.lines.includes('ready') && Date.now() - t0 < 20_000) await sleep(5);
    await sleep(300);
    c.proc.kill('SIGKILL');
    await c.exited;
    const s = backend.open('killed'); // also: the killed writer's lock is gone
    const bars = s.bars();
    expect(bars.length).toBeGreaterThan(10);
    expect(bars.map((b) => b.ts)).toEqual(bars.map((_, i) => (i + 1) * 1000)); // a prefix of the steps
    expect(s.orders().length).toBe(3 * bars.length); // each step's orders all there
    expect(s.getNumber('last_target')).toBe(bars.length);
    s.close();
  });
});

describe('client order ids', () => {
  const parts: OrderIdParts = { session: '0123456789abcdef', strategy: 'sma-cross', paramsHash: paramsHash({ fast: 10, slow: 50 }), symbol: 'BTC/USDT', barTs: Date.UTC(2024, 2, 1, 5), target: 1, leg: 'a' };

  it('are derived: the same parts give the same id; each part changes it; they fit every exchange’s rule', () => {
    const id = clientOrderId(parts);
    expect(clientOrderId({ ...parts })).toBe(id);
    expect(id).toMatch(/^[A-Za-z0-9_-]{1,36}$/);
    expect(id.startsWith(sessionPrefix(parts))).toBe(true);
    const variants: Partial<OrderIdParts>[] = [
      { session: 'fedcba9876543210' },
      { strategy: 'ema-cross' },
      { paramsHash: paramsHash({ fast: 11, slow: 50 }) },
      { symbol: 'ETH/USDT' },
      { barTs: parts.barTs + 3_600_000 },
      { target: -1 },
      { target: 0.5 },
      { leg: 'b' },
    ];
    const ids = variants.map((v) => clientOrderId({ ...parts, ...v }));
    expect(new Set([id, ...ids]).size).toBe(variants.length + 1);
    expect(clientOrderId({ ...parts, target: -0 })).toBe(clientOrderId({ ...parts, target: 0 }));
  });

  it('hash parameters in a canonical form (key order does not matter, values do)', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 2], c: 'x' } })).toBe('{"a":{"c":"x","d":[1,2]},"b":1}');
    expect(paramsHash({ fast: 10, slow: 50 })).toBe(paramsHash({ slow: 50, fast: 10 }));
    expect(paramsHash({ fast: 10, slow: 50 })).not.toBe(paramsHash({ fast: 10, slow: 51 }));
  });
});

describe('ledger', () => {
  it('books a long, a flip to short and an open short as worked out by hand', () => {
    const l = new Ledger(1000);
    l.apply({ ts: 1, barTs: 1, delta: 1, price: 100, fee: 0.1, reason: 'signal' }); // buy 1 @ 100
    l.apply({ ts: 2, barTs: 2, delta: -2, price: 110, fee: 0.22, reason: 'signal' }); // sell 2 @ 110: close the long, open a short
    expect(l.position).toBe(-1);
    expect(l.cash).toBeCloseTo(1000 - 100 - 0.1 + 220 - 0.22, 12);
    expect(l.trades).toHaveLength(1);
    const [long] = l.trades;
    expect(long).toMatchObject({ side: 1, entryTs: 1, exitTs: 2, size: 1, entryPrice: 100, exitPrice: 110, exitReason: 'signal' });
    expect(long!.fees).toBeCloseTo(0.1 + 0.11, 12); // the flip's fee split pro rata
    expect(long!.pnl).toBeCloseTo(10 - 0.21, 12);
    expect(long!.returns).toBeCloseTo((10 - 0.21) / 100.1, 12);
    const marked = l.tradesMarkedAt(3, 105);
    expect(marked[1]).toMatchObject({ side: -1, entryTs: 2, exitTs: 3, size: 1, entryPrice: 110, exitPrice: 105, exitReason: 'end' });
    expect(marked[1]!.pnl).toBeCloseTo(5 - 0.11, 12);
    expect(l.equity(105)).toBeCloseTo(1000 - 100.1 + 219.78 - 105, 12);
  });

  it('a session’s trades leave out fills booked after the bar asked for', () => {
    const s = new StateStore(join(tempDir('state'), 'paper.db'));
    s.setMeta({ initialCash: '1000' });
    s.putBar(bar(1, { phase: 'done', close: 100 }));
    s.putBar(bar(2, { phase: 'done', close: 104 }));
    s.addFill('a', { ts: 2, barTs: 2, delta: 1, price: 101, fee: 0, reason: 'signal' });
    s.addFill('b', { ts: 3, barTs: 3, delta: -1, price: 103, fee: 0, reason: 'signal' });
    expect(sessionTrades(s, 2)).toEqual([{ side: 1, entryTs: 2, exitTs: 2, size: 1, entryPrice: 101, exitPrice: 104, fees: 0, pnl: 3, returns: 3 / 101, exitReason: 'end' }]);
    s.close();
  });
});
