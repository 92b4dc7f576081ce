import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { QuantlabError } from '../core';
import type { LedgerFill } from './ledger';
import { checkNotLost, lostSessionStart, moveSessionAside } from './state-file';
import { STATE_WORKER_SOURCE } from './state-store-pg-worker';
import {
  barOf,
  nul,
  num,
  ORDER_PATCH_COLUMNS,
  orderOf,
  SqliteStateStore,
  type BarPhase,
  type BarRow,
  type EventRow,
  type InputBarRow,
  type OrderIntent,
  type OrderPatch,
  type OrderPhase,
  type OrderRow,
  type PaperOrderRow,
  type RawBar,
  type RawOrder,
  type StateStore,
} from './state-store';

/**
 * Runner state in PostgreSQL, so several runner machines and one dashboard share one database. Every table
 * carries a namespace column (`<strategy>/<mode>`, e.g. `btc-trend/paper`), so each promoted strategy and mode
 * has its own state beside the others. The interface is the SQLite store's, synchronous: the `pg` driver runs
 * in a worker thread with one connection, and each call waits for its answer (`Atomics.wait` on a shared flag,
 * then `receiveMessageOnPort`). `tx(fn)` opens a PostgreSQL transaction on that connection, every read and
 * write inside `fn` runs in it (reads see the step's own writes), and it commits when `fn` returns — so a
 * killed process leaves the step out whole (the server rolls back the dropped connection's transaction).
 * A writing store holds a session advisory lock keyed by the namespace (one runner per strategy and mode
 * across all machines); it goes with the connection, also when the process is killed. One difference from
 * SQLite: a statement that fails directly inside `tx(fn)` (not in a nested `tx`) spoils the rest of that
 * transaction, so the step fails whole — the runner never goes on with a step after a store error.
 */

const T = {
  meta: 'quantlab_runner_meta',
  kv: 'quantlab_runner_kv',
  bars: 'quantlab_runner_bars',
  orders: 'quantlab_runner_orders',
  fills: 'quantlab_runner_fills',
  events: 'quantlab_runner_events',
  paper: 'quantlab_runner_paper_orders',
  inputs: 'quantlab_runner_input_bars',
} as const;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ${T.meta} (ns TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (ns, key));
CREATE TABLE IF NOT EXISTS ${T.kv} (ns TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (ns, key));
CREATE TABLE IF NOT EXISTS ${T.bars} (
  ns TEXT NOT NULL, ts DOUBLE PRECISION NOT NULL, open DOUBLE PRECISION NOT NULL, high DOUBLE PRECISION NOT NULL,
  low DOUBLE PRECISION NOT NULL, close DOUBLE PRECISION NOT NULL, volume DOUBLE PRECISION NOT NULL, target DOUBLE PRECISION,
  phase TEXT NOT NULL, equity DOUBLE PRECISION, position DOUBLE PRECISION, cash DOUBLE PRECISION, ref_price DOUBLE PRECISION,
  ref_ts DOUBLE PRECISION, PRIMARY KEY (ns, ts)
);
CREATE TABLE IF NOT EXISTS ${T.orders} (
  ns TEXT NOT NULL, client_id TEXT NOT NULL, bar_ts DOUBLE PRECISION NOT NULL, seq INTEGER NOT NULL, leg TEXT NOT NULL,
  symbol TEXT NOT NULL, side TEXT NOT NULL, amount DOUBLE PRECISION NOT NULL, reduce_only INTEGER NOT NULL, reason TEXT NOT NULL,
  target DOUBLE PRECISION, status TEXT NOT NULL, exchange_id TEXT NOT NULL DEFAULT '', filled DOUBLE PRECISION NOT NULL DEFAULT 0,
  average DOUBLE PRECISION, fee DOUBLE PRECISION NOT NULL DEFAULT 0, fee_currency TEXT NOT NULL DEFAULT '', fill_ts DOUBLE PRECISION,
  expected_price DOUBLE PRECISION, error TEXT NOT NULL DEFAULT '', sent_at DOUBLE PRECISION,
  PRIMARY KEY (ns, client_id), UNIQUE (ns, seq)
);
CREATE TABLE IF NOT EXISTS ${T.fills} (
  ns TEXT NOT NULL, seq INTEGER NOT NULL, client_id TEXT NOT NULL, ts DOUBLE PRECISION NOT NULL, bar_ts DOUBLE PRECISION NOT NULL,
  delta DOUBLE PRECISION NOT NULL, price DOUBLE PRECISION NOT NULL, fee DOUBLE PRECISION NOT NULL, reason TEXT NOT NULL,
  PRIMARY KEY (ns, seq), UNIQUE (ns, client_id)
);
CREATE TABLE IF NOT EXISTS ${T.events} (
  ns TEXT NOT NULL, id INTEGER NOT NULL, at DOUBLE PRECISION NOT NULL, bar_ts DOUBLE PRECISION, kind TEXT NOT NULL, detail TEXT NOT NULL,
  PRIMARY KEY (ns, id)
);
CREATE TABLE IF NOT EXISTS ${T.paper} (
  ns TEXT NOT NULL, id INTEGER NOT NULL, client_id TEXT NOT NULL, symbol TEXT NOT NULL, side TEXT NOT NULL,
  amount DOUBLE PRECISION NOT NULL, price DOUBLE PRECISION NOT NULL, fee DOUBLE PRECISION NOT NULL, ts DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (ns, id), UNIQUE (ns, client_id)
);
CREATE TABLE IF NOT EXISTS ${T.inputs} (
  ns TEXT NOT NULL, input TEXT NOT NULL, ts DOUBLE PRECISION NOT NULL, open DOUBLE PRECISION NOT NULL, high DOUBLE PRECISION NOT NULL,
  low DOUBLE PRECISION NOT NULL, close DOUBLE PRECISION NOT NULL, volume DOUBLE PRECISION NOT NULL, PRIMARY KEY (ns, input, ts)
);
CREATE INDEX IF NOT EXISTS ${T.orders}_bar ON ${T.orders} (ns, bar_ts);
CREATE INDEX IF NOT EXISTS ${T.orders}_sent ON ${T.orders} (ns, sent_at);
CREATE INDEX IF NOT EXISTS ${T.bars}_phase ON ${T.bars} (ns, phase);
`;

/** The first key of the runner locks (the second is the namespace's hash). */
const LOCK_CLASS = 'quantlab.runner';

/** True for a `postgres://` or `postgresql://` URL. */
export const isPostgresUrl = (s: string | undefined): s is string => s !== undefined && /^postgres(ql)?:\/\//i.test(s);

