import { join } from 'node:path';
import { ensureDir } from '../core';
import type { RetryPolicy } from '../core/retry';
import type { AnyStrategy } from '../strategy';
import type { AccountGuard } from './account-guard';
import { createCcxtAdapter, type CcxtAdapter } from './ccxt-adapter';
import { simOptionsOf, type RunnerConfig } from './config';
import { ccxtFeed, type MarketFeed } from './feed';
import { PaperBroker } from './paper-broker';
import { makeRedactor } from './redact';
import { Runner, type RunMode, type RunnerEvent } from './runner';
import { runnerOptions } from './sizing';
import { acquireRunLock, type RunLock } from './run-lock';
import type { StateStore } from './state-store';
import { openRunnerState, stateNamespace } from './state-store-pg';
import { binanceStreamUrl, wsFeed, type WsFeed } from './ws-feed';

/** Everything a runner needs, wired: the exchange adapter, the feed, the state file, the paper broker in paper mode. */
export interface RunnerSetup {
  runner: Runner;
  store: StateStore;
  adapter: CcxtAdapter;
  /** the runner lock of the state file (one runner per state file). */
  lock: RunLock;
  /** closes the state file and releases the lock. */
  close(): void;
}

export interface SetupOptions {
  strategy: AnyStrategy;
  params: Record<string, unknown>;
  config: RunnerConfig;
  mode: RunMode;
  /** folder of the state file (`paper.db` / `live.db`). */
  dir: string;
  /** live mode only: the credentials (read from the environment by the caller). */
  credentials?: { apiKey: string; secret: string };
  log?: (e: RunnerEvent) => void;
  clock?: () => number;
  resetKillSwitch?: boolean;
  /** exchange call retries (default 5 attempts, 250 ms first backoff). */
  retry?: RetryPolicy;
  /** ccxt's pause between requests (default: ccxt's value for the exchange; 0 for a local replay exchange). */
  rateLimitMs?: number;
  /** start over deliberately: the mode's state file and log are moved aside (renamed, never deleted) first. */
  newSession?: boolean;
  /** where the state lives: omitted = `<dir>/<mode>.db`, or a `postgres://` URL (namespace `<config name>/<mode>`). */
  state?: string;
  /** the account guard shared with the other strategies on this exchange account (a portfolio run). */
  account?: AccountGuard;
}

/** Path of a mode's state file in a promoted folder. */
export const statePath = (dir: string, mode: RunMode): string => join(dir, `${mode}.db`);

/** Path of a mode's event log (one JSON line per event) in a promoted folder. */
export const logPath = (dir: string, mode: RunMode): string => join(dir, `${mode}.log.jsonl`);

/** Path of a mode's runner lock in a promoted folder. */
export const lockPath = (dir: string, mode: RunMode): string => join(dir, `${mode}.lock`);

/**
 * Takes the folder's runner lock for the mode, then opens its state: moved aside first with `newSession`,
 * else refused when the file is damaged or missing while the log records a session.
 */
function openState(o: SetupOptions): { lock: RunLock; store: StateStore; moved: string[] } {
  ensureDir(o.dir, 'runner');
  const lock = acquireRunLock(lockPath(o.dir, o.mode), `${o.mode} runner`);
  try {
    const ns = stateNamespace(o.config.name, o.mode);
    const { store, moved } = openRunnerState({ file: statePath(o.dir, o.mode), log: logPath(o.dir, o.mode), state: o.state, ns, newSession: o.newSession });
    return { lock, store, moved };
  } catch (e) {
    lock.release();
    throw e;
  }
}

/** Builds a runner from a config: ccxt adapter (keys only in live mode), feed, state store, paper broker. */
export function setupRunner(o: SetupOptions): RunnerSetup {
  const c = o.config;
  const keys = o.mode === 'live' ? o.credentials : undefined;
  const redact = makeRedactor([keys?.apiKey, keys?.secret]);
  const local = c.exchange.url !== undefined && /^https?:\/\/(127\.0\.0\.1|localhost)(:|\/|$)/.test(c.exchange.url);
  const adapter = createCcxtAdapter({
    exchange: c.exchange.id,
    apiKey: keys?.apiKey,
    secret: keys?.secret,
    url: c.exchange.url,
    marketType: c.exchange.marketType,
    timeoutMs: c.exchange.timeoutMs,
    retry: o.retry,
    rateLimitMs: o.rateLimitMs ?? (local ? 0 : undefined),
    log: o.log ? (line) => o.log!({ event: 'exchange', at: new Date().toISOString(), line }) : undefined,
  });
  const rest = ccxtFeed(adapter, { retry: o.retry, redact });
  let feed: MarketFeed = rest;
  if (c.runner.feed === 'websocket') {
    const marketId = async (symbol: string) => (await adapter.markets()).find((m) => m.symbol === symbol)?.id ?? symbol.replace(/[/:].*$/, '');
    feed = wsFeed({ streamUrl: binanceStreamUrl(c.exchange), rest, marketId, log: o.log });
  }
  const { lock, store, moved } = openState(o);
  const close = () => {
    (feed as Partial<WsFeed>).close?.();
    store.close();
    lock.release();
  };
  try {
    const note = (event: string, detail: Record<string, unknown>) => {
      store.addEvent(event, detail);
      o.log?.({ event, at: new Date().toISOString(), ...detail });
    };
    if (lock.takenOver) note('lock-taken-over', { lock: lock.path, previous: `pid ${lock.takenOver.pid} on ${lock.takenOver.host} since ${lock.takenOver.startedAt}`, why: lock.takenOver.why });
    if (o.newSession) note('new-session', { movedAside: moved.length ? moved : 'nothing (no earlier session here)' });
    const port = o.mode === 'paper' ? new PaperBroker({ data: adapter, store, options: runnerOptions(simOptionsOf(c)) }) : adapter;
    const log = o.log ? (e: RunnerEvent) => o.log!(JSON.parse(redact(JSON.stringify(e))) as RunnerEvent) : undefined;
    const runner = new Runner({ strategy: o.strategy, params: o.params, config: c, mode: o.mode, port, feed, store, log, clock: o.clock, resetKillSwitch: o.resetKillSwitch, account: o.account });
    return { runner, store, adapter, lock, close };
  } catch (e) {
    close();
    throw e;
  }
}
