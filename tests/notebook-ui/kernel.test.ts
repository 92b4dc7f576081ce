/**
 * The notebook kernel as nbconvert drives it (scripts/tslab-kernel with scripts/tslab-kernel-patch.cjs): a cell
 * that fails at run time keeps what it declared before the error, and `--allow-errors` (stop_on_error false)
 * runs every later cell instead of tslab's 200 ms cancel after an error; files of the project that change while the
 * kernel runs no longer make tslab fail every later cell ("Unexpected pending rebuildTimer", which tslab alone
 * throws on the same notebook: checked by hand with QUANTLAB_KERNEL_PATCH=0). Run without the patch
 * (QUANTLAB_KERNEL_PATCH=0) the same notebook shows what tslab does by itself, so the test proves the patch
 * is what changes it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/datasets';

interface Output { output_type: string; text?: string | string[]; data?: Record<string, string | string[]>; ename?: string; evalue?: string }
interface Cell { cell_type: string; source: string; outputs?: Output[] }

const code = (source: string): Cell => ({ cell_type: 'code', source, outputs: [] });
const text = (o: Output): string => {
  const v = o.text ?? o.data?.['text/plain'] ?? '';
  return Array.isArray(v) ? v.join('') : v;
};

function runNotebook(cells: Cell[], env: Record<string, string>): Cell[] {
  const dir = mkdtempSync(join(tmpdir(), 'ql-kernel-'));
  const nb = { nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: 'quantlab', display_name: 'quantlab (TypeScript)', language: 'typescript' } }, cells: cells.map((c) => ({ ...c, metadata: {}, execution_count: null })) };
  writeFileSync(join(dir, 'k.ipynb'), JSON.stringify(nb));
  execFileSync('/usr/bin/jupyter', ['nbconvert', '--to', 'notebook', '--execute', '--allow-errors', '--ExecutePreprocessor.timeout=60', '--output', 'out.ipynb', join(dir, 'k.ipynb')], {
    env: { ...process.env, JUPYTER_PATH: join(repoRoot, '.jupyter/share/jupyter'), PYDEVD_DISABLE_FILE_VALIDATION: '1', ...env },
    stdio: 'pipe',
    timeout: 120_000,
  });
  return (JSON.parse(readFileSync(join(dir, 'out.ipynb'), 'utf8')) as { cells: Cell[] }).cells;
}

const CELLS = [
  code('const kept = 41;\nif (kept > 0) throw new Error("boom after kept was set");\nconst later = 2;'),
  code('kept + 1'),
  code('const seen = typeof later;\nseen'),
  code('"last cell ran"'),
];

describe('notebook kernel (tslab with the quantlab patch)', () => {
  it('a failing cell keeps its declarations and --allow-errors runs every later cell', () => {
    const cells = runNotebook(CELLS, {});
    expect(cells[0]!.outputs!.some((o) => o.output_type === 'error' || /boom after kept was set/.test(text(o)))).toBe(true);
    expect(cells[1]!.outputs!.map(text).join('')).toContain('42'); // the value assigned before the throw is reachable
    expect(cells[2]!.outputs!.map(text).join('')).toContain('undefined'); // declared after the throw: known, but never assigned
    expect(cells[3]!.outputs!.map(text).join('')).toContain('last cell ran');
    expect(cells.slice(1).every((c) => !c.outputs!.some((o) => o.output_type === 'error'))).toBe(true);
  }, 150_000);

  it('a project file edited while the kernel runs does not break later cells (no file watching in the type checker)', () => {
    const dir = join(repoRoot, 'build', `kernel-watch-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const mod = join(dir, 'mod.ts');
    // mod imports ./sub, which resolves to sub/index.ts after failed lookups (sub.ts, sub.tsx, sub.d.ts): the type
    // checker watches those places, and new files there make it schedule re-resolution
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'sub', 'index.ts'), 'export const one = 1;\n');
    writeFileSync(mod, "import { one } from './sub';\nexport const x = one;\n");
    const rel = `./${relative(repoRoot, mod).replace(/\.ts$/, '')}`;
    try {
      const cells = runNotebook(
        [
          code(`import { x } from '${rel}';\nx`),
          code(`const fs = require('fs');\nfor (let i = 0; i < 5; i++) fs.writeFileSync(${JSON.stringify(mod)}, 'export const x = ' + (i + 2) + ';\\n');\nfor (let i = 0; i < 5; i++) { fs.writeFileSync(${JSON.stringify(dir)} + '/new' + i + '.ts', 'export {};'); await new Promise((r) => setTimeout(r, 300)); }\nfs.writeFileSync(${JSON.stringify(join(dir, 'sub.d.ts'))}, 'export declare const one: number;');\nawait new Promise((r) => setTimeout(r, 1500));\n'written'`),
          code('x + 1'),
          code('"still running"'),
        ],
        {},
      );
      const all = cells.map((c) => c.outputs!.map(text).join('')).join('\n');
      expect(all).not.toMatch(/rebuildTimer|UncaughtException/);
      expect(cells[2]!.outputs!.map(text).join('')).toContain('2'); // the loaded module, as node's require cache keeps it
      expect(cells[3]!.outputs!.map(text).join('')).toContain('still running');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);

  it('without the patch tslab forgets the failed cell and cancels the next request', () => {
    const cells = runNotebook(CELLS, { QUANTLAB_KERNEL_PATCH: '0' });
    const second = cells[1]!.outputs!;
    // either the request was cancelled (no output) or it ran and could not see `kept`
    expect(second.map(text).join('')).not.toContain('42');
  }, 150_000);
});
