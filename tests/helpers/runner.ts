/**
 * Helpers for the runner tests: a futures window of shipped data, strategy parameters that trade often
 * enough in it, session configs, a child-process runner (run.ts under tsx) and a watcher of its state file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sliceBars, type Bars } from '../../lib/core';
import { checkConfig, simOptionsOf, type RunnerConfig } from '../../lib/live/config';
import { StateStore } from '../../lib/live/state-store';
import { createCcxtAdapter, type CcxtAdapter } from '../../lib/live/ccxt-adapter';
import type { ExchangePort } from '../../lib/live/exchange-port';
import { ccxtFeed } from '../../lib/live/feed';
import { PaperBroker } from '../../lib/live/paper-broker';
import { startReplayExchange, type FaultRule, type ReplayExchange } from '../../lib/replay-exchange';
import { Runner, type RunMode, type RunnerEvent } from '../../lib/live/runner';
import { statePath } from '../../lib/live/setup';
import { runnerOptions } from '../../lib/live/sizing';
import { getStrategy, type AnyStrategy } from '../../lib/strategy';
import { promote, type PromotedStrategy } from '../../lib/live/promote';
import { dataset, TEST_KEY, TEST_SECRET } from './exchange';

export const ROOT = resolve(__dirname, '../..');

/** Parameters that make each built-in trade several times in {@link futuresWindow}. */
export const ACTIVE_PARAMS: Record<string, Record<string, number>> = {
  'sma-cross': { fast: 5, slow: 20 },
  'sma-cross-ls': { fast: 5, slow: 20 },
  'ema-cross': { fast: 5, slow: 15 },
  'macd-cross': { fast: 6, slow: 13, signal: 5 },
  'rsi-reversion': { n: 6, lower: 35, upper: 65 },
  'bollinger-reversion': { n: 10, k: 1.5 },
  'donchian-breakout': { entry: 10, exit: 5 },
  supertrend: { n: 5, mult: 1.5 },
  'daily-trend-cross': { fast: 2, slow: 6, trend: 3 },
  'rsi-ema-cross': { n: 6, smooth: 2, signal: 4 },
  'keltner-breakout': { n: 8, mult: 0.25, atr: 4 },
};

/** `n` bars of the shipped Binance USDT-M BTCUSDT 1h data from row `from` (2023-09 by default). */
export async function futuresWindow(n = 300, from = 25_000): Promise<Bars> {
  return sliceBars(await dataset('BTCUSDT', '1h', 'futures'), from, from + n);
}

export const tempDir = (tag: string): string => mkdtempSync(join(tmpdir(), `quantlab-${tag}-`));

/** A checked config for BTC/USDT:USDT 1h on a local exchange (futures filters of the replay: step 0.001, min 5, taker 0.05 %). */
export function futuresConfig(url: string, over: Partial<RunnerConfig> = {}): RunnerConfig {
  return checkConfig({
    version: 1,
    name: 'test-run',
    strategy: 'sma-cross',
    symbol: 'BTC/USDT:USDT',
    timeframe: '1h',
    exchange: { id: 'binance', marketType: 'swap', url, keyEnv: 'QUANTLAB_API_KEY', secretEnv: 'QUANTLAB_API_SECRET', timeoutMs: 1500 },
    execution: { cash: 10_000, fee: 0.0005, lotSize: 0.001, minNotional: 5 },
    risk: {},
    runner: { warmupBars: 100, pollMs: 10, flattenOnStop: false, onMismatch: 'stop' },
    ...over,
  } as RunnerConfig);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until `ok()` holds (checked every `every` ms), or throws after `ms`, naming `what`. */
export async function waitFor(ok: () => boolean, what: string, ms = 20_000, every = 3): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(every);
  }
}

/** A runner child process: `node --require tsx/cjs run.ts …`, stdout collected line by line. */
export interface Child {
  proc: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
}

