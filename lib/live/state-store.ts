import Database from 'better-sqlite3';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensureDir, QuantlabError, type BarFields } from '../core';
import type { FillReason, LedgerFill } from './ledger';
import { checkStateBytes, checkStateDb, stateError } from './state-file';

/**
 * The runner's state in one SQLite file (WAL, so a reader can watch a running session): the bars it
 * processed with their targets and equity, the orders it meant to place and what became of them, the
 * fills, risk trips and other events, and a few values (last applied target, stop reason). Every step
 * the runner takes is one transaction, so `kill -9` at any moment leaves a state it can resume from.
 * Never holds a credential.
 */

/** How far a bar got: fed for warm-up only; closed while the runner was away (decided, not traded); orders planned; finished. */
export type BarPhase = 'warmup' | 'missed' | 'decided' | 'done';

export interface BarRow extends BarFields {
  /** decide()'s target (NaN = keep). */
  target: number;
  phase: BarPhase;
  /** cash + position × close before this bar's orders (NaN for warm-up bars). */
  equity: number;
  position: number;
  cash: number;
  /** the price orders were sized at (the next bar's open) and that bar's open time (NaN when none). */
  refPrice: number;
  refTs: number;
}

/** intent: written, not yet sent · sent: sent, answer not recorded · filled · rejected (refused or skipped) · canceled. */
export type OrderPhase = 'intent' | 'sent' | 'filled' | 'rejected' | 'canceled';

export interface OrderRow {
  clientId: string;
  barTs: number;
  seq: number;
  leg: string;
  symbol: string;
  side: 'buy' | 'sell';
  amount: number;
  reduceOnly: boolean;
  /** 'signal' (strategy target), 'risk' (flatten on a risk trip), 'stop' (flatten on stop). */
  reason: string;
  target: number;
  status: OrderPhase;
  exchangeId: string;
  filled: number;
  average: number;
  fee: number;
  feeCurrency: string;
  fillTs: number;
  /** the fill price the sizing expected (after modelled slippage). */
  expectedPrice: number;
  error: string;
  /** wall-clock ms when the order was first sent (NaN before). */
  sentAt: number;
}

