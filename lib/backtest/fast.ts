import type { Bars } from '../core';
import { TargetEvents } from './events';
import { SIZE_PERCENT, type ResolvedOptions } from './options';
import { badTarget, blankOrder, directedTarget, DUST as DUST_, fillFee, ORDER_REFUSED, ORDER_RESIZED, sizeOrder } from './order';
import { RangeTable } from './range-table';

/** The figures a parameter sweep needs from one run. */
export interface SimSummary {
  finalEquity: number;
  totalReturn: number;
  /** annualised Sharpe of per-bar returns, from one-pass sums (matches the full statistics to ~1e-10). */
  sharpe: number;
  maxDrawdown: number;
  /** round trips, counting a position still open at the end. */
  trades: number;
  /** fraction of bars that closed holding a position. */
  exposure: number;
  /** target orders cut to the margin cap or turned into a close (as SimResult.resizedOrders). */
  resizedOrders: number;
  /** target orders refused because equity after fees could not carry them (as SimResult.refusedOrders). */
  refusedOrders: number;
}

/** True when the options need none of the engine's stop, funding, volume, lot or non-percent sizing machinery. */
export const fastPathApplies = (o: ResolvedOptions): boolean =>
  o.sizing === SIZE_PERCENT &&
  o.slKind === 0 &&
  o.tpKind === 0 &&
  o.trailKind === 0 &&
  o.fundingEveryMs === 0 &&
  o.fundingRates === null &&
  o.volumeImpact === 0 &&
  o.lotSize === 0 &&
  o.minNotional === 0;

/** Sharpe from Σ r, Σ r² over n returns: (mean − rf/P) / std · √P (std with n − 1). */
export function sharpeFromSums(sum: number, sumSq: number, n: number, barsPerYear: number, riskFreeRate = 0): number {
  if (n < 2) return NaN;
  const m = sum / n;
  const v = (sumSq - sum * m) / (n - 1);
  return v > 0 ? ((m - riskFreeRate / barsPerYear) / Math.sqrt(v)) * Math.sqrt(barsPerYear) : NaN;
}

const scratchEvents = new TargetEvents(1024);
const scratchOrder = blankOrder();
// the order rule bound once: under tsx (esbuild's CommonJS output) every call through an import reads a
// getter on the module's exports, which costs the kernel ~20 % per event
const size = sizeOrder;
const directed = directedTarget;
const feeOf = fillFee;
const DUST = DUST_;
const REFUSED = ORDER_REFUSED;
const RESIZED = ORDER_RESIZED;

/**
 * Cash after liquidating `u` units at `px` (taker fee, no slippage) through the zero floor: when the fill would
 * leave the account below zero the exchange takes the rest and the account is at exactly 0 (as the engine's
 * floorClose: equity marked at px, less the fee).
 */
function liquidatedCash(o: ResolvedOptions, cash: number, u: number, px: number): number {
  const fee = feeOf(o, u, px, o.taker);
  return cash + u * px - fee >= 0 ? cash - (-u * px + fee) : 0;
}

/** Per-Bars facts the fast kernel reuses across runs (built on first use, cached per Bars object). */
interface BarsFacts {
  /** a liquidation level below the lowest low / above the highest high cannot trigger. */
  minLow: number;
  maxHigh: number;
  /** prefix sums of close-to-close returns ρ (ρ[0] = 0) and of ρ²: sum1[i] = Σ_{j<i} ρ[j]. */
  sum1: Float64Array;
  sum2: Float64Array;
  /** range min/max of the closes (built on the first long held stretch). */
  closes: RangeTable | null;
}
const facts = new WeakMap<Bars, BarsFacts>();

