/**
 * The risk guard in a running session (replay exchange, real ccxt): every limit trips where a naive
 * reference over the uninterrupted run's equity says it must, is written to the state store and the log,
 * and does what it promises — cut the order, flatten and pause for the day, flatten and stop for good
 * (kill switch across restarts), stop on a runaway order rate, stop on stale data.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { makeBars, type Bars } from '../../lib/core';
import { sessionTrades } from '../../lib/live/runner';
import { driveReplay, replaySession, type ReplaySessionResult } from '../../lib/live/session';
import { ACTIVE_PARAMS, futuresWindow, harness, type Harness } from '../helpers/runner';

const harnesses: Harness[] = [];
afterAll(async () => {
  await Promise.all(harnesses.map((h) => h.close()));
});
async function make(o: Parameters<typeof harness>[0]): Promise<Harness> {
  const h = await harness(o);
  harnesses.push(h);
  return h;
}

const DAY = 86_400_000;
let bars: Bars;
let ref: ReplaySessionResult;

/** The uninterrupted run (no limits): the reference the trip points are computed from. */
async function reference(): Promise<ReplaySessionResult> {
  bars ??= await futuresWindow(300);
  ref ??= await replaySession({ strategy: 'sma-cross-ls', params: ACTIVE_PARAMS['sma-cross-ls'], bars, mode: 'live', warmup: 100 });
  return ref;
}

describe('position and notional limits', () => {
  it('orders are cut so |position| × price stays under maxNotional (and |position| under maxPosition); each cut is recorded', async () => {
    await reference();
    const h = await make({ bars, warmup: 100, over: { risk: { maxNotional: 4000, maxPosition: 0.3 } } });
    const r = h.open();
    await driveReplay(r.runner, h.ex);
    const filled = r.store.orders({ status: ['filled'] });
    expect(filled.length).toBeGreaterThan(4);
    let pos = 0;
    for (const o of filled) {
      pos += o.side === 'buy' ? o.filled : -o.filled;
      expect(Math.abs(pos)).toBeLessThanOrEqual(0.3 + 1e-12);
      expect(Math.abs(pos) * o.average).toBeLessThanOrEqual(4000 * (1 + 1e-12));
    }
    const cuts = r.store.events(['risk']);
    expect(cuts.length).toBeGreaterThan(0);
    expect(cuts.every((e) => e.detail.action === 'clamp' && ['max-notional', 'max-position'].includes(String(e.detail.kind)))).toBe(true);
    expect(r.events.filter((e) => e.event === 'risk').length).toBe(cuts.length);
    expect(r.runner.stopped).toBeUndefined();
  });
});

describe('maximum drawdown: the kill switch', () => {
  it('trips on the first bar whose equity is the limit below the peak, flattens, stops, and stays set across restarts until reset', async () => {
    const s = await reference();
    // naive reference: running peak (from the starting cash) and drawdown of the uninterrupted run
    const eq = s.equity.run;
    let peak = 10_000;
    let worst = 0;
    for (const e of eq) {
      peak = Math.max(peak, e);
      worst = Math.max(worst, 1 - e / peak);
    }
    const limit = worst * 0.6;
    peak = 10_000;
    let at = -1;
    for (let i = 0; i < eq.length && at < 0; i++) {
      peak = Math.max(peak, eq[i]!);
      if (eq[i]! <= peak * (1 - limit)) at = i;
    }
    expect(at).toBeGreaterThan(0);

    const h = await make({ bars, warmup: 100, over: { risk: { maxDrawdown: limit } } });
    const r = h.open();
    await driveReplay(r.runner, h.ex);
    expect(r.runner.stopped).toMatchObject({ kind: 'risk' });
    expect(r.runner.stopped!.reason).toMatch(/below its peak .* flattening and stopping \(kill switch\)/);
    const trips = r.store.events(['risk']);
    expect(trips.map((e) => [e.detail.kind, e.barTs])).toEqual([['max-drawdown', s.equity.ts[at]]]);
    expect(r.runner.snapshot().position).toBe(0);
    const flat = r.store.orders().filter((o) => o.reason === 'risk');
    expect(flat).toHaveLength(1);
    expect(flat[0]!.status).toBe('filled');
    // up to the trip the run is the uninterrupted one
    const upto = s.equity.ts[at]!;
    const closedBefore = (t: { exitTs: number; exitReason: string }) => t.exitTs < upto && t.exitReason !== 'end';
    expect(sessionTrades(r.store, upto - 1).filter(closedBefore)).toEqual(s.trades.filter(closedBefore));
    r.store.close();

    const again = h.open();
    await expect(again.runner.start()).rejects.toThrow(/kill switch tripped in this session .* restart with --reset-kill-switch/);
    again.store.close();
    const reset = h.open({ resetKillSwitch: true });
    await reset.runner.start();
    expect(reset.events.map((e) => e.event)).toContain('kill-switch-reset');
    expect(reset.store.events(['risk-reset'])).toHaveLength(1);
  });
});

