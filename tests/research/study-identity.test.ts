import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { registerOptimizeCommands } from '../../lib/commands/optimize';
import { QuantlabError, sliceBars } from '../../lib/core';
import { createStudy, MemoryStorage, openStorage, shareBars, SqliteStorage, workerPool, type Storage } from '../../lib/optimizer';
import { barsContentHash, dataIdentity, strategyRulesHash, strategySourceHash, strategyStudyIdentity } from '../../lib/research/identity';
import { optimize } from '../../lib/research/optimize';
import type { OptimizeOptions } from '../../lib/research/options';
import { backtest, defineStrategy, ind, int, smaCross, withInputs } from '../../lib/strategy';
import { btc1h } from '../helpers/datasets';
import { aboveSma } from './fixtures/my-strategy';

const all = btc1h();
const bars = sliceBars(all, all.close.length - 2000);
const dir = mkdtempSync(join(tmpdir(), 'ql-identity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const space = { fast: int(2, 30), slow: int(40, 120) };
const base: OptimizeOptions = { sampler: 'random', trials: 3, seed: 1, space, overfitting: false, progress: false };

/** The STUDY_MISMATCH error of a call (fails the test when it resolves or throws something else). */
async function mismatch(p: Promise<unknown>): Promise<QuantlabError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(QuantlabError);
  expect((e as QuantlabError).code).toBe('STUDY_MISMATCH');
  return e as QuantlabError;
}
const fields = (e: QuantlabError) => (e.details as { differences: { field: string }[] }).differences.map((d) => d.field);

// the same name and parameters as sma-cross, other rules (long only when fast is below slow)
const impostor = defineStrategy({
  name: 'sma-cross',
  params: smaCross.params,
  check: smaCross.check,
  indicators: (p: { fast: number; slow: number }) => ({ fast: ind.sma(p.fast), slow: ind.sma(p.slow) }),
  decide: (bar) => (bar.fast < bar.slow ? 1 : 0),
});

const storages: [string, () => Storage][] = [
  ['memory', () => new MemoryStorage()],
  ['sqlite', () => new SqliteStorage(join(dir, `s-${Math.random().toString(36).slice(2)}.db`))],
];

describe.each(storages)('a study is one experiment (%s storage)', (_label, make) => {
  const planted: [string, Partial<OptimizeOptions> & { strategy?: typeof smaCross; bars?: typeof bars }, string[]][] = [
    ['another strategy', { strategy: aboveSma as never, space: undefined }, ['strategy.name', 'strategy.source', 'strategy.rules', 'space.n', 'space.fast', 'space.slow']],
    ['same name, other rules', { strategy: impostor as never }, ['strategy.source', 'strategy.rules']],
    ['another objective', { objective: 'totalReturn' }, ['objectives']],
    ['an objective function of other source', { objective: (r) => r.stats.sharpe * 2 }, ['objectives']],
    ['other backtest options', { backtest: { fee: 0.002 } }, ['backtest.fee', 'backtest.makerFee', 'backtest.takerFee']],
    ['other fixed parameters', { fixed: { slow: 100 }, space: { fast: int(2, 30) } }, ['space.slow', 'fixed.slow']],
    ['another search space', { space: { fast: int(2, 20), slow: int(40, 120) } }, ['space.fast.high']],
    ['other constraints', { constraints: { minTrades: 5 } }, ['constraints']],
    ['other data (a later window)', { bars: sliceBars(all, all.close.length - 1900) }, ['data.first', 'data.bars', 'data.sha256']],
    ['other data (same window, one close changed)', { bars: changedClose() }, ['data.sha256']],
    ['another direction', { objective: 'maxDrawdown' }, ['directions', 'objectives']],
  ];

  it.each(planted)('refuses %s, naming each difference with stored and given values', async (_what, change, expected) => {
    const storage = make();
    const first = await optimize(smaCross, bars, { ...base, objective: (r) => r.stats.sharpe, storage, name: 'one' });
    expect(first.trials).toHaveLength(3);
    const { strategy = smaCross, bars: b = bars, ...rest } = change;
    const given = { objective: (r: { stats: { sharpe: number } }) => r.stats.sharpe, ...rest };
    const e = await mismatch(optimize(strategy, b, { ...base, ...given, storage, name: 'one', trials: 5 } as OptimizeOptions));
    expect(fields(e)).toEqual(expected);
    for (const f of expected) expect(e.message).toContain(`  ${f}: stored `);
    expect(e.message).toMatch(/use another study name, or start 'one' over \(its trials deleted\) with restart: true/);
    // nothing was added
    expect(await storage.getTrials('one')).toHaveLength(3);
    await storage.close();
  });

  it('resumes with identical settings (the same objective function written again, default options spelled out)', async () => {
    const storage = make();
    await optimize(smaCross, bars, { ...base, objective: (r) => r.stats.sharpe, storage, name: 'same' });
    const again = await optimize(smaCross, bars, { ...base, objective: (r) => r.stats.sharpe, backtest: { fee: 0.001, cash: 10_000 }, storage, name: 'same', trials: 5 });
    expect(again.ran).toBe(2);
    expect(again.trials).toHaveLength(5);
    await storage.close();
  });

  it('restart: true deletes the stored study and starts it over', async () => {
    const storage = make();
    await optimize(smaCross, bars, { ...base, storage, name: 'redo', trials: 4 });
    const r = await optimize(smaCross, bars, { ...base, storage, name: 'redo', objective: 'totalReturn', trials: 2, restart: true });
    expect(r.trials).toHaveLength(2);
    expect(r.ran).toBe(2);
    const rec = await storage.getStudy('redo');
    expect((rec!.meta.identity as Record<string, unknown>).objectives).toEqual(['totalReturn']);
    await storage.close();
  });
});

function changedClose() {
  const b = sliceBars(all, all.close.length - 2000);
  const close = Float64Array.from(b.close);
  close[1000] = close[1000]! * 1.0001;
  return { ...b, close };
}

describe('identity parts', () => {
  it('data identity: symbol, timeframe, first and last time, bar count, SHA-256 of the six columns', () => {
    const d = dataIdentity(bars);
    expect(d).toEqual({ symbol: 'BTCUSDT', timeframe: '1h', first: new Date(bars.ts[0]!).toISOString(), last: new Date(bars.ts[1999]!).toISOString(), bars: 2000, sha256: barsContentHash(bars) });
    expect(barsContentHash(changedClose())).not.toBe(d.sha256);
    expect(barsContentHash(sliceBars(all, all.close.length - 2000))).toBe(d.sha256);
  });

  it('strategy fingerprints: equal for the same strategy, different for other rules under the same name', () => {
    expect(strategySourceHash(smaCross)).toBe(strategySourceHash(smaCross));
    expect(strategyRulesHash(smaCross)).toMatch(/^[0-9a-f]{64}$/);
    expect(strategyRulesHash(impostor)).not.toBe(strategyRulesHash(smaCross));
    expect(strategySourceHash(impostor)).not.toBe(strategySourceHash(smaCross));
    // a copy with the same rules written again: the same behaviour
    const copy = defineStrategy({ ...aboveSma, name: aboveSma.name });
    expect(strategyRulesHash(copy, bars)).toBe(strategyRulesHash(aboveSma, bars));
  });

  it('other symbols attached as inputs are part of the data identity', () => {
    const other = { ...bars, symbol: 'ETHUSDT', close: Float64Array.from(bars.close, (c) => c / 20) };
    const changed = { ...other, close: Float64Array.from(other.close, (c, i) => (i === 500 ? c * 1.001 : c)) };
    const id = (b: typeof bars) => strategyStudyIdentity({ strategy: smaCross, bars: b, space, objectives: ['sharpe'], constraints: null, backtest: {}, fixed: {}, folds: 0 });
    const a = id(withInputs(bars, { eth: other }));
    expect((a['data.inputs'] as Record<string, { symbol: string; sha256: string }>).eth).toEqual(dataIdentity(other));
    expect(a['data.sha256']).toBe(barsContentHash(bars));
    const b = id(withInputs(bars, { eth: changed }));
    expect((b['data.inputs'] as Record<string, { sha256: string }>).eth.sha256).not.toBe((a['data.inputs'] as Record<string, { sha256: string }>).eth.sha256);
    expect(id(bars)['data.inputs']).toBeUndefined();
  });

  it('createStudy (optimizer layer) refuses an identity that differs, whatever the objective', async () => {
    const storage = openStorage(`sqlite:${join(dir, 'ask-tell.db')}`);
    const s = await createStudy({ name: 'a', storage, space: { x: int(0, 9) }, direction: 'maximize', identity: { model: 'v1' } });
    await s.tell(await s.ask(), 1);
    const e = await mismatch(createStudy({ name: 'a', storage, space: { x: int(0, 9) }, direction: 'minimize', identity: { model: 'v2' } }));
    expect(fields(e)).toEqual(['directions', 'model']);
    expect(e.message).toContain('model: stored "v1", given "v2"');
    const again = await createStudy({ name: 'a', storage, space: { x: int(0, 9) }, direction: 'maximize', identity: { model: 'v1' } });
    expect(await again.trials()).toHaveLength(1);
    await storage.close();
  });

  it('a study stored before identities were recorded is compared on what it recorded', async () => {
    const storage = new MemoryStorage();
    await storage.createStudy({ name: 'old', directions: ['maximize'], meta: { strategy: 'sma-cross', objectives: ['sharpe'], data: { symbol: 'BTCUSDT', timeframe: '1h', bars: 1, from: 0, to: 0 } } });
    const e = await mismatch(optimize(smaCross, bars, { ...base, storage, name: 'old' }));
    expect(fields(e)).toEqual(['data.bars', 'data.from', 'data.to']);
  });
});

describe('worker threads and strategyFile', () => {
  const file = join(__dirname, 'fixtures', 'my-strategy.ts');

  it('refuses a strategy whose rules differ from the same-named one the file exports (trials would be scored by the file)', async () => {
    const notebookVersion = defineStrategy({
      name: 'test-above-sma',
      params: aboveSma.params,
      indicators: (p: { n: number }) => ({ avg: ind.sma(p.n) }),
      decide: (bar) => (bar.close < bar.avg ? 1 : bar.close > bar.avg ? 0 : NaN), // the opposite rule
    });
    const e = await mismatch(optimize(notebookVersion, bars, { ...base, space: undefined, jobs: 2, strategyFile: file }));
    expect(e.message).toMatch(/strategy 'test-above-sma' given here is not the one .*my-strategy\.ts exports under that name.*targets on the same bars differ/);
  });

  it('accepts the same rules written again (another object, same targets)', async () => {
    const copy = defineStrategy({
      name: 'test-above-sma',
      params: aboveSma.params,
      indicators: (p: { n: number }) => ({ avg: ind.sma(p.n) }),
      decide: (bar) => (bar.close > bar.avg ? 1 : bar.close < bar.avg ? 0 : NaN),
    });
    const r = await optimize(copy, bars, { ...base, space: undefined, jobs: 2, strategyFile: file });
    expect(r.trials.filter((t) => t.state === 'complete')).toHaveLength(3);
  });

  it('refuses when the worker threads load other rules than the ones imported here (the file changed since)', async () => {
    const path = join(dir, 'edited-strategy.ts');
    const lib = join(__dirname, '..', '..', 'lib', 'strategy');
    const source = (rule: string) =>
      `import { defineStrategy, ind, int } from ${JSON.stringify(lib)};\n` +
      `export const s = defineStrategy({ name: 'test-edited', params: { n: int(5, 200, { default: 50 }) }, indicators: (p) => ({ avg: ind.sma(p.n) }), decide: (bar) => (${rule}) });\n`;
    writeFileSync(path, source('bar.close > bar.avg ? 1 : 0'));
    const imported = ((await import(path)) as { s: typeof aboveSma }).s;
    writeFileSync(path, source('bar.close < bar.avg ? 1 : 0')); // edited after the import: workers load this one
    const e = await mismatch(optimize(imported, bars, { ...base, space: undefined, jobs: 2, strategyFile: path }));
    expect(e.message).toMatch(/strategy 'test-edited' given here is not the one .*edited-strategy\.ts exports under that name.*targets on the same bars differ/);
    // and the worker threads check what they load themselves (a file edited between that check and their start)
    const probe = async (rules: string | null) => {
      const init = { strategy: 'test-edited', strategyFile: path, bars: shareBars(bars), spec: { objectives: ['sharpe'], backtest: {} }, rules };
      const pool = workerPool({ module: join(__dirname, '..', '..', 'lib', 'research', 'objective-worker.ts'), exportName: 'strategyObjective', init }, 1);
      try {
        return await pool.evaluate([{ number: 0, params: { n: 50 } }]);
      } finally {
        await pool.close();
      }
    };
    const refused = await probe(strategyRulesHash(imported));
    expect(refused.failedAt).toBe(0);
    expect(refused.error?.message).toMatch(/worker thread: strategy 'test-edited' loaded from .*edited-strategy\.ts gives other targets than the one the study runs in the main thread/);
    const current = ((await import(`${path}?edited`)) as { s: typeof aboveSma }).s;
    const ok = await probe(strategyRulesHash(current));
    expect(ok.failedAt).toBe(-1);
    expect(ok.values[0]).toBeCloseTo(backtest(current, bars, { n: 50 }).stats.sharpe, 9); // the summary kernel's Sharpe
  });

  it('a built-in with a strategyFile that does not export its name runs (workers use the built-in)', async () => {
    const r = await optimize(smaCross, bars, { ...base, jobs: 2, strategyFile: file });
    expect(r.trials.filter((t) => t.state === 'complete')).toHaveLength(3);
  });
});

/** Runs the optimisation commands in-process, the way lib/cli.ts runs every command. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true));
  let code = 0;
  try {
    const program = new Command('quantlab').exitOverride().configureOutput({ writeErr: (s) => void err.push(s), writeOut: (s) => void out.push(s) });
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
    stderr.mockRestore();
  }
  return { code, out: out.join('\n'), err: err.join('') };
}

describe('quantlab optimize --study', () => {
  const storage = `sqlite:${join(dir, 'cli.db')}`;
  const args = ['optimize', '--data', 'BTCUSDT', '--strategy', 'sma-cross', '--trials', '3', '--sampler', 'random', '--seed', '1', '--storage', storage, '--study', 'cli', '--no-progress', '--no-overfitting'];

  it('refuses to resume with another fee, naming the field; --restart starts over; the same flags resume', async () => {
    expect((await cli(...args)).code).toBe(0);
    const bad = await cli(...args, '--trials', '5', '--fee', '0.002');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/error \[STUDY_MISMATCH\]: study 'cli' in sqlite:.* was defined differently \(3 differences\):\n {2}backtest\.fee: stored 0\.001, given 0\.002\n/);
    expect(bad.err).toMatch(/start 'cli' over \(its trials deleted\) with --restart/);
    const same = await cli(...args, '--trials', '5', '--json');
    expect(JSON.parse(same.out).ran).toBe(2);
    const redo = await cli(...args, '--trials', '2', '--fee', '0.002', '--restart', '--json');
    expect(JSON.parse(redo.out)).toMatchObject({ trials: 2, ran: 2 });
  });

  it('--min-trades marks trials infeasible; study show lists the identity and the infeasible count', async () => {
    const c = ['optimize', '--data', 'BTCUSDT', '--strategy', 'sma-cross', '--trials', '3', '--sampler', 'random', '--seed', '1', '--storage', storage, '--study', 'cons', '--no-progress', '--no-overfitting'];
    const r = await cli(...c, '--min-trades', '1000000', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).best).toBeNull();
    const show = await cli('study', 'show', 'cons', '--storage', storage);
    expect(show.out).toMatch(/trials: 3 \(3 infeasible\)/);
    expect(show.out).toMatch(/identity:\n(.*\n)*? {4}constraints: \{"minTrades":1000000\}/);
    expect(show.out).toMatch(/ {4}data\.sha256: "[0-9a-f]{64}"/);
    const other = await cli(...c, '--min-trades', '10');
    expect(other.code).toBe(1);
    expect(other.err).toContain('constraints.minTrades: stored 1000000, given 10');
    const bad = await cli(...c, '--max-drawdown', 'lots');
    expect(bad.err).toContain("--max-drawdown: expected a fraction >= 0 (0.4 = 40%), found 'lots'");
  });
});
