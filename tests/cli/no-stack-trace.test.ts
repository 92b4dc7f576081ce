/**
 * Every error that reaches the command line is one line `error [CODE]: message`, exit code 1, and no stack
 * trace — for planted bad input of every kind (files, arguments, grids, ports, paths). `--debug` adds the trace.
 * Runs the real `bin/quantlab` in child processes, several at a time.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/datasets';

const bin = join(repoRoot, 'bin', 'quantlab');
const dir = mkdtempSync(join(tmpdir(), 'quantlab-nostack-'));
const file = (name: string, content: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
mkdirSync(join(dir, 'a-folder'));
const garbage = Buffer.alloc(2048);
for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 37 + 11) % 256;

const good = 'time,open,high,low,close,volume\n2024-01-01T00:00:00Z,1,2,0.5,1.5,10\n2024-01-01T01:00:00Z,1.5,2,1,1.2,11\n';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}
const run = (args: string[], env: Record<string, string> = {}): Promise<Run> =>
  new Promise((resolve) => {
    execFile(bin, args, { cwd: dir, env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });

/** [what is planted, the command line] */
const probes: [string, string[]][] = [
  ['a missing data file', ['data', 'info', join(dir, 'nope.csv')]],
  ['a directory as data', ['data', 'info', join(dir, 'a-folder')]],
  ['binary garbage as CSV', ['data', 'validate', file('garbage.csv', garbage)]],
  ['an empty CSV', ['data', 'validate', file('empty.csv', '')]],
  ['a CSV without a close column', ['data', 'validate', file('noclose.csv', 'time,open,high,low,volume\n2024-01-01,1,2,0.5,3\n')]],
  ['a corrupt Parquet file', ['data', 'info', file('bad.parquet', Buffer.concat([Buffer.from('PAR1'), garbage, Buffer.from('PAR1')]))]],
  ['an unknown strategy', ['backtest', '-d', 'BTCUSDT', '-s', 'no-such-strategy']],
  ['a parameter outside its range', ['backtest', '-d', 'BTCUSDT', '-s', 'sma-cross', '-p', 'fast=-5']],
  ['a parameter that is not a number', ['backtest', '-d', 'BTCUSDT', '-s', 'sma-cross', '-p', 'fast=abc']],
  ['a strategy file that does not exist', ['backtest', '-d', 'BTCUSDT', '--strategy-file', join(dir, 'nope.ts'), '-s', 'x']],
  ['a strategy file that does not compile', ['backtest', '-d', 'BTCUSDT', '--strategy-file', file('broken.ts', 'export const = ;\n'), '-s', 'x']],
  ['a report under /proc', ['backtest', '-d', file('good.csv', good), '-s', 'sma-cross', '-p', 'fast=2', '-p', 'slow=3', '--report', '/proc/quantlab/x.html']],
  ['an output folder that is a file', ['backtest', '-d', file('good2.csv', good), '-s', 'sma-cross', '-p', 'fast=2', '-p', 'slow=3', '--out', file('plain-file', 'x')]],
  ['a grid that parses to nothing', ['sweep', '-d', 'BTCUSDT', '-s', 'sma-cross', '--grid', 'fast=a:b:c', '--grid', 'slow=10:20']],
  ['a grid of a billion values', ['sweep', '-d', 'BTCUSDT', '-s', 'sma-cross', '--grid', 'fast=1:1e9', '--grid', 'slow=10:20']],
  ['a grid outside the declared range', ['sweep', '-d', 'BTCUSDT', '-s', 'sma-cross', '--grid', 'fast=500:600', '--grid', 'slow=10:20']],
  ['an exchange port out of range', ['exchange', 'serve', '--data', 'BTCUSDT', '--port', '99999']],
  ['a promoted name with ..', ['run', '../..', '--paper']],
  ['a promoted strategy that does not exist', ['reconcile', 'no-such-promoted-strategy']],
  ['promote from a study that is not stored', ['promote', '--study', 'no-such-study', '--storage', `sqlite:${join(dir, 'studies.db')}`, '--symbol', 'BTC/USDT']],
  ['promote with parameters that are not JSON', ['promote', 'sma-cross', '--params', '{fast:10}', '--symbol', 'BTC/USDT']],
];

describe('no CLI command prints a stack trace', () => {
  it(
    `${probes.length} planted bad inputs: exit 1, one "error [CODE]: …" line, no stack trace`,
    async () => {
      const results: { what: string; r: Run }[] = [];
      for (let i = 0; i < probes.length; i += 4) {
        const batch = probes.slice(i, i + 4);
        results.push(...(await Promise.all(batch.map(async ([what, args]) => ({ what, r: await run(args) })))));
      }
      const bad = results.filter(({ r }) => r.code !== 1 || /^\s+at\s/m.test(r.stderr) || !/^error \[[A-Z_]+\]: \S/m.test(r.stderr));
      expect(bad.map(({ what, r }) => `${what}: exit ${r.code}; ${r.stderr.slice(0, 300)}`)).toEqual([]);
      // and never a control character from a file
      for (const { r } of results) expect(r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    },
    240_000,
  );

  it('--debug shows the stack trace of the same error', async () => {
    const r = await run(['data', 'info', join(dir, 'a-folder'), '--debug']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error \[[A-Z_]+\]: /m);
    expect(r.stderr).toMatch(/^\s+at\s/m);
  }, 60_000);
});
