/**
 * Paths are safe: `quantlab run NAME` / `reconcile NAME` take a plain folder name and refuse anything else
 * before reading or importing a thing; a missing or broken config.json / validation.json, a run.ts that does
 * not compile or imports what is not there give one clear line naming the file (no stack trace); a promoted
 * folder runs wherever the experiments folder lives (outside the project, or copied).
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { registerRunCommands } from '../../lib/commands/run';
import { QuantlabError } from '../../lib/core';
import { promote, type PromotedStrategy } from '../../lib/live/promote';
import { checkPromotedName } from '../../lib/live/promoted-name';
import { startReplayExchange, type ReplayExchange } from '../../lib/replay-exchange';
import { defineStrategy, ind, int } from '../../lib/strategy';
import { ACTIVE_PARAMS, futuresWindow, promotedFixture, tempDir, waitFor } from '../helpers/runner';
import { hasStack, quantlab, quantlabDone, ROOT, type CliChild } from './cli-child';

const servers: ReplayExchange[] = [];
const children: CliChild[] = [];
afterAll(async () => {
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
  await Promise.all(servers.map((s) => s.close()));
});

/** Runs a command in-process through commander the way lib/cli.ts registers it; returns what it threw. */
async function inProcess(...args: string[]): Promise<unknown> {
  const program = new Command('quantlab').exitOverride();
  registerRunCommands(program);
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (e) {
    return e;
  }
  return undefined;
}

const W = 60;

const promoted = (root: string, url?: string, name?: string): Promise<PromotedStrategy> => promotedFixture(root, url, { name });

describe('promoted names are folder names', () => {
  it('`run` and `reconcile` refuse ../.., absolute paths, hidden names and separators before anything is read or imported', async () => {
    const root = tempDir('names');
    // a run.ts two levels above <root>/promoted/, which leaves a mark when imported
    const evil = join(root, 'evil');
    mkdirSync(evil, { recursive: true });
    const mark = join(root, 'imported.txt');
    writeFileSync(join(evil, 'run.ts'), `require('node:fs').writeFileSync(${JSON.stringify(mark)}, 'x');\nexport const strategy = 1;\n`);
    writeFileSync(join(evil, 'config.json'), '{}');
    mkdirSync(join(root, 'promoted'), { recursive: true });
    for (const name of ['../evil', '../../x', '..', '.', '.hidden', 'a/b', evil, 'a\\b', '', ' padded', 'tab\tname']) {
      for (const cmd of ['run', 'reconcile']) {
        const e = await inProcess(cmd, name, ...(cmd === 'run' ? ['--paper'] : []), '--experiments', root);
        expect(e, `${cmd} ${JSON.stringify(name)}`).toBeInstanceOf(QuantlabError);
        expect((e as QuantlabError).code).toBe('BAD_ARGUMENT');
        expect((e as QuantlabError).message).toBe(
          `promoted name: expected a folder name under promoted/ (letters, digits, '-', '_', '.', not starting with '.'), found ${JSON.stringify(name)}; nothing was read`,
        );
      }
    }
    expect(existsSync(mark)).toBe(false);
    // a good name that is not there: NOT_FOUND listing what is
    await promoted(root, undefined, 'kept_v1.2');
    const e = (await inProcess('run', 'missing-one', '--paper', '--experiments', root)) as QuantlabError;
    expect([e.code, e.message]).toEqual(['NOT_FOUND', `${join(root, 'promoted', 'missing-one')}: no promoted strategy 'missing-one' (expected ${join(root, 'promoted', 'missing-one', 'run.ts')}); ${join(root, 'promoted')} holds: kept_v1.2`]);
    expect(() => checkPromotedName('kept_v1.2')).not.toThrow();
    await expect(promoted(root, undefined, '../outside')).rejects.toThrow(/promote: name: expected a folder name .* found "\.\.\/outside"/);
    expect(existsSync(join(root, 'outside'))).toBe(false);
  });

  it('on the command line: one line `error [BAD_ARGUMENT]: …`, exit 1, no stack trace', async () => {
    const r = await quantlabDone(['run', '../../etc', '--paper'], { bin: true });
    expect(r.code).toBe(1);
    expect(r.err.trim()).toBe(`error [BAD_ARGUMENT]: promoted name: expected a folder name under promoted/ (letters, digits, '-', '_', '.', not starting with '.'), found "../../etc"; nothing was read`);
    expect(r.out).toBe('');
  });
});

