import { isoTime, QuantlabError } from '../core';
import type { Trip } from './risk-guard';

/**
 * The account guard: limits over every strategy trading one exchange account in one process. Each runner
 * joins it, reports its marks (equity and price at every closed bar) and asks it before every order that
 * adds exposure, after its own risk guard:
 * - maxTotalNotional: the books' gross notional (Σ |position| × price over the strategies, each at its last
 *   price; strategies on the order's symbol at the order's price) stays under the limit: the order is cut
 *   (never below the position already held; exposure-reducing orders always pass);
 * - maxTotalDailyLoss: the summed equity falls this fraction below its value at the UTC day's first mark:
 *   every strategy flattens at its next bar and opens nothing until the next UTC day;
 * - maxTotalDrawdown: the summed equity falls this fraction below its peak: every strategy flattens and
 *   stops (each one's kill switch is set, so a restart refuses until --reset-kill-switch).
 *
 * A trip is handed to each strategy once, as a {@link Trip} of the single-strategy kinds ('max-notional',
 * 'max-daily-loss', 'max-drawdown') with `detail.scope = 'account'`; the runner records it in that strategy's
 * state (event 'risk') and acts on it as on its own guard's trips. The peak and the day's start are not
 * stored apart: a restart rebuilds them with {@link AccountGuard.restore} from the equity each strategy
 * stored with its bars, marked in the order the strategies run.
 *
 * It also answers the position check of strategies sharing a symbol: the exchange holds one net position,
 * compared with the sum of their books.
 */

export interface AccountLimits {
  /** largest Σ |position| × price over the strategies, in quote currency (orders are cut to it). */
  maxTotalNotional?: number;
  /** loss of the summed equity from its value at the UTC day's first mark, as a fraction: all flatten for the day. */
  maxTotalDailyLoss?: number;
  /** fall of the summed equity from its peak, as a fraction: all flatten and stop (kill switch). */
  maxTotalDrawdown?: number;
}

export const ACCOUNT_LIMIT_KEYS = ['maxTotalNotional', 'maxTotalDailyLoss', 'maxTotalDrawdown'] as const;

/** What a strategy tells the account guard when it joins. */
export interface AccountMember {
  /** unique within the account (the promoted folder's name). */
  name: string;
  symbol: string;
  /** the strategy's capital (execution.cash): its equity before its first mark. */
  initialCash: number;
  /** its books' position now. */
  position: () => number;
}

interface MemberState extends AccountMember {
  price: number;
  equity: number;
}

const DAY = 86_400_000;

/** Checks account limits (from a portfolio file or code); BAD_CONFIG naming `where` and the field. */
export function checkAccountLimits(raw: unknown, where: string): AccountLimits {
  if (raw === undefined) return {};
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new QuantlabError('BAD_CONFIG', `${where}: expected risk to be an object of ${ACCOUNT_LIMIT_KEYS.join(', ')}, found ${JSON.stringify(raw)}`);
  const r = raw as Record<string, unknown>;
  const unknown = Object.keys(r).filter((k) => !(ACCOUNT_LIMIT_KEYS as readonly string[]).includes(k));
  if (unknown.length) throw new QuantlabError('BAD_CONFIG', `${where}: unknown risk key${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; expected ${ACCOUNT_LIMIT_KEYS.join(', ')}`);
  const out: AccountLimits = {};
  for (const k of ACCOUNT_LIMIT_KEYS) {
    const v = r[k];
    if (v === undefined) continue;
    const fraction = k !== 'maxTotalNotional';
    if (typeof v !== 'number' || !(v > 0) || (fraction && !(v < 1))) {
      throw new QuantlabError('BAD_CONFIG', `${where}: risk.${k}: expected ${fraction ? 'a fraction in (0, 1), e.g. 0.05 for 5 %' : 'a quote amount > 0'}, found ${JSON.stringify(v)}`);
    }
    out[k] = v;
  }
  return out;
}

export class AccountGuard {
  private readonly members = new Map<string, MemberState>();
  private peak = NaN;
  private dayKey = NaN;
  private dayStart = NaN;
  /** the account-wide daily pause (until this time) and the drawdown trip, once they happened. */
  private dailyUntil = NaN;
  private dailyTrip?: Trip;
  private drawdownTrip?: Trip;
  /** which members were handed each trip. */
  private readonly handed = new Map<string, Set<string>>();

