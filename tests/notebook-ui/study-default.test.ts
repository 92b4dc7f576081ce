/**
 * In the real notebook kernel (tslab through scripts/tslab-kernel, detected as the library detects it, no
 * QUANTLAB_NOTEBOOK), a study made without `storage` persists: a cell that optimises and then fails loses its
 * declarations' use, but running the same optimisation again finds the finished study in
 * <experiments>/studies.db, runs no trial and returns the same best at once.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/datasets';

interface Output { output_type: string; name?: string; text?: string | string[]; data?: Record<string, string | string[]>; ename?: string; evalue?: string }
interface Cell { cell_type: string; source: string; outputs?: Output[] }

const code = (source: string): Cell => ({ cell_type: 'code', source, outputs: [] });
const text = (o: Output): string => {
  const v = o.text ?? o.data?.['text/plain'] ?? o.evalue ?? '';
  return Array.isArray(v) ? v.join('') : v;
};

const OPTIMISE = "await ql.optimize('sma-cross', bars, { trials: 40, objective: 'sharpe', space: { fast: ql.int(2, 40), slow: ql.int(10, 160, { step: 2 }) } })";
const report = (tag: string, v: string) =>
  `console.log('${tag} ' + JSON.stringify({ name: ${v}.studyName, storage: ${v}.storage, ran: ${v}.ran, trials: ${v}.trials.length, seconds: ${v}.seconds, best: ${v}.best.params, value: ${v}.best.value, deflated: ${v}.overfitting.deflated.deflatedSharpe }));`;

const kernel = join(repoRoot, '.jupyter/share/jupyter/kernels/quantlab/kernel.json');

describe('notebook kernel: studies persist by default', () => {
  it.skipIf(!existsSync('/usr/bin/jupyter') || !existsSync(kernel))('a cell optimises then fails; running the optimisation again resumes the finished study at once with the same best', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ql-nb-study-'));
    const experiments = join(dir, 'experiments');
    try {
      const cells = [
        code("import * as ql from 'quantlab';\nconst bars = await ql.loadDataset('BTCUSDT', '1d');"),
        code(`const study = ${OPTIMISE};\n${report('FIRST', 'study')}\nthrow new Error('promote failed after the optimisation');`),
        code(`const again = ${OPTIMISE};\n${report('AGAIN', 'again')}`),
      ];
      const nb = { nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: 'quantlab', display_name: 'quantlab (TypeScript)', language: 'typescript' } }, cells: cells.map((c) => ({ ...c, metadata: {}, execution_count: null })) };
      writeFileSync(join(dir, 'k.ipynb'), JSON.stringify(nb));
      const env: NodeJS.ProcessEnv = { ...process.env, JUPYTER_PATH: join(repoRoot, '.jupyter/share/jupyter'), PYDEVD_DISABLE_FILE_VALIDATION: '1', QUANTLAB_EXPERIMENTS: experiments };
      delete env.QUANTLAB_NOTEBOOK; // the kernel is detected, not declared
      execFileSync('/usr/bin/jupyter', ['nbconvert', '--to', 'notebook', '--execute', '--allow-errors', '--ExecutePreprocessor.timeout=120', '--output', 'out.ipynb', join(dir, 'k.ipynb')], {
        env,
        stdio: 'pipe',
        timeout: 200_000,
      });
      const out = (JSON.parse(readFileSync(join(dir, 'out.ipynb'), 'utf8')) as { cells: Cell[] }).cells;
      const all = out.map((c) => c.outputs!.map(text).join('\n'));
      const parse = (tag: string) => {
        const line = all.join('\n').split('\n').find((l) => l.startsWith(`${tag} `));
        expect(line, all.join('\n---\n')).toBeDefined();
        return JSON.parse(line!.slice(tag.length + 1)) as { name: string; storage: string; ran: number; trials: number; seconds: number; best: Record<string, number>; value: number; deflated: number };
      };
      expect(all[1]).toContain('promote failed after the optimisation');
      const first = parse('FIRST');
      const again = parse('AGAIN');
      expect(first.storage).toBe(`sqlite:${join(experiments, 'studies.db')}`);
      expect(first.name).toMatch(/^nb-sma-cross-[0-9a-f]{8}$/);
      expect(first.ran).toBe(40);
      expect(again.name).toBe(first.name);
      expect(again.ran).toBe(0); // nothing left to run
      expect(again.trials).toBe(40);
      expect(again.best).toEqual(first.best);
      expect(again.value).toBe(first.value);
      expect(again.deflated).toBe(first.deflated);
      expect(again.seconds).toBeLessThan(first.seconds);
      // one display entry per optimisation: the progress line, and under it where the study lives
      const shown = (c: Cell) => c.outputs!.filter((o) => o.output_type === 'display_data').map(text);
      expect(shown(out[1]!)).toHaveLength(1);
      const [p1] = shown(out[1]!);
      const [p2] = shown(out[2]!);
      expect(p1).toMatch(/^sma-cross-BTCUSDT-1d \[#+\] 40\/40 100% .* best -?\d/);
      expect(p1).toContain(`\nstudy ${first.name} in ${join(experiments, 'studies.db')}: re-running this cell resumes it`);
      expect(p2).toMatch(/^sma-cross-BTCUSDT-1d \[#+\] 40\/40 100% .* best -?\d/);
      expect(p2).toContain(`\nstudy ${first.name} in ${join(experiments, 'studies.db')} (resumed: 40 of 40 trials stored): re-running this cell resumes it`);
      // nothing on stderr but the failing cell's own error
      const stderr = out.flatMap((c) => c.outputs!).filter((o) => o.output_type === 'stream' && o.name === 'stderr').map(text);
      expect(stderr.filter((t) => !t.includes('promote failed after the optimisation'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
