import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AlertDispatcher } from '../alerts';
import { isoTime, QuantlabError } from '../core';
import type { AnyStrategy } from '../strategy';
import { checkConfig, readConfig, type RunnerConfig } from './config';
import { confirmLive } from './confirm';
import { JsonLog } from './log-file';
import { ExchangePortError } from './exchange-port';
import { canonicalJson } from './order-ids';
import { makeRedactor } from './redact';
import type { Runner, RunMode, RunnerEvent, StopInfo } from './runner';
import { logPath, setupRunner } from './setup';
import { wakeOnBar } from './ws-feed';

/**
 * The entry point of a promoted strategy's run.ts (and of `quantlab run <name>`): reads config.json,
 * checks the frozen parameters against validation.json, takes API keys from the environment only (live),
 * asks for the live confirmation, then polls until stopped. Logs one JSON line per event to
 * `<dir>/<mode>.log.jsonl` (and to stdout with --json); shows a status line on a terminal.
 *
 * Flags: --paper | --live, --confirm '<symbol> <maxNotional>' (live, non-interactive), --url <origin> (point
 * at another exchange origin, e.g. the local replay exchange), --json, --poll-ms <ms>, --flatten-on-stop,
 * --reset-kill-switch, --new-session (start over: the old state file and log are moved aside, never deleted),
 * --feed rest|websocket (closed bars from polling REST, or from the exchange's kline stream with REST as fallback).
 * --state postgres://user@host/db (the state in PostgreSQL, namespace `<name>/<mode>`, instead of `<dir>/<mode>.db`).
 */

export interface RunFlags {
  mode: RunMode;
  confirm?: string;
  url?: string;
  json: boolean;
  pollMs?: number;
  flattenOnStop: boolean;
  resetKillSwitch: boolean;
  /** start a new session deliberately: the old state file and log are moved aside first. */
  newSession: boolean;
  /** where the state lives: a `postgres://` URL (shared by several machines), else the folder's SQLite file. */
  state?: string;
  /** where closed bars come from (overrides config runner.feed). */
  feed?: 'rest' | 'websocket';
}

export const RUN_USAGE = `usage: run.ts --paper | --live [--confirm '<symbol> <maxNotional>'] [--url <origin>] [--json] [--poll-ms <ms>] [--flatten-on-stop] [--reset-kill-switch] [--new-session] [--feed rest|websocket] [--state postgres://…]`;

