import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AlertDispatcher } from '../alerts';
import { QuantlabError } from '../core';
import type { RetryPolicy } from '../core/retry';
import type { AnyStrategy } from '../strategy';
import { AccountGuard, checkAccountLimits, type AccountLimits } from './account-guard';
import type { RunnerConfig } from './config';
import { ExchangePortError } from './exchange-port';
import { JsonLog } from './log-file';
import { alertsOf, checkFrozenParams, exitCodeOf, humanLine, listenForStop, liveCredentials, parseRunFlags, waitOrWake, type LoopOptions, type StopControl } from './main';
import { existingPromotedDir, experimentsRoot, loadPromoted, promotedNames, readPromoted } from './promoted';
import { PROMOTED_NAME } from './promoted-name';
import { makeRedactor } from './redact';
import type { Runner, RunMode, RunnerEvent, StopInfo } from './runner';
import { logPath, setupRunner, type RunnerSetup } from './setup';

/**
 * Several promoted strategies on one exchange account, in one process (`quantlab run --all` or
 * `quantlab run --portfolio <name>`). Each strategy keeps everything it has alone: its promoted folder, its
 * state file, lock and log there, its own books (positions, PnL and trades, attributed by its client order
 * ids), its own risk guard. What they share is an {@link AccountGuard}: account-wide limits (total notional,
 * total daily loss, total drawdown) asked before every order of any of them, and the position check of
 * strategies on the same symbol, which compares the exchange's one net position with the sum of their books.
 * One poll loop drives the runners in turn (in the order named); SIGINT/SIGTERM stops them all, in order.
 *
 * A portfolio file, `<experiments>/portfolios/<name>.json`:
 *
 *   { "strategies": ["btc-trend", "btc-revert"], "risk": { "maxTotalNotional": 15000, "maxTotalDailyLoss": 0.05, "maxTotalDrawdown": 0.2 } }
 *
 * Rules checked before anything runs: every strategy's config names the same account (exchange id, market
 * type, URL, key variables); a spot symbol is traded by one strategy at most (its base-asset balance cannot
 * be split between books); on a swap symbol several may trade, with reduce-only off for them (one book's
 * reduction can add to the account's net position).
 */

/** A strategy of a portfolio run: its promoted folder and what it trades. */
export interface PortfolioMember {
  /** the promoted folder's name (the account guard knows the strategy by it). */
  name: string;
  dir: string;
  strategy: AnyStrategy;
  params: Record<string, unknown>;
  config: RunnerConfig;
}

export interface PortfolioFile {
  name: string;
  path: string;
  strategies: string[];
  risk: AccountLimits;
}

/** Path of a portfolio file under an experiments folder. */
export const portfolioPath = (name: string, experimentsDir?: string): string => join(experimentsRoot(experimentsDir), 'portfolios', `${name}.json`);

