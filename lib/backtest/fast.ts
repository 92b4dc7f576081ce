import { QuantlabError, type Bars } from '../core';
import { SIZE_PERCENT, type ResolvedOptions } from './options';

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

/**
 * Single-asset simulation without records, for sweeps: percent sizing, fees, fixed fee, basis-point slippage,
 * leverage, shorting, direction, rebalance and liquidation, with exactly the engine's arithmetic (tested equal).
 * One pass, no allocation. Only valid when {@link fastPathApplies}.
 */
export function fastSummary(bars: Bars, targets: Float64Array, o: ResolvedOptions, barsPerYear: number, riskFreeRate = 0): SimSummary {
  const open = bars.open;
  const low = bars.low;
  const high = bars.high;
  const close = bars.close;
  const n = close.length;
  const fee = o.taker;
  const F = o.fixedFee;
  const slip = o.slip;
  const lev = o.leverage;
  const mm = o.maintenance;
  const fillClose = o.fillClose;
  const rebalance = o.rebalance;
  const allowLong = o.allowLong;
  const allowShort = o.allowShort;
  const off = fillClose ? 0 : 1; // target index that fills at bar t is t − off
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
  for (let t = 0; t < n; t++) {
    for (let step = 0; step < 3; step++) {
      if (step === 1) {
        // liquidation inside bar t (the engine's intrabar step, with no stops configured)
        if (u === 0) continue;
        const op = open[t]!;
        let x = NaN;
        if (u > 0 ? op <= L : op >= L) x = op;
        else if (u > 0 ? low[t]! <= L : high[t]! >= L) x = L;
        if (x === x) {
          cash -= -u * x + (Math.abs(u) * x * fee + F);
          u = 0;
        }
        continue;
      }
      // step 0: next-open fill of bar t−1's target; step 2: close fill of bar t's target
      if (step === 0 ? fillClose || t === 0 : !fillClose) continue;
      let raw = targets[t - off]!;
      if (raw !== raw) continue;
      if (raw - raw !== 0) badTarget(raw, t - off);
      if (raw > 0 ? !allowLong : raw < 0 && !allowShort) raw = 0;
      if (!rebalance && raw === last) continue;
      last = raw;
      const p = step === 0 ? open[t]! : close[t]!;
      let e = cash;
      if (u !== 0) e += u * p;
      let f = raw * lev * 1;
      if (e <= 0) f = 0;
      let dir: number;
      let q: number;
      let delta: number;
      if (f === 0) {
        if (u === 0) continue;
        dir = u > 0 ? -1 : 1;
        q = p * (1 + dir * slip);
        delta = -u;
      } else {
        const d = f * e - u * p;
        dir = d > 0 ? 1 : d < 0 ? -1 : 0;
        if (dir === 0) continue;
        q = p * (1 + dir * slip);
        const eqq = e + u * (q - p);
        delta = (f * (eqq - F) - u * q) / (q * (1 + dir * f * fee));
        if ((delta > 0 ? 1 : delta < 0 ? -1 : 0) !== dir) continue;
      }
      const next = delta === -u ? 0 : u + delta;
      cash -= delta * q + (Math.abs(delta) * q * fee + F);
      if (next !== 0 && (u === 0 || next > 0 !== u > 0)) trades++;
      u = next;
      if (u !== 0) L = u > 0 ? (cash < 0 ? -cash / (u * (1 - mm)) : NaN) : cash / (-u * (1 + mm));
    }
    eq = cash;
    if (u !== 0) {
      eq += u * close[t]!;
      exposed++;
    }
    let r = eq / prev - 1;
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
    // fast-forward over bars where no target can fill: flat bars add r = 0, held bars only mark to market
    if (u === 0) {
      let j = t + 1;
      while (j < n && targets[j - off]! !== targets[j - off]!) j++;
      t = j - 1;
    } else {
      const uu = u;
      const long = uu > 0;
      let j = t + 1;
      for (; j < n; j++) {
        if (targets[j - off]! === targets[j - off]!) break;
        if (long ? low[j]! <= L : high[j]! >= L) break;
        eq = cash + uu * close[j]!;
        r = eq / prev - 1;
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
      exposed += j - t - 1;
      t = j - 1;
    }
  }
  return {
    finalEquity: eq,
    totalReturn: eq / o.cash - 1,
    sharpe: sharpeFromSums(sr, sr2, n, barsPerYear, riskFreeRate),
    maxDrawdown: maxDd,
    trades,
    exposure: n ? exposed / n : NaN,
  };
}

function badTarget(raw: number, t: number): never {
  throw new QuantlabError('BAD_ARGUMENT', `simulate: target at bar ${t} is ${raw}; expected a finite number or NaN`);
}
