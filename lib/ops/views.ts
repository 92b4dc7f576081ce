import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isoTime, parseTimeframe } from '../core';
import type { RunnerConfig } from '../live/config';
import type { TradeRow } from '../live/ledger';
import { reconcileSession, reconcileText } from '../live/reconcile';
import { reconcilePromoted } from '../live/reconcile-promoted';
import { sessionBook, sessionTrades, type Runner, type RunMode } from '../live/runner';
import { lockPath, logPath } from '../live/setup';
import type { OrderRow, StateStore } from '../live/state-store';

/**
 * What the dashboard and the REST API show of one promoted strategy, read from its state file (the same
 * SQLite file the runner writes, WAL mode: a reader never blocks it). With the runner in the same process
 * (`quantlab run --dashboard`) the views read the runner's own store and controls go to the runner; the
 * read-only dashboard (`quantlab dashboard`) opens each state file read-only.
 */
export interface StrategySource {
  /** the promoted folder name. */
  name: string;
  dir: string;
  mode: RunMode;
  config: RunnerConfig;
  store: StateStore;
  /** the runner, when it runs in this process (controls are possible only then). */
  runner?: Runner;
}

export type RunStatus = 'running' | 'paused' | 'stopped' | 'not running';

export interface StatusView {
  name: string;
  mode: RunMode;
  status: RunStatus;
  strategy: string;
  symbol: string;
  timeframe: string;
  session: string | null;
  /** the last closed bar the runner finished: its open time (ISO), close, and how long ago it closed (ms; on the exchange's clock when the runner is in this process, else this machine's). */
  lastBar: { time: string; close: number; equity: number; ageMs: number } | null;
  initialCash: number;
  equity: number;
  /** equity − initial cash. */
  pnl: number;
  /** equity against the first equity of the current UTC day. */
  pnlToday: number;
  /** 1 − equity / peak equity. */
  drawdown: number;
  position: number;
  openOrders: number;
  orders: number;
  trades: number;
  risk: { limits: RunnerConfig['risk']; killSwitch: unknown; pausedUntil: string | null };
  /** set while an operator has paused new orders: who and when. */
  paused: unknown;
  stopped: unknown;
  /** the runner holding this folder's lock (pid, host, since), when one does. */
  heldBy: unknown;
  controls: boolean;
}

const parse = (v: string | undefined): unknown => (v === undefined ? null : (JSON.parse(v) as unknown));

/** The lock holder of the folder's runner, when its process is alive on this host. */
function lockHolder(dir: string, mode: RunMode): { pid: number; host: string; startedAt: string } | null {
  const path = lockPath(dir, mode);
  if (!existsSync(path)) return null;
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as { pid: number; host: string; startedAt: string };
    process.kill(h.pid, 0);
    return { pid: h.pid, host: h.host, startedAt: h.startedAt };
  } catch {
    return null;
  }
}

export interface EquityPoint {
  /** bar open time, epoch ms. */
  t: number;
  close: number;
  equity: number;
  drawdown: number;
}

/** Equity (before the bar's orders, marked at its close) and drawdown per processed bar, from `since` (epoch ms, exclusive). */
export function equityView(s: StrategySource, since = -Infinity): EquityPoint[] {
  const out: EquityPoint[] = [];
  let peak = -Infinity;
  for (const b of s.store.bars(['done', 'missed', 'decided'])) {
    if (!Number.isFinite(b.equity)) continue;
    peak = Math.max(peak, b.equity);
    if (b.ts > since) out.push({ t: b.ts, close: b.close, equity: b.equity, drawdown: peak > 0 ? 1 - b.equity / peak : 0 });
  }
  return out;
}

export function statusView(s: StrategySource, wall = Date.now()): StatusView {
  // a bar's age on the exchange's clock when the runner is here (a replay exchange runs its own clock)
  const now = s.runner && Number.isFinite(s.runner.exchangeTime) ? s.runner.exchangeTime : wall;
  const store = s.store;
  const meta = store.allMeta();
  const tf = parseTimeframe(s.config.timeframe).ms;
  const last = store.lastBar();
  const ledger = sessionBook(store);
  const price = last?.close ?? NaN;
  const equity = Number.isFinite(price) ? ledger.equity(price) : ledger.cash;
  const eq = equityView(s);
  const peak = eq.reduce((m, p) => Math.max(m, p.equity), equity);
  const dayStart = Math.floor((last?.ts ?? 0) / 86_400_000) * 86_400_000;
  const firstToday = eq.find((p) => p.t >= dayStart)?.equity ?? equity;
  const stopped = parse(store.get('stopped'));
  const paused = parse(store.get('operator_pause'));
  const heldBy = s.runner ? { pid: process.pid, host: 'this process', startedAt: null } : lockHolder(s.dir, s.mode);
  const running = s.runner ? !s.runner.stopped : heldBy !== null;
  const pausedUntil = store.getNumber('paused_until');
  const orders = store.orders();
  return {
    name: s.name,
    mode: s.mode,
    status: !running ? (stopped ? 'stopped' : 'not running') : paused ? 'paused' : 'running',
    strategy: meta.strategy ?? s.config.strategy,
    symbol: s.config.symbol,
    timeframe: s.config.timeframe,
    session: meta.session ?? null,
    lastBar: last ? { time: isoTime(last.ts), close: last.close, equity: last.equity, ageMs: now - (last.ts + tf) } : null,
    initialCash: ledger.initialCash,
    equity,
    pnl: equity - ledger.initialCash,
    pnlToday: equity - firstToday,
    drawdown: peak > 0 ? 1 - equity / peak : 0,
    position: ledger.position,
    openOrders: orders.filter((o) => o.status === 'intent' || o.status === 'sent').length,
    orders: orders.length,
    trades: ledger.trades.length + (ledger.inTrade ? 1 : 0), // an open one counts, as sessionTrades marks it
    risk: { limits: s.config.risk, killSwitch: parse(store.get('kill_switch')), pausedUntil: Number.isFinite(pausedUntil) ? isoTime(pausedUntil) : null },
    paused,
    stopped,
    heldBy,
    controls: Boolean(s.runner),
  };
}

