import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'quantlab-data-'));

/** Writes `text` to a fresh temporary file named `name` and returns its path. */
export function fixture(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** Four good 1h bars in our layout (ISO times), as CSV lines without the header. */
export const GOOD_ROWS = [
  '2024-01-01T00:00:00Z,100,110,95,105,12.5',
  '2024-01-01T01:00:00Z,105,108,101,102,3',
  '2024-01-01T02:00:00Z,102,104,99,103,0',
  '2024-01-01T03:00:00Z,103,109,102,108,7.25',
];
export const HEADER = 'timestamp,open,high,low,close,volume';
export const csv = (...rows: string[]): string => [HEADER, ...rows].join('\n') + '\n';