/** The URL with any password replaced by `***`. */
export const redactPgUrl = (url: string): string => url.replace(/(\/\/[^:/@]+):[^@]*@/, '$1:***@');

interface Reply {
  ok: boolean;
  rows: Record<string, unknown>[];
  message?: string;
  code?: string;
}

export interface PostgresStateOptions {
  /** open for watching: no schema change, no lock, the session is read only. */
  readonly?: boolean;
  /** how long one call may wait for the server (default 30 s). */
  timeoutMs?: number;
}

export class PostgresStateStore implements StateStore {
  /** the redacted URL and the namespace, for messages. */
  readonly path: string;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag: Int32Array;
  private readonly timeoutMs: number;
  private depth = 0;
  private closed = false;

  /**
   * Connects to `url` and opens namespace `ns` (`<strategy>/<mode>`). Writing: creates the tables when missing
   * and takes the namespace's runner lock (LOCKED when another runner, on any machine, holds it). Read only:
   * the tables must be there (NOT_FOUND otherwise).
   */
  constructor(
    readonly url: string,
    readonly ns: string,
    options: PostgresStateOptions = {},
  ) {
    if (!isPostgresUrl(url)) throw new QuantlabError('BAD_ARGUMENT', `runner state: expected a postgres:// URL, found '${redactPgUrl(url)}'`);
    if (!ns) throw new QuantlabError('BAD_ARGUMENT', `runner state ${redactPgUrl(url)}: expected a namespace (<strategy>/<mode>), found ''`);
    this.path = `${redactPgUrl(url)}#${ns}`;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    const shared = new SharedArrayBuffer(4);
    this.flag = new Int32Array(shared);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const pgPath = createRequire(__filename).resolve('pg');
    this.worker = new Worker(STATE_WORKER_SOURCE, { eval: true, workerData: { flag: shared, port: port2, pgPath }, transferList: [port2] });
    this.worker.unref();
    try {
      const app = `quantlab ${options.readonly ? 'watcher' : 'runner'} ${ns} pid ${process.pid} on ${hostname()}`.slice(0, 63);
      const u = new URL(url);
      if (!u.searchParams.has('application_name')) u.searchParams.set('application_name', app);
      this.call({ op: 'connect', url: u.toString(), timeoutMs: this.timeoutMs }, 'connect');
      if (options.readonly) {
        const [r] = this.q<{ t: string | null }>(`SELECT to_regclass('${T.meta}')::text AS t`);
        if (!r?.t) throw new QuantlabError('NOT_FOUND', `${this.path}: no runner state here (no runner has written to this database)`);
        this.q('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY');
      } else {
        this.tx(() => {
          this.q(`SELECT pg_advisory_xact_lock(hashtext('quantlab.runner.schema'))`);
          for (const st of SCHEMA.split(';').map((x) => x.trim()).filter(Boolean)) this.q(st);
        });
        const [got] = this.q<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS ok', [LOCK_CLASS, ns]);
        if (!got?.ok) {
          const holder = this.q<{ app: string; since: string }>(
            `SELECT a.application_name AS app, a.backend_start::text AS since FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
             WHERE l.locktype = 'advisory' AND l.granted AND l.classid = hashtext($1)::oid AND l.objid = hashtext($2)::oid AND l.objsubid = 2`,
            [LOCK_CLASS, ns],
          )[0];
          throw new QuantlabError(
            'LOCKED',
            `${this.path}: another runner holds this strategy and mode's state${holder ? ` (${holder.app || 'unnamed connection'}, connected since ${holder.since})` : ''}; expected no runner on it — stop that one first (one runner per strategy and mode)`,
          );
        }
      }
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** Sends one request to the worker and waits for its answer. */
  private call(m: Record<string, unknown>, what: string): Reply {
    if (this.closed) throw new QuantlabError('IO_ERROR', `${this.path}: the state store is closed (${what})`);
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage(m);
    const deadline = Date.now() + this.timeoutMs + 1000;
    for (;;) {
      Atomics.wait(this.flag, 0, 0, Math.max(1, deadline - Date.now()));
      const got = receiveMessageOnPort(this.port);
      if (got) {
        const r = got.message as Reply;
        if (!r.ok) {
          const msg = `${this.path}: ${what} failed: ${r.message}`;
          const err = new QuantlabError(r.code === '23505' ? 'VALIDATION_FAILED' : 'IO_ERROR', r.code === '23505' ? `${msg} (UNIQUE constraint)` : msg);
          throw err;
        }
        return r;
      }
      if (Date.now() > deadline) throw new QuantlabError('IO_ERROR', `${this.path}: no answer from PostgreSQL within ${this.timeoutMs} ms (${what})`);
    }
  }

  private q<R = Record<string, unknown>>(sql: string, params: unknown[] = []): R[] {
    return this.call({ op: 'query', sql, params }, sql.replace(/\s+/g, ' ').slice(0, 60)).rows as R[];
  }

  close(): void {
    if (this.closed) return;
    try {
      this.call({ op: 'end' }, 'close');
    } catch {
      // the connection is gone already; nothing left to release
    }
    this.closed = true;
    this.port.close();
    void this.worker.terminate();
  }

  tx<T>(fn: () => T): T {
    const d = this.depth;
    this.q(d === 0 ? 'BEGIN' : `SAVEPOINT s${d}`);
    this.depth = d + 1;
    let out: T;
    try {
      out = fn();
    } catch (e) {
      this.depth = d;
      try {
        this.q(d === 0 ? 'ROLLBACK' : `ROLLBACK TO SAVEPOINT s${d}`);
      } catch {
        // the rollback failing means the connection is gone: the server drops the transaction itself
      }
      throw e;
    }
    this.depth = d;
    this.q(d === 0 ? 'COMMIT' : `RELEASE SAVEPOINT s${d}`);
    return out;
  }

  /**
   * Moves this namespace's rows to `<ns>.replaced-<stamp>` (a deliberate new session; nothing is deleted).
   * Returns the new namespace, or undefined when there was nothing to move.
   */
  moveAside(now = new Date()): string | undefined {
    const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const to = `${this.ns}.replaced-${stamp}`;
    let moved = 0;
    this.tx(() => {
      for (const t of Object.values(T)) moved += this.q<{ n: number }>(`WITH m AS (UPDATE ${t} SET ns = $2 WHERE ns = $1 RETURNING 1) SELECT count(*)::int AS n FROM m`, [this.ns, to])[0]!.n;
    });
    return moved ? to : undefined;
  }

  // ---- meta and kv

  meta(key: string): string | undefined {
    return this.q<{ value: string }>(`SELECT value FROM ${T.meta} WHERE ns = $1 AND key = $2`, [this.ns, key])[0]?.value;
  }

  allMeta(): Record<string, string> {
    return Object.fromEntries(this.q<{ key: string; value: string }>(`SELECT key, value FROM ${T.meta} WHERE ns = $1 ORDER BY key`, [this.ns]).map((r) => [r.key, r.value]));
  }

  setMeta(values: Record<string, string>): void {
    this.tx(() => {
      for (const [k, v] of Object.entries(values)) this.q(`INSERT INTO ${T.meta} (ns, key, value) VALUES ($1, $2, $3) ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value`, [this.ns, k, v]);
    });
  }

  get(key: string): string | undefined {
    return this.q<{ value: string }>(`SELECT value FROM ${T.kv} WHERE ns = $1 AND key = $2`, [this.ns, key])[0]?.value;
  }

  set(key: string, value: string | undefined): void {
    if (value === undefined) this.q(`DELETE FROM ${T.kv} WHERE ns = $1 AND key = $2`, [this.ns, key]);
    else this.q(`INSERT INTO ${T.kv} (ns, key, value) VALUES ($1, $2, $3) ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value`, [this.ns, key, value]);
  }

  getNumber(key: string): number {
    const v = this.get(key);
    return v === undefined || v === 'NaN' ? NaN : Number(v);
  }

  setNumber(key: string, v: number): void {
    this.set(key, String(v));
  }

  // ---- bars

  putBar(b: BarRow): void {
    this.q(
      `INSERT INTO ${T.bars} (ns, ts, open, high, low, close, volume, target, phase, equity, position, cash, ref_price, ref_ts)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (ns, ts) DO UPDATE SET target = excluded.target, phase = excluded.phase, equity = excluded.equity,
         position = excluded.position, cash = excluded.cash, ref_price = excluded.ref_price, ref_ts = excluded.ref_ts`,
      [this.ns, b.ts, b.open, b.high, b.low, b.close, b.volume, nul(b.target), b.phase, nul(b.equity), nul(b.position), nul(b.cash), nul(b.refPrice), nul(b.refTs)],
    );
  }

  setBarPhase(ts: number, phase: BarPhase): void {
    this.q(`UPDATE ${T.bars} SET phase = $3 WHERE ns = $1 AND ts = $2`, [this.ns, ts, phase]);
  }

  bars(phases?: readonly BarPhase[]): BarRow[] {
    const rows = phases
      ? this.q<RawBar>(`SELECT * FROM ${T.bars} WHERE ns = $1 AND phase = ANY($2::text[]) ORDER BY ts`, [this.ns, [...phases]])
      : this.q<RawBar>(`SELECT * FROM ${T.bars} WHERE ns = $1 ORDER BY ts`, [this.ns]);
    return rows.map(barOf);
  }

  historyCounts(): { bars: number; orders: number; fills: number } {
    const [r] = this.q<{ bars: number; orders: number; fills: number }>(
      `SELECT (SELECT count(*)::int FROM ${T.bars} WHERE ns = $1) AS bars, (SELECT count(*)::int FROM ${T.orders} WHERE ns = $1) AS orders,
              (SELECT count(*)::int FROM ${T.fills} WHERE ns = $1) AS fills`,
      [this.ns],
    );
    return { bars: r!.bars, orders: r!.orders, fills: r!.fills };
  }

  barCount(): number {
    return this.q<{ n: number }>(`SELECT count(*)::int AS n FROM ${T.bars} WHERE ns = $1`, [this.ns])[0]!.n;
  }

  lastBar(): BarRow | undefined {
    const r = this.q<RawBar>(`SELECT * FROM ${T.bars} WHERE ns = $1 ORDER BY ts DESC LIMIT 1`, [this.ns])[0];
    return r ? barOf(r) : undefined;
  }

  lastDoneTs(): number {
    return num(this.q<{ ts: number | null }>(`SELECT max(ts) AS ts FROM ${T.bars} WHERE ns = $1 AND phase = 'done'`, [this.ns])[0]!.ts);
  }

  // ---- orders and fills

  addOrders(intents: readonly OrderIntent[]): void {
    if (!intents.length) return;
    this.tx(() => {
      const next = this.q<{ s: number }>(`SELECT coalesce(max(seq), 0) AS s FROM ${T.orders} WHERE ns = $1`, [this.ns])[0]!.s;
      intents.forEach((o, i) =>
        this.q(
          `INSERT INTO ${T.orders} (ns, client_id, bar_ts, seq, leg, symbol, side, amount, reduce_only, reason, target, status, expected_price)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'intent', $12)`,
          [this.ns, o.clientId, o.barTs, next + i + 1, o.leg, o.symbol, o.side, o.amount, o.reduceOnly ? 1 : 0, o.reason, nul(o.target), nul(o.expectedPrice)],
        ),
      );
    });
  }

  order(clientId: string): OrderRow | undefined {
    const r = this.q<RawOrder>(`SELECT * FROM ${T.orders} WHERE ns = $1 AND client_id = $2`, [this.ns, clientId])[0];
    return r ? orderOf(r) : undefined;
  }

  orders(where: { barTs?: number; status?: readonly OrderPhase[] } = {}): OrderRow[] {
    const conds = ['ns = $1'];
    const args: unknown[] = [this.ns];
    if (where.barTs !== undefined) {
      args.push(where.barTs);
      conds.push(`bar_ts = $${args.length}`);
    }
    if (where.status) {
      args.push([...where.status]);
      conds.push(`status = ANY($${args.length}::text[])`);
    }
    return this.q<RawOrder>(`SELECT * FROM ${T.orders} WHERE ${conds.join(' AND ')} ORDER BY seq`, args).map(orderOf);
  }

  updateOrder(clientId: string, patch: OrderPatch): void {
    const keys = Object.keys(patch) as (keyof OrderPatch)[];
    if (!keys.length) return;
    const args: unknown[] = [this.ns, clientId];
    const sets = keys.map((k) => {
      const v = patch[k];
      args.push(typeof v === 'number' ? nul(v) : v);
      return `${ORDER_PATCH_COLUMNS[k]} = $${args.length}`;
    });
    this.q(`UPDATE ${T.orders} SET ${sets.join(', ')} WHERE ns = $1 AND client_id = $2`, args);
  }

  ordersSentSince(since: number): number {
    return this.q<{ n: number }>(`SELECT count(*)::int AS n FROM ${T.orders} WHERE ns = $1 AND sent_at >= $2`, [this.ns, since])[0]!.n;
  }

  addFill(clientId: string, f: LedgerFill): void {
    this.q(
      `INSERT INTO ${T.fills} (ns, seq, client_id, ts, bar_ts, delta, price, fee, reason)
       SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4, $5, $6, $7, $8 FROM ${T.fills} WHERE ns = $1`,
      [this.ns, clientId, f.ts, f.barTs, f.delta, f.price, f.fee, f.reason],
    );
  }

  fills(): (LedgerFill & { clientId: string })[] {
    const rows = this.q<{ client_id: string; ts: number; bar_ts: number; delta: number; price: number; fee: number; reason: LedgerFill['reason'] }>(`SELECT * FROM ${T.fills} WHERE ns = $1 ORDER BY seq`, [this.ns]);
    return rows.map((r) => ({ clientId: r.client_id, ts: r.ts, barTs: r.bar_ts, delta: r.delta, price: r.price, fee: r.fee, reason: r.reason }));
  }

  // ---- events

  addEvent(kind: string, detail: Record<string, unknown>, barTs = NaN, at = Date.now()): void {
    this.q(
      `INSERT INTO ${T.events} (ns, id, at, bar_ts, kind, detail) SELECT $1, coalesce(max(id), 0) + 1, $2, $3, $4, $5 FROM ${T.events} WHERE ns = $1`,
      [this.ns, at, nul(barTs), kind, JSON.stringify(detail)],
    );
  }

  events(kinds?: readonly string[]): EventRow[] {
    const rows = kinds
      ? this.q<{ id: number; at: number; bar_ts: number | null; kind: string; detail: string }>(`SELECT * FROM ${T.events} WHERE ns = $1 AND kind = ANY($2::text[]) ORDER BY id`, [this.ns, [...kinds]])
      : this.q<{ id: number; at: number; bar_ts: number | null; kind: string; detail: string }>(`SELECT * FROM ${T.events} WHERE ns = $1 ORDER BY id`, [this.ns]);
    return rows.map((r) => ({ id: r.id, at: r.at, barTs: num(r.bar_ts), kind: r.kind, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  }

  // ---- the paper broker's simulated orders

  paperOrder(ref: { clientId: string } | { id: number }): PaperOrderRow | undefined {
    const cols = 'id, client_id, symbol, side, amount, price, fee, ts';
    return ('clientId' in ref
      ? this.q<PaperOrderRow>(`SELECT ${cols} FROM ${T.paper} WHERE ns = $1 AND client_id = $2`, [this.ns, ref.clientId])
      : this.q<PaperOrderRow>(`SELECT ${cols} FROM ${T.paper} WHERE ns = $1 AND id = $2`, [this.ns, ref.id]))[0];
  }

  addPaperOrder(o: Omit<PaperOrderRow, 'id'>): void {
    this.q(
      `INSERT INTO ${T.paper} (ns, id, client_id, symbol, side, amount, price, fee, ts)
       SELECT $1, coalesce(max(id), 0) + 1, $2, $3, $4, $5, $6, $7, $8 FROM ${T.paper} WHERE ns = $1`,
      [this.ns, o.client_id, o.symbol, o.side, o.amount, o.price, o.fee, o.ts],
    );
  }

  paperOrders(): PaperOrderRow[] {
    return this.q<PaperOrderRow>(`SELECT id, client_id, symbol, side, amount, price, fee, ts FROM ${T.paper} WHERE ns = $1 ORDER BY id`, [this.ns]);
  }

  // ---- bars of strategy inputs (other symbols), as the runner fed them

  putInputBars(input: string, bars: readonly InputBarRow[]): void {
    if (!bars.length) return;
    const col = (k: keyof InputBarRow) => bars.map((b) => b[k]);
    this.q(
      `INSERT INTO ${T.inputs} (ns, input, ts, open, high, low, close, volume)
       SELECT $1, $2, * FROM unnest($3::float8[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::float8[])
       ON CONFLICT (ns, input, ts) DO NOTHING`,
      [this.ns, input, col('ts'), col('open'), col('high'), col('low'), col('close'), col('volume')],
    );
  }

  inputBars(input: string): InputBarRow[] {
    return this.q<InputBarRow>(`SELECT ts, open, high, low, close, volume FROM ${T.inputs} WHERE ns = $1 AND input = $2 ORDER BY ts`, [this.ns, input]);
  }
}

/** The namespace of a promoted strategy's state in a shared database: `<strategy>/<mode>`. */
export const stateNamespace = (strategy: string, mode: string): string => `${strategy}/${mode}`;

export interface OpenRunnerStateOptions {
  /** the SQLite state file (used when `state` is not a PostgreSQL URL). */
  file: string;
  /** the mode's event log (moved aside with `newSession`; checked against a lost state file). */
  log: string;
  /** where the state lives: omitted (or a path) = the SQLite file, or a `postgres://` URL. */
  state?: string;
  /** namespace in a shared database (`<strategy>/<mode>`). */
  ns: string;
  newSession?: boolean;
}

/**
 * Opens a runner's state for writing: the SQLite file, or the namespace in PostgreSQL. With `newSession` the
 * earlier session is moved aside first (file and log renamed; in PostgreSQL the rows move to
 * `<ns>.replaced-<time>`); without it, state that is missing while the log records a session is refused
 * (STATE_DAMAGED) — a lost file, or a database that does not hold this strategy's session.
 */
export function openRunnerState(o: OpenRunnerStateOptions): { store: StateStore; moved: string[] } {
  if (!isPostgresUrl(o.state)) {
    const file = o.state ?? o.file;
    let moved: string[] = [];
    if (o.newSession) moved = moveSessionAside(file, o.log);
    else checkNotLost(file, o.log);
    return { store: new SqliteStateStore(file), moved };
  }
  const store = new PostgresStateStore(o.state, o.ns);
  try {
    const moved: string[] = [];
    if (o.newSession) {
      const to = store.moveAside();
      if (to) moved.push(`${redactPgUrl(o.state)}#${to}`);
      moved.push(...moveSessionAside(o.file, o.log));
    } else if (store.meta('session') === undefined) {
      const at = lostSessionStart(o.log);
      if (at !== undefined) {
        throw new QuantlabError(
          'STATE_DAMAGED',
          `${store.path}: expected the runner's state for this strategy and mode, found none, but ${o.log} records a session here (last started ${at}); point --state at the database that holds it (or drop --state if it ran on the folder's SQLite file), or start over deliberately with --new-session (moves the log aside, nothing is deleted)`,
        );
      }
    }
    return { store, moved };
  } catch (e) {
    store.close();
    throw e;
  }
}

/** Opens a runner's state for watching (read only): the SQLite file, or the namespace in PostgreSQL. */
export function openStateReadonly(o: { file: string; state?: string; ns: string }): StateStore {
  return isPostgresUrl(o.state) ? new PostgresStateStore(o.state, o.ns, { readonly: true }) : new SqliteStateStore(o.state ?? o.file, { readonly: true });
}
