/**
 * loadStrategyFile: a .ts strategy file of your own loads under vitest, loads again with an edit, names the
 * file when it is missing or broken — and loads inside the notebook kernel (tslab with tsx's require hook),
 * where import() of a .ts file fails with ERR_UNKNOWN_FILE_EXTENSION; there, too, an optimisation's progress is
 * one display line replaced in place, not stderr.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getStrategy, loadStrategyFile } from '../../lib/strategy';

const ROOT = resolve(__dirname, '../..');

/** A folder with `node_modules/quantlab` linked to the project, as a user's project folder has it. */
function projectDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ql-strategy-file-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'quantlab'));
  return dir;
}

const strategySource = (name: string, n: number) =>
  [
    "import { defineStrategy, int, ind } from 'quantlab';",
    'export const mine = defineStrategy({',
    `  name: '${name}',`,
    `  params: { n: int(2, 400, { default: ${n} }) },`,
    '  indicators: (p) => ({ avg: ind.sma(p.n) }),',
    '  decide: (bar) => (bar.close > bar.avg ? 1 : 0),',
    '});',
    '',
  ].join('\n');

describe('loadStrategyFile', () => {
  it('registers a .ts file’s strategies; loading the edited file again takes the edit; errors name the file', async () => {
    const dir = projectDir();
    const file = join(dir, 'my-strategy.ts');
    writeFileSync(file, strategySource('file-sma', 20));
    const [s] = await loadStrategyFile(file);
    expect(s!.name).toBe('file-sma');
    expect(getStrategy('file-sma').resolveParams({})).toEqual({ n: 20 });
    writeFileSync(file, strategySource('file-sma', 33));
    await loadStrategyFile(file);
    expect(getStrategy('file-sma').resolveParams({})).toEqual({ n: 33 });
    await expect(loadStrategyFile(join(dir, 'nope.ts'))).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('nope.ts: no such file') });
    writeFileSync(join(dir, 'empty.ts'), 'export const x = 1;\n');
    await expect(loadStrategyFile(join(dir, 'empty.ts'))).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/empty\.ts: no export made by defineStrategy/) });
  });

  it('an ES module strategy file (.mts) in a process with only the CommonJS hook: tsx’s ESM loader is registered for it', () => {
    const dir = projectDir();
    writeFileSync(
      join(dir, 's.mts'),
      [
        "import ql from 'quantlab';",
        "export const m = ql.defineStrategy({ name: 'mts-sma', params: { n: ql.int(2, 50, { default: 9 }) }, indicators: (p: { n: number }) => ({ a: ql.ind.sma(p.n) }), decide: (b: { close: number; a: number }) => (b.close > b.a ? 1 : 0) });",
        '',
      ].join('\n'),
    );
    // named imports from 'quantlab' work too (lib/index.ts names its exports, so node sees them in the CommonJS build)
    writeFileSync(join(dir, 'named.mts'), "import { defineStrategy, ind, int } from 'quantlab';\nexport const n = defineStrategy({ name: 'mts-named', params: { n: int(2, 50, { default: 5 }) }, indicators: (p: { n: number }) => ({ a: ind.ema(p.n) }), decide: (b: { close: number; a: number }) => (b.close > b.a ? 1 : 0) });\n");
    const script = [
      `const { loadStrategyFile } = require(${JSON.stringify(join(ROOT, 'lib/strategy'))});`,
      'const show = (p) => loadStrategyFile(p).then((l) => l.map((s) => s.name), (e) => e.code + ": " + e.message);',
      `Promise.all([show(${JSON.stringify(join(dir, 's.mts'))}), show(${JSON.stringify(join(dir, 'named.mts'))})]).then((r) => console.log('MTS ' + JSON.stringify(r)));`,
    ].join('\n');
    writeFileSync(join(dir, 'run.cjs'), script);
    // the kernel's situation: tsx's require hook only (import() of TypeScript is unknown to node)
    const r = spawnSync(process.execPath, ['--require', join(ROOT, 'node_modules/tsx/dist/cjs/index.cjs'), join(dir, 'run.cjs')], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    const line = r.stdout.split('\n').find((l) => l.startsWith('MTS '));
    expect(line, `${r.stdout}\n${r.stderr}`).toBeDefined();
    const [ok, named] = JSON.parse(line!.slice(4)) as [string[], string[]];
    expect(ok).toEqual(['mts-sma']);
    expect(named).toEqual(['mts-named']);
  });

  const kernel = join(ROOT, '.jupyter/share/jupyter/kernels/quantlab/kernel.json');
  it.skipIf(!existsSync('/usr/bin/jupyter') || !existsSync(kernel))('works inside the notebook kernel (where import() of .ts fails), the strategy backtests there, and the progress of its optimisation is one updating line', { timeout: 240_000 }, () => {
    const dir = projectDir();
    const file = join(dir, 'my-strategy.ts');
    writeFileSync(file, strategySource('kernel-sma', 24));
    const cell = [
      "import * as ql from 'quantlab';",
      `const loaded = await ql.loadStrategyFile(${JSON.stringify(file)});`,
      "const bars = await ql.loadDataset('BTCUSDT', '1d');",
      "const r = ql.backtest('kernel-sma', bars, { n: 24 });",
      // toDataFrame is typed as danfojs' DataFrame in the kernel too (as DataFrameLike, .shape would not type-check)
      'const shape: number[] = ql.toDataFrame(bars).shape;',
      "console.log('LOADED ' + JSON.stringify({ names: loaded.map((s) => s.name), trades: r.trades.length, shape }));",
      // the progress of an optimisation: one display entry updated in place, not stderr
      "await ql.optimize('kernel-sma', bars, { trials: 12, seed: 1, space: { n: ql.int(5, 60) }, overfitting: false });",
    ].join('\n');
    const nb = {
      cells: [{ cell_type: 'code', id: 'c0', execution_count: null, metadata: {}, outputs: [], source: cell }],
      metadata: { kernelspec: { display_name: 'quantlab (TypeScript)', language: 'typescript', name: 'quantlab' } },
      nbformat: 4,
      nbformat_minor: 5,
    };
    const path = join(dir, 'load.ipynb');
    writeFileSync(path, JSON.stringify(nb));
    const env = {
      ...process.env,
      JUPYTER_PATH: join(ROOT, '.jupyter/share/jupyter'),
      JUPYTER_CONFIG_DIR: join(ROOT, '.jupyter/config'),
      JUPYTER_DATA_DIR: join(ROOT, '.jupyter/data'),
      JUPYTER_RUNTIME_DIR: join(dir, 'runtime'),
      PYDEVD_DISABLE_FILE_VALIDATION: '1',
      QUANTLAB_EXPERIMENTS: join(dir, 'experiments'), // the notebook's study persists there, not in the project's experiments/
    };
    const execute = () => spawnSync('/usr/bin/python3', [join(ROOT, 'scripts/run-notebook.py'), path, join(dir, 'out'), '200'], { cwd: ROOT, env, encoding: 'utf8' });
    let r = execute();
    if (r.status !== 0 && r.stdout.includes('Unexpected pending rebuildTimer')) r = execute(); // tslab's watcher raced a file change elsewhere in the tree
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    const executed = JSON.parse(readFileSync(join(dir, 'out', 'load.ipynb'), 'utf8')) as { cells: Array<{ outputs: Array<{ output_type: string; name?: string; text?: string | string[]; data?: Record<string, string | string[]> }> }> };
    const outputs = executed.cells[0]!.outputs;
    expect(outputs.filter((o) => o.output_type === 'stream' && o.name === 'stderr')).toEqual([]);
    const progress = outputs.filter((o) => o.output_type === 'display_data').map((o) => [o.data?.['text/plain'] ?? ''].flat().join(''));
    expect(progress).toHaveLength(1); // one entry, replaced in place: the saved notebook holds its last state
    expect(progress[0]).toMatch(/^kernel-sma-BTCUSDT-1d \[#+\] 12\/12 100% .* best -?\d/);
    expect(progress[0]).not.toMatch(/Infinity|eta/);
    const text = executed.cells.flatMap((c) => c.outputs.map((o) => (Array.isArray(o.text) ? o.text.join('') : (o.text ?? '')))).join('');
    const line = text.split('\n').find((l) => l.startsWith('LOADED '));
    expect(line, text).toBeDefined();
    const got = JSON.parse(line!.slice('LOADED '.length)) as { names: string[]; trades: number; shape: number[] };
    expect(got.shape).toEqual([2805, 6]);
    expect(got.names).toEqual(['kernel-sma']);
    expect(got.trades).toBeGreaterThan(0);
  });
});
