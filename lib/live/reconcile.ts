import { simulate, type SimResult } from '../backtest';
import { isoTime, makeBars, type Bars } from '../core';
import { strategyTargets, withInputs, type AnyStrategy } from '../strategy';
import { simOptionsOf, type RunnerConfig } from './config';
import { tradeRowsOf, type TradeRow } from './ledger';
import { sessionTrades } from './runner';
import type { BarRow, StateStore } from './state-store';

/**
 * What a paper or live session did, against a backtest of the very bars it saw: trade by trade (entry time,
 * fill price, size, exit reason, slippage), with every difference explained from the session's own record
 * (bars it missed while down, risk trips, refused orders, fill prices away from the bar's open).
 */

/** The backtest of a session's bars: the stored bars (warm-up included), vector-form targets, none before the first bar the runner could trade. */
export interface SessionBacktest {
  bars: Bars;
  /** index in `bars` of the first bar the runner traded (or missed); earlier bars were warm-up. */
  firstLive: number;
  targets: Float64Array;
  result: SimResult;
  /** the stored rows, aligned with `bars`. */
  rows: BarRow[];
}

/**
 * Backtests a session's bars with the config's execution options: targets from the strategy's vector form
 * over all stored bars, set to NaN on the warm-up bars (the runner trades from its first live bar on, as
 * the backtester does from the first finite target). `uptoTs`: ignore bars after this open time.
 */
export function backtestSession(strategy: AnyStrategy, params: Record<string, unknown>, config: RunnerConfig, store: StateStore, uptoTs = Infinity): SessionBacktest {
  const rows = store.bars().filter((b) => b.ts <= uptoTs);
  const bars = makeBars(
    {
      ts: rows.map((r) => r.ts),
      open: rows.map((r) => r.open),
      high: rows.map((r) => r.high),
      low: rows.map((r) => r.low),
      close: rows.map((r) => r.close),
      volume: rows.map((r) => r.volume),
    },
    config.symbol,
    config.timeframe,
  );
  let firstLive = rows.findIndex((r) => r.phase !== 'warmup');
  if (firstLive < 0) firstLive = rows.length;
  const targets = strategyTargets(strategy, withSessionInputs(strategy, config, store, bars), params);
  for (let i = 0; i < firstLive; i++) targets[i] = NaN;
  const result = simulate(bars, targets, simOptionsOf(config));
  return { bars, firstLive, targets, result, rows };
}

/** The base bars with the inputs' bars the session was handed (from the state store), when the strategy reads other symbols. */
function withSessionInputs(strategy: AnyStrategy, config: RunnerConfig, store: StateStore, bars: Bars): Bars {
  const names = Object.keys(strategy.inputs ?? {});
  if (!names.length) return bars;
  const inputs: Record<string, Bars> = {};
  for (const name of names) {
    const r = store.inputBars(name);
    inputs[name] = makeBars({ ts: r.map((x) => x.ts), open: r.map((x) => x.open), high: r.map((x) => x.high), low: r.map((x) => x.low), close: r.map((x) => x.close), volume: r.map((x) => x.volume) }, strategy.inputs![name]!.symbol, config.timeframe);
  }
  return withInputs(bars, inputs, { gaps: config.inputGaps });
}

export type RowStatus = 'match' | 'differs' | 'run-only' | 'backtest-only';

/** One line of the comparison: a run trade and its backtest counterpart (either may be missing). */
export interface ReconcileRow {
  n: number;
  status: RowStatus;
  side: 'long' | 'short';
  entry: string;
  entryBacktest: string;
  entryPrice: number;
  entryPriceBacktest: number;
  /** run fill against the backtest fill, in basis points against the trade (positive = worse). */
  entrySlippageBps: number;
  exit: string;
  exitBacktest: string;
  exitPrice: number;
  exitPriceBacktest: number;
  exitSlippageBps: number;
  exitReason: string;
  exitReasonBacktest: string;
  size: number;
  sizeBacktest: number;
  pnl: number;
  pnlBacktest: number;
  /** why the two differ ('' when they match). */
  explanation: string;
}

