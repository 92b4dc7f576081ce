/**
 * `quantlab exchange serve` and `quantlab data fetch`, run in-process through commander the way lib/cli.ts
 * registers them; a real ccxt client trades against the served exchange.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ccxt from 'ccxt';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { QuantlabError } from '../../lib/core';
import { loadBars } from '../../lib/data';
import { DEMO_KEY, DEMO_SECRET, registerExchangeCommands, serveHooks } from '../../lib/commands/exchange';
import { registerDataFetchCommand } from '../../lib/commands/fetch';
import type { ReplayExchange } from '../../lib/replay-exchange';
import { dataset, pointAt, startExchange, window } from '../helpers/exchange';

const dir = mkdtempSync(join(tmpdir(), 'quantlab-commands-'));

function program(): Command {
  const p = new Command('quantlab').exitOverride();
  registerExchangeCommands(p);
  registerDataFetchCommand(p.command('data'));
  return p;
}

/** Runs a command in-process; returns what it printed. */
async function run(...args: string[]): Promise<{ out: string; err: string; error?: unknown }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  let error: unknown;
  try {
    await program().parseAsync(args, { from: 'user' });
  } catch (e) {
    error = e;
  } finally {
    vi.restoreAllMocks();
  }
  return { out: out.join('\n'), err: err.join('\n'), error };
}

const originalWait = serveHooks.waitForStop;
afterEach(() => {
  serveHooks.waitForStop = originalWait;
});

describe('quantlab exchange serve', () => {
  it('serves a shipped dataset, prints the URL and how to point ccxt at it; the printed recipe works', async () => {
    let seen: { url: string; markets: string[]; candles: number; order: string } | undefined;
    serveHooks.waitForStop = async (ex: ReplayExchange) => {
      const b = pointAt(new ccxt.binance({ apiKey: DEMO_KEY, secret: DEMO_SECRET, enableRateLimit: false }), ex.url);
      await b.loadMarkets();
      const c = await b.fetchOHLCV('BTC/USDT', '1d', undefined, 10);
      const o = await b.createOrder('BTC/USDT', 'market', 'buy', 0.001);
      seen = { url: ex.url, markets: Object.keys(b.markets ?? {}), candles: c.length, order: String(o.status) };
    };
    const r = await run('exchange', 'serve', '--data', 'BTCUSDT', '--timeframe', '1d', '--start', '2024-01-01');
    expect(r.error).toBeUndefined();
    expect(seen).toMatchObject({ markets: ['BTC/USDT'], candles: 10, order: 'closed' });
    expect(r.out).toContain(`quantlab replay exchange on ${seen!.url}`);
    expect(r.out).toMatch(/spot\s+BTCUSDT 1d: 2805 bars/);
    expect(r.out).toContain('clock at 2024-01-01T00:00:00Z, stepped');
    expect(r.out).toContain(`ex.urls.api[k] = ex.urls.api[k].replace(/^https:\\/\\/[^/]+/, '${seen!.url}')`);
    expect(r.out).toContain(`--exchange-url ${seen!.url}`);
    expect(r.out).toMatch(/replay exchange stopped/);
  });

  it('your own credentials are used and never printed; futures data is served under /fapi; the clock can run', async () => {
    let ok = false;
    serveHooks.waitForStop = async (ex: ReplayExchange) => {
      const b = pointAt(new ccxt.binance({ apiKey: 'mine-0123456789', secret: 'my-secret-9876543210', enableRateLimit: false }), ex.url);
      await b.loadMarkets();
      expect(Object.keys(b.markets ?? {}).sort()).toEqual(['BTC/USDT', 'BTC/USDT:USDT']);
      const t0 = ex.engine.now;
      await new Promise((res) => setTimeout(res, 120));
      expect(ex.engine.now).toBeGreaterThan(t0); // --speed 20: a bar every 20 ms
      const bal = await b.fetchBalance();
      ok = bal.ETH?.total === 2;
    };
    const r = await run('exchange', 'serve', '--data', 'BTCUSDT', 'BTCUSDT:futures', '--start', '2024-01-01', '--speed', '20', '--key', 'mine-0123456789', '--secret', 'my-secret-9876543210', '--balance', 'USDT=500', 'ETH=2');
    expect(r.error).toBeUndefined();
    expect(ok).toBe(true);
    expect(r.out).toMatch(/futures BTCUSDT 1h/);
    expect(r.out).toContain('running at one bar per 20 ms');
    expect(r.out).not.toContain('mine-0123456789');
    expect(r.out).not.toContain('my-secret-9876543210');
  });

  it('bad arguments name what was expected and what was found', async () => {
    serveHooks.waitForStop = async () => undefined;
    const a = await run('exchange', 'serve', '--data', 'BTCUSDT', '--balance', 'USDT:10');
    expect(a.error).toBeInstanceOf(QuantlabError);
    expect(String(a.error)).toMatch(/--balance: expected ASSET=AMOUNT \(e\.g\. USDT=10000\), found 'USDT:10'/);
    const b = await run('exchange', 'serve', '--data', 'BTCUSDT', '--key', 'only-a-key');
    expect(String(b.error)).toMatch(/expected both --key and --secret/);
    const c = await run('exchange', 'serve', '--data', 'BTCUSDT', '--start', '2030-01-01');
    expect(String(c.error)).toMatch(/start 2030-01-01T00:00:00Z: expected a time inside the data \(BTCUSDT 2017-08-17T04:00:00Z\.\.2025-03-31T16:00:00Z\)/);
  });
});

