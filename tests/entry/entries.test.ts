/**
 * The curated entry points `quantlab/live` and `quantlab/testing`, resolved three ways: by tsc (bundler
 * resolution, through package.json "exports": this file imports them by name and is type-checked with the
 * project), at run time under node + tsx's require hook (what scripts, run.ts files and the kernel use), by
 * the tslab kernel's own TypeScript 5.0 with node10 resolution (package.json "typesVersions"), and for real in
 * a notebook executed through the quantlab kernel.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { paperSession, promote, reconcilePromoted, runPromoted, startReplayExchange } from 'quantlab/live';
import * as live from 'quantlab/live';
import { maxRelDiff, talibRun } from 'quantlab/testing';
import * as testing from 'quantlab/testing';
import { runPromoted as runPromotedDeep } from '../../lib/live/main';
import { promote as promoteDeep } from '../../lib/live/promote';
import { paperSession as paperSessionDeep } from '../../lib/live/session';
import { startReplayExchange as startDeep } from '../../lib/replay-exchange';
import { talibRun as talibRunDeep } from '../../lib/testing/talib';

const ROOT = resolve(__dirname, '../..');

/** What `quantlab/live` exports at run time: curated, no runner internals. */
const LIVE_NAMES = [
  'barsHash',
  'paperSession',
  'promote',
  'promotedDir',
  'promotedNames',
  'promotedStrategy',
  'readConfig',
  'readPromoted',
  'readStoredStudy',
  'reconcileFigure',
  'reconcilePromoted',
  'reconcileSession',
  'reconcileText',
  'replaySession',
  'runPromoted',
  'saveReconcileReport',
  'startReplayExchange',
];

