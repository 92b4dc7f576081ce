import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alertsProblems, type AlertsConfig } from '../alerts';
import { SIM_OPTION_NAMES, type SimOptions } from '../backtest';
import { parseTimeframe, QuantlabError } from '../core';
import { PROMOTED_NAME } from './promoted-name';
import { runnerOptions } from './sizing';

/**
 * A promoted strategy's config.json: where it trades, how targets become orders (the backtester's
 * execution options), the risk limits, and how the runner paces itself. Keys never live here: the config
 * only names the environment variables that hold them.
 */

/** The backtest options a runner honours (fill is always at the next bar's open). */
export type ExecutionOptions = Pick<
  SimOptions,
  'cash' | 'fee' | 'makerFee' | 'takerFee' | 'fixedFee' | 'slippage' | 'sizing' | 'rebalance' | 'leverage' | 'direction' | 'lotSize' | 'minNotional'
> & { fill?: 'next-open' };

/** Limits the risk guard enforces before every order. Absent = no limit. */
export interface RiskLimits {
  /** largest |position| in base units after an order (orders are cut to it). */
  maxPosition?: number;
  /** largest |position| × price in quote currency after an order (orders are cut to it). */
  maxNotional?: number;
  /** loss from the UTC day's first equity, as a fraction (0.05 = 5 %): flatten and trade no more that day. */
  maxDailyLoss?: number;
  /** fall from peak equity, as a fraction: flatten and stop for good (the kill switch; restart with --reset-kill-switch). */
  maxDrawdown?: number;
  /** orders sent in any 60 s of wall-clock time: one more and the runner stops (a runaway loop). */
  maxOrdersPerMinute?: number;
  /** no fresh closed candle for this many bar lengths: stop (stale data). */
  staleBars?: number;
}

export interface ExchangeConfig {
  /** ccxt exchange id ('binance'). */
  id: string;
  /** 'spot' or 'swap' (USDT-M perpetuals, symbols like 'BTC/USDT:USDT'). */
  marketType: 'spot' | 'swap';
  /** Point every REST URL at this origin (the local replay exchange, http://127.0.0.1:PORT). */
  url?: string;
  /** Names of the environment variables that hold the API key and secret (live mode only). */
  keyEnv: string;
  secretEnv: string;
  /** Request timeout in ms (default 10 000). */
  timeoutMs?: number;
}

export interface RunnerSettings {
  /** closed bars fed to the indicators before the first traded bar (default 500). */
  warmupBars: number;
  /** ms between polls for a newly closed bar (default 1000). */
  pollMs: number;
  /** on SIGINT/SIGTERM, close the position before exiting (default false). */
  flattenOnStop: boolean;
  /** when the exchange's position disagrees with the runner's books: 'stop' (default) or 'warn'. */
  onMismatch: 'stop' | 'warn';
  /** the JSON log rotates past this size (bytes, default 50 MB) and at each new UTC day, keeping `logKeep` old files (default 30). */
  logMaxBytes?: number;
  logKeep?: number;
  /** where closed bars come from: 'rest' (default: polls the klines endpoint) or 'websocket' (Binance's kline stream, REST as fallback and backfill). */
  feed?: 'rest' | 'websocket';
}

export interface RunnerConfig {
  version: 1;
  /** folder name under experiments/promoted/. */
  name: string;
  /** registry name of the strategy (run.ts imports it; this is a record). */
  strategy: string;
  symbol: string;
  timeframe: string;
  exchange: ExchangeConfig;
  execution: ExecutionOptions;
  risk: RiskLimits;
  runner: RunnerSettings;
  /** where alerts go (webhook, Telegram, email) and which rules fire; none when absent. */
  alerts?: AlertsConfig;
  /** the exchange symbols of the strategy's other inputs, by input name ({ btc: 'BTC/USDT:USDT' }): same exchange, market type and timeframe. */
  inputs?: Record<string, string>;
  /** what a bar without an input bar at the same time shows, as in the backtest: 'hold' (default), 'nan' or 'error'. */
  inputGaps?: 'hold' | 'nan' | 'error';
}

export const DEFAULT_KEY_ENV = 'QUANTLAB_API_KEY';
export const DEFAULT_SECRET_ENV = 'QUANTLAB_API_SECRET';

export const DEFAULT_RUNNER: RunnerSettings = { warmupBars: 500, pollMs: 1000, flattenOnStop: false, onMismatch: 'stop' };

const EXECUTION_KEYS = ['cash', 'fee', 'makerFee', 'takerFee', 'fixedFee', 'slippage', 'sizing', 'rebalance', 'leverage', 'direction', 'lotSize', 'minNotional', 'fill'];
const RISK_KEYS = ['maxPosition', 'maxNotional', 'maxDailyLoss', 'maxDrawdown', 'maxOrdersPerMinute', 'staleBars'];

