/**
 * `quantlab backtest --check-bias` through the real bin/quantlab: a strategy file with a planted look-ahead
 * exits 1 with the report on stdout and one `error [BIAS]: …` line; a clean one exits 0 and prints the
 * statistics and the passed report (and the report in --json).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sliceBars } from '../../lib/core';
import { btc1h, repoRoot } from '../helpers/datasets';

const bin = join(repoRoot, 'bin', 'quantlab');
const dir = mkdtempSync(join(tmpdir(), 'quantlab-check-bias-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 4,000 hourly bars as CSV (quicker to load and check than the whole dataset)
const b = sliceBars(btc1h(), 30_000, 34_000);
const csv = join(dir, 'btc.csv');
writeFileSync(
  csv,
  `time,open,high,low,close,volume\n${Array.from(b.ts, (t, i) => `${new Date(t).toISOString()},${b.open[i]},${b.high[i]},${b.low[i]},${b.close[i]},${b.volume[i]}`).join('\n')}\n`,
);

const lib = JSON.stringify(join(repoRoot, 'lib'));
const leaky = join(dir, 'leaky.ts');
writeFileSync(
  leaky,
  `import { shift } from ${JSON.stringify(join(repoRoot, 'lib/indicators/transform'))};
import { customIndicator, defineStrategy, ind } from ${lib};
// "tomorrow's close above today's trend": shift(-1) leads the series
export const leaky = defineStrategy({
  name: 'my-leaky',
  params: {},
  indicators: () => ({ trend: ind.sma(20), next: customIndicator('shift(close,-1)', (b) => shift(b.close, -1), () => ({ update: () => NaN, reset: () => {} })) }),
  decide: (bar) => (bar.next > bar.trend ? 1 : 0),
});
`,
);
const clean = join(dir, 'clean.ts');
writeFileSync(
  clean,
  `import { defineStrategy, ind, int } from ${lib};
export const clean = defineStrategy({
  name: 'my-clean',
  params: { n: int(2, 200, { default: 30 }) },
  indicators: (p) => ({ avg: ind.ema(p.n) }),
  decide: (bar) => (bar.close > bar.avg ? 1 : 0),
});
`,
);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}
const run = (args: string[]): Promise<Run> =>
  new Promise((resolve) => {
    execFile(bin, args, { cwd: dir, timeout: 90_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });

describe('quantlab backtest --check-bias', () => {
  it(
    'a planted look-ahead in a --strategy-file: exit 1, the report, one BIAS line, no stack trace; a clean file: exit 0',
    async () => {
      const [bad, good, goodJson, badJson] = await Promise.all([
        run(['backtest', '-d', csv, '--strategy-file', leaky, '-s', 'my-leaky', '--check-bias']),
        run(['backtest', '-d', csv, '--strategy-file', clean, '-s', 'my-clean', '--check-bias']),
        run(['backtest', '-d', csv, '--strategy-file', clean, '-s', 'my-clean', '-p', 'n=50', '--check-bias', '--json']),
        run(['backtest', '-d', csv, '--strategy-file', leaky, '-s', 'my-leaky', '--check-bias', '--json']),
      ]);
      expect(bad.code, bad.stderr).toBe(1);
      expect(bad.stdout).toMatch(/^bias check: my-leaky \{\} on .* FAILED \(look-ahead, parity\)/m);
      expect(bad.stdout).toMatch(/indicator 'next' \(shift\(close,-1\)\) moved at bar \d+ \(20\d\d-[^)]+\) when the data was cut after bar \d+/);
      expect(bad.stdout).not.toMatch(/indicator 'trend'/);
      expect(bad.stdout).not.toMatch(/Sharpe/i); // no backtest statistics for a biased strategy
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
      expect(bad.stderr).toMatch(/^error \[BIAS\]: backtest --check-bias: my-leaky failed the bias check \(look-ahead, parity\): look-ahead: indicator 'next'/);
      expect(bad.stderr).not.toMatch(/^\s+at\s/m);

      expect(good.code, good.stderr).toBe(0);
      expect(good.stdout).toMatch(/sharpe/i);
      expect(good.stdout).toMatch(/^bias check: my-clean \{"n":30\} on .*: passed$/m);
      expect(good.stdout).toMatch(/warm-up +ok +runner history \d+ bars/);

      expect(goodJson.code, goodJson.stderr).toBe(0);
      const j = JSON.parse(goodJson.stdout);
      expect(j.bias.ok).toBe(true);
      expect(j.bias.params).toEqual({ n: 50 });
      expect(j.bias.warmup.indicators[0].name).toBe('avg');
      expect(j.bias.warmup.bars).toBeGreaterThan(50);

      expect(badJson.code).toBe(1);
      const k = JSON.parse(badJson.stdout);
      expect(k.bias.ok).toBe(false);
      expect(k.bias.lookAhead.findings[0]).toMatchObject({ kind: 'indicator', name: 'next', key: 'shift(close,-1)' });
    },
    180_000,
  );
});
