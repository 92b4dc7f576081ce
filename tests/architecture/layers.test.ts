/**
 * The layering of lib/ as ARCHITECTURE.md draws it: each folder imports only the folders below it, and the
 * heavy packages stay at the edges (arquero and the Parquet readers in data/, plotly in plot/, ccxt in live/
 * and data/'s downloader, talib in testing/). A new import that points up fails here, naming file and line.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/datasets';

const lib = join(repoRoot, 'lib');

/** folder (or top-level file without .ts) -> the lib folders it may import. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  core: [],
  params: ['core'],
  data: ['core'],
  indicators: ['core'],
  backtest: ['core'],
  metrics: ['core'],
  plot: ['core'],
  'replay-exchange': ['core'],
  alerts: ['core'],
  testing: ['core', 'indicators'],
  strategy: ['core', 'params', 'indicators', 'backtest', 'metrics'],
  optimizer: ['core', 'params', 'metrics'],
  ml: ['core', 'params', 'data', 'indicators', 'backtest', 'metrics', 'strategy', 'optimizer', 'plot'],
  research: ['core', 'params', 'data', 'indicators', 'backtest', 'metrics', 'strategy', 'optimizer'],
  report: ['core', 'params', 'backtest', 'metrics', 'strategy', 'optimizer', 'research', 'plot'],
  live: ['core', 'params', 'data', 'indicators', 'backtest', 'metrics', 'strategy', 'optimizer', 'research', 'plot', 'report', 'replay-exchange', 'alerts'],
  notebook: ['core', 'data', 'plot', 'report', 'metrics', 'backtest', 'strategy', 'research', 'optimizer'],
  ops: ['core', 'params', 'data', 'backtest', 'metrics', 'strategy', 'plot', 'report', 'live'],
  commands: ['core', 'params', 'data', 'indicators', 'backtest', 'metrics', 'strategy', 'optimizer', 'research', 'plot', 'report', 'live', 'ops', 'replay-exchange'],
  cli: ['core', 'commands'],
  index: ['*'],
};

/** package -> the folders allowed to import it. */
const PACKAGES_ONLY_IN: Record<string, readonly string[]> = {
  arquero: ['data'],
  hyparquet: ['data'],
  'hyparquet-writer': ['data'],
  'hyparquet-compressors': ['data'],
  'plotly.js-dist-min': ['plot'],
  ccxt: ['live', 'data'],
  talib: ['testing'],
  'prom-client': ['ops'],
  'lightweight-charts': ['ops'],
  nodemailer: ['alerts'],
  'danfojs-node': ['data'],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const layerOf = (file: string): string => {
  const parts = relative(lib, file).split('/');
  return parts.length > 1 ? parts[0]! : parts[0]!.replace(/\.ts$/, '');
};

/** import/export/require specifiers of a file, with their line numbers (comments removed first). */
function specifiers(text: string): { spec: string; line: number }[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const out: { spec: string; line: number }[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;
  for (let m = re.exec(code); m; m = re.exec(code)) out.push({ spec: m[1]!, line: code.slice(0, m.index).split('\n').length });
  return out;
}

describe('lib/ layering', () => {
  const all = files(lib);

  it('every folder of lib/ has a rule (a new folder is placed deliberately)', () => {
    const layers = [...new Set(all.map(layerOf))].sort();
    expect(layers.filter((l) => !(l in MAY_IMPORT))).toEqual([]);
  });

  it('imports point down: no folder imports one above it', () => {
    const bad: string[] = [];
    for (const f of all) {
      const from = layerOf(f);
      const allowed = MAY_IMPORT[from] ?? [];
      for (const { spec, line } of specifiers(readFileSync(f, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const target = normalize(join(f, '..', spec));
        if (!target.startsWith(lib)) continue;
        const to = layerOf(target.endsWith('.ts') ? target : `${target}.ts`);
        if (to !== from && !allowed.includes('*') && !allowed.includes(to)) bad.push(`${relative(repoRoot, f)}:${line} (${from}) imports ${spec} (${to})`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('heavy packages stay at the edges', () => {
    const bad: string[] = [];
    for (const f of all) {
      const from = layerOf(f);
      for (const { spec, line } of specifiers(readFileSync(f, 'utf8'))) {
        const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        const only = PACKAGES_ONLY_IN[pkg];
        if (only && !only.includes(from)) bad.push(`${relative(repoRoot, f)}:${line} (${from}) imports ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