/**
 * Checks a config and returns it with defaults filled in. Throws BAD_ARGUMENT listing every problem, each
 * naming the field, what was expected and what was found.
 */
export function checkConfig(config: RunnerConfig, where = 'config'): RunnerConfig {
  const problems: string[] = [];
  const c = config as Partial<RunnerConfig> | undefined;
  if (!c || typeof c !== 'object') throw new QuantlabError('BAD_ARGUMENT', `${where}: expected an object, found ${String(c)}`);
  const bad = (field: string, expected: string, found: unknown) => problems.push(`${field}: expected ${expected}, found ${JSON.stringify(found)}`);
  if (c.version !== 1) bad('version', '1', c.version);
  if (typeof c.name !== 'string' || !PROMOTED_NAME.test(c.name)) bad('name', "a folder name like 'sma-cross-btcusdt-1h' (letters, digits, '-', '_', '.', not starting with '.')", c.name);
  if (typeof c.strategy !== 'string' || !c.strategy) bad('strategy', 'a strategy name', c.strategy);
  if (typeof c.symbol !== 'string' || !/^[A-Z0-9]+\/[A-Z0-9]+(:[A-Z0-9]+)?$/.test(c.symbol)) bad('symbol', "a unified symbol like 'BTC/USDT' or 'BTC/USDT:USDT'", c.symbol);
  try {
    parseTimeframe(String(c.timeframe));
  } catch {
    bad('timeframe', "a timeframe like '1h'", c.timeframe);
  }
  const ex = c.exchange as Partial<ExchangeConfig> | undefined;
  if (!ex || typeof ex !== 'object') bad('exchange', '{ id, marketType, keyEnv, secretEnv }', ex);
  else {
    if (typeof ex.id !== 'string' || !ex.id) bad('exchange.id', "a ccxt exchange id like 'binance'", ex.id);
    if (ex.marketType !== 'spot' && ex.marketType !== 'swap') bad('exchange.marketType', "'spot' or 'swap'", ex.marketType);
    else if (typeof c.symbol === 'string' && (ex.marketType === 'swap') !== c.symbol.includes(':')) {
      bad('symbol', ex.marketType === 'swap' ? "a swap symbol like 'BTC/USDT:USDT' for marketType 'swap'" : "a spot symbol like 'BTC/USDT' for marketType 'spot'", c.symbol);
    }
    if (ex.url !== undefined && !(typeof ex.url === 'string' && /^https?:\/\/[^/]+/.test(ex.url))) bad('exchange.url', 'an http(s) origin like http://127.0.0.1:8123', ex.url);
    for (const k of ['keyEnv', 'secretEnv'] as const) if (typeof ex[k] !== 'string' || !/^[A-Z_][A-Z0-9_]*$/.test(ex[k] as string)) bad(`exchange.${k}`, 'the NAME of an environment variable (keys never go in the config)', ex[k]);
    if (ex.timeoutMs !== undefined && !(typeof ex.timeoutMs === 'number' && ex.timeoutMs > 0)) bad('exchange.timeoutMs', 'a number of ms > 0', ex.timeoutMs);
  }
  const exe = (c.execution ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(exe)) {
    if (EXECUTION_KEYS.includes(k)) continue;
    if (!SIM_OPTION_NAMES.includes(k)) {
      bad(`execution.${k}`, `one of ${EXECUTION_KEYS.join(', ')}`, 'an unknown option');
      continue;
    }
    try {
      runnerOptions({ [k]: exe[k] });
      problems.push(`execution.${k}: not used by the runner (it places target orders at the next open); leave it out`);
    } catch (e) {
      problems.push(`execution.${k}: ${(e as Error).message.replace(/^runner: /, '')}`);
    }
  }
  if (exe.fill !== undefined && exe.fill !== 'next-open') bad('execution.fill', "'next-open' (the runner decides on a bar's close and fills at the next bar's open)", exe.fill);
  if (exe.cash !== undefined && !(typeof exe.cash === 'number' && exe.cash > 0)) bad('execution.cash', 'the capital the strategy trades, a number > 0', exe.cash);
  if (!problems.length) {
    try {
      const { fill: _f, ...sim } = exe as ExecutionOptions;
      void _f;
      runnerOptions(sim);
    } catch (e) {
      problems.push(`execution: ${(e as Error).message}`);
    }
  }
  const risk = (c.risk ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(risk)) {
    if (!RISK_KEYS.includes(k)) {
      bad(`risk.${k}`, `one of ${RISK_KEYS.join(', ')}`, 'an unknown limit');
      continue;
    }
    const v = risk[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) bad(`risk.${k}`, 'a number > 0 (or leave it out for no limit)', v);
    else if ((k === 'maxDailyLoss' || k === 'maxDrawdown') && v >= 1) bad(`risk.${k}`, 'a fraction in (0, 1), e.g. 0.2 for 20 %', v);
    else if ((k === 'maxOrdersPerMinute' || k === 'staleBars') && !Number.isInteger(v)) bad(`risk.${k}`, 'a whole number > 0', v);
  }
  const r = { ...DEFAULT_RUNNER, ...(c.runner ?? {}) } as RunnerSettings;
  if (!(Number.isInteger(r.warmupBars) && r.warmupBars >= 0)) bad('runner.warmupBars', 'a whole number >= 0', r.warmupBars);
  if (!(typeof r.pollMs === 'number' && r.pollMs > 0)) bad('runner.pollMs', 'a number of ms > 0', r.pollMs);
  if (typeof r.flattenOnStop !== 'boolean') bad('runner.flattenOnStop', 'true or false', r.flattenOnStop);
  if (r.onMismatch !== 'stop' && r.onMismatch !== 'warn') bad('runner.onMismatch', "'stop' or 'warn'", r.onMismatch);
  if (r.logMaxBytes !== undefined && !(Number.isInteger(r.logMaxBytes) && r.logMaxBytes >= 1024)) bad('runner.logMaxBytes', 'a whole number of bytes >= 1024', r.logMaxBytes);
  if (r.logKeep !== undefined && !(Number.isInteger(r.logKeep) && r.logKeep >= 1)) bad('runner.logKeep', 'a whole number >= 1', r.logKeep);
  if (r.feed !== undefined && r.feed !== 'rest' && r.feed !== 'websocket') bad('runner.feed', "'rest' or 'websocket'", r.feed);
  else if (r.feed === 'websocket' && ex && typeof ex === 'object' && ex.id !== 'binance') bad('runner.feed', "'rest' for an exchange other than 'binance' (the websocket feed reads Binance's kline streams)", r.feed);
  problems.push(...alertsProblems(c.alerts));
  if (c.inputs !== undefined) {
    if (!c.inputs || typeof c.inputs !== 'object' || Array.isArray(c.inputs)) bad('inputs', "{ name: 'BTC/USDT:USDT' }", c.inputs);
    else {
      for (const [k, v] of Object.entries(c.inputs)) {
        if (typeof v !== 'string' || !/^[A-Z0-9]+\/[A-Z0-9]+(:[A-Z0-9]+)?$/.test(v)) bad(`inputs.${k}`, "a unified symbol like 'BTC/USDT' or 'BTC/USDT:USDT'", v);
        else if (ex && typeof ex === 'object' && (ex.marketType === 'swap') !== v.includes(':')) bad(`inputs.${k}`, `a ${ex.marketType} symbol like the traded one (${String(c.symbol)})`, v);
        else if (v === c.symbol) bad(`inputs.${k}`, `a symbol other than the traded one (${c.symbol})`, v);
      }
    }
  }
  if (c.inputGaps !== undefined && !['hold', 'nan', 'error'].includes(c.inputGaps)) bad('inputGaps', "'hold', 'nan' or 'error'", c.inputGaps);
  if (problems.length) throw new QuantlabError('BAD_ARGUMENT', `${where}: ${problems.length === 1 ? problems[0] : `\n  ${problems.join('\n  ')}`}`);
  return { ...(c as RunnerConfig), execution: { ...exe, fill: 'next-open' } as ExecutionOptions, risk: risk as RiskLimits, runner: r };
}

