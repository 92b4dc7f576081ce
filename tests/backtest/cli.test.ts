import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { parquetReadObjects } from 'hyparquet';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerBacktestCommand } from '../../lib/commands/backtest';

let out: string[] = [];
beforeEach(() => {
  out = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
});
afterEach(() => vi.restoreAllMocks());

async function run(...args: string[]): Promise<string> {
  const program = new Command('quantlab').exitOverride();
  registerBacktestCommand(program);
  await program.parseAsync(['backtest', ...args], { from: 'user' });
  return out.join('\n');
}

describe('quantlab backtest', () => {
  it('--json prints the golden sma-cross 10/50 result on the shipped BTCUSDT 1h with the options used', async () => {
    const text = await run('--data', 'BTCUSDT', '--strategy', 'sma-cross', '--param', 'fast=10', '--param', 'slow=50', '--fill', 'close', '--fee', '0.001', '--cash', '10000', '--json');
    const j = JSON.parse(text);
    expect(j.finalEquity).toBeCloseTo(54358.8979093604, 6); // 'close' fill, fee 0.001 per side (tests/strategy/sma-cross.test.ts)
    expect(j.trades).toBe(921);
    expect(j.options).toMatchObject({ fill: 'close', fee: 0.001, cash: 10000 });
    for (const k of ['totalReturn', 'maxDrawdown', 'sharpe']) expect(typeof j[k]).toBe('number');
    expect(j.data.bars).toBe(66677);
  });
  it('prints the statistics table, and --out writes trades and equity as Parquet', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ql-bt-'));
    const text = await run('--data', 'BTCUSDT', '--timeframe', '1d', '--strategy', 'ema-cross', '--stop-loss', 'atr:3', '--out', dir);
    expect(text).toMatch(/Sharpe ratio\s+-?\d/);
    expect(text).toMatch(/# Trades\s+\d+/);
    expect(text).toMatch(/fill next-open, fee 0.001/);
    expect(existsSync(join(dir, 'trades.parquet'))).toBe(true);
    const buf = (p: string) => {
      const b = readFileSync(p);
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
    };
    const trades = await parquetReadObjects({ file: buf(join(dir, 'trades.parquet')) });
    expect(trades.length).toBe(Number(/# Trades\s+(\d+)/.exec(text)![1]));
    expect(Object.keys(trades[0]!)).toEqual(expect.arrayContaining(['symbol', 'entryTs', 'exitTs', 'entryPrice', 'exitPrice', 'pnl', 'returns', 'exitReason']));
    expect(['signal', 'stop-loss', 'end']).toContain(trades[0]!.exitReason);
    const equity = await parquetReadObjects({ file: buf(join(dir, 'equity.parquet')) });
    expect(Object.keys(equity[0]!)).toEqual(['ts', 'equity', 'position', 'drawdown']);
  });
  it('--list shows the strategies; bad input names what is wrong', async () => {
    expect(await run('--list')).toMatch(/sma-cross\s+Long when the fast SMA/);
    await expect(run('--data', 'BTCUSDT', '--strategy', 'sma-cross', '--param', 'fast=100', '--param', 'slow=50')).rejects.toThrow("fast (100) must be < slow (50)");
    await expect(run('--data', 'BTCUSDT', '--strategy', 'sma-cross', '--param', 'fats=10')).rejects.toThrow(/has no parameter 'fats'; it has fast, slow/);
    await expect(run('--data', 'BTCUSDT', '--strategy', 'sma-cross', '--fill', 'tomorrow')).rejects.toThrow(/backtest option 'fill'/);
    await expect(run('--strategy', 'sma-cross')).rejects.toThrow(/--data FILE\|SYMBOL is required/);
  });
});
