import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INDICATORS, indicatorTable, INDICATOR_TABLE_END, INDICATOR_TABLE_START, withIndicatorTable } from '../../lib/indicators/catalog';
import { repoRoot } from '../helpers/datasets';

describe("README's indicator table", () => {
  const readme = readFileSync(resolve(repoRoot, 'README.md'), 'utf8');

  it('is exactly what the descriptors generate (npx tsx scripts/indicator-table.ts --write rewrites it)', () => {
    const a = readme.indexOf(INDICATOR_TABLE_START);
    const b = readme.indexOf(INDICATOR_TABLE_END);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(a);
    expect(readme.slice(a + INDICATOR_TABLE_START.length, b).trim()).toBe(indicatorTable());
    expect(withIndicatorTable(readme)).toBe(readme);
  });

  it('has one row per descriptor, naming its TA-Lib function where there is one', () => {
    const rows = indicatorTable().split('\n').slice(2);
    expect(rows.length).toBe(Object.keys(INDICATORS).length);
    expect(rows.find((r) => r.startsWith('| `bbands` |'))).toContain('| BBANDS |');
    expect(rows.find((r) => r.startsWith('| `rsi` |'))).toContain('n = 14 (an integer >= 2)');
  });

  it('scripts/indicator-table.ts prints it', () => {
    const out = execFileSync(resolve(repoRoot, 'node_modules/.bin/tsx'), [resolve(repoRoot, 'scripts/indicator-table.ts')], { cwd: repoRoot, encoding: 'utf8' });
    expect(out.trim()).toBe(indicatorTable());
  }, 60_000);

  it('refuses a README without the markers', () => {
    expect(() => withIndicatorTable('# no table here')).toThrow(/expected the markers/);
  });
});