function factsOf(bars: Bars): BarsFacts {
  let f = facts.get(bars);
  if (f) return f;
  const { low, high, close } = bars;
  const n = close.length;
  let lo = Infinity;
  let hi = -Infinity;
  const sum1 = new Float64Array(n + 1);
  const sum2 = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    if (low[i]! < lo) lo = low[i]!;
    if (high[i]! > hi) hi = high[i]!;
    const rho = i > 0 ? close[i]! / close[i - 1]! - 1 : 0;
    sum1[i + 1] = sum1[i]! + rho;
    sum2[i + 1] = sum2[i]! + rho * rho;
  }
  f = { minLow: lo, maxHigh: hi, sum1, sum2, closes: null };
  facts.set(bars, f);
  return f;
}

/** Held stretches shorter than this are walked bar by bar (cheaper than range queries). */
const SHORT_STRETCH = 24;

/**
 * Single-asset simulation without records, for sweeps: percent sizing, fees, fixed fee, basis-point slippage,
 * leverage, shorting, direction, rebalance and liquidation, with exactly the engine's arithmetic (tested equal):
 * the same margin cap (sizeOrder, with the resized / refused counts), liquidation at a gapped open before
 * that bar's order, and the zero floor of every close.
 * No allocation. Only valid when {@link fastPathApplies}. Dense targets are first reduced to events.
 */
export function fastSummary(bars: Bars, targets: Float64Array | TargetEvents, o: ResolvedOptions, barsPerYear: number, riskFreeRate = 0): SimSummary {
  const ev = targets instanceof TargetEvents ? targets : TargetEvents.fromDense(targets, scratchEvents);
  return fastSummaryEvents(bars, ev, o, barsPerYear, riskFreeRate);
}

/**
 * The fast kernel proper, over sparse targets. It visits the bars where an order can fill, jumps over flat
 * stretches (equity constant, return 0) and walks held stretches bar by bar (mark to market, liquidation).
 * A fully invested long stretch (cash within 1e-12 of zero) takes its per-bar returns from prefix sums of the
 * close-to-close returns, so Sharpe agrees with the engine to ~1e-10 rather than bit for bit; final equity,
 * trades, exposure and max drawdown stay exact.
 */