describe('quantlab data fetch', () => {
  it('downloads from the exchange URL into Parquet exactly, then only what is new', async () => {
    const bars = await window('2024-03-01T00:00:00Z', 600);
    const ex = await startExchange({ markets: [{ bars }], start: bars.ts[500] });
    try {
      const out = join(dir, 'cli.parquet');
      const r = await run('data', 'fetch', '--exchange-url', ex.url, '--symbol', 'BTC/USDT', '--timeframe', '1h', '--since', '2024-03-01', '--out', out, '--page-limit', '200');
      expect(r.error).toBeUndefined();
      expect(r.out).toContain(`${out}: 500 new candles, 500 in the file (2024-03-01T00:00:00Z .. ${new Date(bars.ts[499]!).toISOString().replace('.000Z', 'Z')}); 3 requests, 0 retries`);
      expect(r.err).toMatch(/fetchOHLCV BTC\/USDT 1h since 2024-03-01T00:00:00Z: 200 candles/);
      const file = (await loadBars(out)).bars;
      expect(Array.from(file.close)).toEqual(Array.from(bars.close.subarray(0, 500)));
      ex.step(7);
      const again = await run('data', 'fetch', '--exchange-url', ex.url, '--symbol', 'BTCUSDT', '--out', out, '--json');
      const j = JSON.parse(again.out) as { added: number; requests: number; rows: number };
      expect(j).toMatchObject({ added: 7, requests: 1, rows: 507 });
    } finally {
      await ex.close();
    }
  });

  it('QUANTLAB_EXCHANGE_URL stands in for --exchange-url', async () => {
    const fb = await dataset('BTCUSDT', '1h', 'futures');
    const ex = await startExchange({ markets: [{ bars: fb, kind: 'futures' }], start: fb.ts[100] });
    const prev = process.env.QUANTLAB_EXCHANGE_URL;
    process.env.QUANTLAB_EXCHANGE_URL = ex.url;
    try {
      const out = join(dir, 'env.parquet');
      const r = await run('data', 'fetch', '--symbol', 'BTC/USDT:USDT', '--since', String(fb.ts[0]), '--out', out, '-q');
      expect(r.error).toBeUndefined();
      expect(r.err).toBe('');
      expect((await loadBars(out)).bars.ts.length).toBe(100);
    } finally {
      if (prev === undefined) delete process.env.QUANTLAB_EXCHANGE_URL;
      else process.env.QUANTLAB_EXCHANGE_URL = prev;
      await ex.close();
    }
  });
});
