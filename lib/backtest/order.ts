import { QuantlabError } from '../core';
import { SIZE_CASH, SIZE_KELLY, SIZE_PERCENT, SIZE_RISK, SIZE_UNITS, STOP_FRACTION, type ResolvedOptions } from './options';

/**
 * The one order rule of the simulator: target → order size, fill price and fee. The engine, the fast sweep
 * kernel and the live runner's sizing all call {@link sizeOrder}, so the three cannot drift apart (as
 * vectorbt's simulation loops all call one order function).
 */

/** One sized order, written by {@link sizeOrder} into an object the caller owns and reuses. */
export interface SimOrder {
  /** units to trade (signed, > 0 buys). */
  delta: number;
  /** position after the order (exactly 0 when it closes the position). */
  next: number;
  /** fill price after slippage. */
  price: number;
  /** fee of the fill: |delta| × price × taker rate + fixed fee. */
  fee: number;
}

/** A reusable {@link SimOrder} for {@link sizeOrder} to write into. */
export const blankOrder = (): SimOrder => ({ delta: 0, next: 0, price: NaN, fee: 0 });

/** The error for a target that is neither finite nor NaN. */
export const badTarget = (bar: number, x: number): QuantlabError =>
  new QuantlabError('BAD_ARGUMENT', `simulate: target at bar ${bar} is ${x}; expected a finite number or NaN`);

/** The target as applied: a target on a side the `direction` option forbids becomes 0 (flat). */
export const directedTarget = (o: ResolvedOptions, raw: number): number => (raw > 0 ? (o.allowLong ? raw : 0) : raw < 0 && !o.allowShort ? 0 : raw);

/** Slippage as a fraction of the price for an order of `units` on a bar that traded `volume`. */
export const slippageRate = (o: ResolvedOptions, units: number, volume: number): number =>
  o.volumeImpact === 0 ? o.slip : volume > 0 ? o.slip + (o.volumeImpact * Math.abs(units)) / volume : o.slip;

/** Fee of a fill of `units` at `price` and fee `rate`: |units| × price × rate + the fixed fee. */
export const fillFee = (o: ResolvedOptions, units: number, price: number, rate: number): number => Math.abs(units) * price * rate + o.fixedFee;

/** Units wanted at price q with equity e in the non-percent modes (cash, units, risk); NaN when it cannot be sized. */
function wantedUnits(o: ResolvedOptions, raw: number, q: number, e: number, atr: number): number {
  switch (o.sizing) {
    case SIZE_CASH:
      return (raw * o.amount) / q;
    case SIZE_UNITS:
      return raw * o.amount;
    case SIZE_RISK: {
      if (raw === 0 || e <= 0) return 0;
      const dist = o.riskStopKind === STOP_FRACTION ? o.riskStop * q : o.riskStop * atr;
      if (!(dist > 0)) return NaN;
      const cap = (o.leverage * e) / q;
      const u = (raw * o.amount * e) / dist;
      return u > cap ? cap : u < -cap ? -cap : u;
    }
    default:
      return NaN;
  }
}

const sign = (x: number): number => (x > 0 ? 1 : x < 0 ? -1 : 0);

/**
 * Sizes the order that moves a position of `u` units towards target `raw` (already through
 * {@link directedTarget}) when the account's equity is `e` with every position marked at the unslipped fill
 * price `p`. `kelly` scales percent sizing (1 unless Kelly sizing), `atr` is the ATR at the signal bar (ATR
 * risk sizing), `volume` the fill bar's volume (volume-share slippage).
 *
 * Percent sizing (all-in): the position after the order is worth f × (equity − fixed fee − fee of the order)
 * with f = raw × leverage × kelly; target 0 closes the position. The other modes hold the units
 * wantedUnits() gives at the slipped price. Then lot rounding (down) and the minimum-notional skip (never for
 * a close). Returns false when no order is placed (nothing to do, unsizeable, rounded away, too small);
 * otherwise writes the order into `out` and returns true. Allocates nothing. (The percent path is kept small
 * so that the JIT inlines it into the simulation loops; the other modes live in unitsOrder().)
 */
export function sizeOrder(out: SimOrder, o: ResolvedOptions, u: number, e: number, p: number, raw: number, kelly: number, atr: number, volume: number): boolean {
  if (o.sizing !== SIZE_PERCENT && o.sizing !== SIZE_KELLY) return unitsOrder(out, o, u, e, p, raw, atr, volume);
  let f = raw * o.leverage * kelly;
  if (e <= 0) f = 0;
  let dir: number;
  let delta: number;
  let q: number;
  if (f === 0) {
    if (u === 0) return false;
    dir = u > 0 ? -1 : 1;
    q = p * (1 + dir * slippageRate(o, u, volume));
    delta = -u;
  } else {
    const w = f * e - u * p;
    dir = w > 0 ? 1 : w < 0 ? -1 : 0;
    if (dir === 0) return false;
    const fee = o.taker;
    const F = o.fixedFee;
    // volume-share slippage is sized on the order at the unslipped price
    q = p * (1 + dir * (o.volumeImpact === 0 ? o.slip : slippageRate(o, (f * (e - F) - u * p) / (p * (1 + dir * f * fee)), volume)));
    delta = (f * (e + u * (q - p) - F) - u * q) / (q * (1 + dir * f * fee));
    if (dir > 0 ? !(delta > 0) : !(delta < 0)) return false;
  }
  return finishOrder(out, o, u, delta, q, dir);
}

/** {@link sizeOrder} for the cash, units and risk modes. */
function unitsOrder(out: SimOrder, o: ResolvedOptions, u: number, e: number, p: number, raw: number, atr: number, volume: number): boolean {
  const wp = wantedUnits(o, raw, p, e, atr);
  if (wp !== wp) return false;
  const dir = sign(wp - u);
  if (dir === 0) return false;
  const q = p * (1 + dir * slippageRate(o, wp - u, volume));
  const wq = wantedUnits(o, raw, q, e + u * (q - p), atr);
  if (wq !== wq) return false;
  const delta = wq - u;
  if (sign(delta) !== dir) return false;
  return finishOrder(out, o, u, delta, q, dir);
}

/** Lot rounding, the minimum-notional skip, then the order into `out`. */
function finishOrder(out: SimOrder, o: ResolvedOptions, u: number, delta: number, q: number, dir: number): boolean {
  if (o.lotSize > 0) {
    const want = u + delta;
    if (want !== 0) {
      delta = Math.trunc(want / o.lotSize) * o.lotSize - u;
      if (sign(delta) !== dir) return false;
    }
  }
  const next = delta === -u ? 0 : u + delta;
  if (next !== 0 && Math.abs(delta) * q < o.minNotional) return false;
  out.delta = delta;
  out.next = next;
  out.price = q;
  out.fee = Math.abs(delta) * q * o.taker + o.fixedFee;
  return true;
}