export interface ReconcileReport {
  rows: ReconcileRow[];
  summary: {
    from: string;
    to: string;
    bars: number;
    runTrades: number;
    backtestTrades: number;
    matched: number;
    differing: number;
    runOnly: number;
    backtestOnly: number;
    runFinalEquity: number;
    backtestFinalEquity: number;
    /** bars where the run's equity differs from the backtest's by more than the tolerance. */
    equityDifferences: number;
    /** neither side traded: the comparison holds trivially (both stayed flat), nothing was compared trade for trade. */
    vacuous: boolean;
  };
  /** equity at each live bar's close: the run's and the backtest's. */
  equity: { ts: Float64Array; run: Float64Array; backtest: Float64Array };
  /** session facts that explain differences: missed bars, risk trips, refused orders, restarts. */
  notes: string[];
  /** the trade lists compared. */
  runTrades: TradeRow[];
  backtestTrades: TradeRow[];
}

export interface ReconcileOptions {
  /** relative tolerance for prices, sizes, fees and pnl (default 1e-9). */
  tolerance?: number;
  /** compare up to this bar open time (default: the last bar the session finished). */
  uptoTs?: number;
}

const close = (a: number, b: number, tol: number): boolean => a === b || Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
const bps = (run: number, bt: number, side: number): number => (Number.isFinite(run) && Number.isFinite(bt) && bt !== 0 ? ((run / bt - 1) * 1e4 * side) : NaN);
const when = (t: number): string => (Number.isFinite(t) ? isoTime(t) : '');
const px = (v: number): number => +v.toPrecision(10);