/** Parses run.ts flags; throws BAD_ARGUMENT with the usage on anything else. */
export function parseRunFlags(argv: readonly string[]): RunFlags {
  const f: Partial<RunFlags> & { json: boolean; flattenOnStop: boolean; resetKillSwitch: boolean; newSession: boolean } = { json: false, flattenOnStop: false, resetKillSwitch: false, newSession: false };
  const modes: RunMode[] = [];
  const value = (i: number, name: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new QuantlabError('BAD_ARGUMENT', `${name}: expected a value\n${RUN_USAGE}`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--paper') modes.push('paper');
    else if (a === '--live') modes.push('live');
    else if (a === '--json') f.json = true;
    else if (a === '--flatten-on-stop') f.flattenOnStop = true;
    else if (a === '--reset-kill-switch') f.resetKillSwitch = true;
    else if (a === '--new-session') f.newSession = true;
    else if (a === '--confirm') f.confirm = value(i++, a);
    else if (a === '--url') f.url = value(i++, a);
    else if (a === '--state') f.state = value(i++, a);
    else if (a === '--feed') {
      const v = value(i++, a);
      if (v !== 'rest' && v !== 'websocket') throw new QuantlabError('BAD_ARGUMENT', `--feed: expected rest or websocket, found '${v}'`);
      f.feed = v;
    }
    else if (a === '--poll-ms') {
      const v = Number(value(i++, a));
      if (!(v > 0)) throw new QuantlabError('BAD_ARGUMENT', `--poll-ms: expected milliseconds > 0, found '${argv[i]}'`);
      f.pollMs = v;
    } else throw new QuantlabError('BAD_ARGUMENT', `unknown argument '${a}'\n${RUN_USAGE}`);
  }
  if (modes.length !== 1) throw new QuantlabError('BAD_ARGUMENT', `expected exactly one of --paper or --live, found ${modes.length ? modes.map((m) => `--${m}`).join(' ') : 'neither'}\n${RUN_USAGE}`);
  return { ...f, mode: modes[0]! } as RunFlags;
}

/** Reads credentials for live mode from the environment variables the config names; throws naming them when missing. */
export function liveCredentials(config: RunnerConfig, env: NodeJS.ProcessEnv = process.env): { apiKey: string; secret: string } {
  const { keyEnv, secretEnv } = config.exchange;
  const apiKey = env[keyEnv];
  const secret = env[secretEnv];
  const missing = [!apiKey && keyEnv, !secret && secretEnv].filter(Boolean);
  if (missing.length) {
    throw new QuantlabError('BAD_ARGUMENT', `live mode needs the API key in $${keyEnv} and the secret in $${secretEnv}; not set: ${missing.map((m) => `$${m}`).join(', ')} (keys come from environment variables only, never from files or flags)`);
  }
  return { apiKey: apiKey!, secret: secret! };
}

/** Refuses parameters that differ from the validated ones (validation.json beside config.json). */
export function checkFrozenParams(dir: string, strategy: AnyStrategy, params: Record<string, unknown>): void {
  const path = join(dir, 'validation.json');
  if (!existsSync(path)) throw new QuantlabError('NOT_FOUND', `${path}: no validation evidence; promote the strategy with promote() before running it`);
  let v: { strategy?: string; params?: Record<string, unknown> };
  try {
    v = JSON.parse(readFileSync(path, 'utf8')) as typeof v;
  } catch (e) {
    throw new QuantlabError('BAD_CONFIG', `${path}: expected the validation evidence as JSON, found text that does not parse (${(e as Error).message}); promote the strategy again`);
  }
  if (!v || typeof v !== 'object') throw new QuantlabError('BAD_CONFIG', `${path}: expected the validation evidence (a JSON object), found ${JSON.stringify(v)}`);
  const resolved = strategy.resolveParams(params) as Record<string, unknown>;
  if (v.strategy !== strategy.name || canonicalJson(v.params) !== canonicalJson(resolved)) {
    throw new QuantlabError(
      'VALIDATION_FAILED',
      `run.ts trades ${strategy.name} ${canonicalJson(resolved)}, but ${path} validated ${v.strategy} ${canonicalJson(v.params)}; promote again instead of editing the frozen parameters`,
    );
  }
}

export interface LoopOptions {
  pollMs: number;
  flattenOnStop?: boolean;
  log?: (e: RunnerEvent) => void;
  /** listen for SIGINT/SIGTERM (default true). */
  signals?: boolean;
  /** resolves the loop's stop from outside (tests). */
  stopSignal?: StopControl;
}

/**
 * Polls until the runner stops (risk trip, error) or SIGINT/SIGTERM arrives; a signal lets the current step
 * finish, then the runner stops (closing the position when `flattenOnStop`). Transient exchange failures are
 * logged and retried on the next poll. Returns why it stopped.
 */
/** How a stop reaches a run loop: the first signal's name, and `wake` to end the wait between two polls. */
export interface StopControl {
  requested?: string;
  wake?: () => void;
}

/** Records SIGINT/SIGTERM in `ctl` (the first one is kept) and wakes the loop's wait; returns what removes the listeners. */
export function listenForStop(ctl: StopControl): () => void {
  const on = (sig: string) => () => {
    ctl.requested ??= sig;
    ctl.wake?.();
  };
  const handlers = { SIGINT: on('SIGINT'), SIGTERM: on('SIGTERM') };
  process.on('SIGINT', handlers.SIGINT);
  process.on('SIGTERM', handlers.SIGTERM);
  return () => {
    process.off('SIGINT', handlers.SIGINT);
    process.off('SIGTERM', handlers.SIGTERM);
  };
}

/** Waits `ms`, or until `ctl.wake()` is called (a signal, an operator's stop, a new bar on the stream). */
export async function waitOrWake(ctl: StopControl, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve) => {
    ctl.wake = () => {
      if (timer) clearTimeout(timer);
      resolve();
    };
    timer = setTimeout(resolve, ms);
  });
  ctl.wake = undefined;
}

/** The alerts of a runner's config.json, reporting into its log; undefined when it has none. */
export function alertsOf(config: RunnerConfig, name: string, env: NodeJS.ProcessEnv, log: (e: RunnerEvent) => void): AlertDispatcher | undefined {
  if (!config.alerts) return undefined;
  return new AlertDispatcher(config.alerts, { name, quote: config.symbol.split(/[/:]/)[1] ?? '', env, report: (r) => log({ ...r, at: new Date().toISOString() }) });
}

export async function runLoop(runner: Runner, o: LoopOptions): Promise<StopInfo> {
  const ctl = o.stopSignal ?? {};
  const release = o.signals !== false ? listenForStop(ctl) : undefined;
  try {
    let failures = 0;
    while (!runner.stopped && !ctl.requested) {
      try {
        await runner.poll();
        failures = 0;
      } catch (e) {
        if (e instanceof ExchangePortError && e.action === 'retry-later') {
          failures++;
          o.log?.({ event: 'poll-failed', at: new Date().toISOString(), message: e.message, failures });
        } else {
          await runner.stop(`error: ${(e as Error).message}`, { kind: 'error' });
          break;
        }
      }
      if (runner.stopped || ctl.requested) break;
      await waitOrWake(ctl, Math.min(o.pollMs * 2 ** Math.min(failures, 6), Math.max(o.pollMs, 60_000)));
    }
    if (!runner.stopped) await runner.stop(`received ${ctl.requested}`, { kind: 'signal', flatten: o.flattenOnStop });
    return runner.stopped!;
  } finally {
    release?.();
  }
}

/** Exit code of a stop: 0 signal, 1 error, 3 risk trip, 4 position mismatch. */
export const exitCodeOf = (s: StopInfo): number => ({ signal: 0, error: 1, risk: 3, mismatch: 4 })[s.kind];