describe('broken promoted folders give one clear line naming the file', () => {
  it('config.json with a syntax error, missing config.json, broken validation.json, run.ts that does not compile or imports a missing file', { timeout: 60_000 }, async () => {
    const root = tempDir('broken');
    const p = await promoted(root);
    const config = readFileSync(p.configPath, 'utf8');
    const run = (...a: string[]) => quantlabDone(['run', p.name, '--paper', '--experiments', root, ...a]);
    const expectLine = (r: { code: number | null; out: string; err: string }, code: string, text: RegExp) => {
      expect(r.code, r.err).toBe(1);
      expect(r.err.split('\n').filter(Boolean)).toHaveLength(1);
      expect(r.err).toMatch(new RegExp(`^error \\[${code}\\]: `));
      expect(r.err).toMatch(text);
      expect(hasStack(r.err + r.out)).toBe(false);
    };

    writeFileSync(p.configPath, config.replace('"symbol": "BTC/USDT:USDT",', '"symbol": "BTC/USDT:USDT"'));
    const line = config.split('\n').findIndex((l) => l.includes('"timeframe"')) + 1;
    expectLine(await run(), 'BAD_CONFIG', new RegExp(`${p.configPath.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: expected JSON \\(the runner config\\), found text that does not parse at line ${line}, column 3 .*; fix the file or promote the strategy again`));

    rmSync(p.configPath);
    expectLine(await run(), 'NOT_FOUND', /config\.json: no config\.json \(expected the runner config promote\(\) writes beside run\.ts/);

    writeFileSync(p.configPath, config.replace('"timeframe": "1h"', '"timeframe": "hourly"'));
    expectLine(await run(), 'BAD_CONFIG', /config\.json: timeframe: expected a timeframe like '1h', found "hourly"/);

    writeFileSync(p.configPath, config);
    const evidence = readFileSync(p.evidencePath, 'utf8');
    writeFileSync(p.evidencePath, evidence.slice(0, 200));
    expectLine(await run(), 'BAD_CONFIG', /validation\.json: expected JSON, found text that does not parse/);
    writeFileSync(p.evidencePath, evidence);

    const script = readFileSync(p.runPath, 'utf8');
    writeFileSync(p.runPath, script.replace('export const params = {', 'export const params = {{'));
    const at = script.split('\n').findIndex((l) => l.startsWith('export const params')) + 1;
    expectLine(await run(), 'PARSE_ERROR', new RegExp(`run\\.ts: does not compile \\(line ${at}:\\d+: ERROR: .*\\); fix it, or promote the strategy again to rewrite it`));

    writeFileSync(p.runPath, script.replace("from 'quantlab';", "from './my-strategy';"));
    expectLine(await run(), 'NOT_FOUND', /run\.ts: imports '\.\/my-strategy', which cannot be found: a file it imports is not there/);

    writeFileSync(p.runPath, script);
    const recon = await quantlabDone(['reconcile', p.name, '--experiments', root]);
    expectLine(recon, 'NOT_FOUND', /paper\.db: no runner state here/);
  });
});

describe('a promoted folder runs wherever the experiments folder lives', () => {
  it('outside the project (--experiments /tmp/…), a copy of the folder elsewhere, and a strategy of your own beside it', { timeout: 120_000 }, async () => {
    const bars = await futuresWindow(120);
    const ex = await startReplayExchange({ markets: [{ bars, kind: 'futures' }], start: bars.ts[W] });
    servers.push(ex);
    const outside = tempDir('outside');
    expect(outside.startsWith(ROOT)).toBe(false);
    const started = async (root: string, name: string) => {
      const c = quantlab(['run', name, '--paper', '--experiments', root, '--url', ex.url, '--json', '--poll-ms', '5'], { cwd: root });
      children.push(c);
      await waitFor(() => c.out.some((l) => l.includes('"event":"start"')) || c.proc.exitCode !== null, `the runner in ${root} to start`, 60_000, 10);
      expect(c.proc.exitCode, [...c.out, ...c.err].join('\n')).toBeNull();
      c.proc.kill('SIGTERM');
      expect(await c.exited).toBe(0);
      return c;
    };
    const p = await promoted(outside, ex.url);
    await started(outside, p.name);
    expect(existsSync(join(p.dir, 'paper.db'))).toBe(true);

    const copy = tempDir('copied');
    cpSync(join(outside, 'promoted'), join(copy, 'promoted'), { recursive: true });
    const c = await started(copy, p.name);
    expect(c.out.some((l) => l.includes('"event":"resume"'))).toBe(true); // the copy carries its session

    // a strategy of your own in a file beside the experiments folder: run.ts imports it relatively
    const mine = join(outside, 'above-sma.ts');
    writeFileSync(
      mine,
      `import { defineStrategy, ind, int } from '${ROOT}/lib/strategy';
export const aboveSma = defineStrategy({ name: 'above-sma-paths', params: { n: int(2, 100, { default: 10 }) }, indicators: (p) => ({ avg: ind.sma(p.n) }), decide: (b) => (b.close > b.avg ? 1 : b.close < b.avg ? 0 : NaN) });
`,
    );
    const aboveSma = defineStrategy({ name: 'above-sma-paths', params: { n: int(2, 100, { default: 10 }) }, indicators: (q) => ({ avg: ind.sma(q.n) }), decide: (b) => (b.close > b.avg ? 1 : b.close < b.avg ? 0 : NaN) });
    const own = await promote(aboveSma, { n: 12 }, { symbol: 'BTC/USDT:USDT', timeframe: '1h', data: bars, experimentsDir: outside, url: ex.url, strategyFile: mine, execution: { cash: 10_000, fee: 0.0005, lotSize: 0.001, minNotional: 5 }, runner: { warmupBars: W, pollMs: 5 } });
    expect(readFileSync(own.runPath, 'utf8')).toContain("import { aboveSma } from '../../above-sma';");
    await started(outside, own.name);
    // copied without the strategy file: the import is named
    const bare = tempDir('bare');
    cpSync(own.dir, join(bare, 'promoted', own.name), { recursive: true });
    const r = await quantlabDone(['run', own.name, '--paper', '--experiments', bare, '--url', ex.url]);
    expect(r.code).toBe(1);
    expect(r.err.trim()).toBe(`error [NOT_FOUND]: ${join(bare, 'promoted', own.name, 'run.ts')}: imports '../../above-sma', which cannot be found: a file it imports is not there (a promoted folder copied without the strategy file it imports?)`);
  });
});
