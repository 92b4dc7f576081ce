import { isoTime } from '../core';
import type { RiskLimits } from './config';
import type { StateStore } from './state-store';

/**
 * The risk guard: checked on every bar and before every order. A trip is written to the state store
 * (events, kind 'risk') and returned to the runner, which acts on it:
 * - max-position / max-notional: the order is cut so the position stays inside the limit (exposure-reducing
 *   orders always pass);
 * - max-daily-loss: flatten, and open nothing more until the next UTC day;
 * - max-drawdown: flatten and stop for good (the kill switch stays set across restarts until reset);
 * - max-orders-per-minute: the order is not sent and the runner stops (a runaway loop);
 * - stale-data: no fresh closed candle for `staleBars` bar lengths: the runner stops.
 * - stale-input: a strategy input (another symbol) has no closed candle for the base bar to decide, and
 *   none came for `staleBars` bar lengths (default 1): no order, the runner stops.
 */

export type TripKind = 'max-position' | 'max-notional' | 'max-daily-loss' | 'max-drawdown' | 'max-orders-per-minute' | 'stale-data' | 'stale-input';

export interface Trip {
  kind: TripKind;
  /** what the runner does: cut the order, flatten and pause for the day, flatten and stop, stop. */
  action: 'clamp' | 'flatten-pause' | 'flatten-stop' | 'stop';
  message: string;
  detail: Record<string, unknown>;
}

const DAY = 86_400_000;

export class RiskGuard {
  constructor(
    readonly limits: RiskLimits,
    private readonly store: StateStore,
    /** wall clock, for the order rate. */
    private readonly clock: () => number = Date.now,
    private readonly onTrip?: (t: Trip, barTs: number) => void,
  ) {}

  /** Writes a trip to the state store (and the log). Equity and size trips are recorded by the caller, inside its step's transaction. */
  record(t: Trip, barTs: number): void {
    this.store.addEvent('risk', { kind: t.kind, action: t.action, message: t.message, ...t.detail }, barTs, this.clock());
    if (t.kind === 'max-drawdown') this.store.set('kill_switch', JSON.stringify({ at: barTs, ...t.detail }));
    if (t.kind === 'max-daily-loss') this.store.setNumber('paused_until', t.detail.until as number);
    this.onTrip?.(t, barTs);
  }

  private trip(t: Trip, barTs: number): Trip {
    this.record(t, barTs);
    return t;
  }

  /** True when the kill switch (max-drawdown) was tripped in this session and not reset. */
  get killed(): boolean {
    return this.store.get('kill_switch') !== undefined;
  }

  /** Open time of the first UTC day on which new exposure is allowed again (NaN = not paused). */
  get pausedUntil(): number {
    return this.store.getNumber('paused_until');
  }

  /**
   * Equity checks on a closed bar (equity marked at its close): drawdown from the peak, loss since the UTC
   * day's first equity. `closeTs` is the bar's close time (its day counts). Not recorded: see {@link record}.
   */
  checkEquity(closeTs: number, equity: number, peak: number, dayStart: number): Trip | undefined {
    const l = this.limits;
    if (l.maxDrawdown !== undefined && peak > 0 && equity <= peak * (1 - l.maxDrawdown)) {
      return (
        {
          kind: 'max-drawdown',
          action: 'flatten-stop',
          message: `equity ${equity.toFixed(2)} is ${((1 - equity / peak) * 100).toFixed(2)} % below its peak ${peak.toFixed(2)} (limit ${(l.maxDrawdown * 100).toFixed(2)} %): flattening and stopping (kill switch)`,
          detail: { equity, peak, limit: l.maxDrawdown },
        } satisfies Trip
      );
    }
    if (l.maxDailyLoss !== undefined && dayStart > 0 && equity <= dayStart * (1 - l.maxDailyLoss) && !(this.pausedUntil > closeTs)) {
      const until = (Math.floor((closeTs - 1) / DAY) + 1) * DAY;
      return (
        {
          kind: 'max-daily-loss',
          action: 'flatten-pause',
          message: `equity ${equity.toFixed(2)} is ${((1 - equity / dayStart) * 100).toFixed(2)} % below the day's start ${dayStart.toFixed(2)} (limit ${(l.maxDailyLoss * 100).toFixed(2)} %): flattening, no new positions until ${isoTime(until)}`,
          detail: { equity, dayStart, limit: l.maxDailyLoss, until },
        } satisfies Trip
      );
    }
    return undefined;
  }