/** Compares a session with the backtest of its bars, trade by trade. */
export function reconcileSession(strategy: AnyStrategy, params: Record<string, unknown>, config: RunnerConfig, store: StateStore, options: ReconcileOptions = {}): ReconcileReport {
  const tol = options.tolerance ?? 1e-9;
  const upto = options.uptoTs ?? store.lastDoneTs();
  const bt = backtestSession(strategy, params, config, store, upto);
  const run = sessionTrades(store, upto);
  const back = tradeRowsOf(bt.result.trades);
  const tfMs = bt.bars.ts.length > 1 ? bt.bars.ts[1]! - bt.bars.ts[0]! : 0;

  // session facts
  const missed = bt.rows.filter((r) => r.phase === 'missed').map((r) => r.ts);
  const risk = store.events(['risk']);
  const refused = store.orders({ status: ['rejected'] });
  const starts = store.events(['stop']);
  const notes: string[] = [];
  if (missed.length) notes.push(`${missed.length} bar(s) closed while the runner was away and were not traded: ${missed.slice(0, 5).map(when).join(', ')}${missed.length > 5 ? ', …' : ''}`);
  for (const e of risk) notes.push(`risk guard at ${when(e.barTs)}: ${String(e.detail.message)}`);
  for (const o of refused) notes.push(`order ${o.clientId} (${o.side} ${o.amount}, bar ${when(o.barTs)}) was not filled: ${o.error}`);
  for (const e of starts) notes.push(`stopped at ${when(e.barTs)}: ${String(e.detail.reason)}`);

  // pair trades: same side, entries at most 3 bars apart; the closest pairs first (exact ones before near ones)
  const candidates: Array<[number, number, number]> = [];
  run.forEach((r, i) =>
    back.forEach((b, j) => {
      const d = Math.abs(b.entryTs - r.entryTs);
      if (b.side === r.side && d <= 3 * tfMs) candidates.push([d, i, j]);
    }),
  );
  candidates.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const runPair = new Map<number, number>();
  const used = new Set<number>();
  for (const [, i, j] of candidates) {
    if (runPair.has(i) || used.has(j)) continue;
    runPair.set(i, j);
    used.add(j);
  }
  const pairs: Array<[TradeRow | undefined, TradeRow | undefined]> = run.map((r, i) => [r, runPair.has(i) ? back[runPair.get(i)!] : undefined]);
  back.forEach((b, j) => {
    if (!used.has(j)) pairs.push([undefined, b]);
  });
  pairs.sort((a, b) => (a[0] ?? a[1])!.entryTs - (b[0] ?? b[1])!.entryTs);

  const explainAt = (t: number): string[] => {
    const out: string[] = [];
    const lo = t - 3 * tfMs;
    for (const m of missed) if (m >= lo && m <= t) out.push(`bar ${when(m)} closed while the runner was away (decided, not traded)`);
    for (const e of risk) if (e.barTs >= lo && e.barTs <= t) out.push(`risk guard at ${when(e.barTs)}: ${String(e.detail.kind)}`);
    for (const o of refused) if (o.barTs >= lo && o.barTs <= t) out.push(`order ${o.clientId} was not filled (${o.error})`);
    return out;
  };

  const rows: ReconcileRow[] = pairs.map(([r, b], i) => {
    const side = (r ?? b)!.side;
    const row: ReconcileRow = {
      n: i + 1,
      status: 'match',
      side: side > 0 ? 'long' : 'short',
      entry: when(r?.entryTs ?? NaN),
      entryBacktest: when(b?.entryTs ?? NaN),
      entryPrice: r?.entryPrice ?? NaN,
      entryPriceBacktest: b?.entryPrice ?? NaN,
      entrySlippageBps: bps(r?.entryPrice ?? NaN, b?.entryPrice ?? NaN, side),
      exit: when(r?.exitTs ?? NaN),
      exitBacktest: when(b?.exitTs ?? NaN),
      exitPrice: r?.exitPrice ?? NaN,
      exitPriceBacktest: b?.exitPrice ?? NaN,
      exitSlippageBps: bps(r?.exitPrice ?? NaN, b?.exitPrice ?? NaN, -side),
      exitReason: r?.exitReason ?? '',
      exitReasonBacktest: b?.exitReason ?? '',
      size: r?.size ?? NaN,
      sizeBacktest: b?.size ?? NaN,
      pnl: r?.pnl ?? NaN,
      pnlBacktest: b?.pnl ?? NaN,
      explanation: '',
    };
    const why: string[] = [];
    if (!b) {
      row.status = 'run-only';
      why.push('the backtest has no such trade', ...explainAt(r!.entryTs));
      if (r!.exitReason === 'risk' || r!.exitReason === 'stop') why.push(`closed by the runner (${r!.exitReason})`);
    } else if (!r) {
      row.status = 'backtest-only';
      why.push('the run made no such trade', ...explainAt(b.entryTs - tfMs));
    } else {
      if (r.entryTs !== b.entryTs) why.push(`entered ${Math.round(Math.abs(r.entryTs - b.entryTs) / tfMs)} bar(s) ${r.entryTs > b.entryTs ? 'later' : 'earlier'}`, ...explainAt(r.entryTs - tfMs));
      if (r.exitTs !== b.exitTs) why.push(`exited ${Math.round(Math.abs(r.exitTs - b.exitTs) / tfMs)} bar(s) ${r.exitTs > b.exitTs ? 'later' : 'earlier'}`, ...explainAt(r.exitTs - tfMs));
      if (r.exitReason !== b.exitReason) why.push(`exit reason ${r.exitReason} vs ${b.exitReason}`);
      if (!close(r.entryPrice, b.entryPrice, tol)) why.push(`entry filled at ${px(r.entryPrice)} vs the bar's open ${px(b.entryPrice)}: ${row.entrySlippageBps.toFixed(2)} bps ${row.entrySlippageBps > 0 ? 'worse' : 'better'}`);
      if (!close(r.exitPrice, b.exitPrice, tol)) why.push(`exit filled at ${px(r.exitPrice)} vs ${px(b.exitPrice)}: ${row.exitSlippageBps.toFixed(2)} bps ${row.exitSlippageBps > 0 ? 'worse' : 'better'}`);
      if (!close(r.size, b.size, tol)) {
        const cut = risk.filter((e) => e.barTs === r.entryTs - tfMs && e.detail.action === 'clamp');
        if (cut.length) why.push(`size ${r.size} vs ${b.size}: cut by the risk guard (${String(cut[0]!.detail.message)})`);
        else why.push(`size ${r.size} vs ${b.size} (${(((r.size / b.size) - 1) * 100).toFixed(3)} %): the equity it was sized on differed (earlier fills, fees or lot rounding)`);
      }
      if (!close(r.fees, b.fees, tol) && why.length === 0) why.push(`fees ${px(r.fees)} vs ${px(b.fees)}: the exchange charged a different rate or rounding`);
      if (!close(r.pnl, b.pnl, tol) && why.length === 0) why.push(`pnl ${px(r.pnl)} vs ${px(b.pnl)}`);
      if (why.length) row.status = 'differs';
    }
    row.explanation = why.join('; ');
    return row;
  });

  const live = bt.rows.map((r, i) => [r, i] as const).filter(([r]) => r.phase !== 'warmup');
  const ts = Float64Array.from(live, ([r]) => r.ts);
  const eqRun = Float64Array.from(live, ([r]) => r.equity);
  const eqBt = Float64Array.from(live, ([, i]) => bt.result.equity[i]!);
  let equityDifferences = 0;
  for (let i = 0; i < ts.length; i++) if (!close(eqRun[i]!, eqBt[i]!, tol)) equityDifferences++;
  const count = (s: RowStatus) => rows.filter((r) => r.status === s).length;
  const lastRow = bt.rows[bt.rows.length - 1];
  return {
    rows,
    summary: {
      from: when(bt.rows[bt.firstLive]?.ts ?? NaN),
      to: when(lastRow?.ts ?? NaN),
      bars: live.length,
      runTrades: run.length,
      backtestTrades: back.length,
      matched: count('match'),
      differing: count('differs'),
      runOnly: count('run-only'),
      backtestOnly: count('backtest-only'),
      runFinalEquity: eqRun.length ? eqRun[eqRun.length - 1]! : NaN,
      backtestFinalEquity: eqBt.length ? eqBt[eqBt.length - 1]! : NaN,
      equityDifferences,
      vacuous: run.length === 0 && back.length === 0,
    },
    equity: { ts, run: eqRun, backtest: eqBt },
    notes,
    runTrades: run,
    backtestTrades: back,
  };
}

