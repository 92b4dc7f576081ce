/**
 * Market-data download end to end: real ccxt against the local replay exchange, with and without faults;
 * the downloaded Parquet file is compared bar for bar to the dataset the exchange replays.
 */
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sliceBars, type Bars } from '../../lib/core';
import { loadBars } from '../../lib/data';
import { fetchOhlcv, pointExchangeAt, type FetchOptions } from '../../lib/data/download';
import type { ReplayExchange } from '../../lib/replay-exchange';
import { binanceClient, startExchange, window } from '../helpers/exchange';

const dir = mkdtempSync(join(tmpdir(), 'quantlab-download-'));
let bars: Bars;
let ex: ReplayExchange;
const NOW = 1200; // clock at the open of bar 1200: bars 0..1199 are closed, 1200 is forming

const fast = (o: Partial<FetchOptions>): FetchOptions => ({
  symbol: 'BTC/USDT',
  timeframe: '1h',
  exchangeUrl: ex.url,
  rateLimitMs: 1,
  retry: { baseMs: 5, maxMs: 50, attempts: 8 },
  timeoutMs: 2000,
  ...o,
});

/** Expects `got` to equal bars [from, to) of `src`, every column, bit for bit. */
function expectSameBars(got: Bars, src: Bars, from: number, to: number): void {
  const want = sliceBars(src, from, to);
  expect(got.ts.length).toBe(want.ts.length);
  for (const k of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const) expect(Array.from(got[k])).toEqual(Array.from(want[k]));
}

/** Gaps of a slice, computed naively from its open times. */
function naiveGaps(b: Bars): Array<{ from: number; missing: number }> {
  const out = [];
  for (let i = 1; i < b.ts.length; i++) {
    const missing = (b.ts[i]! - b.ts[i - 1]!) / 3_600_000 - 1;
    if (missing > 0) out.push({ from: b.ts[i - 1]! + 3_600_000, missing });
  }
  return out;
}

beforeAll(async () => {
  // March 2023: the window holds Binance's own missing bar at 2023-03-24T13:00
  bars = await window('2023-03-01T00:00:00Z', 1500);
  ex = await startExchange({ markets: [{ bars }], start: bars.ts[NOW] });
});
afterAll(async () => ex?.close());

