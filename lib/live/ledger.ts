import { EXIT_REASONS, type ExitReason, type TradeColumns } from '../backtest';
import { isoTime } from '../core';

/**
 * The runner's account, built from its fills alone: cash, units held, and round trips by the backtester's
 * conventions (columns.ts): a trade opens when the position leaves zero (or flips) and closes when it returns
 * to zero (or flips); entry price = mean price of the units added, exit price = mean price of the units
 * removed, size = units added; pnl = side·(exit notional − entry notional) − fees; return = pnl / (entry
 * notional + entry fees). A fill that flips the position splits its fee pro rata. Fills are applied with the
 * same arithmetic as the simulator, so a paper run's numbers equal a backtest's bit for bit.
 */

/** Why a runner's fill happened: the backtester's reasons, plus a risk-guard flatten and a flatten on stop. */
export type FillReason = ExitReason | 'risk' | 'stop';

/** One fill as the ledger books it: signed units, price, fee in the quote currency. */
export interface LedgerFill {
  /** time of the fill (epoch ms). */
  ts: number;
  /** open time of the bar the fill happened in. */
  barTs: number;
  /** signed units (> 0 bought). */
  delta: number;
  price: number;
  /** fee in quote currency. */
  fee: number;
  reason: FillReason;
}

/** A round trip, in plain fields (times in epoch ms). */
export interface TradeRow {
  side: 1 | -1;
  entryTs: number;
  exitTs: number;
  size: number;
  entryPrice: number;
  exitPrice: number;
  fees: number;
  pnl: number;
  returns: number;
  exitReason: FillReason;
}

const sign = (x: number): number => (x > 0 ? 1 : x < 0 ? -1 : 0);

export class Ledger {
  cash: number;
  position = 0;
  commissions = 0;
  readonly trades: TradeRow[] = [];
  private open = false;
  private side = 0;
  private entryTs = 0;
  private entryUnits = 0;
  private entryNotional = 0;
  private exitUnits = 0;
  private exitNotional = 0;
  private fees = 0;
  private entryFees = 0;

  /**
   * `dust`: a position smaller than this counts as flat for the round trips (spot holdings net of fees paid in
   * the base asset are rarely on the exchange's lot grid; what cannot be sold stays in the equity). Default 0.
   */
  constructor(
    readonly initialCash: number,
    readonly dust = 0,
  ) {
    this.cash = initialCash;
  }

  /** Equity with the position marked at `price`. */
  equity(price: number): number {
    return this.position !== 0 ? this.cash + this.position * price : this.cash;
  }

  /** True while a round trip is open. */
  get inTrade(): boolean {
    return this.open;
  }

  apply(f: LedgerFill): void {
    const { delta: d, price: q, fee } = f;
    const held = this.position;
    const next0 = d === -held ? 0 : held + d;
    this.cash -= d * q + fee;
    this.commissions += fee;
    this.position = next0;
    // the round trips see dust as zero (with dust = 0 this is the simulator's arithmetic unchanged)
    const u = Math.abs(held) < this.dust ? 0 : held;
    const next = Math.abs(next0) < this.dust ? 0 : next0;
    const delta = u === held && next === next0 ? d : next - u;
    if (u === 0 && next === 0) return;
    if (u === 0) this.openTrade(f.barTs, sign(next), Math.abs(delta), q, fee);
    else if (next === 0) {
      this.addExit(Math.abs(delta), q, fee);
      this.closeTrade(f.barTs, f.reason);
    } else if (sign(next) === sign(u)) {
      if (Math.abs(next) > Math.abs(u)) {
        this.entryUnits += Math.abs(delta);
        this.entryNotional += Math.abs(delta) * q;
        this.fees += fee;
        this.entryFees += fee;
      } else this.addExit(Math.abs(delta), q, fee);
    } else {
      const closing = (fee * Math.abs(u)) / Math.abs(delta);
      this.addExit(Math.abs(u), q, closing);
      this.closeTrade(f.barTs, f.reason);
      this.openTrade(f.barTs, sign(next), Math.abs(next), q, fee - closing);
    }
  }

  /** The trades, plus the open one closed at `price` without fee (reason 'end'), as a backtest ends. */
  tradesMarkedAt(ts: number, price: number): TradeRow[] {
    if (!this.open) return [...this.trades];
    const exitUnits = this.exitUnits + Math.abs(this.position);
    const exitNotional = this.exitNotional + Math.abs(this.position) * price;
    return [...this.trades, this.row(ts, 'end', exitUnits, exitNotional)];
  }

  private openTrade(ts: number, side: number, units: number, q: number, fee: number): void {
    this.open = true;
    this.side = side;
    this.entryTs = ts;
    this.entryUnits = units;
    this.entryNotional = units * q;
    this.exitUnits = 0;
    this.exitNotional = 0;
    this.fees = fee;
    this.entryFees = fee;
  }

  private addExit(units: number, q: number, fee: number): void {
    this.exitUnits += units;
    this.exitNotional += units * q;
    this.fees += fee;
  }

  private row(ts: number, reason: FillReason, exitUnits: number, exitNotional: number): TradeRow {
    const pnl = this.side * (exitNotional - this.entryNotional) - this.fees;
    return {
      side: this.side as 1 | -1,
      entryTs: this.entryTs,
      exitTs: ts,
      size: this.entryUnits,
      entryPrice: this.entryNotional / this.entryUnits,
      exitPrice: exitNotional / exitUnits,
      fees: this.fees,
      pnl,
      returns: pnl / (this.entryNotional + this.entryFees),
      exitReason: reason,
    };
  }

  private closeTrade(ts: number, reason: FillReason): void {
    this.trades.push(this.row(ts, reason, this.exitUnits, this.exitNotional));
    this.open = false;
  }
}

/** A backtest's trade columns as rows (times are the bars' open times, as the runner records them). */
export function tradeRowsOf(trades: TradeColumns): TradeRow[] {
  const out: TradeRow[] = [];
  for (let i = 0; i < trades.length; i++) {
    out.push({
      side: trades.side[i]! as 1 | -1,
      entryTs: trades.entryTs[i]!,
      exitTs: trades.exitTs[i]!,
      size: trades.size[i]!,
      entryPrice: trades.entryPrice[i]!,
      exitPrice: trades.exitPrice[i]!,
      fees: trades.fees[i]!,
      pnl: trades.pnl[i]!,
      returns: trades.returns[i]!,
      exitReason: EXIT_REASONS[trades.exitReason[i]!]!,
    });
  }
  return out;
}

/** One line per trade, for logs and reports: 'long 0.512 @ 61234.5 2024-03-02T05:00Z → 62001 2024-03-03T10:00Z signal pnl 38.2'. */
export function describeTrade(t: TradeRow): string {
  return `${t.side > 0 ? 'long' : 'short'} ${+t.size.toPrecision(8)} @ ${+t.entryPrice.toPrecision(10)} ${isoTime(t.entryTs)} → ${+t.exitPrice.toPrecision(10)} ${isoTime(t.exitTs)} ${t.exitReason} pnl ${t.pnl.toFixed(2)}`;
}
