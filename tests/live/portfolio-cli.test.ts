/**
 * `quantlab run --portfolio <name>` and `quantlab run --all` as child processes (lib/cli.ts through tsx)
 * against a replay exchange served by the test: two promoted strategies in one process, each writing its
 * own state and log in its own promoted folder; SIGINT stops both in order; bad input is refused with a
 * reason and no stack trace.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { promote } from '../../lib/live/promote';
import { StateStore } from '../../lib/live/state-store';
import { startReplayExchange, type ReplayExchange } from '../../lib/replay-exchange';
import { hasStack, quantlab, quantlabDone, type CliChild } from './cli-child';
import { ACTIVE_PARAMS, futuresWindow, tempDir, waitFor } from '../helpers/runner';

const W = 60;
const children: CliChild[] = [];
const servers: ReplayExchange[] = [];
afterAll(async () => {
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
  await Promise.all(servers.map((s) => s.close()));
});

async function twoPromoted(url: string): Promise<string> {
  const root = tempDir('portfolio-cli');
  const data = await futuresWindow(140);
  const common = { symbol: 'BTC/USDT:USDT', timeframe: '1h', data, experimentsDir: root, url, execution: { cash: 5_000, fee: 0.0005, lotSize: 0.001, minNotional: 5 }, runner: { warmupBars: W, pollMs: 5 } };
  await promote('sma-cross-ls', ACTIVE_PARAMS['sma-cross-ls']!, { ...common, name: 'ls' });
  await promote('ema-cross', ACTIVE_PARAMS['ema-cross']!, { ...common, name: 'long' });
  return root;
}

const jsonEvents = (c: CliChild) =>
  c.out.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { name: string; event: string; [k: string]: unknown });

/** Starts the command, waits for both strategies to start, steps the exchange `bars` bars, then SIGINT. */
async function runAndInterrupt(ex: ReplayExchange, args: string[], bars: number, during?: () => Promise<void>): Promise<{ c: CliChild; code: number | null }> {
  const c = quantlab(args);
  children.push(c);
  const started = (name: string) => jsonEvents(c).some((e) => e.name === name && e.event === 'start');
  await waitFor(() => (started('ls') && started('long')) || c.proc.exitCode !== null, 'both strategies to start', 60_000, 10);
  expect(c.proc.exitCode, [...c.out, ...c.err].join('\n')).toBeNull();
  for (let k = 1; k <= bars; k++) {
    ex.step(1);
    const seen = (name: string) => jsonEvents(c).filter((e) => e.name === name && (e.event === 'bar' || e.event === 'missed')).length >= k;
    await waitFor(() => (seen('ls') && seen('long')) || c.proc.exitCode !== null, `bar ${k} of both strategies`, 30_000, 5);
  }
  await during?.();
  c.proc.kill('SIGINT');
  return { c, code: await c.exited };
}