export function fastSummaryEvents(bars: Bars, ev: TargetEvents, o: ResolvedOptions, barsPerYear: number, riskFreeRate = 0): SimSummary {
  const open = bars.open;
  const low = bars.low;
  const high = bars.high;
  const close = bars.close;
  const n = close.length;
  const idx = ev.index;
  const val = ev.value;
  const m = ev.length;
  const fee = o.taker;
  const mm = o.maintenance;
  const lev = o.leverage;
  const slip = o.slip;
  const fixedFee = o.fixedFee;
  const fillClose = o.fillClose;
  const rebalance = o.rebalance;
  const off = fillClose ? 0 : 1; // an event at bar s fills at bar s + off
  const bf = factsOf(bars);
  const { minLow, maxHigh, sum1, sum2 } = bf;
  const ord = scratchOrder;
  let cash = o.cash;
  let u = 0;
  let last = NaN;
  let trades = 0;
  let exposed = 0;
  let prev = cash;
  let peak = cash;
  let maxDd = 0;
  let floor = cash * (1 + 1e-12); // equities at or above this cannot deepen the drawdown (slightly generous)
  let sr = 0;
  let sr2 = 0;
  let eq = cash;
  let L = NaN; // liquidation level of the current position
  let resized = 0;
  let refused = 0;
  let k = 0;
  for (let e = 0; e < m; e++) {
    const x = val[e]!;
    if (x - x !== 0) throw badTarget(idx[e]!, x);
  }
  let t = 0;
  while (t < n) {
    const fillBar = k < m ? idx[k]! + off : n;
    if (t < fillBar) {
      // a quiet stretch [t, end): no order can fill
      const end = fillBar < n ? fillBar : n;
      if (u === 0) {
        // flat: equity constant, every return 0 — or 0/0 when the account is at exactly zero, as in the engine
        if (cash === 0 && end > t) sr = sr2 = NaN;
        t = end;
        continue;
      }
      // held: mark to market bar by bar; a liquidation level (if any) ends the stretch early
      const start = t;
      if (L !== L && u > 0 && end - t >= SHORT_STRETCH && Math.abs(cash) <= 1e-12 * u * close[t]!) {
        // fully invested long: equity ∝ close to ~1e-12, so the returns are the close-to-close returns (prefix
        // sums). The drawdown stays exact from range queries over the closes (equity rises with the close):
        // from the right, the stretch after its highest close [m + 1, hi) has the peak max(peak, eq[m]) and
        // its deepest point at its lowest close; then the same for [t, m), until the highest close left sets
        // no new peak and [t, hi) has the incoming peak.
        sr += sum1[end]! - sum1[t]!;
        sr2 += sum2[end]! - sum2[t]!;
        const rt = bf.closes ?? (bf.closes = new RangeTable(close));
        let hi = end;
        let top = NaN; // the stretch's highest equity when it sets a new peak
        while (hi > t) {
          const mi = rt.argMax(t, hi);
          const em = cash + u * close[mi]!;
          if (em <= peak) {
            const lowest = cash + u * close[rt.argMin(t, hi)]!;
            const d = 1 - lowest / peak;
            if (d > maxDd) maxDd = d;
            break;
          }
          if (top !== top) top = em;
          if (mi + 1 < hi) {
            const lowest = cash + u * close[rt.argMin(mi + 1, hi)]!;
            const d = 1 - lowest / em;
            if (d > maxDd) maxDd = d;
          }
          hi = mi;
        }
        if (top === top) peak = top;
        floor = peak * (1 - maxDd) * (1 + 1e-12);
        t = end;
        eq = cash + u * close[end - 1]!;
        prev = eq;
      } else if (L !== L) {
        for (; t < end; t++) {
          eq = cash + u * close[t]!;
          const r = eq / prev - 1;
          sr += r;
          sr2 += r * r;
          prev = eq;
          if (eq >= peak) {
            peak = eq;
            floor = peak * (1 - maxDd) * (1 + 1e-12);
          } else if (eq < floor) {
            const d = 1 - eq / peak;
            if (d > maxDd) maxDd = d;
            floor = peak * (1 - maxDd) * (1 + 1e-12);
          }
        }
      } else {
        const long = u > 0;
        for (; t < end; t++) {
          if (long ? low[t]! <= L : high[t]! >= L) break;
          eq = cash + u * close[t]!;
          const r = eq / prev - 1;
          sr += r;
          sr2 += r * r;
          prev = eq;
          if (eq >= peak) {
            peak = eq;
            floor = peak * (1 - maxDd) * (1 + 1e-12);
          } else if (eq < floor) {
            const d = 1 - eq / peak;
            if (d > maxDd) maxDd = d;
            floor = peak * (1 - maxDd) * (1 + 1e-12);
          }
        }
      }
      exposed += t - start;
      if (t < end) {
        // liquidated inside bar t: at the open when it gapped through, else at the level; then flat
        const op = open[t]!;
        const px = (u > 0 ? op <= L : op >= L) ? op : L;
        cash = liquidatedCash(o, cash, u, px);
        u = 0;
        eq = cash;
        const r = eq / prev - 1;
        sr += r;
        sr2 += r * r;
        prev = eq;
        if (eq >= peak) {
          peak = eq;
          floor = peak * (1 - maxDd) * (1 + 1e-12);
        } else if (eq < floor) {
          const d = 1 - eq / peak;
          if (d > maxDd) maxDd = d;
          floor = peak * (1 - maxDd) * (1 + 1e-12);
        }
        t++;
      }
      continue;
    }
    // bar t fills event k: next-open at the open (before the intrabar check), close at the close (after it)
    for (let step = fillClose ? 1 : 0, stop = step + 2; step < stop; step++) {
      if (step === 1) {
        if (u === 0 || L !== L) continue; // no liquidation level: nothing to check
        const op = open[t]!;
        let x = NaN;
        if (u > 0 ? op <= L : op >= L) x = op;
        else if (u > 0 ? low[t]! <= L : high[t]! >= L) x = L;
        if (x === x) {
          cash = liquidatedCash(o, cash, u, x);
          u = 0;
        }
        continue;
      }
      const raw = directed(o, val[k++]!);
      if (!rebalance && raw === last) continue;
      last = raw;
      const p = step === 0 ? open[t]! : close[t]!;
      // a bar that opened beyond the liquidation level liquidates before the order (as the engine)
      if (step === 0 && u !== 0 && (u > 0 ? p <= L : p >= L)) {
        cash = liquidatedCash(o, cash, u, p);
        u = 0;
      }
      const e = u !== 0 ? cash + u * p : cash;
      // sizeOrder's two common percent cases inline, with its arithmetic expression for expression (an entry or
      // adjustment within the margin cap; a close that the zero floor leaves alone); anything else goes to it
      let next = NaN;
      if (raw !== 0) {
        if (e > 0 && raw * raw <= 1) {
          const f = raw * lev;
          const w = f * e - u * p;
          const r = DUST * Math.abs(u * p);
          const dir = w > r ? 1 : w < -r ? -1 : 0;
          const den = 1 + dir * f * fee;
          const q = p * (1 + dir * slip);
          const eqo = e + u * (q - p) - fixedFee;
          if (dir !== 0 && den > 0 && eqo > 0) {
            const delta = (f * eqo - u * q) / (q * den);
            if ((dir > 0 ? delta > 0 : delta < 0) && f * (u + delta) > 0) {
              const of = Math.abs(delta) * q * fee + fixedFee;
              if (e - delta * (q - p) - of > 0) {
                next = u + delta;
                cash -= delta * q + of;
              }
            }
          }
        }
      } else if (u !== 0) {
        const q = p * (1 - (u > 0 ? 1 : -1) * slip);
        const of = Math.abs(u) * q * fee + fixedFee;
        if (e + u * (q - p) - of >= 0) {
          next = 0;
          cash -= -u * q + of;
        }
      } else continue;
      if (next !== next) {
        if (!size(ord, o, u, e, p, raw, 1, NaN, 0)) {
          if (ord.status === REFUSED) refused++;
          continue;
        }
        if (ord.status === RESIZED) resized++;
        next = ord.next;
        cash -= ord.delta * ord.price + ord.fee;
        if (next === 0 && ord.absorbed > 0) cash = 0; // a close floored at zero (only a close can be)
      }
      if (next !== 0 && (u === 0 || next > 0 !== u > 0)) trades++;
      u = next;
      if (u !== 0) {
        L = u > 0 ? (cash < 0 ? -cash / (u * (1 - mm)) : NaN) : cash / (-u * (1 + mm));
        if (u > 0 ? L < minLow : L > maxHigh) L = NaN; // no bar reaches it
      }
    }
    eq = cash;
    if (u !== 0) {
      eq += u * close[t]!;
      exposed++;
    }
    const r = eq / prev - 1;
    sr += r;
    sr2 += r * r;
    prev = eq;
    if (eq >= peak) {
      peak = eq;
      floor = peak * (1 - maxDd) * (1 + 1e-12);
    } else if (eq < floor) {
      const d = 1 - eq / peak;
      if (d > maxDd) maxDd = d;
      floor = peak * (1 - maxDd) * (1 + 1e-12);
    }
    t++;
  }
  return {
    finalEquity: eq,
    totalReturn: eq / o.cash - 1,
    sharpe: sharpeFromSums(sr, sr2, n, barsPerYear, riskFreeRate),
    maxDrawdown: maxDd,
    trades,
    exposure: n ? exposed / n : NaN,
    resizedOrders: resized,
    refusedOrders: refused,
  };
}