  constructor(readonly limits: AccountLimits = {}) {}

  /** Adds a strategy; two with one name are refused. */
  join(m: AccountMember): void {
    if (this.members.has(m.name)) throw new QuantlabError('BAD_ARGUMENT', `account guard: two strategies named '${m.name}' on one account; each needs its own promoted folder`);
    this.members.set(m.name, { ...m, price: NaN, equity: m.initialCash });
    this.peak = Number.isFinite(this.peak) ? this.peak + m.initialCash : this.total();
  }

  /** The strategies joined, in order. */
  get names(): string[] {
    return [...this.members.keys()];
  }

  /** True when more than one strategy trades `symbol` (they share the exchange's one position). */
  shared(symbol: string): boolean {
    let n = 0;
    for (const m of this.members.values()) if (m.symbol === symbol) n++;
    return n > 1;
  }

  /** The sum of the books of the strategies on `symbol`: what the exchange's net position should be. */
  bookedPosition(symbol: string): number {
    let s = 0;
    for (const m of this.members.values()) if (m.symbol === symbol) s += m.position();
    return s;
  }

  /** The summed equity, each strategy at its last mark (its initial capital before the first). */
  total(): number {
    let s = 0;
    for (const m of this.members.values()) s += m.equity;
    return s;
  }

  /** Gross notional of the books: Σ |position| × price, the strategies on `symbol` at `price`, the others at their last price. */
  notional(except?: string, symbol?: string, price?: number): number {
    let s = 0;
    for (const m of this.members.values()) {
      if (m.name === except) continue;
      const p = symbol !== undefined && m.symbol === symbol && price !== undefined ? price : m.price;
      const u = m.position();
      if (u !== 0 && Number.isFinite(p)) s += Math.abs(u) * p;
    }
    return s;
  }

  /**
   * After a restart, before the first new mark: replays the marks the strategies stored (each one's bars with
   * their equity, in time order) bar by bar, each bar's marks in join order as the runners make them, so the
   * peak and the day's start are what an uninterrupted run would hold. Trips are not raised again here: the
   * ones that happened are in each strategy's state; a limit still breached trips at the next mark.
   */
  restore(history: Readonly<Record<string, readonly { ts: number; close: number; equity: number }[]>>): void {
    const at = new Map<number, Map<string, { close: number; equity: number }>>();
    for (const [name, rows] of Object.entries(history)) {
      this.member(name);
      for (const r of rows) {
        if (!at.has(r.ts)) at.set(r.ts, new Map());
        at.get(r.ts)!.set(name, r);
      }
    }
    for (const ts of [...at.keys()].sort((a, b) => a - b)) {
      const marks = at.get(ts)!;
      for (const name of this.members.keys()) {
        const r = marks.get(name);
        if (r) this.record(name, ts, r.close, r.equity);
      }
    }
  }

  /** The account's peak and the UTC day's first summed equity, as marked so far (NaN before any mark of the day). */
  get equityMemory(): { peak: number; dayStart: number } {
    return { peak: this.peak, dayStart: this.dayStart };
  }

  /** Sets a member's mark and moves the peak and the day's start; returns the summed equity. */
  private record(name: string, ts: number, price: number, equity: number): number {
    const m = this.member(name);
    m.price = price;
    if (Number.isFinite(equity)) m.equity = equity;
    const total = this.total();
    if (!(total <= this.peak)) this.peak = total;
    const day = Math.floor(ts / DAY);
    if (day !== this.dayKey) {
      this.dayKey = day;
      this.dayStart = total;
    }
    return total;
  }