/** What a comparison with no trades on either side says (and does not say). */
export const vacuousNote = (bars: number): string =>
  `no trades on either side over these ${bars} bars: nothing was compared trade for trade (agreement only means both stayed flat); use a longer window or parameters that trade`;

/** The comparison as a text table (one line per trade) with the summary and notes, for a terminal. */
export function reconcileText(report: ReconcileReport): string {
  const s = report.summary;
  const fmt = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : '—');
  const head = ['#', 'status', 'side', 'entry (run)', 'entry (bt)', 'px run', 'px bt', 'slip bps', 'exit (run)', 'exit (bt)', 'reason', 'size run', 'size bt', 'pnl run', 'pnl bt'];
  const body = report.rows.map((r) => [
    String(r.n),
    r.status,
    r.side,
    r.entry.replace(':00Z', 'Z') || '—',
    r.entryBacktest.replace(':00Z', 'Z') || '—',
    fmt(r.entryPrice),
    fmt(r.entryPriceBacktest),
    fmt(r.entrySlippageBps),
    r.exit.replace(':00Z', 'Z') || '—',
    r.exitBacktest.replace(':00Z', 'Z') || '—',
    r.exitReason === r.exitReasonBacktest ? r.exitReason : `${r.exitReason || '—'}/${r.exitReasonBacktest || '—'}`,
    fmt(r.size, 6),
    fmt(r.sizeBacktest, 6),
    fmt(r.pnl),
    fmt(r.pnlBacktest),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [
    `${s.from} → ${s.to}: ${s.bars} bars; run ${s.runTrades} trades, backtest ${s.backtestTrades}; ${s.matched} match, ${s.differing} differ, ${s.runOnly} run-only, ${s.backtestOnly} backtest-only`,
    `final equity: run ${fmt(s.runFinalEquity)}, backtest ${fmt(s.backtestFinalEquity)}; bars whose equity differs: ${s.equityDifferences}`,
    ...(s.vacuous ? [vacuousNote(s.bars)] : []),
    '',
    line(head),
    ...body.map(line),
  ];
  const expl = report.rows.filter((r) => r.explanation);
  if (expl.length) out.push('', 'differences:', ...expl.map((r) => `  #${r.n} ${r.status}: ${r.explanation}`));
  if (report.notes.length) out.push('', 'session notes:', ...report.notes.map((n) => `  ${n}`));
  return out.join('\n');
}
