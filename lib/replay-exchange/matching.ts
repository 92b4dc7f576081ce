import type { Account } from './accounts';
import type { MarketSpec } from './markets';
import { round8 } from './numbers';
import { isConditional, isFutures, isMarketLike, isStopLike, type Order, type Side, type Trade } from './orders';
import type { Move } from './price-path';

/**
 * When resting orders trade as the replayed price moves, and how a fill changes an account.
 * Fills are whole (the replay has no order book depth): an order fills completely or not at all.
 */

/** True when a conditional order's trigger is hit at price p. Stop-loss types: sell at or below, buy at or above; take-profit types the other way. */
export function triggerHit(o: Order, p: number): boolean {
  const up = isStopLike(o.type) ? o.side === 'BUY' : o.side === 'SELL';
  return up ? p >= o.stopPrice : p <= o.stopPrice;
}

/** True when a working limit order would trade at price p (buy at or below its price, sell at or above). */
export function limitCrossed(o: Order, p: number): boolean {
  return o.side === 'BUY' ? p <= o.price : p >= o.price;
}

/**
 * What a waiting or working order does on one move of the price path: nothing, trigger (conditional
 * orders), or fill at a price (and whether as maker). On a linear move a level is reached at the level
 * itself; on a jump (a bar opening away from the last close) at the jump's end, so gaps fill at the worse
 * price for stops and the better price for resting limits. A triggered limit order that is not marketable
 * at its trigger price rests, and may still fill further along the same move.
 */
export function onMove(o: Order, mv: Move): { trigger?: number; fill?: number; maker?: boolean } {
  if (isConditional(o.type) && !o.triggered) {
    if (!triggerHit(o, mv.to)) return {};
    const trigger = mv.jump ? mv.to : triggerHit(o, mv.from) ? mv.from : o.stopPrice;
    if (isMarketLike(o.type, isFutures(o))) return { trigger, fill: trigger, maker: false };
    if (limitCrossed(o, trigger)) return { trigger, fill: trigger, maker: false };
    if (!mv.jump && limitCrossed(o, mv.to)) return { trigger, fill: o.price, maker: true };
    return { trigger };
  }
  if (!limitCrossed(o, mv.to)) return {};
  if (mv.jump) return { fill: mv.to, maker: true };
  return { fill: limitCrossed(o, mv.from) ? mv.from : o.price, maker: true };
}

/** Rounds a price to the market's tick grid (nearest). */
export function toTick(m: MarketSpec, p: number): number {
  const q = Math.round(p / m.tickSize);
  const d = Math.max(0, Math.round(-Math.log10(m.tickSize)));
  return Number((q * m.tickSize).toFixed(Math.min(d, 12)));
}

/** Fee rate for a fill. */
export const feeRate = (m: MarketSpec, maker: boolean): number => (maker ? m.makerFee : m.takerFee);

export interface FillResult {
  trade: Omit<Trade, 'id'>;
  ok: boolean;
  reason?: string;
}

/**
 * Settles a spot fill of the whole remaining quantity: spends the order's locked funds (topping up from
 * free balance when a market-like fill costs more than was locked), releases what is left of the lock,
 * credits the proceeds minus the commission (charged in the asset received, as Binance does without BNB).
 * Returns ok = false (and changes nothing) when the account cannot pay.
 */
export function settleSpot(a: Account, m: MarketSpec, o: Order, price: number, maker: boolean, time: number): FillResult {
  const qty = round8(o.origQty - o.executedQty);
  const quote = round8(price * qty);
  const rate = feeRate(m, maker);
  const base: Omit<Trade, 'id'> = {
    orderId: o.orderId,
    account: a.id,
    market: m.key,
    symbol: m.id,
    side: o.side,
    price,
    qty,
    quoteQty: quote,
    commission: 0,
    commissionAsset: o.side === 'BUY' ? m.base : m.quote,
    realizedPnl: 0,
    time,
    isMaker: maker,
  };
  if (o.side === 'BUY') {
    const extra = round8(quote - o.lockedAmount);
    if (extra > 0 && a.balance(m.quote).free < extra) {
      return { trade: base, ok: false, reason: `needs ${quote} ${m.quote}, has ${o.lockedAmount} locked + ${a.balance(m.quote).free} free` };
    }
    a.spendLocked(m.quote, o.lockedAmount);
    a.credit(m.quote, round8(o.lockedAmount - quote));
    base.commission = round8(qty * rate);
    a.credit(m.base, round8(qty - base.commission));
  } else {
    const extra = round8(qty - o.lockedAmount);
    if (extra > 0 && a.balance(m.base).free < extra) {
      return { trade: base, ok: false, reason: `needs ${qty} ${m.base}, has ${o.lockedAmount} locked + ${a.balance(m.base).free} free` };
    }
    a.spendLocked(m.base, o.lockedAmount);
    a.credit(m.base, round8(o.lockedAmount - qty));
    base.commission = round8(quote * rate);
    a.credit(m.quote, round8(quote - base.commission));
  }
  o.lockedAmount = 0;
  return { trade: base, ok: true };
}

/** Signed amount of a side. */
export const signed = (side: Side, qty: number): number => (side === 'BUY' ? qty : -qty);

/**
 * Settles a USDT-M fill in one-way mode: opens, adds to, reduces or flips the position, books realized
 * PnL and the commission (in the margin asset) to the wallet. Reduce-only orders are cut to the position.
 */
export function settleFutures(a: Account, m: MarketSpec, o: Order, price: number, maker: boolean, time: number): FillResult {
  const pos = a.position(m.id);
  let qty = round8(o.origQty - o.executedQty);
  if (o.reduceOnly) {
    const closable = o.side === 'BUY' ? Math.max(0, -pos.amt) : Math.max(0, pos.amt);
    qty = Math.min(qty, round8(closable));
  }
  const quote = round8(price * qty);
  const trade: Omit<Trade, 'id'> = {
    orderId: o.orderId,
    account: a.id,
    market: m.key,
    symbol: m.id,
    side: o.side,
    price,
    qty,
    quoteQty: quote,
    commission: round8(quote * feeRate(m, maker)),
    commissionAsset: m.quote,
    realizedPnl: 0,
    time,
    isMaker: maker,
  };
  if (!(qty > 0)) return { trade, ok: false, reason: `reduce-only ${o.side} finds no ${o.side === 'BUY' ? 'short' : 'long'} position in ${m.id} (position ${pos.amt})` };
  const s = signed(o.side, qty);
  if (pos.amt === 0 || Math.sign(pos.amt) === Math.sign(s)) {
    const amt = round8(pos.amt + s);
    pos.entry = (Math.abs(pos.amt) * pos.entry + qty * price) / Math.abs(amt);
    pos.amt = amt;
  } else {
    const closing = Math.min(qty, Math.abs(pos.amt));
    trade.realizedPnl = round8((price - pos.entry) * closing * Math.sign(pos.amt));
    a.wallet = round8(a.wallet + trade.realizedPnl);
    const amt = round8(pos.amt + s);
    if (amt === 0) pos.entry = 0;
    else if (Math.sign(amt) !== Math.sign(pos.amt)) pos.entry = price;
    pos.amt = amt;
  }
  pos.updateTime = time;
  a.wallet = round8(a.wallet - trade.commission);
  return { trade, ok: true };
}
