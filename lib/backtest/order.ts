import { QuantlabError } from '../core';
import { SIZE_CASH as CASH, SIZE_KELLY as KELLY, SIZE_PERCENT as PERCENT, SIZE_RISK as RISK, SIZE_UNITS as UNITS, STOP_FRACTION as FRACTION, type ResolvedOptions } from './options';

// bound once: under tsx (esbuild's CommonJS output) every read through an import is a getter call
const SIZE_CASH = CASH;
const SIZE_KELLY = KELLY;
const SIZE_PERCENT = PERCENT;
const SIZE_RISK = RISK;
const SIZE_UNITS = UNITS;
const STOP_FRACTION = FRACTION;

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
  /** fee of the fill: |delta| × price × taker rate + fixed fee (less what the zero floor waives). */
  fee: number;
  /** {@link ORDER_AS_SIZED}, {@link ORDER_RESIZED} (cut to what equity carries) or {@link ORDER_REFUSED} (no order: equity cannot carry one). */
  status: number;
  /** loss the exchange takes on a closing fill that would have left the account below zero (0 otherwise; see {@link floorClose}). */
  absorbed: number;
}

/** {@link SimOrder.status}: the order as the target and sizing mode asked. */
export const ORDER_AS_SIZED = 0;
/** {@link SimOrder.status}: the order was cut so that notional ≤ leverage × equity after fees (or turned into a close). */
export const ORDER_RESIZED = 1;
/** {@link SimOrder.status}: no order, because equity after fees cannot carry any position in the target's direction. */
export const ORDER_REFUSED = 2;

/** A reusable {@link SimOrder} for {@link sizeOrder} to write into. */
export const blankOrder = (): SimOrder => ({ delta: 0, next: 0, price: NaN, fee: 0, status: ORDER_AS_SIZED, absorbed: 0 });


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
      return (raw * o.amount * e) / dist;
    }
    default:
      return NaN;
  }
}

const sign = (x: number): number => (x > 0 ? 1 : x < 0 ? -1 : 0);

/**
 * A gap between the wanted and the held position of at most DUST × the held one is no order: it is what
 * floating point left of the last fill (u + (w − u) can miss w by a unit in the last place), and a
 * rebalancing run would otherwise send a 1e-17-unit order on the next bar, which an exchange rejects.
 * Positions are Σ fills, as an exchange keeps them, so the residue stays; only the order it would cause goes.
 */
export const DUST = 1e-12;

/**
 * Sizes the order that moves a position of `u` units towards target `raw` (already through
 * {@link directedTarget}) when the account's equity is `e` with every position marked at the unslipped fill
 * price `p`. `kelly` scales percent sizing (1 unless Kelly sizing), `atr` is the ATR at the signal bar (ATR
 * risk sizing), `volume` the fill bar's volume (volume-share slippage).
 *
 * Percent sizing (all-in): the position after the order is worth f × (equity − fixed fee − fee of the order)
 * with f = raw × leverage × kelly; target 0 closes the position. The other modes hold the units
 * wantedUnits() gives at the slipped price. Then lot rounding (down) and the minimum-notional skip (never for
 * a close). Returns false when no order is placed (nothing to do, unsizeable, rounded away, too small,
 * refused); otherwise writes the order into `out` and returns true. Allocates nothing. (The percent path is
 * kept small so that the JIT inlines it into the simulation loops; the rare paths live in other functions.)
 *
 * The margin cap (every mode): the position after the order is worth at most leverage × the equity left
 * after the order's fees (marked at the fill price). A percent target beyond ±1 (× Kelly) is cut to ±1; a
 * cash, units or risk order is cut to the cap (status {@link ORDER_RESIZED}). An order that cannot carry any
 * position in its direction — equity after fees ≤ 0 — is refused ({@link ORDER_REFUSED}, returns false) when
 * it opens or adds, and becomes a close of the whole position when it reduces or flips (resized). A close is
 * never refused; {@link floorClose} keeps it from leaving the account below zero.
 */
export function sizeOrder(out: SimOrder, o: ResolvedOptions, u: number, e: number, p: number, raw: number, kelly: number, atr: number, volume: number): boolean {
  out.status = ORDER_AS_SIZED;
  if (o.sizing !== SIZE_PERCENT && o.sizing !== SIZE_KELLY) return unitsOrder(out, o, u, e, p, raw, atr, volume);
  const g = raw * kelly;
  if (!(e > 0 && g !== 0 && g * g <= 1)) return percentEdge(out, o, u, e, p, g, volume);
  const f = g * o.leverage;
  const w = f * e - u * p;
  const r = DUST * Math.abs(u * p);
  const dir = w > r ? 1 : w < -r ? -1 : 0;
  if (dir === 0) return false;
  const fee = o.taker;
  const den = 1 + dir * f * fee;
  // volume-share slippage is sized on the order at the unslipped price
  const q = p * (1 + dir * (o.volumeImpact === 0 ? o.slip : slippageRate(o, (f * (e - o.fixedFee) - u * p) / (p * den), volume)));
  const eq = e + u * (q - p) - o.fixedFee;
  if (den > 0 && eq > 0) {
    const delta = (f * eq - u * q) / (q * den);
    if (dir > 0 ? !(delta > 0) : !(delta < 0)) return false;
    // the position after the order is f × the equity left after its fees: it must keep f's sign
    if (f * (u + delta) > 0) return finishOrder(out, o, u, delta, q, dir, e, p, volume);
  }
  return cannotCarry(out, o, u, e, p, volume, dir);
}

/**
 * The percent paths off the hot one: a target share g = target × Kelly beyond ±1 (cut to ±1 and sized again,
 * resized), target 0 or no equity left (a close of what is held; a new position is refused).
 */
