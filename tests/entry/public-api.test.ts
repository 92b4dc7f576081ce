/**
 * `lib/index.ts` names what `import * as ql from 'quantlab'` holds. Every value a folder's entry exports is
 * either on `ql` or listed here as internal (used across lib/ folders, not for notebooks), so a new export is
 * placed deliberately; the simulator's and the kernels' internals never reach `ql`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as ql from '../../lib';

const ROOT = join(__dirname, '../..');
const FOLDERS = ['core', 'data', 'indicators', 'metrics', 'params', 'strategy', 'research', 'plot', 'report', 'backtest'] as const;

/** Exported by a folder for other lib/ folders; not part of the notebook API. */
const INTERNAL: Record<string, readonly string[]> = {
  core: ['barAt', 'attachHidden', 'registerSummary', 'INSPECT', 'briefValue', 'check', 'lowerBound', 'compactText'],
  data: ['allocRaw', 'asDataError', 'checkJsonSize', 'finishLoad', 'mapHeader', 'nameHints', 'sortRaw', 'parseTimeCell', 'jsonByteLimit', 'gridAnchor', 'epochToMs'],
  strategy: ['computeContext', 'inputFeeder', 'onSource', 'sourceValue', 'sourceSeries', 'WARMUP_CONCLUSIVE_BARS', 'strategyEvents', 'strategyBars', 'requireInputs'],
  research: ['boundedCache', 'OBJECTIVE_CACHE_BYTES', 'objectivePlan', 'strategyObjectiveFor', 'isSummaryObjective'],
  plot: ['escapeHtml', 'lttbIndices', 'isoDates', 'equityInput', 'PLOTLY_NBEXTENSION', 'loadPlotly', 'notebookDisplay', 'sliceFigure', 'tableCells', 'TABLE_CSS', 'plotlyScript'],
  report: ['frameRows', 'resultBars'],
};
/** Never on ql, whichever folder exports them: the engine, the order rule, the fast kernel, kernel helpers. */
const NEVER = ['Engine', 'sizeOrder', 'blankOrder', 'resolveOptions', 'SIZE_PERCENT', 'SIZE_KELLY', 'simulateFast', 'smaRun', 'forEachFiniteRun', 'RangeTable', 'talibRun', 'promote', 'StateStore', 'Runner'];

describe('the public API (lib/index.ts)', () => {
  const names = new Set(Object.keys(ql));

  it('names its exports: no `export *` but the optimizer and ml namespaces', () => {
    const text = readFileSync(join(ROOT, 'lib/index.ts'), 'utf8');
    expect([...text.matchAll(/^export \* (?:as (\w+) )?from/gm)].map((m) => m[1] ?? '*')).toEqual(['optimizer', 'ml']);
  });

  it('every value a folder exports is on ql or listed as internal', async () => {
    const unplaced: string[] = [];
    for (const f of FOLDERS) {
      const mod = (await import(join(ROOT, 'lib', f))) as Record<string, unknown>;
      for (const n of Object.keys(mod)) {
        if (names.has(n) || INTERNAL[f]?.includes(n)) continue;
        if (f === 'backtest') continue; // curated by name in lib/index.ts: the rest is the simulator's inside
        unplaced.push(`${f}.${n}`);
      }
    }
    expect(unplaced).toEqual([]);
  });

  it('keeps internals off: the listed ones and the simulator/kernel/live parts', () => {
    const leaked = [...Object.values(INTERNAL).flat(), ...NEVER].filter((n) => names.has(n));
    expect(leaked).toEqual([]);
    expect(names.size).toBeGreaterThan(400);
    for (const n of ['loadDataset', 'backtest', 'ind', 'sma', 'optimize', 'sweep', 'checkBias', 'show', 'range', 'alignBars', 'registerStrategy']) expect(names.has(n), n).toBe(true);
  });
});
