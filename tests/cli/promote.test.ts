/**
 * `quantlab promote`: a strategy (built in or from --strategy-file) with parameters from --params/--param or
 * the best trial of a stored study, validated on that study's bars; --overwrite; errors that say what to give.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerOptimizeCommands } from '../../lib/commands/optimize';
import { registerPromoteCommand } from '../../lib/commands/promote';
import { QuantlabError } from '../../lib/core';
import { datasetPath } from '../../lib/data';
import { openStorage, sortBest } from '../../lib/optimizer';
import { ROOT } from '../helpers/runner';

const dir = mkdtempSync(join(tmpdir(), 'ql-cli-promote-'));
const storage = `sqlite:${join(dir, 'studies.db')}`;
const experiments = join(dir, 'experiments');
const saved = process.env.QUANTLAB_EXPERIMENTS;
beforeAll(() => {
  process.env.QUANTLAB_EXPERIMENTS = experiments;
});
afterAll(() => {
  if (saved === undefined) delete process.env.QUANTLAB_EXPERIMENTS;
  else process.env.QUANTLAB_EXPERIMENTS = saved;
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the commands in-process, the way lib/cli.ts runs every command (QuantlabError → `error [CODE]: …`, exit 1). */
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
    registerPromoteCommand(program);
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

describe('quantlab promote', () => {
  it('promotes the best trial of a stored study, validated on the shipped dataset that is the study’s bars', { timeout: 60_000 }, async () => {
    const o = await run('optimize', '--data', 'BTCUSDT', '-t', '1d', '--strategy', 'sma-cross', '--trials', '10', '--seed', '4', '--study', 'btc-1d', '--storage', storage, '--no-progress', '--json');
    expect(o.code, o.err).toBe(0);
    const s = openStorage(storage);
    const trials = await s.getTrials('btc-1d');
    await s.close();
    const best = sortBest(trials.filter((t) => t.state === 'complete'), 'maximize')[0]!;

    const r = await run('promote', '--study', 'btc-1d', '--storage', storage, '--symbol', 'BTC/USDT', '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.params).toEqual(best.params);
    expect(j.study).toMatchObject({ name: 'btc-1d', kind: 'stored-study', trials: 10, finished: 10, sameData: true });
    expect(j.overfitting.trials).toBe(10);
    expect(j.data).toMatchObject({ timeframe: '1d', file: datasetPath('BTCUSDT', '1d') });
    expect(j.dir).toBe(join(experiments, 'promoted', 'sma-cross-btcusdt-1d'));
    expect(readFileSync(j.run, 'utf8')).toContain(`export const params = ${JSON.stringify(best.params).replace(/"(\w+)":/g, '$1: ').replace(/,/g, ', ').replace(/^\{/, '{ ').replace(/\}$/, ' }')};`);

    // again: refused without --overwrite, replaced with it; --param overrides the study's best
    const again = await run('promote', '--study', 'btc-1d', '--storage', storage, '--symbol', 'BTC/USDT');
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/error \[BAD_ARGUMENT\]: promote: .* already holds a promoted strategy; pass --overwrite to replace/);
    const over = await run('promote', 'sma-cross', '--study', 'btc-1d', '--storage', storage, '--symbol', 'BTC/USDT', '--param', 'fast=7', '--overwrite');
    expect(over.code, over.err).toBe(0);
    expect(over.out).toMatch(/promoted sma-cross \{"fast":7,"slow":\d+\}/);
    expect(over.out).toMatch(/study btc-1d: 10 trials \(10 complete\)/);
    expect(over.out).toMatch(/--paper --url/);

    // other bars than the study's, another strategy than the study's, a study that is not there
    const eth = await run('promote', '--study', 'btc-1d', '--storage', storage, '--symbol', 'BTC/USDT', '--data', 'ETHUSDT', '-t', '1d', '--overwrite');
    expect(eth.code).toBe(1);
    expect(eth.err).toMatch(/error \[STUDY_MISMATCH\]: promote: the validation bars \(ETHUSDT 1d .*\) are not the bars study 'btc-1d' searched \(BTCUSDT 1d /);
    const other = await run('promote', 'ema-cross', '--study', 'btc-1d', '--storage', storage, '--symbol', 'BTC/USDT');
    expect(other.err).toMatch(/error \[STUDY_MISMATCH\]: promote: study 'btc-1d' optimised 'sma-cross', not 'ema-cross'/);
    const missing = await run('promote', '--study', 'nope', '--storage', storage, '--symbol', 'BTC/USDT');
    expect(missing.err).toMatch(/error \[NOT_FOUND\]: promote --study: no study named 'nope' in .*; there are: btc-1d/);
  });

  it('without a study: --params JSON or name=value on given data; bad input says what was expected', { timeout: 60_000 }, async () => {
    const r = await run('promote', 'sma-cross', '--params', '{"fast":10,"slow":50}', '--symbol', 'ETH/USDT', '--data', 'ETHUSDT', '-t', '1d', '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.params).toEqual({ fast: 10, slow: 50 });
    expect(j.study).toBeNull();
    expect(j.overfitting.trials).toBe(1);

    expect((await run('promote', 'sma-cross', '--params', '{fast:10}', '--symbol', 'BTC/USDT')).err).toMatch(/error \[BAD_ARGUMENT\]: --params: expected a JSON object such as/);
    expect((await run('promote', 'sma-cross', '--params', '{"fats":10}', '--symbol', 'BTC/USDT')).err).toMatch(/--params: strategy 'sma-cross' has no parameter 'fats'; it has fast, slow/);
    expect((await run('promote', 'sma-cross', '--param', 'fast=10', '--param', 'slow=50')).err).toMatch(/error \[BAD_ARGUMENT\]: promote: --symbol is required/);
    expect((await run('promote', 'sma-cross', '--symbol', 'BTC/USDT')).err).toMatch(/promote: give the parameters/);
    expect((await run('promote', '--symbol', 'BTC/USDT')).err).toMatch(/promote: expected a strategy name/);
    expect((await run('promote', 'no-such', '--params', '{}', '--symbol', 'BTC/USDT')).err).toMatch(/error \[NOT_FOUND\]: no strategy named 'no-such'/);
  });

  it('a strategy of your own from --strategy-file: run.ts imports it from that file', { timeout: 60_000 }, async () => {
    const file = join(dir, 'my-strategy.ts');
    writeFileSync(
      file,
      [
        `import { defineStrategy, int, ind } from ${JSON.stringify(join(ROOT, 'lib/index'))};`,
        'export const aboveSma = defineStrategy({',
        "  name: 'above-sma-cli',",
        '  params: { n: int(2, 400, { default: 50 }) },',
        '  indicators: (p) => ({ avg: ind.sma(p.n) }),',
        '  decide: (bar) => (bar.close > bar.avg ? 1 : bar.close < bar.avg ? 0 : NaN),',
        '});',
        '',
      ].join('\n'),
    );
    const r = await run('promote', 'above-sma-cli', '--strategy-file', file, '--param', 'n=30', '--symbol', 'BTC/USDT', '--data', 'BTCUSDT', '-t', '1d', '--json');
    expect(r.code, r.err).toBe(0);
    const script = readFileSync(JSON.parse(r.out).run, 'utf8');
    expect(script).toContain('import { aboveSma } from');
    expect(script).toContain('export const params = { n: 30 };');
  });
});