describe('quantlab/live and quantlab/testing', () => {
  it('resolve (vitest, tsc bundler) to the library’s own functions; the live entry is curated', () => {
    expect([promote, paperSession, startReplayExchange, runPromoted, talibRun]).toEqual([promoteDeep, paperSessionDeep, startDeep, runPromotedDeep, talibRunDeep]);
    expect(typeof reconcilePromoted).toBe('function');
    expect(Object.keys(live).sort()).toEqual(LIVE_NAMES);
    expect(Object.keys(testing).sort()).toEqual(['agreementRow', 'maxRelDiff', 'talibAgreement', 'talibRun']);
    const sma = talibRun('SMA', { inReal: [1, 2, 3, 4, 5] }, { optInTimePeriod: 2 }).outReal!;
    expect(Array.from(sma)).toEqual([NaN, 1.5, 2.5, 3.5, 4.5]);
    expect(maxRelDiff(Float64Array.from([NaN, 1.5, 2.5, 3.5, 4.6]), sma).at).toBe(4);
  });

  it('resolve at run time under node + tsx’s require hook, as the kernel requires them (createRequire at the project root); old deep run.ts imports still work', () => {
    const probe = `
const req = require('node:module').createRequire(${JSON.stringify(join(ROOT, 'src.js'))});
const live = req('quantlab/live');
const testing = req('quantlab/testing');
const deep = req('quantlab/lib/live/main');
const ql = req('quantlab');
console.log(JSON.stringify({ live: Object.keys(live).sort(), testing: Object.keys(testing).sort(), same: deep.runPromoted === live.runPromoted, ql: typeof ql.backtest, sma: Array.from(testing.talibRun('SMA', { inReal: [2, 4, 6] }, { optInTimePeriod: 2 }).outReal) }));
`;
    const out = execFileSync(process.execPath, ['--require', join(ROOT, 'node_modules/tsx/dist/cjs/index.cjs'), '-e', probe], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({ live: LIVE_NAMES, testing: ['agreementRow', 'maxRelDiff', 'talibAgreement', 'talibRun'], same: true, ql: 'function', sma: [null, 3, 5] });
  });

  it('resolve for the kernel’s TypeScript 5.0 with node10 resolution (typesVersions), which ignores "exports"', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ts = require(join(ROOT, 'node_modules/@tslab/typescript-for-tslab')) as typeof import('typescript');
    expect(ts.version).toMatch(/^5\.0\./);
    const from = join(ROOT, 'notebooks', 'cell.ts');
    const options = { moduleResolution: ts.ModuleResolutionKind.Node10, module: ts.ModuleKind.CommonJS };
    const where = (name: string) => ts.resolveModuleName(name, from, options, ts.sys).resolvedModule?.resolvedFileName;
    expect(where('quantlab/live')).toBe(join(ROOT, 'lib/live/index.ts'));
    expect(where('quantlab/testing')).toBe(join(ROOT, 'lib/testing/index.ts'));
    expect(where('quantlab')).toBe(join(ROOT, 'lib/index.ts'));
    expect(where('quantlab/lib/live/main')).toBe(join(ROOT, 'lib/live/main.ts'));
    expect(where('quantlab/no-such-entry')).toBeUndefined();
  });

  const kernel = join(ROOT, '.jupyter/share/jupyter/kernels/quantlab/kernel.json');
  it.skipIf(!existsSync('/usr/bin/jupyter') || !existsSync(kernel))('a notebook run through the quantlab kernel imports both entries, typed (not any), and the runner internals stay out of reach', { timeout: 240_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'quantlab-entries-'));
    // one cell: tslab's watch can trip over files changed between cells by other processes ("Unexpected pending rebuildTimer")
    const cell = [
      "import { paperSession, promote, startReplayExchange, reconcileText } from 'quantlab/live';",
      "import { maxRelDiff, talibRun } from 'quantlab/testing';",
      "import * as ql from 'quantlab';",
      // if the entries resolved to `any`, these directives would be unused and the cell would fail to type-check
      '// @ts-expect-error: talibRun returns Record<string, Float64Array>, not a string',
      "const notAString: string = talibRun('SMA', { inReal: [1, 2, 3] }, { optInTimePeriod: 2 });",
      '// @ts-expect-error: the runner is not part of the live entry',
      "import { Runner } from 'quantlab/live';",
      "const sma = talibRun('SMA', { inReal: [1, 2, 3, 4, 5] }, { optInTimePeriod: 2 }).outReal;",
      'const d: { max: number; at: number } = maxRelDiff(ql.sma(Float64Array.from([1, 2, 3, 4, 5]), 2), sma);',
      "console.log('ENTRIES ' + JSON.stringify({ sma: Array.from(sma), max: d.max, fns: [typeof promote, typeof paperSession, typeof startReplayExchange, typeof reconcileText] }));",
    ].join('\n');
    const cells = [cell];
    const nb = {
      cells: cells.map((source, i) => ({ cell_type: 'code', id: `c${i}`, execution_count: null, metadata: {}, outputs: [], source })),
      metadata: { kernelspec: { display_name: 'quantlab (TypeScript)', language: 'typescript', name: 'quantlab' } },
      nbformat: 4,
      nbformat_minor: 5,
    };
    const path = join(dir, 'entries.ipynb');
    writeFileSync(path, JSON.stringify(nb));
    const env = {
      ...process.env,
      JUPYTER_PATH: join(ROOT, '.jupyter/share/jupyter'),
      JUPYTER_CONFIG_DIR: join(ROOT, '.jupyter/config'),
      JUPYTER_DATA_DIR: join(ROOT, '.jupyter/data'),
      JUPYTER_RUNTIME_DIR: join(dir, 'runtime'),
      PYDEVD_DISABLE_FILE_VALIDATION: '1',
    };
    const execute = () => spawnSync('/usr/bin/python3', [join(ROOT, 'scripts/run-notebook.py'), path, join(dir, 'out'), '200'], { cwd: ROOT, env, encoding: 'utf8' });
    let r = execute();
    if (r.status !== 0 && r.stdout.includes('Unexpected pending rebuildTimer')) r = execute(); // tslab's watcher raced a file change elsewhere in the tree
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    const executed = JSON.parse(readFileSync(join(dir, 'out', 'entries.ipynb'), 'utf8')) as { cells: Array<{ outputs: Array<{ text?: string | string[] }> }> };
    const text = executed.cells.flatMap((c) => c.outputs.map((o) => (Array.isArray(o.text) ? o.text.join('') : (o.text ?? '')))).join('');
    const line = text.split('\n').find((l) => l.startsWith('ENTRIES '));
    expect(JSON.parse(line!.slice('ENTRIES '.length))).toEqual({ sma: [null, 1.5, 2.5, 3.5, 4.5], max: 0, fns: ['function', 'function', 'function', 'function'] });
  });
});
