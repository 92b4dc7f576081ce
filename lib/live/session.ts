import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QuantlabError, sliceBars, type Bars } from '../core';
import { datasetPath, loadBars } from '../data';
import { getStrategy, type AnyStrategy } from '../strategy';
import { checkConfig, DEFAULT_KEY_ENV, DEFAULT_SECRET_ENV, type ExecutionOptions, type RiskLimits, type RunnerConfig } from './config';
import { ExchangePortError } from './exchange-port';
import type { TradeRow } from './ledger';
import { reconcileSession, vacuousNote, type ReconcileReport } from './reconcile';
import type { PromotedStrategy } from './promote';
import { promotedStrategy } from './promoted';
import { makeMarket, startReplayExchange, type FaultRule, type ReplayExchange } from '../replay-exchange';
import type { Runner, RunMode, RunnerEvent, StopInfo } from './runner';
import { setupRunner } from './setup';

/**
 * A whole session against the local replay exchange in one call, for notebooks and tests: serve `bars`
 * over HTTP, run the runner (paper, or live against the replay account) bar by bar over them, and compare
 * what it did with the backtest of the same bars.
 * @example
 * const futures = await ql.loadDataset('BTCUSDT', '1h', { market: 'futures' });
 * const bars = ql.sliceBars(futures, futures.ts.length - 500);
 * const s = await paperSession({ strategy: 'sma-cross', params: { fast: 10, slow: 40 }, bars });
 * s.parity.equal // true
 */

export interface ReplaySessionOptions {
  /** the strategy (or its registered name); taken from `promoted` when that is given. */
  strategy?: AnyStrategy | string;
  params?: Record<string, unknown>;
  /** a promoted strategy (what promote() returned, or its folder): strategy, parameters, execution and risk from it. */
  promoted?: PromotedStrategy | string;
  /** the candles the replay exchange serves (their symbol and timeframe are the market's); default: the last `window` bars of the shipped dataset of the promoted symbol. */
  bars?: Bars;
  /** bars taken from the end of the shipped dataset when `bars` is not given (default 500). */
  window?: number;
  /** 'futures' (USDT-M swap, the default: fees in USDT, shorts allowed) or 'spot'. */
  market?: 'spot' | 'futures';
  /** bars fed before the first traded bar (default 200); the replay clock starts after them. */
  warmup?: number;
  /** 'paper' (default): simulated fills; 'live': real orders on the replay exchange's account. */
  mode?: RunMode;
  /** execution options (default: cash 10 000, the market's taker fee, its amount step as lotSize, its minimum order value). */
  execution?: ExecutionOptions;
  risk?: RiskLimits;
  /** folder for the state file (default: a new temporary folder). */
  dir?: string;
  /** keep the runner state in PostgreSQL (a `postgres://` URL) instead of the folder's SQLite file. */
  state?: string;
  /**
   * the bars of the strategy's inputs (other symbols), by input name: the replay exchange serves them as
   * markets of their own (same kind) and the config names their symbols; default with `promoted`: the
   * shipped datasets of the promoted input symbols over the same time span.
   */
  inputs?: Record<string, Bars>;
  /** what a bar without an input bar at the same time shows (default 'hold', or the promoted config's). */
  inputGaps?: 'hold' | 'nan' | 'error';
  /** faults injected into the replay exchange's answers (seeded). */
  faults?: FaultRule[];
  seed?: number;
  log?: (e: RunnerEvent) => void;
  /** request timeout of the exchange client (default 2000 ms). */
  timeoutMs?: number;
}

export interface ReplaySessionResult {
  mode: RunMode;
  stateDir: string;
  config: RunnerConfig;
  trades: TradeRow[];
  backtestTrades: TradeRow[];
  /** equity at each traded bar's close: the run's and the backtest's. */
  equity: { ts: Float64Array; run: Float64Array; backtest: Float64Array };
  /**
   * true when every trade and every bar's equity agree (paper: exactly; live: to 1e-9). `vacuous` when neither
   * side traded (nothing was compared trade for trade); `summary` says which in words ('identical: 12 trades …',
   * 'no trades on either side …: nothing was compared …', or the first difference).
   */
  parity: { equal: boolean; firstDifference?: string; trades: number; vacuous: boolean; summary: string };
  report: ReconcileReport;
  /** client order ids that reached the exchange (live mode), in order. */
  exchangeOrderIds: string[];
  /** faults the replay exchange injected, by kind, and the requests it served. */
  faults: Record<string, number>;
  requests: number;
  stopped?: StopInfo;
}