export interface EventRow {
  id: number;
  /** wall-clock ms. */
  at: number;
  barTs: number;
  kind: string;
  detail: Record<string, unknown>;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bars (
  ts REAL PRIMARY KEY, open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL, close REAL NOT NULL, volume REAL NOT NULL,
  target REAL, phase TEXT NOT NULL, equity REAL, position REAL, cash REAL, ref_price REAL, ref_ts REAL
);
CREATE TABLE IF NOT EXISTS orders (
  client_id TEXT PRIMARY KEY, bar_ts REAL NOT NULL, seq INTEGER NOT NULL UNIQUE, leg TEXT NOT NULL, symbol TEXT NOT NULL,
  side TEXT NOT NULL, amount REAL NOT NULL, reduce_only INTEGER NOT NULL, reason TEXT NOT NULL, target REAL,
  status TEXT NOT NULL, exchange_id TEXT NOT NULL DEFAULT '', filled REAL NOT NULL DEFAULT 0, average REAL,
  fee REAL NOT NULL DEFAULT 0, fee_currency TEXT NOT NULL DEFAULT '', fill_ts REAL, expected_price REAL,
  error TEXT NOT NULL DEFAULT '', sent_at REAL
);
CREATE TABLE IF NOT EXISTS fills (
  seq INTEGER PRIMARY KEY, client_id TEXT NOT NULL UNIQUE, ts REAL NOT NULL, bar_ts REAL NOT NULL,
  delta REAL NOT NULL, price REAL NOT NULL, fee REAL NOT NULL, reason TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_bar ON orders (bar_ts);
CREATE INDEX IF NOT EXISTS orders_sent ON orders (sent_at);
CREATE INDEX IF NOT EXISTS bars_phase ON bars (phase);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, bar_ts REAL, kind TEXT NOT NULL, detail TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS paper_orders (
  id INTEGER PRIMARY KEY, client_id TEXT NOT NULL UNIQUE, symbol TEXT NOT NULL, side TEXT NOT NULL,
  amount REAL NOT NULL, price REAL NOT NULL, fee REAL NOT NULL, ts REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS input_bars (
  input TEXT NOT NULL, ts REAL NOT NULL, open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL, close REAL NOT NULL,
  volume REAL NOT NULL, PRIMARY KEY (input, ts)
);
`;

/** Creates a state file with its schema under a temporary name, then moves it into place (never half made). */
function createStateFile(path: string): void {
  ensureDir(dirname(path), 'runner state');
  const tmp = `${path}.creating-${process.pid}`;
  try {
    const db = new Database(tmp);
    try {
      db.pragma('journal_mode = WAL');
      db.exec(SCHEMA);
    } finally {
      db.close();
    }
    renameSync(tmp, path);
  } catch (e) {
    for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
    throw stateError(path, e);
  }
}

export const num = (v: unknown): number => (v === null || v === undefined ? NaN : Number(v));
export const nul = (v: number): number | null => (Number.isNaN(v) ? null : v);

export interface RawBar extends BarFields {
  target: number | null;
  phase: BarPhase;
  equity: number | null;
  position: number | null;
  cash: number | null;
  ref_price: number | null;
  ref_ts: number | null;
}

export const barOf = (r: RawBar): BarRow => ({
  ts: r.ts,
  open: r.open,
  high: r.high,
  low: r.low,
  close: r.close,
  volume: r.volume,
  target: num(r.target),
  phase: r.phase,
  equity: num(r.equity),
  position: num(r.position),
  cash: num(r.cash),
  refPrice: num(r.ref_price),
  refTs: num(r.ref_ts),
});

export interface RawOrder {
  client_id: string;
  bar_ts: number;
  seq: number;
  leg: string;
  symbol: string;
  side: 'buy' | 'sell';
  amount: number;
  reduce_only: number;
  reason: string;
  target: number | null;
  status: OrderPhase;
  exchange_id: string;
  filled: number;
  average: number | null;
  fee: number;
  fee_currency: string;
  fill_ts: number | null;
  expected_price: number | null;
  error: string;
  sent_at: number | null;
}

export const orderOf = (r: RawOrder): OrderRow => ({
  clientId: r.client_id,
  barTs: r.bar_ts,
  seq: r.seq,
  leg: r.leg,
  symbol: r.symbol,
  side: r.side,
  amount: r.amount,
  reduceOnly: r.reduce_only === 1,
  reason: r.reason,
  target: num(r.target),
  status: r.status,
  exchangeId: r.exchange_id,
  filled: r.filled,
  average: num(r.average),
  fee: r.fee,
  feeCurrency: r.fee_currency,
  fillTs: num(r.fill_ts),
  expectedPrice: num(r.expected_price),
  error: r.error,
  sentAt: num(r.sent_at),
});

/** A new order as the runner plans it. */
export type OrderIntent = Pick<OrderRow, 'clientId' | 'barTs' | 'leg' | 'symbol' | 'side' | 'amount' | 'reduceOnly' | 'reason' | 'target' | 'expectedPrice'>;

/** A simulated fill of the paper broker, kept beside the runner's state (keyed by client order id). */
export interface PaperOrderRow {
  id: number;
  client_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  amount: number;
  price: number;
  fee: number;
  ts: number;
}

/**
 * What the runner keeps, whatever holds it: a SQLite file ({@link SqliteStateStore}) or a PostgreSQL
 * namespace (`PostgresStateStore`). Every method is synchronous; `tx(fn)` is all or nothing, also under kill -9.
 */
export interface StateStore {
  /** where the state lives (a file path, or a redacted PostgreSQL URL with its namespace), for messages. */
  readonly path: string;
  close(): void;
  tx<T>(fn: () => T): T;
  meta(key: string): string | undefined;
  allMeta(): Record<string, string>;
  setMeta(values: Record<string, string>): void;
  get(key: string): string | undefined;
  set(key: string, value: string | undefined): void;
  getNumber(key: string): number;
  setNumber(key: string, v: number): void;
  putBar(b: BarRow): void;
  setBarPhase(ts: number, phase: BarPhase): void;
  bars(phases?: readonly BarPhase[]): BarRow[];
  historyCounts(): { bars: number; orders: number; fills: number };
  barCount(): number;
  lastBar(): BarRow | undefined;
  lastDoneTs(): number;
  addOrders(intents: readonly OrderIntent[]): void;
  order(clientId: string): OrderRow | undefined;
  orders(where?: { barTs?: number; status?: readonly OrderPhase[] }): OrderRow[];
  updateOrder(clientId: string, patch: OrderPatch): void;
  ordersSentSince(since: number): number;
  addFill(clientId: string, f: LedgerFill): void;
  fills(): (LedgerFill & { clientId: string })[];
  addEvent(kind: string, detail: Record<string, unknown>, barTs?: number, at?: number): void;
  events(kinds?: readonly string[]): EventRow[];
  /** the paper broker's simulated order by client order id or by its own id. */
  paperOrder(ref: { clientId: string } | { id: number }): PaperOrderRow | undefined;
  /** books a simulated order (its id is the next number). */
  addPaperOrder(o: Omit<PaperOrderRow, 'id'>): void;
  /** every simulated order, oldest first. */
  paperOrders(): PaperOrderRow[];
  /** stores bars of a strategy input (another symbol) as the runner fed them; a bar already stored is kept. */
  putInputBars(input: string, bars: readonly InputBarRow[]): void;
  /** the stored bars of a strategy input, oldest first. */
  inputBars(input: string): InputBarRow[];
}

/** A bar of a strategy input (another symbol), as the runner fed it to the strategy. */
export type InputBarRow = BarFields;

export type OrderPatch = Partial<Pick<OrderRow, 'status' | 'exchangeId' | 'filled' | 'average' | 'fee' | 'feeCurrency' | 'fillTs' | 'error' | 'sentAt'>>;

/** The columns an order patch may set. */
export const ORDER_PATCH_COLUMNS: Record<keyof OrderPatch, string> = {
  status: 'status',
  exchangeId: 'exchange_id',
  filled: 'filled',
  average: 'average',
  fee: 'fee',
  feeCurrency: 'fee_currency',
  fillTs: 'fill_ts',
  error: 'error',
  sentAt: 'sent_at',
};

export class SqliteStateStore implements StateStore {
  readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  /** A prepared statement, compiled once per store. */
  private sql(text: string): Database.Statement {
    let st = this.statements.get(text);
    if (!st) this.statements.set(text, (st = this.db.prepare(text)));
    return st;
  }

  /**
   * Opens (creating when missing) the state file. `readonly` opens an existing file for watching. An existing
   * file that is empty, not a SQLite database, damaged or lacks the runner's tables is refused (STATE_DAMAGED,
   * naming the file and how to recover); a new file is created whole (schema included) and then moved into place.
   */
  constructor(
    readonly path: string,
    options: { readonly?: boolean } = {},
  ) {
    const readonly = Boolean(options.readonly);
    if (readonly && !existsSync(path)) throw new QuantlabError('NOT_FOUND', `${path}: no runner state here (the runner has not run in this folder)`);
    if (existsSync(path)) checkStateBytes(path);
    else createStateFile(path);
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { readonly, fileMustExist: true, timeout: 5000 });
      if (!readonly) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
      }
      checkStateDb(db, path);
      if (!readonly) db.exec(SCHEMA);
    } catch (e) {
      if (db?.open) db.close();
      throw stateError(path, e);
    }
    this.db = db;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Runs `fn` in one transaction (all or nothing, also under kill -9). */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  // ---- meta (fixed at the first start) and kv (changes as the session runs)

  meta(key: string): string | undefined {
    return (this.sql('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  allMeta(): Record<string, string> {
    return Object.fromEntries((this.sql('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
  }

  setMeta(values: Record<string, string>): void {
    const st = this.sql('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    this.tx(() => {
      for (const [k, v] of Object.entries(values)) st.run(k, v);
    });
  }

  get(key: string): string | undefined {
    return (this.sql('SELECT value FROM kv WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  set(key: string, value: string | undefined): void {
    if (value === undefined) this.sql('DELETE FROM kv WHERE key = ?').run(key);
    else this.sql('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** A number kept in kv (NaN when absent). */
  getNumber(key: string): number {
    const v = this.get(key);
    return v === undefined || v === 'NaN' ? NaN : Number(v);
  }

  setNumber(key: string, v: number): void {
    this.set(key, String(v));
  }

  // ---- bars

  putBar(b: BarRow): void {
    this.sql(
        `INSERT INTO bars (ts, open, high, low, close, volume, target, phase, equity, position, cash, ref_price, ref_ts)
         VALUES (@ts, @open, @high, @low, @close, @volume, @target, @phase, @equity, @position, @cash, @ref_price, @ref_ts)
         ON CONFLICT(ts) DO UPDATE SET target = excluded.target, phase = excluded.phase, equity = excluded.equity,
           position = excluded.position, cash = excluded.cash, ref_price = excluded.ref_price, ref_ts = excluded.ref_ts`,
      ).run({
        ts: b.ts,
        open: b.open,
        high: b.high,
        low: b.low,
        close: b.close,
        volume: b.volume,
        target: nul(b.target),
        phase: b.phase,
        equity: nul(b.equity),
        position: nul(b.position),
        cash: nul(b.cash),
        ref_price: nul(b.refPrice),
        ref_ts: nul(b.refTs),
      });
  }

  setBarPhase(ts: number, phase: BarPhase): void {
    this.sql('UPDATE bars SET phase = ? WHERE ts = ?').run(phase, ts);
  }

  /** Every stored bar, oldest first (optionally only some phases). */
  bars(phases?: readonly BarPhase[]): BarRow[] {
    if (!phases) return (this.sql('SELECT * FROM bars ORDER BY ts').all() as RawBar[]).map(barOf);
    const rows = this.sql(`SELECT * FROM bars WHERE phase IN (${phases.map(() => '?').join(',')}) ORDER BY ts`).all(...phases) as RawBar[];
    return rows.map(barOf);
  }

  /** How many rows of history the file holds (bars, orders, fills). */
  historyCounts(): { bars: number; orders: number; fills: number } {
    const n = (t: string) => (this.sql(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
    return { bars: n('bars'), orders: n('orders'), fills: n('fills') };
  }

  /** How many bars are stored. */
  barCount(): number {
    return (this.sql('SELECT count(*) AS n FROM bars').get() as { n: number }).n;
  }

  lastBar(): BarRow | undefined {
    const r = this.sql('SELECT * FROM bars ORDER BY ts DESC LIMIT 1').get() as RawBar | undefined;
    return r ? barOf(r) : undefined;
  }

  /** Open time of the last bar in phase 'done' (NaN when none). */
  lastDoneTs(): number {
    const r = this.sql("SELECT max(ts) AS ts FROM bars WHERE phase = 'done'").get() as { ts: number | null };
    return num(r.ts);
  }

  // ---- orders and fills

  addOrders(intents: readonly OrderIntent[]): void {
    const next = (this.sql('SELECT coalesce(max(seq), 0) AS s FROM orders').get() as { s: number }).s;
    const st = this.sql(
      `INSERT INTO orders (client_id, bar_ts, seq, leg, symbol, side, amount, reduce_only, reason, target, status, expected_price)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'intent', ?)`,
    );
    intents.forEach((o, i) => st.run(o.clientId, o.barTs, next + i + 1, o.leg, o.symbol, o.side, o.amount, o.reduceOnly ? 1 : 0, o.reason, nul(o.target), nul(o.expectedPrice)));
  }

  order(clientId: string): OrderRow | undefined {
    const r = this.sql('SELECT * FROM orders WHERE client_id = ?').get(clientId) as RawOrder | undefined;
    return r ? orderOf(r) : undefined;
  }

  orders(where: { barTs?: number; status?: readonly OrderPhase[] } = {}): OrderRow[] {
    const conds: string[] = [];
    const args: unknown[] = [];
    if (where.barTs !== undefined) {
      conds.push('bar_ts = ?');
      args.push(where.barTs);
    }
    if (where.status) {
      conds.push(`status IN (${where.status.map(() => '?').join(',')})`);
      args.push(...where.status);
    }
    const rows = this.sql(`SELECT * FROM orders${conds.length ? ` WHERE ${conds.join(' AND ')}` : ''} ORDER BY seq`).all(...args) as RawOrder[];
    return rows.map(orderOf);
  }

  updateOrder(clientId: string, patch: OrderPatch): void {
    const cols = ORDER_PATCH_COLUMNS;
    const keys = Object.keys(patch) as (keyof typeof patch)[];
    if (!keys.length) return;
    const sets = keys.map((k) => `${cols[k]} = @${k}`).join(', ');
    const vals: Record<string, unknown> = { clientId };
    for (const k of keys) {
      const v = patch[k];
      vals[k] = typeof v === 'number' ? nul(v) : v;
    }
    this.sql(`UPDATE orders SET ${sets} WHERE client_id = @clientId`).run(vals);
  }

  /** Orders sent within the last `ms` before `now` (wall clock). */
  ordersSentSince(since: number): number {
    return (this.sql('SELECT count(*) AS n FROM orders WHERE sent_at >= ?').get(since) as { n: number }).n;
  }

  addFill(clientId: string, f: LedgerFill): void {
    const next = (this.sql('SELECT coalesce(max(seq), 0) AS s FROM fills').get() as { s: number }).s;
    this.sql('INSERT INTO fills (seq, client_id, ts, bar_ts, delta, price, fee, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(next + 1, clientId, f.ts, f.barTs, f.delta, f.price, f.fee, f.reason);
  }

  /** Every fill, in the order it was booked. */
  fills(): (LedgerFill & { clientId: string })[] {
    const rows = this.sql('SELECT * FROM fills ORDER BY seq').all() as { client_id: string; ts: number; bar_ts: number; delta: number; price: number; fee: number; reason: FillReason }[];
    return rows.map((r) => ({ clientId: r.client_id, ts: r.ts, barTs: r.bar_ts, delta: r.delta, price: r.price, fee: r.fee, reason: r.reason }));
  }

  // ---- events

  addEvent(kind: string, detail: Record<string, unknown>, barTs = NaN, at = Date.now()): void {
    this.sql('INSERT INTO events (at, bar_ts, kind, detail) VALUES (?, ?, ?, ?)').run(at, nul(barTs), kind, JSON.stringify(detail));
  }

  events(kinds?: readonly string[]): EventRow[] {
    const rows = this.sql('SELECT * FROM events ORDER BY id').all() as { id: number; at: number; bar_ts: number | null; kind: string; detail: string }[];
    return rows.filter((r) => !kinds || kinds.includes(r.kind)).map((r) => ({ id: r.id, at: r.at, barTs: num(r.bar_ts), kind: r.kind, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  }

  // ---- the paper broker's simulated orders

  paperOrder(ref: { clientId: string } | { id: number }): PaperOrderRow | undefined {
    return ('clientId' in ref
      ? this.sql('SELECT * FROM paper_orders WHERE client_id = ?').get(ref.clientId)
      : this.sql('SELECT * FROM paper_orders WHERE id = ?').get(ref.id)) as PaperOrderRow | undefined;
  }

  addPaperOrder(o: Omit<PaperOrderRow, 'id'>): void {
    this.sql('INSERT INTO paper_orders (client_id, symbol, side, amount, price, fee, ts) VALUES (?, ?, ?, ?, ?, ?, ?)').run(o.client_id, o.symbol, o.side, o.amount, o.price, o.fee, o.ts);
  }

  paperOrders(): PaperOrderRow[] {
    return this.sql('SELECT * FROM paper_orders ORDER BY id').all() as PaperOrderRow[];
  }

  // ---- bars of the strategy's inputs (other symbols)

  putInputBars(input: string, bars: readonly InputBarRow[]): void {
    const st = this.sql('INSERT OR IGNORE INTO input_bars (input, ts, open, high, low, close, volume) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const b of bars) st.run(input, b.ts, b.open, b.high, b.low, b.close, b.volume);
  }

  inputBars(input: string): InputBarRow[] {
    return this.sql('SELECT ts, open, high, low, close, volume FROM input_bars WHERE input = ? ORDER BY ts').all(input) as InputBarRow[];
  }
}

/**
 * `new StateStore(path)` opens SQLite state (the {@link SqliteStateStore} class); as a type, `StateStore` is
 * the backend-neutral interface above.
 */
export const StateStore = SqliteStateStore;
