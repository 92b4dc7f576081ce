import { blankOrder, directedTarget, badTarget, resolveOptions, SIZE_KELLY, sizeOrder, type ResolvedOptions, type SimOptions } from '../backtest';
import { QuantlabError } from '../core';

/**
 * Target → order, by the simulator's own rules. The runner does not re-implement sizing: it calls the one
 * order function the backtest engine and the fast sweep kernel call (lib/backtest/order.ts), after the same
 * direction filter and "same target places no order unless rebalance" rule, so percent / cash / units / risk
 * sizing, slippage, fee, lot rounding and the minimum-notional skip cannot drift apart between backtest and
 * runner (the parity tests check it end to end).
 */

/** The account as sizing sees it. */
export interface SizingAccount {
  cash: number;
  /** units held (negative = short). */
  position: number;
  /** the last finite target applied (NaN before the first): an equal target places no order unless `rebalance`. */
  lastTarget: number;
}

/** What one target asks for at one price. */
export interface SizedOrder {
  /** the target as applied (after the direction filter; NaN = the target was NaN, nothing changes). */
  applied: number;
  /** units to trade (signed, > 0 buys); 0 when the target needs no order (same target, too small, unsizeable). */
  delta: number;
  /** position after the order. */
  next: number;
  /** fill price after slippage (the unslipped price when no order). */
  price: number;
  /** fee the backtester charges for the order (rate × notional + fixed fee). */
  fee: number;
}

/** Options the runner can honour: target orders filled at the next bar's open. Throws BAD_ARGUMENT naming what it cannot do. */
export function runnerOptions(options: SimOptions): ResolvedOptions {
  const o = resolveOptions(options);
  const no = (what: string, why: string) => new QuantlabError('BAD_ARGUMENT', `runner: ${what} is not supported (${why}); promote with execution options the runner can honour`);
  if (o.fillClose) throw no("fill 'close'", "an order decided on a bar's close can only fill after it, at the next bar's open: use fill 'next-open'");
  if (o.slKind || o.tpKind || o.trailKind) throw no('stopLoss / takeProfit / trailingStop', 'the runner places target orders only, no resting stops');
  if (o.fundingEveryMs || o.fundingRates) throw no('funding', 'the exchange charges real funding; the runner does not simulate it');
  if (o.volumeImpact) throw no('slippage.volumeImpact', "the fill bar's volume is unknown when the order is sized");
  if (o.sizing === SIZE_KELLY) throw no("sizing 'kelly'", 'it reads the engine’s closed-trade statistics');
  if (o.riskStopKind === 2) throw no('risk sizing with an ATR stop', 'use a fractional stop distance');
  if (o.maintenance) throw no('maintenanceMargin', 'liquidation is the exchange’s business in a live run');
  return o;
}

/**
 * The order the backtester places for `target` when the account is `account` and the order fills at
 * `price` (before slippage). Pure: nothing outside changes.
 * @example sizeTarget(runnerOptions({ fee: 0.001 }), { cash: 10_000, position: 0, lastTarget: NaN }, 1, 100).delta // 99.9000999…
 */
export function sizeTarget(o: ResolvedOptions, account: SizingAccount, target: number, price: number): SizedOrder {
  if (!(price > 0)) throw new QuantlabError('BAD_ARGUMENT', `sizeTarget: expected a fill price > 0, found ${price}`);
  const u = account.position;
  if (target !== target) return { applied: NaN, delta: 0, next: u, price, fee: 0 };
  if (target - target !== 0) throw badTarget(0, target);
  const applied = directedTarget(o, target);
  const none = { applied, delta: 0, next: u, price, fee: 0 };
  if (!o.rebalance && applied === account.lastTarget) return none;
  if (!sizeOrder(order, o, u, u !== 0 ? account.cash + u * price : account.cash, price, applied, 1, NaN, 0)) return none;
  return { applied, delta: order.delta, next: order.next, price: order.price, fee: order.fee };
}

const order = blankOrder();