describe('maximum daily loss', () => {
  it('flattens on the first bar the day’s loss reaches the limit, opens nothing until the next UTC day, then trades again', async () => {
    const s = await reference();
    const eq = s.equity.run;
    const ts = s.equity.ts;
    const dayStart = (i: number) => {
      let j = i;
      while (j > 0 && Math.floor(ts[j - 1]! / DAY) === Math.floor(ts[i]! / DAY)) j--;
      return eq[j]!;
    };
    let worst = 0;
    for (let i = 0; i < eq.length; i++) worst = Math.max(worst, 1 - eq[i]! / dayStart(i));
    const limit = worst * 0.7;
    let at = -1;
    for (let i = 0; i < eq.length && at < 0; i++) if (eq[i]! <= dayStart(i) * (1 - limit)) at = i;
    expect(at).toBeGreaterThan(0);

    const h = await make({ bars, warmup: 100, over: { risk: { maxDailyLoss: limit } } });
    const r = h.open();
    await driveReplay(r.runner, h.ex);
    const trips = r.store.events(['risk']).filter((e) => e.detail.kind === 'max-daily-loss');
    expect(trips[0]!.barTs).toBe(ts[at]);
    const until = Number(trips[0]!.detail.until);
    expect(until).toBe((Math.floor(ts[at]! / DAY) + 1) * DAY);
    const orders = r.store.orders();
    const flatten = orders.filter((o) => o.reason === 'risk');
    expect(flatten[0]!.barTs).toBe(ts[at]);
    // nothing opened in the pause; orders again after it
    expect(orders.filter((o) => o.reason === 'signal' && o.barTs > ts[at]! && o.barTs + 3_600_000 < until)).toHaveLength(0);
    expect(orders.filter((o) => o.reason === 'signal' && o.barTs + 3_600_000 >= until).length).toBeGreaterThan(0);
    expect(r.runner.stopped).toBeUndefined();
  });
});

describe('order rate and stale data', () => {
  it('one order more than maxOrdersPerMinute is not sent; the runner stops and says why', async () => {
    await reference();
    const t0 = Date.UTC(2030, 0, 1);
    const h = await make({ bars, warmup: 100, over: { risk: { maxOrdersPerMinute: 3 } } });
    const r = h.open({ clock: () => t0 }); // every order inside the same wall-clock minute
    await driveReplay(r.runner, h.ex);
    expect(r.runner.stopped).toMatchObject({ kind: 'risk' });
    expect(r.runner.stopped!.reason).toMatch(/3 orders sent in the last minute \(limit 3\): not sending more; stopping/);
    expect(h.ex.engine.snapshot().orders).toHaveLength(3);
    const refused = r.store.orders({ status: ['rejected'] });
    expect(refused).toHaveLength(1);
    expect(refused[0]!.error).toMatch(/limit 3/);
  });

  it('no fresh candle for staleBars bar lengths (a hole in the data) stops the runner before it trades on old data', async () => {
    const w = await futuresWindow(180);
    const keep = (i: number) => i < 140 || i >= 152; // twelve hours without candles
    const idx = Array.from(w.ts, (_, i) => i).filter(keep);
    const holey = makeBars(
      { ts: idx.map((i) => w.ts[i]!), open: idx.map((i) => w.open[i]!), high: idx.map((i) => w.high[i]!), low: idx.map((i) => w.low[i]!), close: idx.map((i) => w.close[i]!), volume: idx.map((i) => w.volume[i]!) },
      w.symbol,
      w.timeframe,
    );
    const h = await make({ bars: holey, warmup: 100, over: { risk: { staleBars: 3 } } });
    const r = h.open();
    await driveReplay(r.runner, h.ex);
    expect(r.runner.stopped).toMatchObject({ kind: 'risk' });
    expect(r.runner.stopped!.reason).toMatch(/no fresh candle for 12 bars \(last closed 2023-.*limit 3\): stopping/);
    expect(r.store.lastDoneTs()).toBe(w.ts[138]); // bar 139 closed into the hole: not traded
    expect(r.store.events(['risk']).map((e) => e.detail.kind)).toEqual(['stale-data']);
  });
});