/** Line and column of a character offset in a text (1-based). */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

/**
 * Reads and checks `<dir>/config.json`: NOT_FOUND when it is missing, BAD_CONFIG naming the file when it is
 * not JSON (with the line and column) or a field is wrong (each field, what was expected, what was found).
 */
export function readConfig(dir: string): RunnerConfig {
  const path = join(dir, 'config.json');
  if (!existsSync(path)) throw new QuantlabError('NOT_FOUND', `${path}: no config.json (expected the runner config promote() writes beside run.ts; promote the strategy again: await promote(...))`);
  const text = readFileSync(path, 'utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const at = /position (\d+)/.exec(msg);
    const where = at ? ` at ${lineColumn(text, Number(at[1]))}` : '';
    const found = text.trim() ? `text that does not parse${where} (${msg})` : 'an empty file';
    throw new QuantlabError('BAD_CONFIG', `${path}: expected JSON (the runner config), found ${found}; fix the file or promote the strategy again`);
  }
  try {
    return checkConfig(raw as RunnerConfig, path);
  } catch (e) {
    if (e instanceof QuantlabError) throw new QuantlabError('BAD_CONFIG', e.message, e.details);
    throw e;
  }
}

/** The simulator options of a config's execution block (fill at the next bar's open). */
export function simOptionsOf(config: RunnerConfig): SimOptions {
  const { fill: _f, ...sim } = config.execution;
  void _f;
  return { ...sim, fill: 'next-open' };
}