  /** True while a daily-loss pause holds at time t. */
  paused(t: number): boolean {
    return this.pausedUntil > t;
  }

  /**
   * Cuts a planned position to the size limits at `price`, on the lot grid. Returns the allowed position and
   * the trip when it was cut (not recorded: see {@link record}). A position closer to zero than the current one always passes.
   */
  clamp(current: number, next: number, price: number, lotSize: number): { next: number; trip?: Trip } {
    const l = this.limits;
    if (Math.abs(next) <= Math.abs(current) && Math.sign(next) * Math.sign(current) >= 0) return { next };
    let cap = Infinity;
    let kind: TripKind = 'max-position';
    if (l.maxPosition !== undefined) cap = l.maxPosition;
    if (l.maxNotional !== undefined && l.maxNotional / price < cap) {
      cap = l.maxNotional / price;
      kind = 'max-notional';
    }
    if (!(Math.abs(next) > cap)) return { next };
    if (lotSize > 0) cap = Math.floor(cap / lotSize) * lotSize;
    const allowed = Math.sign(next) * cap;
    const what = kind === 'max-position' ? `position ${Math.abs(next)} > max ${l.maxPosition}` : `notional ${(Math.abs(next) * price).toFixed(2)} > max ${l.maxNotional}`;
    return {
      next: allowed,
      trip: { kind, action: 'clamp', message: `${what}: order cut to a position of ${allowed}`, detail: { wanted: next, allowed, price } },
    };
  }

  /** Before sending an order: the order rate over the last 60 s of wall-clock time. */
  beforeOrder(barTs: number): Trip | undefined {
    const l = this.limits.maxOrdersPerMinute;
    if (l === undefined) return undefined;
    const now = this.clock();
    const n = this.store.ordersSentSince(now - 60_000);
    if (n < l) return undefined;
    return this.trip(
      { kind: 'max-orders-per-minute', action: 'stop', message: `${n} orders sent in the last minute (limit ${l}): not sending more; stopping`, detail: { sent: n, limit: l } },
      barTs,
    );
  }

  /** Stale data: the last closed candle closed at `lastCloseTs`; the exchange clock says `now`. */
  checkStale(now: number, lastCloseTs: number, barMs: number): Trip | undefined {
    const k = this.limits.staleBars;
    if (k === undefined || !(now - lastCloseTs >= (k + 1) * barMs)) return undefined;
    const bars = Math.floor((now - lastCloseTs) / barMs);
    return this.trip(
      { kind: 'stale-data', action: 'stop', message: `no fresh candle for ${bars} bars (last closed ${isoTime(lastCloseTs)}, exchange time ${isoTime(now)}; limit ${k}): stopping`, detail: { lastCloseTs, now, limit: k } },
      NaN,
    );
  }

  /**
   * A stale input: the base bar opened at `barTs` is to be decided, and input `input` (`symbol`) last closed a
   * candle at `lastCloseTs` (its open + one bar; NaN when none), before that bar closed. Undefined while the
   * runner may still wait for it (less than `staleBars`, default 1, bar lengths past the same rule as
   * stale-data); else the trip, recorded.
   */
  checkStaleInput(input: string, symbol: string, now: number, lastCloseTs: number, barTs: number, barMs: number): Trip | undefined {
    const k = this.limits.staleBars ?? 1;
    const since = lastCloseTs === lastCloseTs ? lastCloseTs : barTs;
    if (!(now - since >= (k + 1) * barMs)) return undefined;
    const last = lastCloseTs === lastCloseTs ? `its last candle closed ${isoTime(lastCloseTs)}` : 'no candle of it yet';
    return this.trip(
      { kind: 'stale-input', action: 'stop', message: `input '${input}' (${symbol}) has no candle for the bar ${isoTime(barTs)} (${last}, exchange time ${isoTime(now)}; waited up to ${k} bar${k === 1 ? '' : 's'}): not trading on stale data; stopping`, detail: { input, symbol, lastCloseTs: Number.isFinite(lastCloseTs) ? lastCloseTs : null, now, limit: k } },
      barTs,
    );
  }

  /** Clears the kill switch (an operator's decision, `--reset-kill-switch`). */
  resetKillSwitch(): void {
    this.store.set('kill_switch', undefined);
    this.store.addEvent('risk-reset', { kind: 'max-drawdown' }, NaN, this.clock());
  }
}
