/**
 * Helpers for the runner tests: a futures window of shipped data, strategy parameters that trade often
 * enough in it, session configs, a child-process runner (run.ts under tsx) and a watcher of its state file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sliceBars, type Bars } from '../../lib/core';
import { checkConfig, type RunnerConfig } from '../../lib/live/config';
import { StateStore } from '../../lib/live/state-store';
import { dataset } from './exchange';

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

/** Opens a state file read-only once it exists (a running session writes it). */
export async function watchState(path: string): Promise<StateStore> {
  await waitFor(() => existsSync(path), `state file ${path}`);
  return new StateStore(path, { readonly: true });
}