export interface Page<T> {
  total: number;
  page: number;
  size: number;
  sort: string;
  dir: 'asc' | 'desc';
  rows: T[];
}

/** Sorts by `sort` (a row field) and cuts page `page` (from 1) of `size` rows; unknown fields sort by the first column. */
export function paged<T extends object>(rows: T[], q: { page?: number; size?: number; sort?: string; dir?: string }, fallback: keyof T & string): Page<T> {
  const size = Math.max(1, Math.min(1000, Math.floor(q.size ?? 50)));
  const sort = q.sort && rows.length && q.sort in rows[0]! ? q.sort : fallback;
  const dir = q.dir === 'asc' ? 'asc' : 'desc';
  const k = dir === 'asc' ? 1 : -1;
  const sorted = [...rows].sort((a, b) => {
    const x = (a as Record<string, unknown>)[sort];
    const y = (b as Record<string, unknown>)[sort];
    return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * k;
  });
  const pages = Math.max(1, Math.ceil(sorted.length / size));
  const page = Math.max(1, Math.min(pages, Math.floor(q.page ?? 1)));
  return { total: rows.length, page, size, sort, dir, rows: sorted.slice((page - 1) * size, page * size) };
}

/** Round trips of the session (an open one marked at the last close, reason 'end'), with ISO times. */
export function tradesView(s: StrategySource): (TradeRow & { entryTime: string; exitTime: string; sideName: string })[] {
  return sessionTrades(s.store).map((t) => ({ ...t, entryTime: isoTime(t.entryTs), exitTime: isoTime(t.exitTs), sideName: t.side > 0 ? 'long' : 'short' }));
}

export function ordersView(s: StrategySource): (OrderRow & { barTime: string })[] {
  return s.store.orders().map((o) => ({ ...o, barTime: isoTime(o.barTs) }));
}

export function positionsView(s: StrategySource): { symbol: string; position: number; side: string; markPrice: number; notional: number }[] {
  const ledger = sessionBook(s.store);
  const price = s.store.lastBar()?.close ?? NaN;
  if (ledger.position === 0) return [];
  return [{ symbol: s.config.symbol, position: ledger.position, side: ledger.position > 0 ? 'long' : 'short', markPrice: price, notional: Math.abs(ledger.position) * price }];
}

/** The last `n` lines of the run's JSON log (already redacted when written), parsed. */
export function logsView(s: StrategySource, n = 200): unknown[] {
  const path = logPath(s.dir, s.mode);
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  return lines.slice(-Math.max(1, Math.min(5000, n))).map((l) => {
    try {
      return JSON.parse(l) as unknown;
    } catch {
      return { event: 'unreadable-line', text: l.slice(0, 200) };
    }
  });
}

/** config.json and validation.json of the promoted folder. */
export function configView(s: StrategySource): { config: unknown; validation: unknown } {
  const read = (f: string): unknown => {
    const p = join(s.dir, f);
    try {
      return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as unknown) : null;
    } catch {
      return { error: `${p} does not parse as JSON` };
    }
  };
  return { config: read('config.json'), validation: read('validation.json') };
}

/**
 * Backtest against this session: the session's trades beside a backtest of the bars it saw (the reconcile of
 * `quantlab reconcile`), as the summary, the notes that explain differences, the text table and both equity
 * curves (epoch ms, run, backtest).
 */
export async function reconcileView(s: StrategySource): Promise<{ summary: unknown; notes: string[]; text: string; equity: { t: number[]; run: number[]; backtest: number[] } }> {
  const r = s.runner ? reconcileSession(s.runner.strategy, s.runner.params, s.config, s.store) : await reconcilePromoted(s.dir, { mode: s.mode });
  return { summary: r.summary, notes: r.notes, text: reconcileText(r), equity: { t: Array.from(r.equity.ts), run: Array.from(r.equity.run), backtest: Array.from(r.equity.backtest) } };
}
