/**
 * Prints the README's indicator table, generated from the indicator descriptors (lib/indicators/*.ts).
 * `--write` puts it into README.md between its markers (tests/indicators/readme-table.test.ts checks that
 * the README holds exactly what this prints).
 * Run: npx tsx scripts/indicator-table.ts [--write]
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeFileAtomic } from '../lib/core/files';
import { indicatorTable, withIndicatorTable } from '../lib/indicators/catalog';

const readme = resolve(__dirname, '..', 'README.md');
if (process.argv.includes('--write')) {
  const before = readFileSync(readme, 'utf8');
  const after = withIndicatorTable(before);
  if (after !== before) writeFileAtomic(readme, after, 'README');
  process.stdout.write(after === before ? 'README.md: indicator table already up to date\n' : 'README.md: indicator table rewritten\n');
} else process.stdout.write(`${indicatorTable()}\n`);