/** The replay exchange's demo account of a session (local only; never a real credential). */
const DEMO = { apiKey: 'quantlab-session-key', secret: 'quantlab-session-secret' };

/**
 * Steps a replay exchange one bar at a time and polls the runner after each step until it finished the
 * bar that closed (transient exchange failures are retried), for `bars` steps or to the end of the data.
 */
export async function driveReplay(runner: Runner, ex: ReplayExchange, options: { steps?: number; maxPolls?: number } = {}): Promise<void> {
  await pollUntilSettled(runner, options.maxPolls);
  const steps = options.steps ?? Infinity;
  for (let k = 0; k < steps && !runner.stopped; k++) {
    if (!ex.step(1)) break;
    await pollUntilSettled(runner, options.maxPolls);
  }
}

async function pollUntilSettled(runner: Runner, maxPolls = 50): Promise<void> {
  for (let i = 0; i < maxPolls; i++) {
    try {
      await runner.poll();
      return;
    } catch (e) {
      if (!(e instanceof ExchangePortError && e.action === 'retry-later')) throw e;
    }
  }
  throw new ExchangePortError(`replay session: the runner could not finish a bar in ${maxPolls} polls`, 'stop', 'Stuck');
}

/** Runs a session against the local replay exchange (see {@link ReplaySessionOptions}). */
export async function replaySession(options: ReplaySessionOptions): Promise<ReplaySessionResult> {
  const o = options.promoted ? await fromPromoted(options) : options;
  if (!o.strategy) throw new QuantlabError('BAD_ARGUMENT', 'replaySession: expected { strategy } or { promoted }');
  if (!o.bars) throw new QuantlabError('BAD_ARGUMENT', 'replaySession: expected { bars } (or { promoted }, which defaults to the shipped dataset)');
  const strategy = typeof o.strategy === 'string' ? getStrategy(o.strategy) : o.strategy;
  const params = strategy.resolveParams(o.params ?? {}) as Record<string, unknown>;
  const kind = o.market ?? 'futures';
  const mode = o.mode ?? 'paper';
  const warmup = o.warmup ?? 200;
  const bars = o.bars;
  const spec = makeMarket({ bars, kind });
  const unified = (m: { base: string; quote: string }) => (kind === 'futures' ? `${m.base}/${m.quote}:${m.quote}` : `${m.base}/${m.quote}`);
  const symbol = unified(spec);
  const inputBars = Object.entries(o.inputs ?? {});
  const inputs = inputBars.length ? Object.fromEntries(inputBars.map(([name, b]) => [name, unified(makeMarket({ bars: b, kind }))])) : undefined;
  const cash = o.execution?.cash ?? 10_000;
  const ex = await startReplayExchange({
    markets: [{ bars, kind }, ...inputBars.map(([, b]) => ({ bars: b, kind }))],
    accounts: [{ ...DEMO, balances: { [spec.quote]: cash }, futuresWallet: cash }],
    start: bars.ts[Math.min(warmup, bars.ts.length - 1)],
    faults: o.faults,
    seed: o.seed,
  });
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'quantlab-session-'));
  const config = checkConfig({
    version: 1,
    name: `${strategy.name}-session`,
    strategy: strategy.name,
    symbol,
    timeframe: bars.timeframe,
    exchange: { id: 'binance', marketType: kind === 'futures' ? 'swap' : 'spot', url: ex.url, keyEnv: DEFAULT_KEY_ENV, secretEnv: DEFAULT_SECRET_ENV, timeoutMs: o.timeoutMs ?? 2000 },
    execution: { cash, fee: spec.takerFee, lotSize: spec.stepSize, minNotional: spec.minNotional, ...o.execution },
    risk: o.risk ?? {},
    runner: { warmupBars: warmup, pollMs: 10, flattenOnStop: false, onMismatch: 'stop' },
    ...(inputs ? { inputs, inputGaps: o.inputGaps ?? 'hold' } : {}),
  });
  const setup = setupRunner({ strategy, params, config, mode, dir, credentials: DEMO, log: o.log, retry: { attempts: 6, baseMs: 5, maxMs: 50 }, state: o.state });
  try {
    await setup.runner.start();
    await driveReplay(setup.runner, ex);
    const report = reconcileSession(strategy, params, config, setup.store, { tolerance: mode === 'paper' ? 0 : 1e-9 });
    const bad = report.rows.find((r) => r.status !== 'match');
    const firstDifference = bad
      ? `trade #${bad.n} ${bad.status}: ${bad.explanation}`
      : report.summary.equityDifferences
        ? `${report.summary.equityDifferences} bar(s) with different equity`
        : report.summary.runTrades !== report.summary.backtestTrades
          ? `${report.summary.runTrades} trades vs ${report.summary.backtestTrades}`
          : undefined;
    const acct = [...ex.engine.accounts.keys()][0];
    return {
      mode,
      stateDir: dir,
      config,
      trades: report.runTrades,
      backtestTrades: report.backtestTrades,
      equity: report.equity,
      parity: parityOf(report, firstDifference),
      report,
      exchangeOrderIds: ex.engine.snapshot().orders.filter((x) => x.account === acct).map((x) => x.clientOrderId),
      faults: { ...ex.faults.fired },
      requests: [...ex.requests.values()].reduce((a, b) => a + b, 0),
      stopped: setup.runner.stopped,
    };
  } finally {
    setup.close();
    await ex.close();
  }
}

