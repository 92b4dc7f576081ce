/**
 * `--input name=SYMBOL|FILE` through the real bin/quantlab: a strategy's declared input is loaded from its
 * declared symbol by default or from the file given; an undeclared name or a bad --input-gaps exits 1 with
 * one `error [CODE]: …` line and no stack trace.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sliceBars, type Bars } from '../../lib/core';
import { backtest } from '../../lib/strategy';
import { btc1h, repoRoot, sharedBars } from '../helpers/datasets';

const bin = join(repoRoot, 'bin', 'quantlab');
const dir = mkdtempSync(join(tmpdir(), 'quantlab-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const csvOf = (b: Bars, file: string): string => {
  const path = join(dir, file);
  writeFileSync(path, `time,open,high,low,close,volume\n${Array.from(b.ts, (t, i) => `${new Date(t).toISOString()},${b.open[i]},${b.high[i]},${b.low[i]},${b.close[i]},${b.volume[i]}`).join('\n')}\n`);
  return path;
};
const eth = sliceBars(sharedBars('binance_ETHUSDT_1h.csv'), 30_000, 34_000);
const btcPart = sliceBars(btc1h(), 29_000, 36_000);
const ethCsv = csvOf(eth, 'eth.csv');
const btcCsv = csvOf(btcPart, 'btc.csv');

const run = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    execFile(bin, args, { cwd: dir, env: { ...process.env, QUANTLAB_EXPERIMENTS: join(dir, 'experiments') } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });

describe('quantlab --input', () => {
  it('backtest with --input btc=FILE equals the API with the same bars', async () => {
    const r = await run(['backtest', '-d', ethCsv, '-s', 'eth-btc-zscore', '--input', `btc=${btcCsv}`, '-p', 'n=72', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { finalEquity: number; trades: number };
    const api = backtest('eth-btc-zscore', eth, { n: 72 }, { inputs: { btc: btcPart } });
    expect(api.stats.trades).toBeGreaterThan(3);
    expect(out.trades).toBe(api.stats.trades);
    expect(out.finalEquity).toBe(api.finalEquity);
  }, 60_000);

  it('sweep takes --input too', async () => {
    const r = await run(['sweep', '-d', ethCsv, '-s', 'eth-btc-zscore', '--input', `btc=${btcCsv}`, '--grid', 'n=50:150:50', '--json', '--no-progress']);
    expect(r.stderr).toBe('');
    expect((JSON.parse(r.stdout) as { combos: number }).combos).toBe(3);
  }, 60_000);

  it.each([
    [['--input', 'eth=ETHUSDT'], /error \[BAD_ARGUMENT\]: --input: strategy 'eth-btc-zscore' declares no input 'eth'; it declares btc/],
    [['--input', 'btc'], /error \[BAD_ARGUMENT\]: --input: expected name=SYMBOL or name=FILE/],
    [['--input', `btc=${btcCsv}`, '--input-gaps', 'fill'], /error \[BAD_ARGUMENT\]: --input-gaps: expected hold, nan or error, found 'fill'/],
  ])('refuses %j with one error line', async (extra, message) => {
    const r = await run(['backtest', '-d', ethCsv, '-s', 'eth-btc-zscore', ...extra]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