describe('fetchOhlcv against the replay exchange', () => {
  it('downloads every closed candle exactly, leaves out the forming one, and reports the gap', async () => {
    const out = join(dir, 'plain.parquet');
    const r = await fetchOhlcv(fast({ since: bars.ts[100], out, pageLimit: 200 }));
    expect(r.serverTime).toBe(bars.ts[NOW]);
    expect(r.added).toBe(NOW - 100);
    expect(r.forming).toBe(0); // the requests end before the forming bar (endTime), so it is never even sent
    expect(r.requests).toBe(Math.ceil((NOW - 100) / 200));
    const { bars: file, report } = await loadBars(out);
    expectSameBars(file, bars, 100, NOW);
    expect(file.symbol).toBe('BTCUSDT');
    expect(file.timeframe).toBe('1h');
    const gaps = naiveGaps(sliceBars(bars, 100, NOW));
    expect(gaps).toEqual([{ from: Date.parse('2023-03-24T13:00:00Z'), missing: 1 }]);
    expect(report.gaps.map((g) => ({ from: g.from, missing: g.missing }))).toEqual(gaps);
    expect(r.report.gaps.length).toBe(1);
  });

  it('a second run fetches only what is new; a third with nothing new does not rewrite the file', async () => {
    const out = join(dir, 'incremental.parquet');
    await fetchOhlcv(fast({ since: bars.ts[500], out, pageLimit: 300 }));
    ex.step(40);
    try {
      const r2 = await fetchOhlcv(fast({ out, pageLimit: 300 }));
      expect(r2.added).toBe(40);
      expect(r2.requests).toBe(1);
      expect(r2.ranges).toEqual([{ from: bars.ts[NOW], to: bars.ts[NOW + 40]! - 3_600_000 + 1 }]);
      expectSameBars((await loadBars(out)).bars, bars, 500, NOW + 40);
      const mtime = statSync(out).mtimeMs;
      const r3 = await fetchOhlcv(fast({ out }));
      expect(r3.added).toBe(0);
      expect(r3.requests).toBe(0);
      expect(statSync(out).mtimeMs).toBe(mtime);
    } finally {
      ex.engine.now = bars.ts[NOW]!; // no orders were placed: moving the clock back is safe here
    }
  });

  it('an earlier since than the file extends it at the head', async () => {
    const out = join(dir, 'head.parquet');
    await fetchOhlcv(fast({ since: bars.ts[800], out }));
    const r = await fetchOhlcv(fast({ since: bars.ts[600], out, pageLimit: 150 }));
    expect(r.added).toBe(200);
    expectSameBars((await loadBars(out)).bars, bars, 600, NOW);
  });

  it('until bounds the download (open times before it)', async () => {
    const out = join(dir, 'until.parquet');
    const r = await fetchOhlcv(fast({ since: new Date(bars.ts[10]!).toISOString(), until: bars.ts[60], out }));
    expect(r.added).toBe(50);
    expectSameBars(r.bars, bars, 10, 60);
  });

  it('mid-bar, the candle still forming at the exchange clock is not kept', async () => {
    const mid = await startExchange({ markets: [{ bars }], start: bars.ts[NOW] });
    try {
      mid.advanceTo(bars.ts[NOW]! + 1_800_000);
      const out = join(dir, 'mid.parquet');
      const r = await fetchOhlcv(fast({ since: bars.ts[NOW - 50], out, exchangeUrl: mid.url }));
      expectSameBars(r.bars, bars, NOW - 50, NOW);
      // an exchange that ignores endTime sends the forming candle (with partial values): it is dropped
      const loose = binanceClient(mid, { enableRateLimit: false });
      const original = loose.fetchOHLCV.bind(loose);
      loose.fetchOHLCV = (s, tf, since, limit) => original(s, tf, since, limit);
      const r2 = await fetchOhlcv(fast({ since: bars.ts[NOW - 50], out: join(dir, 'mid2.parquet'), exchangeUrl: mid.url, exchangeInstance: loose }));
      expect(r2.forming).toBe(1);
      expectSameBars(r2.bars, bars, NOW - 50, NOW);
    } finally {
      await mid.close();
    }
  });
});