describe('quantlab run --portfolio / --all', () => {
  it('--portfolio runs both strategies in one process, each with its own state file; SIGINT stops both', { timeout: 120_000 }, async () => {
    const bars = await futuresWindow(140);
    const ex = await startReplayExchange({ markets: [{ bars, kind: 'futures' }], start: bars.ts[W] });
    servers.push(ex);
    const root = await twoPromoted(ex.url);
    mkdirSync(join(root, 'portfolios'));
    writeFileSync(join(root, 'portfolios', 'pair.json'), JSON.stringify({ strategies: ['ls', 'long'], risk: { maxTotalNotional: 7_000 } }));
    const { c, code } = await runAndInterrupt(ex, ['run', '--portfolio', 'pair', '--paper', '--experiments', root, '--json', '--poll-ms', '5'], 3, async () => {
      // each strategy holds its own folder's lock: the same strategy cannot run alone meanwhile
      const alone = await quantlabDone(['run', 'ls', '--paper', '--experiments', root]);
      expect(alone.code).toBe(2);
      expect(alone.out + alone.err).toMatch(/error \[LOCKED\]: .*promoted\/ls\/paper\.lock/);
    });
    expect(code, [...c.out, ...c.err].join('\n')).toBe(0);
    expect(c.out.join('\n')).toMatch(/portfolio pair: 2 strategies on binance swap http:\/\/127\.0\.0\.1:\d+ .*\(paper\): ls BTC\/USDT:USDT, long BTC\/USDT:USDT/);
    expect(c.out).toContain('[ls] stopped: received SIGINT');
    expect(c.out).toContain('[long] stopped: received SIGINT');
    expect(c.out.indexOf('[ls] stopped: received SIGINT')).toBeLessThan(c.out.indexOf('[long] stopped: received SIGINT'));
    for (const name of ['ls', 'long']) {
      const dir = join(root, 'promoted', name);
      expect(existsSync(join(dir, 'paper.log.jsonl'))).toBe(true);
      expect(existsSync(join(dir, 'paper.lock'))).toBe(false); // released
      const store = new StateStore(join(dir, 'paper.db'), { readonly: true });
      expect(store.meta('strategy')).toBe(name === 'ls' ? 'sma-cross-ls' : 'ema-cross');
      expect(store.bars(['done']).length + store.bars(['missed']).length).toBeGreaterThanOrEqual(3);
      expect(JSON.parse(store.get('stopped')!)).toMatchObject({ kind: 'signal' });
      store.close();
    }
  });

  it('--all runs every promoted strategy on the account; bad combinations and files are refused without a stack trace', { timeout: 120_000 }, async () => {
    const bars = await futuresWindow(140);
    const ex = await startReplayExchange({ markets: [{ bars, kind: 'futures' }], start: bars.ts[W] });
    servers.push(ex);
    const root = await twoPromoted(ex.url);
    const { c, code } = await runAndInterrupt(ex, ['run', '--all', '--paper', '--experiments', root, '--json', '--poll-ms', '5'], 1);
    expect(code, [...c.out, ...c.err].join('\n')).toBe(0);
    expect(c.out.join('\n')).toMatch(/all: 2 strategies on .*: long BTC\/USDT:USDT, ls BTC\/USDT:USDT/);

    const both = await quantlabDone(['run', 'ls', '--all', '--paper', '--experiments', root]);
    expect(both.code).toBe(1);
    expect(both.err + both.out).toMatch(/expected exactly one of <name>, --all or --portfolio <name>, found <name> \(ls\) and --all/);
    mkdirSync(join(root, 'portfolios'));
    writeFileSync(join(root, 'portfolios', 'bad.json'), JSON.stringify({ strategies: ['ls'], risk: { maxTotalDrawdown: 2 } }));
    const bad = await quantlabDone(['run', '--portfolio', 'bad', '--paper', '--experiments', root]);
    expect(bad.code).toBe(1);
    expect(bad.err + bad.out).toMatch(/error \[BAD_CONFIG\]: .*bad\.json: risk\.maxTotalDrawdown: expected a fraction in \(0, 1\)/);
    const missing = await quantlabDone(['run', '--portfolio', 'nope', '--paper', '--experiments', root]);
    expect(missing.err + missing.out).toMatch(/error \[NOT_FOUND\]: .*nope\.json: no portfolio 'nope'/);
    writeFileSync(join(root, 'portfolios', 'ghost.json'), JSON.stringify({ strategies: ['ls', 'ghost'] }));
    const ghost = await quantlabDone(['run', '--portfolio', 'ghost', '--paper', '--experiments', root]);
    expect(ghost.code).toBe(2);
    expect(ghost.err + ghost.out).toMatch(/no promoted strategy 'ghost'.*holds: long, ls/);
    const live = await quantlabDone(['run', '--all', '--live', '--experiments', root], { env: { QUANTLAB_API_KEY: 'k', QUANTLAB_API_SECRET: 's' } });
    expect(live.code).toBe(2);
    expect(live.err + live.out).toMatch(/all: live mode needs an account size limit: set risk.maxTotalNotional/);
    for (const r of [both, bad, missing, ghost, live]) expect(hasStack(r.err + r.out)).toBe(false);
  });
});
