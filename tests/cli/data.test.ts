import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../lib/cli';
import { loadBars } from '../../lib/data';
import { csv, fixture, GOOD_ROWS } from '../data/fixtures';
import { repoRoot } from '../helpers/datasets';

const dir = mkdtempSync(join(tmpdir(), 'quantlab-cli-'));

/** Runs the CLI in-process; returns exit code and what it printed. */
async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true));
  const prev = process.exitCode;
  process.exitCode = undefined;
  let code: number;
  try {
    code = await main(args);
  } catch (e) {
    code = (e as { exitCode?: number }).exitCode ?? -1;
  } finally {
    log.mockRestore();
    error.mockRestore();
    stderr.mockRestore();
    process.exitCode = prev;
  }
  return { code, out: out.join('\n'), err: err.join('\n') };
}

afterEach(() => vi.restoreAllMocks());

describe('quantlab data', () => {
  it('list prints every shipped dataset', async () => {
    const r = await run('data', 'list', '--json');
    expect(r.code).toBe(0);
    const ds = JSON.parse(r.out) as Array<{ symbol: string; rows: number }>;
    expect(ds.length).toBe(12);
    expect(ds.some((d) => d.symbol === 'BTCUSDT' && d.rows === 66_677)).toBe(true);
  });

  it('info on a symbol prints the summary and the gap list', async () => {
    const r = await run('data', 'info', 'BTC/USDT', '--timeframe', '1d');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/bars\s+2805/);
    expect(r.out).toMatch(/gap 2025-04-17T00:00Z\.\.2025-04-22T00:00Z \(6\)/);
  });

  it('validate exits 1 and prints the report naming the row when a file is bad', async () => {
    const bad = fixture('cli_bad_1h.csv', csv(GOOD_ROWS[0]!, '2024-01-01T01:00:00Z,105,104,101,102,3'));
    const r = await run('data', 'validate', bad);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/HIGH_BELOW_BODY: .*cli_bad_1h\.csv row 2 \(line 3\).*high 104 < max\(open 105, close 102\)/);
    const good = await run('data', 'validate', fixture('cli_good_1h.csv', csv(...GOOD_ROWS)));
    expect(good.code).toBe(0);
    expect(good.out).toMatch(/no errors/);
  });

  it('convert writes Parquet that loads back identical', async () => {
    const src = fixture('cli_conv_ETHUSDT_1h.csv', csv(...GOOD_ROWS));
    const out = join(dir, 'conv.parquet');
    const r = await run('data', 'convert', src, '--out', out);
    expect(r.code).toBe(0);
    const a = (await loadBars(src)).bars;
    const b = (await loadBars(out)).bars;
    expect(Array.from(b.close)).toEqual(Array.from(a.close));
    expect(b.symbol).toBe('ETHUSDT');
  });

  it('resample writes the coarser bars and says how many were incomplete', async () => {
    const out = join(dir, 'btc4h.parquet');
    const r = await run('data', 'resample', 'BTCUSDT', '-t', '1m', '--to', '4h', '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/42915 1m bars -> \d+ 4h bars \(\d+ incomplete, kept\)/);
    const b = (await loadBars(out)).bars;
    expect(b.timeframe).toBe('4h');
  });

  it('usage errors and unknown inputs are clear', async () => {
    const r = await run('data', 'resample', 'BTCUSDT');
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/required option '--to <tf>' not specified/);
    const e = await run('data', 'info', 'nosuch.csv');
    expect(e.code).toBe(1);
    expect(e.err).toMatch(/NOT_FOUND.*nosuch\.csv: no such file/);
    const w = await run('data', 'convert', fixture('cli_w_1h.csv', csv(...GOOD_ROWS)), '--out', join(dir, 'x.txt'));
    expect(w.err).toMatch(/expected a \.parquet or \.csv file name/);
  });

  it('the bin/quantlab executable runs the CLI', () => {
    const bin = join(repoRoot, 'bin', 'quantlab');
    expect(existsSync(bin)).toBe(true);
    const out = execFileSync(bin, ['data', 'list'], { encoding: 'utf8' });
    expect(out).toMatch(/BTCUSDT\t1h\tspot\t66677/);
  });
});