describe('fetchOhlcv with faults injected', () => {
  it('429s with Retry-After, 5xx, dropped connections and latency: retried, and the file is still exact', async () => {
    const noisy = await startExchange({
      markets: [{ bars }],
      start: bars.ts[NOW],
      seed: 7,
      faults: [
        { kind: 'latency', match: '/api/v3/klines', latencyMs: [0, 20] },
        { kind: 'rate-limit', match: '/api/v3/klines', p: 0.25, retryAfterSec: 0.05 },
        { kind: 'server-error', match: '/api/v3/klines', p: 0.2, status: 502 },
        { kind: 'drop', match: '/api/v3/klines', p: 0.15 },
        { kind: 'server-error', match: '/api/v3/time', times: 1, status: 500 },
      ],
    });
    try {
      const out = join(dir, 'faulty.parquet');
      const r = await fetchOhlcv(fast({ since: bars.ts[0], out, pageLimit: 100, exchangeUrl: noisy.url }));
      expect(noisy.faults.fired['rate-limit']).toBeGreaterThan(0);
      expect(noisy.faults.fired['server-error']).toBeGreaterThan(1);
      expect(noisy.faults.fired.drop).toBeGreaterThan(0);
      expect(r.retries).toBe(noisy.faults.fired['rate-limit'] + noisy.faults.fired['server-error'] + noisy.faults.fired.drop);
      expectSameBars((await loadBars(out)).bars, bars, 0, NOW);
    } finally {
      await noisy.close();
    }
  });

  it('respects the server weight limit: waits out Retry-After and finishes exact', async () => {
    // weights: loadMarkets 22 + time 1 + 24 pages of klines × 2 = 71 > 2 windows of 30, and the
    // requests alone take far less than 2 s, so at least one 429 is certain
    const tight = await startExchange({ markets: [{ bars }], start: bars.ts[NOW], weightLimit: 30, weightWindowMs: 1000 });
    try {
      const out = join(dir, 'tight.parquet');
      const t0 = Date.now();
      const lines: string[] = [];
      const r = await fetchOhlcv(fast({ since: bars.ts[0], out, pageLimit: 50, exchangeUrl: tight.url, log: (l) => lines.push(l) }));
      expect(r.retries).toBeGreaterThan(0);
      expect(lines.some((l) => /DDoSProtection.*retrying in \d{3,4} ms/.test(l))).toBe(true);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
      expectSameBars((await loadBars(out)).bars, bars, 0, NOW);
    } finally {
      await tight.close();
    }
  });

  it('gives up after the attempts run out, naming the request', async () => {
    const dead = await startExchange({ markets: [{ bars }], start: bars.ts[NOW], faults: [{ kind: 'server-error', match: '/api/v3/klines' }] });
    try {
      await expect(fetchOhlcv(fast({ since: bars.ts[0], out: join(dir, 'dead.parquet'), exchangeUrl: dead.url, retry: { attempts: 3, baseMs: 1 } }))).rejects.toThrow(
        /binance fetchOHLCV BTC\/USDT 1h since 2023-03-01T00:00:00Z failed after 3 attempts/,
      );
    } finally {
      await dead.close();
    }
  });
});

describe('fetchOhlcv: futures and bad input', () => {
  it('downloads a USDT-M perpetual bar for bar', async () => {
    const fb = await window('2023-03-01T00:00:00Z', 400, 'BTCUSDT', '1h', 'futures');
    const fx = await startExchange({ markets: [{ bars: fb, kind: 'futures' }], start: fb.ts[300] });
    try {
      const r = await fetchOhlcv(fast({ symbol: 'BTC/USDT:USDT', since: fb.ts[0], out: join(dir, 'futures.parquet'), exchangeUrl: fx.url }));
      expectSameBars(r.bars, fb, 0, 300);
      expect(r.bars.symbol).toBe('BTCUSDT');
    } finally {
      await fx.close();
    }
  });

  it('errors name what was expected and what was found', async () => {
    await expect(fetchOhlcv(fast({ symbol: 'DOGE/USDT', since: bars.ts[0], out: join(dir, 'x.parquet') }))).rejects.toThrow(
      /symbol 'DOGE\/USDT' is not listed; expected a unified symbol like BTC\/USDT \(listed: BTC\/USDT\)/,
    );
    await expect(fetchOhlcv(fast({ timeframe: '7m', since: bars.ts[0], out: join(dir, 'x.parquet') }))).rejects.toThrow(/timeframe '7m' is not offered; expected one of 1s, 1m/);
    await expect(fetchOhlcv(fast({ out: join(dir, 'none.parquet') }))).rejects.toThrow(/since: expected a start date .* because .*none\.parquet does not exist yet/);
    await expect(fetchOhlcv(fast({ since: 'yesterday', out: join(dir, 'x.parquet') }))).rejects.toThrow(/since: expected an ISO date \(2024-01-01\) or epoch ms, found 'yesterday'/);
    const other = join(dir, 'plain.parquet'); // holds BTCUSDT 1h
    await expect(fetchOhlcv(fast({ timeframe: '4h', out: other }))).rejects.toThrow(/holds 1h bars, expected 4h/);
    expect(() => pointExchangeAt({ urls: { api: {} } }, 'http://127.0.0.1:1/api')).toThrow(/expected http\(s\):\/\/host\[:port\] with no path, found/);
  });
});