export interface RunPromotedOptions {
  strategy: AnyStrategy;
  params: Record<string, unknown>;
  /** the promoted folder (config.json, validation.json; state and logs are written here). */
  dir: string;
  argv: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** where human-readable lines go (default stdout). */
  out?: (line: string) => void;
  /**
   * A service started beside the runner once it is set up (the dashboard server of `quantlab run --dashboard`):
   * it gets every event and is closed when the run ends. `wake` ends the wait between two polls (after an
   * operator's stop, the loop sees it at once).
   */
  attach?: (runner: Runner, ctx: AttachContext) => Promise<Attached>;
}

export interface AttachContext {
  dir: string;
  mode: RunMode;
  config: RunnerConfig;
  logFile: string;
  wake: () => void;
  out: (line: string) => void;
}

export interface Attached {
  onEvent?: (e: RunnerEvent) => void;
  close: () => Promise<void>;
}

/** Runs a promoted strategy as its run.ts does; resolves with the process exit code. Errors before the first order print a reason and give 2. */
export async function runPromoted(o: RunPromotedOptions): Promise<number> {
  const out = o.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  let redact = (s: string) => s;
  try {
    const flags = parseRunFlags(o.argv);
    const base = readConfig(o.dir);
    const pointed: RunnerConfig = flags.url ? { ...base, exchange: { ...base.exchange, url: flags.url } } : base;
    const config: RunnerConfig = flags.feed ? checkConfig({ ...pointed, runner: { ...pointed.runner, feed: flags.feed } }, '--feed') : pointed;
    checkFrozenParams(o.dir, o.strategy, o.params);
    const credentials = flags.mode === 'live' ? liveCredentials(config, o.env ?? process.env) : undefined;
    redact = makeRedactor([credentials?.apiKey, credentials?.secret]);
    if (flags.mode === 'live') await confirmLive(config, flags.confirm);
    const logFile = logPath(o.dir, flags.mode);
    const jsonLog = new JsonLog(logFile, { redact: (s) => redact(s), maxBytes: config.runner.logMaxBytes, keep: config.runner.logKeep });
    const tty = Boolean((process.stdout as { isTTY?: boolean }).isTTY) && !flags.json;
    let attached: Attached | undefined;
    let alerts: AlertDispatcher | undefined;
    const log = (e: RunnerEvent) => {
      attached?.onEvent?.(e);
      alerts?.onEvent(e);
      const line = jsonLog.write(e);
      if (flags.json) out(line);
      else if (e.event !== 'exchange' && e.event !== 'bar' && e.event !== 'order-send') out(redact(humanLine(e)));
      if (tty && e.event === 'bar') process.stdout.write(`\r${statusLine(config, flags.mode, e)}   `);
    };
    alerts = alertsOf(config, config.name, o.env ?? process.env, log);
    const setup = setupRunner({ strategy: o.strategy, params: o.params, config, mode: flags.mode, dir: o.dir, credentials, log, resetKillSwitch: flags.resetKillSwitch, newSession: flags.newSession, state: flags.state });
    // SIGINT/SIGTERM from here on stop the runner in order (also while it starts)
    const ctl: StopControl = {};
    const release = listenForStop(ctl);
    try {
      if (o.attach) attached = await o.attach(setup.runner, { dir: o.dir, mode: flags.mode, config, logFile, wake: () => ctl.wake?.(), out });
      // a closed bar on a stream ends the wait between two polls
      wakeOnBar(setup.runner.feed, ctl);
      await setup.runner.start();
      const stop = await runLoop(setup.runner, { pollMs: flags.pollMs ?? config.runner.pollMs, flattenOnStop: flags.flattenOnStop || config.runner.flattenOnStop, log, signals: false, stopSignal: ctl });
      if (tty) process.stdout.write('\n');
      out(redact(`stopped: ${stop.reason}`));
      return exitCodeOf(stop);
    } finally {
      release();
      await attached?.close();
      await alerts?.close();
      setup.close();
    }
  } catch (e) {
    const msg = redact(e instanceof Error ? e.message : String(e));
    out(`error${e instanceof QuantlabError ? ` [${e.code}]` : ''}: ${msg}`);
    return 2;
  }
}

/** An event as one terminal line: time, event, fields. */
export function humanLine(e: RunnerEvent): string {
  const at = typeof e.at === 'string' ? e.at.slice(0, 19).replace('T', ' ') : '';
  const rest = Object.entries(e)
    .filter(([k]) => k !== 'event' && k !== 'at')
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
  return `${at} ${e.event} ${rest}`.trim();
}

function statusLine(c: RunnerConfig, mode: RunMode, e: RunnerEvent): string {
  const n = (v: unknown, d = 2) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '—');
  const cash = c.execution.cash ?? 10_000;
  const eq = typeof e.equity === 'number' ? e.equity : NaN;
  return `[${c.strategy} ${c.symbol} ${c.timeframe} ${mode}] bar ${String(e.bar)} close ${n(e.close)} target ${String(e.target)} position ${n(e.position, 6)} equity ${n(eq)} (${n(((eq / cash) - 1) * 100)} %) at ${isoTime(Date.now())}`;
}
