import { join } from 'node:path';
import type { RetryPolicy } from '../core/retry';
import type { AnyStrategy } from '../strategy';
import { createCcxtAdapter, type CcxtAdapter } from './ccxt-adapter';
import { simOptionsOf, type RunnerConfig } from './config';
import { ccxtFeed } from './feed';
import { PaperBroker } from './paper-broker';
import { makeRedactor } from './redact';
import { Runner, type RunMode, type RunnerEvent } from './runner';
import { runnerOptions } from './sizing';
import { StateStore } from './state-store';

/** Everything a runner needs, wired: the exchange adapter, the feed, the state file, the paper broker in paper mode. */
export interface RunnerSetup {
  runner: Runner;
  store: StateStore;
  adapter: CcxtAdapter;
  /** closes the state file. */
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
}

/** Path of a mode's state file in a promoted folder. */
export const statePath = (dir: string, mode: RunMode): string => join(dir, `${mode}.db`);

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
  const feed = ccxtFeed(adapter, { retry: o.retry, redact });
  const store = new StateStore(statePath(o.dir, o.mode));
  const port = o.mode === 'paper' ? new PaperBroker({ data: adapter, store, options: runnerOptions(simOptionsOf(c)) }) : adapter;
  const log = o.log ? (e: RunnerEvent) => o.log!(JSON.parse(redact(JSON.stringify(e))) as RunnerEvent) : undefined;
  const runner = new Runner({ strategy: o.strategy, params: o.params, config: c, mode: o.mode, port, feed, store, log, clock: o.clock, resetKillSwitch: o.resetKillSwitch });
  return { runner, store, adapter, close: () => store.close() };
}