/** Reads and checks `<experiments>/portfolios/<name>.json`. */
export function readPortfolio(name: string, experimentsDir?: string): PortfolioFile {
  if (!PROMOTED_NAME.test(name) || name.length > 200) {
    throw new QuantlabError('BAD_ARGUMENT', `portfolio name: expected a file name under portfolios/ (letters, digits, '-', '_', '.', not starting with '.'), found ${JSON.stringify(name)}; nothing was read`);
  }
  const path = portfolioPath(name, experimentsDir);
  if (!existsSync(path)) throw new QuantlabError('NOT_FOUND', `${path}: no portfolio '${name}'; write it as { "strategies": ["<promoted name>", …], "risk": { "maxTotalNotional": …, "maxTotalDailyLoss": …, "maxTotalDrawdown": … } }`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new QuantlabError('BAD_CONFIG', `${path}: expected JSON, found text that does not parse (${(e as Error).message})`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new QuantlabError('BAD_CONFIG', `${path}: expected an object { strategies, risk }, found ${JSON.stringify(raw)}`);
  const o = raw as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => k !== 'strategies' && k !== 'risk');
  if (unknown.length) throw new QuantlabError('BAD_CONFIG', `${path}: unknown key${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; expected strategies, risk`);
  const s = o.strategies;
  if (!Array.isArray(s) || s.length === 0 || !s.every((x) => typeof x === 'string')) {
    throw new QuantlabError('BAD_CONFIG', `${path}: strategies: expected a non-empty list of promoted names, found ${JSON.stringify(s)}`);
  }
  const dup = s.filter((x, i) => s.indexOf(x) !== i);
  if (dup.length) throw new QuantlabError('BAD_CONFIG', `${path}: strategies: ${[...new Set(dup)].join(', ')} listed more than once`);
  return { name, path, strategies: s as string[], risk: checkAccountLimits(o.risk, path) };
}

/** What names one exchange account in a config: exchange, market type, origin and the key variables. */
export const accountKey = (c: RunnerConfig): string =>
  `${c.exchange.id} ${c.exchange.marketType}${c.exchange.url ? ` ${c.exchange.url}` : ''} keys $${c.exchange.keyEnv}/$${c.exchange.secretEnv}`;

/**
 * The promoted strategies of an experiments folder, all on one account (`--all`): refused when their configs
 * name more than one account (each group is listed; run one with a portfolio file).
 */
export function promotedOnOneAccount(experimentsDir?: string): string[] {
  const names = promotedNames(experimentsDir);
  if (!names.length) throw new QuantlabError('NOT_FOUND', `${join(experimentsRoot(experimentsDir), 'promoted')}: no promoted strategies to run with --all`);
  const groups = new Map<string, string[]>();
  for (const n of names) {
    const key = accountKey(readPromoted(existingPromotedDir(n, experimentsDir)).config);
    groups.set(key, [...(groups.get(key) ?? []), n]);
  }
  if (groups.size > 1) {
    const list = [...groups].map(([k, v]) => `${k}: ${v.join(', ')}`).join('; ');
    throw new QuantlabError('BAD_ARGUMENT', `--all: the promoted strategies trade ${groups.size} different accounts (${list}); run one account's with --portfolio <name> (experiments/portfolios/<name>.json)`);
  }
  return names;
}

/** Refuses strategies that cannot share one account in one process (before anything is opened). */
export function checkMembers(members: readonly PortfolioMember[], where: string): void {
  if (!members.length) throw new QuantlabError('BAD_ARGUMENT', `${where}: no strategies to run`);
  const names = members.map((m) => m.name);
  const dup = names.filter((x, i) => names.indexOf(x) !== i);
  if (dup.length) throw new QuantlabError('BAD_ARGUMENT', `${where}: ${[...new Set(dup)].join(', ')} named more than once`);
  const key = accountKey(members[0]!.config);
  const other = members.filter((m) => accountKey(m.config) !== key);
  if (other.length) {
    throw new QuantlabError('BAD_ARGUMENT', `${where}: one account per process: ${members[0]!.name} trades on ${key}, but ${other.map((m) => `${m.name} on ${accountKey(m.config)}`).join(', ')}`);
  }
  const bySymbol = new Map<string, string[]>();
  for (const m of members) bySymbol.set(m.config.symbol, [...(bySymbol.get(m.config.symbol) ?? []), m.name]);
  for (const [symbol, on] of bySymbol) {
    if (on.length > 1 && members[0]!.config.exchange.marketType === 'spot') {
      throw new QuantlabError('BAD_ARGUMENT', `${where}: ${on.join(' and ')} both trade the spot market ${symbol}; one account's base-asset balance cannot be split between books — give each strategy its own spot symbol, or trade the swap market`);
    }
  }
}

export interface PortfolioSetupOptions {
  members: readonly PortfolioMember[];
  mode: RunMode;
  limits?: AccountLimits;
  credentials?: { apiKey: string; secret: string };
  /** one log per strategy, by name. */
  log?: (name: string) => ((e: RunnerEvent) => void) | undefined;
  clock?: () => number;
  resetKillSwitch?: boolean;
  newSession?: boolean;
  /** the runners' state in PostgreSQL (a `postgres://` URL; one namespace per strategy and mode) instead of their SQLite files. */
  state?: string;
  retry?: RetryPolicy;
  rateLimitMs?: number;
}

export interface PortfolioSetup {
  account: AccountGuard;
  members: readonly PortfolioMember[];
  setups: RunnerSetup[];
  runners: Runner[];
  /** closes every state file and releases every lock. */
  close(): void;
}

/** Wires one runner per strategy (its own folder, state, lock) around one shared account guard. */
export function setupPortfolio(o: PortfolioSetupOptions): PortfolioSetup {
  checkMembers(o.members, 'portfolio');
  const account = new AccountGuard(o.limits ?? {});
  const setups: RunnerSetup[] = [];
  const close = () => {
    for (const s of setups) s.close();
  };
  try {
    for (const m of o.members) {
      setups.push(
        setupRunner({
          strategy: m.strategy,
          params: m.params,
          config: { ...m.config, name: m.name },
          mode: o.mode,
          dir: m.dir,
          credentials: o.credentials,
          log: o.log?.(m.name),
          clock: o.clock,
          resetKillSwitch: o.resetKillSwitch,
          newSession: o.newSession,
          state: o.state,
          retry: o.retry,
          rateLimitMs: o.rateLimitMs,
          account,
        }),
      );
    }
    // a resumed session: the account's peak and day start from the equity every strategy stored with its bars
    account.restore(Object.fromEntries(setups.map((s, i) => [o.members[i]!.name, s.store.bars().filter((b) => b.phase !== 'warmup')])));
  } catch (e) {
    close();
    throw e;
  }
  return { account, members: o.members, setups, runners: setups.map((s) => s.runner), close };
}

/**
 * Live, before the first start: the account must hold the capital of every strategy starting a new session
 * together (each runner alone checks only its own). Strategies resuming a session are not counted.
 */
export async function checkAccountCapital(setup: PortfolioSetup): Promise<void> {
  const fresh = setup.setups.map((s, i) => ({ s, m: setup.members[i]! })).filter(({ s }) => s.store.barCount() === 0);
  if (fresh.length < 2) return;
  const quote = fresh[0]!.m.config.symbol.split(/[/:]/)[1] ?? '';
  const b = await fresh[0]!.s.adapter.balances();
  const spot = fresh[0]!.m.config.exchange.marketType === 'spot';
  const have = spot ? (b[quote]?.free ?? 0) : (b[quote]?.total ?? 0);
  const want = fresh.reduce((a, { m }) => a + (m.config.execution.cash ?? 10_000), 0);
  if (have < want) {
    throw new QuantlabError('BAD_ARGUMENT', `portfolio: the account has ${have} ${quote}${spot ? ' free' : ''}, the strategies starting together trade ${want} (${fresh.map(({ m }) => `${m.name} ${m.config.execution.cash ?? 10_000}`).join(', ')}: execution.cash); lower them or fund the account`);
  }
}

/**
 * Polls every runner in turn until all have stopped or SIGINT/SIGTERM arrives; then stops the ones still
 * running, in order (closing their positions when `flattenOnStop`). A runner that stops (its own risk trip,
 * an error) leaves the others running; an account trip reaches each at its next bar. Transient exchange
 * failures are logged and retried on the next round. Returns each runner's stop, in order.
 */
export async function portfolioLoop(runners: readonly Runner[], o: LoopOptions): Promise<StopInfo[]> {
  const ctl = o.stopSignal ?? {};
  const release = o.signals !== false ? listenForStop(ctl) : undefined;
  const failures = runners.map(() => 0);
  try {
    while (runners.some((r) => !r.stopped) && !ctl.requested) {
      for (let i = 0; i < runners.length && !ctl.requested; i++) {
        const r = runners[i]!;
        if (r.stopped) continue;
        try {
          await r.poll();
          failures[i] = 0;
        } catch (e) {
          if (e instanceof ExchangePortError && e.action === 'retry-later') {
            failures[i]!++;
            o.log?.({ event: 'poll-failed', at: new Date().toISOString(), strategy: r.config.name, message: e.message, failures: failures[i] });
          } else {
            await r.stop(`error: ${(e as Error).message}`, { kind: 'error' });
          }
        }
      }
      if (runners.every((r) => r.stopped) || ctl.requested) break;
      const worst = Math.max(0, ...failures);
      await waitOrWake(ctl, Math.min(o.pollMs * 2 ** Math.min(worst, 6), Math.max(o.pollMs, 60_000)));
    }
    for (const r of runners) if (!r.stopped) await r.stop(`received ${ctl.requested}`, { kind: 'signal', flatten: o.flattenOnStop });
    return runners.map((r) => r.stopped!);
  } finally {
    release?.();
  }
}

/** The live confirmation of a portfolio: its label and the account's notional cap. */
export const portfolioPhrase = (label: string, limits: AccountLimits): string => `${label} ${limits.maxTotalNotional}`;

export interface RunPortfolioOptions {
  /** the promoted names, in the order their runners are polled. */
  names: readonly string[];
  /** 'portfolio <name>' or 'all': in messages and the live confirmation. */
  label: string;
  limits: AccountLimits;
  experimentsDir?: string;
  /** run flags as `quantlab run` takes them (--paper | --live, --confirm, --url, --json, --poll-ms, …). */
  argv: readonly string[];
  out?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** a service beside the runners (the dashboard of `quantlab run --portfolio … --dashboard`): gets every event with the strategy's name; closed at the end. */
  attach?: (members: readonly PortfolioRunner[], ctx: { mode: RunMode; experimentsDir?: string; wake: () => void; out: (line: string) => void }) => Promise<PortfolioAttached>;
}

/** A running member of a portfolio, as a service attached to the run sees it. */
export interface PortfolioRunner {
  name: string;
  dir: string;
  config: RunnerConfig;
  runner: Runner;
}

export interface PortfolioAttached {
  onEvent?: (name: string, e: RunnerEvent) => void;
  close: () => Promise<void>;
}

/**
 * Runs several promoted strategies on one account until stopped; resolves with the exit code (the worst
 * of the strategies' stops: 0 signal, 1 error, 3 risk, 4 mismatch; 2 for an error before the start).
 * Live needs risk.maxTotalNotional in the portfolio, every strategy's own risk.maxNotional, and the
 * confirmation '<label> <maxTotalNotional>' (--confirm).
 */
export async function runPortfolio(o: RunPortfolioOptions): Promise<number> {
  const out = o.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  let redact = (s: string) => s;
  try {
    const flags = parseRunFlags(o.argv);
    const members: PortfolioMember[] = [];
    for (const name of o.names) {
      const dir = existingPromotedDir(name, o.experimentsDir);
      const { strategy, params, config: base } = await loadPromoted(dir);
      const config: RunnerConfig = flags.url ? { ...base, exchange: { ...base.exchange, url: flags.url } } : base;
      checkFrozenParams(dir, strategy, params);
      members.push({ name, dir, strategy, params, config });
    }
    checkMembers(members, o.label);
    const credentials = flags.mode === 'live' ? liveCredentials(members[0]!.config, o.env ?? process.env) : undefined;
    redact = makeRedactor([credentials?.apiKey, credentials?.secret]);
    if (flags.mode === 'live') {
      if (o.limits.maxTotalNotional === undefined) throw new QuantlabError('BAD_ARGUMENT', `${o.label}: live mode needs an account size limit: set risk.maxTotalNotional in a portfolio file and run it with --portfolio`);
      const uncapped = members.filter((m) => m.config.risk.maxNotional === undefined).map((m) => m.name);
      if (uncapped.length) throw new QuantlabError('BAD_ARGUMENT', `${o.label}: live mode needs each strategy's size limit: set risk.maxNotional in the config.json of ${uncapped.join(', ')}`);
      const want = portfolioPhrase(o.label, o.limits);
      if (flags.confirm?.trim() !== want) {
        throw new QuantlabError('BAD_ARGUMENT', `${o.label}: live mode with real orders for ${members.map((m) => `${m.name} (${m.config.symbol}, max notional ${m.config.risk.maxNotional})`).join(', ')}, account max notional ${o.limits.maxTotalNotional}: confirm with --confirm '${want}'${flags.confirm !== undefined ? ` (found '${flags.confirm.trim()}')` : ''}; nothing was traded`);
      }
    }
    const logs = new Map(members.map((m) => [m.name, new JsonLog(logPath(m.dir, flags.mode), { redact: (s) => redact(s), maxBytes: m.config.runner.logMaxBytes, keep: m.config.runner.logKeep })]));
    // each strategy's own alerts (its config.json), as a single run sends them
    const alerts = new Map<string, AlertDispatcher>();
    for (const m of members) {
      const d = alertsOf(m.config, m.name, o.env ?? process.env, (e) => logOf(m.name)(e));
      if (d) alerts.set(m.name, d);
    }
    let attached: PortfolioAttached | undefined;
    const logOf = (name: string) => (e: RunnerEvent) => {
      attached?.onEvent?.(name, e);
      alerts.get(name)?.onEvent(e);
      const line = logs.get(name)!.write(e);
      if (flags.json) out(`{"name":${JSON.stringify(name)},${line.slice(1)}`);
      else if (e.event !== 'exchange' && e.event !== 'bar' && e.event !== 'order-send') out(redact(`[${name}] ${humanLine(e)}`));
    };
    const setup = setupPortfolio({ members, mode: flags.mode, limits: o.limits, credentials, log: logOf, resetKillSwitch: flags.resetKillSwitch, newSession: flags.newSession, state: flags.state });
    const ctl: StopControl = {};
    const release = listenForStop(ctl);
    try {
      out(`${o.label}: ${members.length} strategies on ${accountKey(members[0]!.config)} (${flags.mode}): ${members.map((m) => `${m.name} ${m.config.symbol}`).join(', ')}`);
      if (flags.mode === 'live') await checkAccountCapital(setup);
      if (o.attach) attached = await o.attach(members.map((m, i) => ({ name: m.name, dir: m.dir, config: m.config, runner: setup.runners[i]! })), { mode: flags.mode, experimentsDir: o.experimentsDir, wake: () => ctl.wake?.(), out });
      for (const r of setup.runners) await r.start();
      const pollMs = flags.pollMs ?? Math.min(...members.map((m) => m.config.runner.pollMs));
      const flattenOnStop = flags.flattenOnStop || members.some((m) => m.config.runner.flattenOnStop);
      const stops = await portfolioLoop(setup.runners, { pollMs, flattenOnStop, log: (e) => out(redact(humanLine(e))), signals: false, stopSignal: ctl });
      stops.forEach((s, i) => out(redact(`[${members[i]!.name}] stopped: ${s.reason}`)));
      return Math.max(...stops.map(exitCodeOf));
    } finally {
      release();
      await attached?.close();
      for (const d of alerts.values()) await d.close();
      setup.close();
    }
  } catch (e) {
    const msg = redact(e instanceof Error ? e.message : String(e));
    out(`error${e instanceof QuantlabError ? ` [${e.code}]` : ''}: ${msg}`);
    return 2;
  }
}
