/**
 * The hostile data files through the real command (`bin/quantlab data validate|info FILE`, a child process):
 * exit code 1, an `error [CODE]` line naming the file, no stack-trace line, no control characters.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/datasets';
import { binaryGarbage, HEADER, hasControl, hourlyRows, msTimes, ohlcvCols, parquetBytes, plant, plantDir } from './hostile-files';

const csvText = (...rows: string[]) => `${[HEADER, ...rows].join('\n')}\n`;

function quantlab(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(join(repoRoot, 'bin/quantlab'), args, { cwd: repoRoot, timeout: 150_000 }, (e, out, err) => {
      resolve({ code: e ? Number((e as { code?: number }).code ?? -1) : 0, out: String(out), err: String(err) });
    });
  });
}

/** Runs `fn` over `items` with at most `k` at a time (the machine has two cores). */
async function pool<T, R>(items: T[], k: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: k }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  }));
  return out;
}

const quotedVolume = () => {
  const r = hourlyRows(3);
  r[1] = r[1]!.replace(/,[^,]+$/, ',"1,234.5"');
  return csvText(...r);
};
const extraField = () => {
  const r = hourlyRows(3);
  r[2] = `${r[2]},9`;
  return csvText(...r);
};
const mixedUnits = () => csvText(...hourlyRows(5, (i) => String((Date.UTC(2024, 0, 1) + i * 3_600_000) / (i === 3 ? 1 : 1000))));
const jsonBool = () => JSON.stringify([[Date.UTC(2024, 0, 1), 1, 2, 0.5, 1.5, 3], [Date.UTC(2024, 0, 1, 1), 1, 2, 0.5, 1.5, true]]);
const tsRange = () => {
  const ts = msTimes(3);
  ts[2] = 9_000_000_000_000_000_000n;
  return parquetBytes([{ name: 'ts', data: ts, type: 'TIMESTAMP', nullable: false }, ...ohlcvCols(3)]);
};
const corrupt = () => {
  const b = parquetBytes([{ name: 'ts', data: msTimes(500), type: 'TIMESTAMP', nullable: false }, ...ohlcvCols(500)]);
  for (let i = 8; i < 400; i++) b[i] = 0xff;
  return b;
};
const boolVolume = () => parquetBytes([{ name: 'ts', data: msTimes(3), type: 'TIMESTAMP', nullable: false }, ...ohlcvCols(3).slice(0, 4), { name: 'volume', data: [true, false, true], type: 'BOOLEAN', nullable: false }]);

const CASES: Array<[string, () => string, string, RegExp]> = [
  ['binary garbage', () => plant('cli_garbage.csv', binaryGarbage()), 'NOT_TEXT', /cli_garbage\.csv: not a text CSV/],
  ['a directory', () => plantDir('cli_dir.csv'), 'IO_ERROR', /cli_dir\.csv: is a directory/],
  ['a quoted 1,234.5 volume', () => plant('cli_quoted_1h.csv', quotedVolume()), 'PARSE_ERROR', /cli_quoted_1h\.csv line 3: volume '1,234\.5' is not a number/],
  ['a row with an extra field', () => plant('cli_extra_1h.csv', extraField()), 'PARSE_ERROR', /cli_extra_1h\.csv line 4: 7 fields, expected 6/],
  ['hourly bars named 3m', () => plant('cli_btc_export_3m.csv', csvText(...hourlyRows(5))), 'TIMEFRAME_MISMATCH', /the file name says 3m .*the times are 1h apart/],
  ['seconds mixed with milliseconds', () => plant('cli_mixed.csv', mixedUnits()), 'MIXED_UNITS', /First row in epoch milliseconds: row 4 \(line 5\)/],
  ['a boolean in JSON', () => plant('cli_bool.json', jsonBool()), 'TYPE_MISMATCH', /cli_bool\.json row 2: volume: expected a number .*found boolean true/],
  ['a BOOLEAN Parquet column', () => plant('cli_boolvol.parquet', boolVolume()), 'TYPE_MISMATCH', /column 'volume' \(volume\) is BOOLEAN/],
  ['a TIMESTAMP out of range', () => plant('cli_tsrange.parquet', tsRange()), 'PARSE_ERROR', /cli_tsrange\.parquet row 3: time 9000000000000000000 ms is out of range/],
  ['a corrupt Parquet data page', () => plant('cli_corrupt.parquet', corrupt()), 'PARSE_ERROR', /cli_corrupt\.parquet: /],
];

describe('quantlab data validate/info on hostile files: exit 1, a clear refusal, no stack trace', () => {
  it(`${CASES.length} hostile files × validate and info`, { timeout: 400_000 }, async () => {
    const jobs = CASES.flatMap(([name, make, code, pattern]) => {
      const file = make();
      return (['validate', 'info'] as const).map((cmd) => ({ name, cmd, file, code, pattern }));
    });
    const results = await pool(jobs, 3, async (j) => ({ ...j, r: await quantlab('data', j.cmd, j.file) }));
    for (const { name, cmd, code, pattern, r } of results) {
      const what = `${cmd} ${name}: ${JSON.stringify(r.err.slice(0, 300))}`;
      expect(r.code, what).toBe(1);
      expect(r.err, what).toContain(`error [${code}]: `);
      expect(r.err, what).toMatch(pattern);
      expect(r.err, what).not.toMatch(/^\s+at /m);
      expect(hasControl(r.err), what).toBe(false);
      expect(hasControl(r.out), what).toBe(false);
    }
  });

  it('validate prints where the timeframe came from and the warnings of a file dated 2099; --time-unit and --timeframe reach the loader', { timeout: 200_000 }, async () => {
    const late = plant('cli_late_1h.csv', csvText(...hourlyRows(3, (i) => new Date(Date.UTC(2099, 0, 1) + i * 3_600_000).toISOString())));
    const t72 = plant('cli_ms1972.csv', csvText(...hourlyRows(3, (i) => String(Date.UTC(1972, 5, 1) + i * 3_600_000))));
    const named = plant('cli_named_3m.csv', csvText(...hourlyRows(3)));
    const [a, b, c] = await Promise.all([quantlab('data', 'validate', late), quantlab('data', 'validate', t72, '--time-unit', 'ms'), quantlab('data', 'validate', named, '--timeframe', '1h')]);
    expect(a.code).toBe(0);
    expect(a.out).toMatch(/3 rows, 1h \(file name\), 2099-01-01T00:00:00Z/);
    expect(a.out).toMatch(/warning: .*cli_late_1h\.csv row 1 \(line 2\): time 2099-01-01T00:00:00Z is more than a year in the future/);
    expect(b.code).toBe(0);
    expect(b.out).toMatch(/1972-06-01T00:00:00Z .*times: epoch milliseconds \(timeUnit option\)/);
    expect(c.code).toBe(0);
    expect(c.out).toMatch(/1h \(option\)/);
    expect(c.out).toMatch(/warning: .*the file name says 3m/);
  });
});