function percentEdge(out: SimOrder, o: ResolvedOptions, u: number, e: number, p: number, g: number, volume: number): boolean {
  if (g > 1 || g < -1) {
    const placed = sizeOrder(out, o, u, e, p, g > 1 ? 1 : -1, 1, NaN, volume);
    if (placed && out.status === ORDER_AS_SIZED) out.status = ORDER_RESIZED;
    return placed;
  }
  if (u !== 0) return closeOrder(out, o, u, e, p, volume);
  if (g !== 0) out.status = ORDER_REFUSED;
  return false;
}

/** An order equity cannot carry: a reduction or flip becomes a close of the whole position (resized), an entry or addition is refused. */
function cannotCarry(out: SimOrder, o: ResolvedOptions, u: number, e: number, p: number, volume: number, dir: number): boolean {
  if (u !== 0 && dir === -sign(u)) {
    out.status = ORDER_RESIZED;
    return closeOrder(out, o, u, e, p, volume);
  }
  out.status = ORDER_REFUSED;
  return false;
}

/** Closes the whole position of `u` units at the slipped price, through {@link floorClose}. */
function closeOrder(out: SimOrder, o: ResolvedOptions, u: number, e: number, p: number, volume: number): boolean {
  const q = p * (1 - sign(u) * slippageRate(o, u, volume));
  out.delta = -u;
  out.next = 0;
  floorClose(out, u, q, Math.abs(u) * q * o.taker + o.fixedFee, e + u * (q - p));
  return true;
}

/**
 * The zero floor of a fill that closes a position of `u` units at price `q` with fee `fee`, when the account's
 * equity marked at `q` is `eq` (before the fee): it writes the price and fee booked into `out`. A close never
 * leaves the account below zero — the loss beyond the margin is the exchange's (its insurance fund), as under
 * isolated margin: the fee is waived as far as needed; when even the price alone takes equity below zero (a
 * gap through the liquidation level, slippage) the fill is booked at the bankruptcy price, where equity is
 * exactly 0, without fee. `out.absorbed` is what the exchange took (0 when nothing was floored).
 */
export function floorClose(out: SimOrder, u: number, q: number, fee: number, eq: number): void {
  const left = eq - fee;
  if (left >= 0) {
    out.price = q;
    out.fee = fee;
    out.absorbed = 0;
  } else if (eq >= 0) {
    out.price = q;
    out.fee = eq;
    out.absorbed = -left;
  } else {
    out.price = q - eq / u;
    out.fee = 0;
    out.absorbed = -left;
  }
}

/** {@link sizeOrder} for the cash, units and risk modes, with the margin cap. */
function unitsOrder(out: SimOrder, o: ResolvedOptions, u: number, e: number, p: number, raw: number, atr: number, volume: number): boolean {
  if (e <= 0 && u === 0 && raw !== 0) {
    out.status = ORDER_REFUSED;
    return false;
  }
  const wp = wantedUnits(o, raw, p, e, atr);
  if (wp !== wp) return false;
  const gap = wp - u;
  const dir = gap > DUST * Math.abs(u) ? 1 : gap < -DUST * Math.abs(u) ? -1 : 0;
  if (dir === 0) return false;
  const q = p * (1 + dir * slippageRate(o, wp - u, volume));
  const eq = e + u * (q - p);
  let w = wantedUnits(o, raw, q, eq, atr);
  if (w !== w) return false;
  if (w === 0) return u !== 0 && closeOrder(out, o, u, e, p, volume);
  const lev = o.leverage;
  const fee = o.taker;
  const F = o.fixedFee;
  if (Math.abs(w) * q > lev * (eq - F - Math.abs(w - u) * q * fee)) {
    // cut to the notional N where N = leverage × (equity − fees of the order that reaches N)
    const s = sign(w);
    const U = Math.abs(u) * q;
    let cap: number;
    if (u === 0 || sign(u) === s) {
      if (Math.abs(w) > Math.abs(u)) {
        cap = (lev * (eq - F + U * fee)) / (1 + lev * fee);
        // no room left (a position already at the cap, to rounding): refused, not a dust order
        if (!(cap > U * (1 + 1e-9))) {
          out.status = ORDER_REFUSED;
          return false;
        }
      } else {
        const d = 1 - lev * fee;
        cap = d > 0 ? (lev * (eq - F - U * fee)) / d : NaN;
      }
    } else cap = (lev * (eq - F - U * fee)) / (1 + lev * fee);
    if (!(cap > 0)) return cannotCarry(out, o, u, e, p, volume, dir);
    w = (s * cap) / q;
    out.status = ORDER_RESIZED;
  }
  const delta = w - u;
  if (sign(delta) !== dir) return false;
  return finishOrder(out, o, u, delta, q, dir, e, p, volume);
}

/**
 * Lot rounding, the minimum-notional skip, then the order into `out`: a close through {@link floorClose}; any
 * other order must leave equity above zero when the position is marked at the market price p (the fee and
 * the slippage paid — the exchange's "open loss" — come out of the margin), else {@link cannotCarry}.
 */
function finishOrder(out: SimOrder, o: ResolvedOptions, u: number, delta: number, q: number, dir: number, e: number, p: number, volume: number): boolean {
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
  const fee = Math.abs(delta) * q * o.taker + o.fixedFee;
  if (next === 0) floorClose(out, u, q, fee, e + u * (q - p));
  else {
    if (!(e - delta * (q - p) - fee > 0)) return cannotCarry(out, o, u, e, p, volume, dir);
    out.price = q;
    out.fee = fee;
    out.absorbed = 0;
  }
  return true;
}
