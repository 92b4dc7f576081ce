/**
 * The small parts of the live layer on their own: retry with backoff, Retry-After parsing, the ccxt error
 * map, redaction, the rate gate, and seeded fault injection.
 */
import * as ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { backoffMs, retryAfterMs, withRetry } from '../../lib/core/retry';
import { classifyCcxtError } from '../../lib/live/ccxt-errors';
import { RateGate } from '../../lib/live/rate-gate';
import { makeRedactor } from '../../lib/live/redact';
import { FaultInjector } from '../../lib/replay-exchange';

describe('withRetry', () => {
  it('retries what decide() allows, sleeps the backoff or the server wait, and rethrows the last error as is', async () => {
    const slept: number[] = [];
    let calls = 0;
    const r = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw new Error(calls === 1 ? 'net' : 'busy');
        return 'ok';
      },
      (e) => ((e as Error).message === 'busy' ? { action: 'wait', ms: 777 } : { action: 'retry' }),
      { baseMs: 100, random: () => 1, sleep: async (ms) => void slept.push(ms) },
    );
    expect(r).toBe('ok');
    expect(slept).toEqual([100, 777]);
    const boom = new TypeError('bug');
    await expect(withRetry(async () => Promise.reject(boom), () => ({ action: 'fail' }), { sleep: async () => {} })).rejects.toBe(boom);
    let n = 0;
    await expect(withRetry(async () => Promise.reject(new Error(`try ${++n}`)), () => ({ action: 'retry' }), { attempts: 3, sleep: async () => {} })).rejects.toThrow('try 3');
    await expect(withRetry(async () => 1, () => ({ action: 'fail' }), { attempts: 0 })).rejects.toThrow(/retry attempts: expected an integer >= 1, found 0/);
  });

  it('backoff doubles up to the cap, jittered within [d/2, d]', () => {
    expect([1, 2, 3, 4, 10].map((a) => backoffMs(a, { baseMs: 100, maxMs: 500, random: () => 1 }))).toEqual([100, 200, 400, 500, 500]);
    expect(backoffMs(2, { baseMs: 100, random: () => 0 })).toBe(100);
  });

  it('Retry-After: seconds (also fractional), an HTTP date, any header case', () => {
    expect(retryAfterMs({ 'Retry-After': '2' })).toBe(2000);
    expect(retryAfterMs({ 'retry-after': '0.25' })).toBe(250);
    expect(retryAfterMs({ 'RETRY-AFTER': new Date(10_000).toUTCString() }, 4000)).toBe(6000);
    expect(retryAfterMs({ 'Retry-After': 'soon' })).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});

describe('ccxt error map', () => {
  it.each([
    [ccxt.RateLimitExceeded, 'rate-limit', false],
    [ccxt.DDoSProtection, 'rate-limit', false],
    [ccxt.InvalidNonce, 'resync', false],
    [ccxt.RequestTimeout, 'retry', true],
    [ccxt.ExchangeNotAvailable, 'retry', true],
    [ccxt.OnMaintenance, 'retry', true],
    [ccxt.NetworkError, 'retry', true],
    [ccxt.OperationFailed, 'retry', true],
    [ccxt.AuthenticationError, 'stop', false],
    [ccxt.PermissionDenied, 'stop', false],
    [ccxt.AccountSuspended, 'stop', false],
    [ccxt.NotSupported, 'stop', false],
    [ccxt.BadSymbol, 'stop', false],
    [ccxt.InsufficientFunds, 'skip', false],
    [ccxt.InvalidOrder, 'skip', false],
    [ccxt.OrderNotFound, 'skip', false],
    [ccxt.BadRequest, 'skip', false],
    [ccxt.ExchangeError, 'skip', false],
  ] as const)('%o → %s', (Cls, action, ambiguous) => {
    expect(classifyCcxtError(new Cls('x'))).toEqual({ action, ambiguous, kind: Cls.name });
  });

  it('a non-ccxt error is a bug: stop', () => {
    expect(classifyCcxtError(new TypeError('x')).action).toBe('stop');
  });
});

describe('redaction', () => {
  it('removes the key, the secret, signatures and API-key headers, wherever they appear', () => {
    const r = makeRedactor(['myKey123456', 'mySecret987654', undefined, 'ab']);
    const text =
      'binance GET http://127.0.0.1:1/api/v3/account?timestamp=1&signature=0a1b2c3d4e5f6a7b8c9d 503 key=myKey123456 secret mySecret987654 {"X-MBX-APIKEY":"myKey123456"} X-MBX-APIKEY: other (tab)';
    const out = r(text);
    expect(out).not.toContain('myKey123456');
    expect(out).not.toContain('mySecret987654');
    expect(out).toContain('signature=***');
    expect(out).not.toMatch(/0a1b2c3d/);
    expect(out).toContain('X-MBX-APIKEY: ***');
    expect(out).toContain('ab'); // too short to be a secret: left alone
  });
});

describe('rate gate', () => {
  it('holds calls for a pause; a used-weight header near the limit pauses until the window rolls over', async () => {
    let now = 1_000_000_500;
    const g = new RateGate(100, 0.9, () => now);
    g.observe({ 'X-Mbx-Used-Weight-1m': '50' });
    expect(g.pausedMs).toBe(0);
    g.observe({ 'X-Mbx-Used-Weight-1m': '95' });
    expect(g.pausedMs).toBe(60_000 - (now % 60_000));
    expect(g.nearLimitPauses).toBe(1);
    now += g.pausedMs;
    expect(g.pausedMs).toBe(0);
    g.pauseFor(250);
    expect(g.pausedMs).toBe(250);
  });
});

describe('fault injection', () => {
  const run = (f: FaultInjector, n: number) => Array.from({ length: n }, () => f.plan('GET', '/api/v3/klines').action);

  it('is seeded: the same seed gives the same faults, another seed others', () => {
    const rules = [{ kind: 'rate-limit' as const, p: 0.3 }, { kind: 'server-error' as const, p: 0.3 }];
    const a = run(new FaultInjector(5, rules), 200);
    const b = run(new FaultInjector(5, rules), 200);
    const c = run(new FaultInjector(6, rules), 200);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const share = a.filter((x) => x === 'rate-limit').length / 200;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.4);
  });

  it('matches by method and path, skips `after` requests, fires `times` times, adds latency', () => {
    const f = new FaultInjector(1, [
      { kind: 'latency', latencyMs: 30 },
      { kind: 'drop-after-accept', match: 'POST /api/v3/order', after: 1, times: 2 },
      { kind: 'timeout', match: /DELETE \/fapi/ },
    ]);
    expect(f.plan('GET', '/api/v3/order')).toMatchObject({ action: 'none', latencyMs: 30 });
    expect(['1', '2', '3', '4'].map(() => f.plan('POST', '/api/v3/order').action)).toEqual(['none', 'drop-after-accept', 'drop-after-accept', 'none']);
    expect(f.plan('POST', '/api/v3/order').accepted).toBe(false);
    expect(f.plan('DELETE', '/fapi/v1/order').action).toBe('timeout');
    expect(f.fired).toMatchObject({ latency: 7, 'drop-after-accept': 2, timeout: 1 });
    expect(() => f.add({ kind: 'explode' as never })).toThrow(/fault kind: expected one of latency, timeout, rate-limit, server-error, drop-after-accept, drop, found 'explode'/);
  });
});
