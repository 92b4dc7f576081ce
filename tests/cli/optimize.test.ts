import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { registerOptimizeCommands } from '../../lib/commands/optimize';
import { QuantlabError } from '../../lib/core';
import { backtestSummary } from '../../lib/strategy';
import { btc1h } from '../helpers/datasets';

const dir = mkdtempSync(join(tmpdir(), 'ql-cli-opt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const storage = `sqlite:${join(dir, 'studies.db')}`;

/** Runs the optimisation commands in-process, the way lib/cli.ts runs every command. */
async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true));
  let code = 0;
  try {
    const program = new Command('quantlab').exitOverride().configureOutput({ outputError: (s, write) => write(s), writeErr: (s) => void err.push(s), writeOut: (s) => void out.push(s) });
    registerOptimizeCommands(program);
    await program.parseAsync(args, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) code = e.exitCode;
    else if (e instanceof QuantlabError) {
      err.push(`error [${e.code}]: ${e.message}`);
      code = 1;
    } else throw e;
  } finally {
    log.mockRestore();
    error.mockRestore();
    stderr.mockRestore();
  }
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('quantlab sweep / optimize / study', () => {
  it('sweep --json: combos, best (params and value) and seconds; the best is the naive argmax on BTCUSDT 1h', async () => {
    const r = await run('sweep', '--data', 'BTCUSDT', '--strategy', 'sma-cross', '--grid', 'fast=5:15:5', '--grid', 'slow=20:60:20', '--objective', 'finalEquity', '--json', '--fee', '0.0005');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.combos).toBe(9);
    expect(typeof j.seconds).toBe('number');
    const bars = btc1h();
    let best = -Infinity;
    let bestP = {};
    for (const fast of [5, 10, 15]) {
      for (const slow of [20, 40, 60]) {
        const v = backtestSummary('sma-cross', bars, { fast, slow }, { fee: 0.0005 }).finalEquity;
        if (v > best) [best, bestP] = [v, { fast, slow }];
      }
    }
    expect(j.best.value).toBe(best);
    expect(j.best.params).toEqual(bestP);
  });

  it('optimize --json into SQLite; study list and study show read it back', async () => {
    const r = await run('optimize', '--data', 'BTCUSDT', '--strategy', 'sma-cross', '--sampler', 'random', '--trials', '6', '--seed', '3', '--storage', storage, '--study', 'cli-a', '--json', '--param', 'fast=10');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.trials).toBe(6);
    expect(j.best.params.fast).toBe(10);
    expect(j.best.objective).toBe('sharpe');
    expect(j.overfitting.trials).toBe(6);
    expect(typeof j.overfitting.deflatedSharpe).toBe('number');
    const list = JSON.parse((await run('study', 'list', '--storage', storage, '--json')).out);
    const row = list.find((x: { name: string }) => x.name === 'cli-a');
    expect(row.counts.complete).toBe(6);
    expect(row.bestValue).toBe(j.best.value);
    const show = await run('study', 'show', 'cli-a', '--storage', storage);
    expect(show.out).toMatch(/study cli-a \(sqlite:.*\), created .*, maximize/);
    expect(show.out).toMatch(/strategy: "sma-cross"/);
    expect(show.out).toMatch(new RegExp(`best: #${j.best.number} `));
    const again = JSON.parse((await run('optimize', '--data', 'BTCUSDT', '--strategy', 'sma-cross', '--sampler', 'random', '--trials', '8', '--seed', '3', '--storage', storage, '--study', 'cli-a', '--json', '--param', 'fast=10', '--no-overfitting')).out);
    expect(again.trials).toBe(8);
    expect(again.ran).toBe(2);
  });

  it('says what is wrong', async () => {
    expect((await run('optimize', '--data', 'BTCUSDT', '--strategy', 'sma-cross', '--sampler', 'bayes', '--storage', storage)).err).toMatch(/--sampler: expected one of grid, random, tpe, tpe-multivariate, cmaes, nsga2, found 'bayes'/);
    expect((await run('sweep', '--data', 'BTCUSDT', '--strategy', 'sma-cross', '--grid', 'fats=1:3')).err).toMatch(/--grid: strategy 'sma-cross' has no parameter 'fats'; it has fast, slow/);
    expect((await run('sweep', '--data', 'BTCUSDT', '--strategy', 'sma-cross')).err).toMatch(/at least one --grid/);
    expect((await run('study', 'show', 'nope', '--storage', storage)).err).toMatch(/no study named 'nope' in sqlite:.*; there are: cli-a/);
    expect((await run('study', 'list', '--storage', 'mongo://x')).err).toMatch(/unknown scheme 'mongo:'/);
    expect((await run('optimize', '--data', 'BTCUSDT', '--strategy', 'sma-cross', '--objective', 'profit', '--storage', storage)).err).toMatch(/--objective: expected one of .*found 'profit'/);
  });
});