export function spawnRun(runPath: string, args: string[], env: Record<string, string> = {}): Child {
  const tsx = join(ROOT, 'node_modules/tsx/dist/cjs/index.cjs');
  const proc = spawn(process.execPath, ['--require', tsx, runPath, ...args], {
    env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buf = '';
  const take = (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
  };
  proc.stdout!.on('data', take);
  proc.stderr!.on('data', take);
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  return { proc, lines, exited };
}

/**
 * The kill/restart drive of a runner child: steps the replay clock one bar at a time for `steps` bars; at a
 * step where `kill(k)` is given, waits on it (with the lines the child printed since that step), kills the child
 * with SIGKILL and starts it again (`onKilled` sees the dead child); after every step waits until the runner has
 * finished the bar (`store.lastDoneTs()` reaches `barTs(k)`). Returns the running child and the kill count.
 */
export async function driveWithKills(o: {
  ex: ReplayExchange;
  steps: number;
  barTs: (k: number) => number;
  store: { lastDoneTs(): number };
  child: Child;
  start: () => Promise<Child>;
  kill: (k: number) => ((since: () => string[]) => Promise<void>) | undefined;
  onKilled?: (dead: Child) => void;
}): Promise<{ child: Child; kills: number }> {
  let child = o.child;
  let kills = 0;
  for (let k = 1; k <= o.steps; k++) {
    const seen = child.lines.length;
    o.ex.step(1);
    const want = o.barTs(k);
    const before = o.kill(k);
    if (before) {
      const c = child;
      await before(() => c.lines.slice(seen));
      child.proc.kill('SIGKILL');
      await child.exited;
      o.onKilled?.(child);
      kills++;
      child = await o.start();
    }
    await waitFor(() => o.store.lastDoneTs() === want, `bar ${k} done`, 30_000, 1);
  }
  return { child, kills };
}

/** Opens a state file read-only once it exists (a running session writes it). */
export async function watchState(path: string): Promise<StateStore> {
  await waitFor(() => existsSync(path), `state file ${path}`);
  return new StateStore(path, { readonly: true });
}

export interface Opened {
  runner: Runner;
  store: StateStore;
  adapter: CcxtAdapter;
  events: RunnerEvent[];
}

export interface Harness {
  ex: ReplayExchange;
  bars: Bars;
  dir: string;
  config: RunnerConfig;
  strategy: AnyStrategy;
  params: Record<string, unknown>;
  /** a runner on the harness folder (a new process, as far as the state is concerned). */
  open(o?: { mode?: RunMode; wrap?: (p: ExchangePort) => ExchangePort; clock?: () => number; resetKillSwitch?: boolean; config?: RunnerConfig; strategy?: AnyStrategy; params?: Record<string, unknown> }): Opened;
  close(): Promise<void>;
}

/**
 * A replay exchange serving `bars` (USDT-M futures unless `kind` says spot) with the test account, the
 * clock at bar `warmup`, and runners on a temporary folder built the way setupRunner builds them.
 */
export async function harness(o: {
  bars: Bars;
  strategy?: string;
  params?: Record<string, unknown>;
  warmup?: number;
  kind?: 'spot' | 'futures';
  over?: Partial<RunnerConfig>;
  faults?: FaultRule[];
  seed?: number;
  slippageBps?: number;
  balances?: Record<string, number>;
}): Promise<Harness> {
  const warmup = o.warmup ?? 100;
  const kind = o.kind ?? 'futures';
  const ex = await startReplayExchange({
    markets: [{ bars: o.bars, kind }],
    accounts: [{ apiKey: TEST_KEY, secret: TEST_SECRET, balances: o.balances ?? { USDT: 10_000 }, futuresWallet: 10_000 }],
    start: o.bars.ts[warmup],
    faults: o.faults,
    seed: o.seed,
    slippageBps: o.slippageBps,
  });
  const spot = kind === 'spot';
  const base = futuresConfig(ex.url, {
    ...(spot ? { symbol: 'BTC/USDT', exchange: { id: 'binance', marketType: 'spot', url: ex.url, keyEnv: 'QUANTLAB_API_KEY', secretEnv: 'QUANTLAB_API_SECRET', timeoutMs: 1500 }, execution: { cash: 10_000, fee: 0.001, lotSize: 0.00001, minNotional: 5 } } : {}),
    runner: { warmupBars: warmup, pollMs: 10, flattenOnStop: false, onMismatch: 'stop' },
    ...o.over,
  });
  const strategy = getStrategy(o.strategy ?? 'sma-cross-ls');
  const params = o.params ?? ACTIVE_PARAMS[strategy.name] ?? {};
  const dir = tempDir('runner');
  const opened: Opened[] = [];
  return {
    ex,
    bars: o.bars,
    dir,
    config: base,
    strategy,
    params,
    open(p = {}) {
      const config = p.config ?? base;
      const mode = p.mode ?? 'live';
      const retry = { attempts: 6, baseMs: 5, maxMs: 40 };
      const adapter = createCcxtAdapter({ exchange: 'binance', apiKey: TEST_KEY, secret: TEST_SECRET, url: ex.url, marketType: config.exchange.marketType, rateLimitMs: 0, timeoutMs: config.exchange.timeoutMs, retry });
      const store = new StateStore(statePath(dir, mode));
      let port: ExchangePort = mode === 'paper' ? new PaperBroker({ data: adapter, store, options: runnerOptions(simOptionsOf(config)) }) : adapter;
      if (p.wrap) port = p.wrap(port);
      const events: RunnerEvent[] = [];
      const runner = new Runner({ strategy: p.strategy ?? strategy, params: p.params ?? params, config, mode, port, feed: ccxtFeed(adapter, { retry }), store, log: (e) => events.push(e), clock: p.clock, resetKillSwitch: p.resetKillSwitch });
      const r = { runner, store, adapter, events };
      opened.push(r);
      return r;
    },
    async close() {
      for (const r of opened) r.store.close();
      await ex.close();
    },
  };
}

/**
 * sma-cross-ls promoted into `root` (a 120-bar futures window unless `bars` are given; the replay exchange's
 * futures filters; warm-up 60 bars, 5 ms polls), pointed at `url` (a placeholder unless one is given).
 */
export async function promotedFixture(root: string, url = 'http://127.0.0.1:9', o: { bars?: Bars; name?: string } = {}): Promise<PromotedStrategy> {
  return promote('sma-cross-ls', ACTIVE_PARAMS['sma-cross-ls']!, {
    symbol: 'BTC/USDT:USDT',
    timeframe: '1h',
    data: o.bars ?? (await futuresWindow(120)),
    experimentsDir: root,
    url,
    name: o.name,
    execution: { cash: 10_000, fee: 0.0005, lotSize: 0.001, minNotional: 5 },
    runner: { warmupBars: 60, pollMs: 5 },
  });
}