  /** A strategy's mark at a closed bar (open time `ts`): its equity at the close; updates the account's peak and day start. */
  mark(name: string, ts: number, price: number, equity: number): void {
    const total = this.record(name, ts, price, equity);
    const l = this.limits;
    if (!this.drawdownTrip && l.maxTotalDrawdown !== undefined && this.peak > 0 && total <= this.peak * (1 - l.maxTotalDrawdown)) {
      this.drawdownTrip = {
        kind: 'max-drawdown',
        action: 'flatten-stop',
        message: `account equity ${total.toFixed(2)} (${this.members.size} strategies) is ${((1 - total / this.peak) * 100).toFixed(2)} % below its peak ${this.peak.toFixed(2)} (limit maxTotalDrawdown ${(l.maxTotalDrawdown * 100).toFixed(2)} %): every strategy flattens and stops (kill switch)`,
        detail: { scope: 'account', equity: total, peak: this.peak, limit: l.maxTotalDrawdown, by: name },
      };
      this.handed.set('drawdown', new Set());
    }
    const closeTs = ts;
    if (l.maxTotalDailyLoss !== undefined && this.dayStart > 0 && total <= this.dayStart * (1 - l.maxTotalDailyLoss) && !(this.dailyUntil > closeTs)) {
      const until = (Math.floor(closeTs / DAY) + 1) * DAY;
      this.dailyUntil = until;
      this.dailyTrip = {
        kind: 'max-daily-loss',
        action: 'flatten-pause',
        message: `account equity ${total.toFixed(2)} is ${((1 - total / this.dayStart) * 100).toFixed(2)} % below the day's start ${this.dayStart.toFixed(2)} (limit maxTotalDailyLoss ${(l.maxTotalDailyLoss * 100).toFixed(2)} %): every strategy flattens, no new positions until ${isoTime(until)}`,
        detail: { scope: 'account', equity: total, dayStart: this.dayStart, limit: l.maxTotalDailyLoss, until, by: name },
      };
      this.handed.set('daily', new Set());
    }
  }

  /**
   * The account trip a strategy has not acted on yet, at its bar closing at `closeTs` (after its own mark):
   * the drawdown trip first, then the day's loss trip while that day lasts. Each strategy gets each trip once.
   */
  checkEquity(name: string, closeTs: number): Trip | undefined {
    this.member(name);
    const take = (key: string, t: Trip | undefined): Trip | undefined => {
      const seen = this.handed.get(key);
      if (!t || !seen || seen.has(name)) return undefined;
      seen.add(name);
      return t;
    };
    const dd = take('drawdown', this.drawdownTrip);
    if (dd) return dd;
    return this.dailyUntil > closeTs - 1 ? take('daily', this.dailyTrip) : undefined;
  }

  /**
   * Cuts a strategy's planned position (`current` → `next` at `price`) so the account's gross notional stays
   * inside maxTotalNotional, on the lot grid; never below the position already held on the same side.
   * Returns the allowed position and the trip when it was cut (recorded by the caller).
   */
  clamp(name: string, current: number, next: number, price: number, lotSize: number): { next: number; trip?: Trip } {
    const m = this.member(name);
    const max = this.limits.maxTotalNotional;
    if (max === undefined || !(price > 0)) return { next };
    if (Math.abs(next) <= Math.abs(current) && Math.sign(next) * Math.sign(current) >= 0) return { next };
    const others = this.notional(name, m.symbol, price);
    if (others + Math.abs(next) * price <= max * (1 + 1e-12)) return { next };
    let cap = Math.max(0, (max - others) / price);
    if (lotSize > 0) cap = Number((Math.floor(cap / lotSize + 1e-9) * lotSize).toFixed(12));
    if (Math.sign(next) === Math.sign(current)) cap = Math.max(cap, Math.abs(current));
    const allowed = Math.sign(next) * cap || 0;
    return {
      next: allowed,
      trip: {
        kind: 'max-notional',
        action: 'clamp',
        message: `account notional ${(others + Math.abs(next) * price).toFixed(2)} (this strategy ${(Math.abs(next) * price).toFixed(2)}, the others ${others.toFixed(2)}) > maxTotalNotional ${max}: order cut to a position of ${allowed}`,
        detail: { scope: 'account', wanted: next, allowed, price, others, limit: max },
      },
    };
  }

  private member(name: string): MemberState {
    const m = this.members.get(name);
    if (!m) throw new QuantlabError('BAD_ARGUMENT', `account guard: no strategy '${name}' joined; joined: ${this.names.join(', ') || 'none'}`);
    return m;
  }
}