/** The parity verdict of a session: equal or not, and whether anything was compared at all. */
function parityOf(report: ReconcileReport, firstDifference: string | undefined): ReplaySessionResult['parity'] {
  const s = report.summary;
  const vacuous = s.vacuous;
  const summary = firstDifference !== undefined
    ? `differs: ${firstDifference}`
    : vacuous
      ? vacuousNote(s.bars)
      : `identical: ${s.runTrades} trade(s) and ${s.bars} bars of equity, trade for trade`;
  return { equal: firstDifference === undefined, firstDifference, trades: s.runTrades, vacuous, summary };
}

/** Fills a session's strategy, parameters, market, execution, risk and bars from a promoted folder. */
async function fromPromoted(o: ReplaySessionOptions): Promise<ReplaySessionOptions> {
  const dir = typeof o.promoted === 'string' ? o.promoted : o.promoted!.dir;
  const p = await promotedStrategy(dir);
  const market = p.config.exchange.marketType === 'swap' ? 'futures' : 'spot';
  let bars = o.bars;
  if (!bars) {
    const all = (await loadBars(datasetPath(p.config.symbol.split(':')[0]!, p.config.timeframe, market))).bars;
    const n = o.window ?? 500;
    bars = sliceBars(all, Math.max(0, all.ts.length - n));
  }
  const { fill: _fill, ...execution } = p.config.execution;
  void _fill;
  let inputs = o.inputs;
  if (!inputs && p.config.inputs) {
    // the promoted input symbols' shipped data over the traded bars' span
    const [from, to] = [bars.ts[0]!, bars.ts[bars.ts.length - 1]!];
    inputs = {};
    for (const [name, sym] of Object.entries(p.config.inputs)) {
      const all = (await loadBars(datasetPath(sym.split(':')[0]!, p.config.timeframe, market))).bars;
      const i0 = all.ts.findIndex((t) => t >= from);
      let i1 = all.ts.length;
      while (i1 > 0 && all.ts[i1 - 1]! > to) i1--;
      inputs[name] = sliceBars(all, Math.max(0, i0), i1);
    }
  }
  return {
    ...o,
    inputs,
    inputGaps: o.inputGaps ?? p.config.inputGaps,
    strategy: o.strategy ?? p.strategy,
    params: o.params ?? p.params,
    market: o.market ?? market,
    bars,
    warmup: o.warmup ?? Math.min(p.config.runner.warmupBars, Math.floor(bars.ts.length / 2)),
    execution: { ...execution, ...o.execution },
    risk: o.risk ?? p.config.risk,
  };
}

/**
 * A paper session against the local replay exchange: {@link replaySession} with mode 'paper'.
 * @example
 * import { promote } from 'quantlab/live';
 * const p = await promote('sma-cross', { fast: 10, slow: 40 }, { symbol: 'BTC/USDT:USDT', timeframe: '1h', experimentsDir: 'experiments' });
 * const s = await paperSession({ promoted: p, window: 400 });
 * Object.keys(s.equity) // ['ts', 'run', 'backtest'] (the run's and the backtest's equity at each traded bar)
 */
export const paperSession = (o: Omit<ReplaySessionOptions, 'mode'>): Promise<ReplaySessionResult> => replaySession({ ...o, mode: 'paper' });
