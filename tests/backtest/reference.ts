/**
 * A deliberately plain reference simulator: objects and arrays, one readable step at a time, written from
 * the execution model in lib/backtest/simulate.ts and engine.ts docs (not from the engine's code). The fast
 * engine is tested against it on real data with random strategies and options.
 */
import type { Bars } from '../../lib/core';
import type { SimOptions, StopSpec } from '../../lib/backtest';

export type Reason = 'signal' | 'stop-loss' | 'take-profit' | 'trailing-stop' | 'liquidation' | 'end';

export interface RefFill {
  bar: number;
  asset: number;
  units: number;
  price: number;
  fee: number;
  reason: Reason;
}

export interface RefTrade {
  asset: number;
  side: number;
  entryBar: number;
  exitBar: number;
  size: number;
  entryPrice: number;
  exitPrice: number;
  fees: number;
  funding: number;
  pnl: number;
  ret: number;
  barsHeld: number;
  reason: Reason;
}

export interface RefAsset {
  bars: Bars;
  targets: ArrayLike<number>;
  atr?: ArrayLike<number>;
  fundingRates?: ArrayLike<number>;
}

export interface RefResult {
  equity: number[];
  positions: number[][];
  fills: RefFill[];
  trades: RefTrade[];
  finalEquity: number;
  ambiguous: number;
  liquidations: number;
  commissions: number;
  resized: number;
  refused: number;
  absorbed: number;
}

interface Open {
  side: number;
  entryBar: number;
  addedUnits: number;
  addedValue: number;
  removedUnits: number;
  removedValue: number;
  fees: number;
  entryFees: number;
  funding: number;
  stopLoss: number;
  takeProfit: number;
  trailDistance: number;
  extreme: number;
}

const sgn = (x: number) => (x > 0 ? 1 : x < 0 ? -1 : 0);
/** The side of an order closing `gap` to the target; 0 when the gap is within 1e-12 of what is held (a rounding residue of the last fill, not an order). */
const pastDust = (gap: number, held: number) => (Math.abs(gap) > 1e-12 * Math.abs(held) ? sgn(gap) : 0);
const TF_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const tfMs = (tf: string) => Number(tf.slice(0, -1)) * TF_MS[tf.slice(-1)]!;

function stopDistance(spec: StopSpec | undefined, price: number, atr: number): number {
  if (spec === undefined) return NaN;
  if (typeof spec === 'number') return spec * price;
  return spec.atr * atr;
}

export function referenceSimulate(assets: RefAsset[], opts: SimOptions = {}, flipIntrabar = false): RefResult {
  const k = assets.length;
  const n = assets[0]!.bars.close.length;
  const fillAtClose = opts.fill === 'close';
  const fee = opts.fee ?? 0.001;
  const takerRate = opts.takerFee ?? fee;
  const makerRate = opts.makerFee ?? fee;
  const fixed = opts.fixedFee ?? 0;
  const slipBps = typeof opts.slippage === 'number' ? opts.slippage : (opts.slippage?.bps ?? 0);
  const impact = typeof opts.slippage === 'object' ? (opts.slippage.volumeImpact ?? 0) : 0;
  const sizing = opts.sizing ?? { mode: 'percent' as const };
  const leverage = opts.leverage ?? 1;
  const direction = opts.direction ?? 'both';
  const mm = opts.maintenanceMargin ?? 0;
  let optimistic = opts.intrabar === 'optimistic';
  if (flipIntrabar) optimistic = !optimistic;
  const lot = opts.lotSize ?? 0;
  const minNotional = opts.minNotional ?? 0;

  let cash = opts.cash ?? 10_000;
  const units: number[] = assets.map(() => 0);
  const lastTarget: number[] = assets.map(() => NaN);
  const open: (Open | null)[] = assets.map(() => null);
  const closedReturns: number[] = [];
  const fills: RefFill[] = [];
  const trades: RefTrade[] = [];
  const equity: number[] = [];
  const positions: number[][] = assets.map(() => []);
  let ambiguous = 0;
  let liquidations = 0;
  let commissions = 0;
  // margin rules: every position ≤ leverage × (equity after the order's fees); a closing fill never leaves the
  // account below zero (the exchange takes the rest: fee waived, then the bankruptcy price)
  let resized = 0;
  let refused = 0;
  let absorbed = 0;

  const slippageFor = (a: number, t: number, orderUnits: number) => {
    const vol = assets[a]!.bars.volume[t]!;
    let s = slipBps / 1e4;
    if (impact !== 0 && vol > 0) s += (impact * Math.abs(orderUnits)) / vol;
    return s;
  };

  const accountEquity = (prices: number[]) => {
    let e = cash;
    for (let j = 0; j < k; j++) if (units[j] !== 0) e += units[j]! * prices[j]!;
    return e;
  };

  const closeOut = (a: number, bar: number, reason: Reason) => {
    const tr = open[a]!;
    const pnl = tr.side * (tr.removedValue - tr.addedValue) - tr.fees - tr.funding;
    const ret = pnl / (tr.addedValue + tr.entryFees);
    trades.push({
      asset: a, side: tr.side, entryBar: tr.entryBar, exitBar: bar, size: tr.addedUnits,
      entryPrice: tr.addedValue / tr.addedUnits, exitPrice: tr.removedValue / tr.removedUnits,
      fees: tr.fees, funding: tr.funding, pnl, ret, barsHeld: bar - tr.entryBar, reason,
    });
    closedReturns.push(ret);
    open[a] = null;
  };

  const startTrade = (a: number, bar: number, side: number, qty: number, price: number, feePaid: number, signalBar: number) => {
    const atrs = assets[a]!.atr;
    const atr = atrs ? atrs[signalBar]! : NaN;
    // levels as documented: a fraction f sits at entry × (1 ∓ f), an ATR multiple k at entry ∓ k × ATR
    const level = (spec: StopSpec | undefined, dir: number) =>
      spec === undefined ? NaN : typeof spec === 'number' ? price * (1 + dir * spec) : price + dir * spec.atr * atr;
    open[a] = {
      side, entryBar: bar, addedUnits: qty, addedValue: qty * price, removedUnits: 0, removedValue: 0,
      fees: feePaid, entryFees: feePaid, funding: 0,
      stopLoss: level(opts.stopLoss, -side),
      takeProfit: level(opts.takeProfit, side),
      trailDistance: typeof opts.trailingStop === 'object' ? opts.trailingStop.atr * atr : NaN,
      extreme: price,
    };
  };

  /**
   * Executes a fill and keeps the trade records. `othersValue` values the other assets' positions (for the
   * zero floor of a closing fill).
   */
  const execute = (a: number, bar: number, delta: number, price: number, rate: number, reason: Reason, signalBar: number, othersValue = 0) => {
    const before = units[a]!;
    const after = delta === -before ? 0 : before + delta;
    let feePaid = Math.abs(delta) * price * rate + fixed;
    let bankrupt = false;
    if (after === 0) {
      const equityAtFill = cash + before * price + othersValue;
      if (equityAtFill - feePaid < 0) {
        absorbed += feePaid - equityAtFill;
        bankrupt = true;
        if (equityAtFill >= 0) feePaid = equityAtFill;
        else {
          // the price at which the account is worth exactly nothing
          price = -(cash + othersValue) / before;
          feePaid = 0;
        }
      }
    }
    cash = cash - (delta * price + feePaid);
    // exactly nothing left: cash makes up for the other positions at the prices the floor used
    if (bankrupt) cash = 0 - othersValue;
    commissions += feePaid;
    units[a] = after;
    fills.push({ bar, asset: a, units: delta, price, fee: feePaid, reason });
    if (before === 0) {
      startTrade(a, bar, sgn(after), Math.abs(delta), price, feePaid, signalBar);
      return;
    }
    const tr = open[a]!;
    if (after === 0) {
      tr.removedUnits += Math.abs(delta);
      tr.removedValue += Math.abs(delta) * price;
      tr.fees += feePaid;
      closeOut(a, bar, reason);
    } else if (sgn(after) !== sgn(before)) {
      // flip: part of the order closes the old trade, the rest opens a new one; the fee is shared pro rata
      const feeClosing = (feePaid * Math.abs(before)) / Math.abs(delta);
      tr.removedUnits += Math.abs(before);
      tr.removedValue += Math.abs(before) * price;
      tr.fees += feeClosing;
      closeOut(a, bar, reason);
      startTrade(a, bar, sgn(after), Math.abs(after), price, feePaid - feeClosing, signalBar);
    } else if (Math.abs(after) > Math.abs(before)) {
      tr.addedUnits += Math.abs(delta);
      tr.addedValue += Math.abs(delta) * price;
      tr.fees += feePaid;
      tr.entryFees += feePaid;
    } else {
      tr.removedUnits += Math.abs(delta);
      tr.removedValue += Math.abs(delta) * price;
      tr.fees += feePaid;
    }
  };

  const kelly = () => {
    const s = sizing as { fraction?: number; winRate?: number; payoff?: number; minTrades?: number };
    const fraction = s.fraction ?? 0.5;
    let W: number;
    let R: number;
    if (s.winRate !== undefined) {
      W = s.winRate;
      R = s.payoff!;
    } else {
      if (closedReturns.length < (s.minTrades ?? 20)) return Math.min(1, fraction);
      const winners = closedReturns.filter((r) => r > 0);
      const others = closedReturns.filter((r) => !(r > 0));
      let lossSum = 0;
      for (const r of others) lossSum += -r;
      if (others.length === 0 || lossSum === 0) return Math.min(1, fraction);
      if (winners.length === 0) return 0;
      let winSum = 0;
      for (const r of winners) winSum += r;
      W = winners.length / closedReturns.length;
      R = winSum / winners.length / (lossSum / others.length);
    }
    return Math.max(0, Math.min(1, fraction * (W - (1 - W) / R)));
  };

  /** Units to hold for a non-percent sizing at price q with equity e; NaN when it cannot be computed. */
  const unitsWanted = (a: number, target: number, q: number, e: number, signalBar: number): number => {
    if (sizing.mode === 'cash') return (target * sizing.amount) / q;
    if (sizing.mode === 'units') return target * sizing.amount;
    // risk
    const sz = sizing as { risk: number; stop?: StopSpec };
    if (target === 0 || e <= 0) return 0;
    const atrs = assets[a]!.atr;
    const dist = stopDistance(sz.stop ?? opts.stopLoss, q, atrs ? atrs[signalBar]! : NaN);
    if (!(dist > 0)) return NaN;
    return (target * sz.risk * e) / dist;
  };

  /** Value of the positions other than asset a's at the given prices. */
  const othersAt = (a: number, prices: number[]) => {
    let v = 0;
    for (let j = 0; j < k; j++) if (j !== a && units[j] !== 0) v += units[j]! * prices[j]!;
    return v;
  };
  const opensAt = (t: number) => assets.map((x) => x.bars.open[t]!);

  /** Largest x in [lo, hi] with ok(x), given ok(lo) and not ok(hi) (bisection to the last bit). */
  const largest = (lo: number, hi: number, ok: (x: number) => boolean) => {
    for (let i = 0; i < 2000 && lo < hi; i++) {
      const mid = lo + (hi - lo) / 2;
      if (mid === lo || mid === hi) break;
      if (ok(mid)) lo = mid;
      else hi = mid;
    }
    return lo;
  };

  const onTarget = (a: number, signalBar: number, bar: number, prices: number[]) => {
    let target = assets[a]!.targets[signalBar]!;
    if (Number.isNaN(target)) return;
    if (direction === 'long' && target < 0) target = 0;
    if (direction === 'short' && target > 0) target = 0;
    if (!opts.rebalance && target === lastTarget[a]) return;
    lastTarget[a] = target;
    if (!fillAtClose && units[a] !== 0) {
      // the bar opened beyond the liquidation price: the exchange liquidates before the order arrives
      const liq = liquidationPrice(a, bar);
      const o = prices[a]!;
      if (units[a]! > 0 ? o <= liq : o >= liq) exitAt(a, bar, o, 'liquidation');
    }
    const u = units[a]!;
    const p = prices[a]!;
    const E = accountEquity(prices);
    const others = othersAt(a, prices);
    const closeAll = () => {
      const qc = p * (1 - sgn(u) * slippageFor(a, bar, u));
      execute(a, bar, -u, qc, takerRate, 'signal', signalBar, others);
    };
    // an order the equity cannot carry: a reduction or a flip closes the position instead, anything else is refused
    const cannotCarry = (side: number) => {
      if (u !== 0 && side === -sgn(u)) {
        resized++;
        closeAll();
      } else refused++;
    };
    let delta: number;
    let q: number;
    let side: number;
    let wasResized = false;
    if (sizing.mode === 'percent' || sizing.mode === 'kelly') {
      let share = target * (sizing.mode === 'kelly' ? kelly() : 1);
      if (Math.abs(share) > 1) {
        share = Math.sign(share);
        wasResized = true;
      }
      let f = share * leverage;
      if (E <= 0) f = 0;
      if (f === 0) {
        if (u === 0) {
          if (share !== 0) refused++;
          return;
        }
        if (wasResized) resized++;
        closeAll();
        return;
      }
      side = pastDust(f * E - u * p, u * p);
      if (side === 0) return;
      // solve (u + Δ)·q = f·(E_q − side·Δ·q·fee − F) for Δ: a linear equation a·Δ = b
      const slope = 1 + side * f * takerRate;
      const solve = (price: number, eAtPrice: number) => (f * (eAtPrice - fixed) - u * price) / (price * slope);
      q = p * (1 + side * slippageFor(a, bar, solve(p, E)));
      const Eq = E + u * (q - p);
      if (slope <= 0 || Eq - fixed <= 0) return cannotCarry(side);
      delta = solve(q, Eq);
      if (sgn(delta) !== side) return;
      if (!(Eq - fixed - Math.abs(delta) * q * takerRate > 0)) return cannotCarry(side);
    } else {
      if (E <= 0 && u === 0 && target !== 0) {
        refused++;
        return;
      }
      const wantAtP = unitsWanted(a, target, p, E, signalBar);
      if (Number.isNaN(wantAtP)) return;
      side = pastDust(wantAtP - u, u);
      if (side === 0) return;
      q = p * (1 + side * slippageFor(a, bar, wantAtP - u));
      const Eq = E + u * (q - p);
      let want = unitsWanted(a, target, q, Eq, signalBar);
      if (Number.isNaN(want)) return;
      if (want === 0) {
        if (u !== 0) closeAll();
        return;
      }
      // the margin cap: |position| · q ≤ leverage · (E_q − fees of the order)
      const s = sgn(want);
      const U = u * q;
      const fits = (N: number) => N <= leverage * (Eq - fixed - Math.abs(s * N - U) * takerRate);
      const N = Math.abs(want) * q;
      if (!fits(N)) {
        let lo: number;
        if (sgn(u) === s && Math.abs(want) > Math.abs(u)) {
          // adding: the order cannot even start unless the current position fits
          // (a position at the cap to 1e-9 leaves no room)
          if (!fits(Math.abs(U) * (1 + 1e-9))) {
            refused++;
            return;
          }
          lo = Math.abs(U);
        } else {
          // reducing or flipping: some position on the target's side must fit
          if (!fits(0) || (sgn(u) === s && !(1 - leverage * takerRate > 0))) return cannotCarry(side);
          lo = 0;
        }
        const capN = largest(lo, N, fits);
        if (!(capN > 0)) return cannotCarry(side);
        want = (s * capN) / q;
        wasResized = true;
      }
      delta = want - u;
    }
    if (sgn(delta) !== side) return;
    let after = u + delta;
    if (lot > 0 && after !== 0) {
      after = Math.trunc(after / lot) * lot;
      delta = after - u;
      if (sgn(delta) !== side) return;
    }
    if (after !== 0 && Math.abs(delta) * q < minNotional) return;
    // the account marked at the market price after the order (fee and slippage paid) must stay above zero
    if (after !== 0 && !(E - delta * (q - p) - (Math.abs(delta) * q * takerRate + fixed) > 0)) return cannotCarry(side);
    if (wasResized) resized++;
    execute(a, bar, delta, q, takerRate, 'signal', signalBar, others);
  };

  const exitAt = (a: number, bar: number, level: number, reason: Reason) => {
    const u = units[a]!;
    let price = level;
    let rate = takerRate;
    if (reason === 'take-profit') rate = makerRate;
    else if (reason === 'liquidation') liquidations++;
    else price = level * (1 - sgn(u) * slippageFor(a, bar, u));
    // other positions at this bar's open, as for the liquidation price
    execute(a, bar, -u, price, rate, reason, bar, othersAt(a, opensAt(bar)));
  };

  const liquidationPrice = (a: number, t: number) => {
    // cross margin: other positions valued at this bar's open
    let c = cash;
    for (let j = 0; j < k; j++) {
      if (j === a || units[j] === 0) continue;
      const p = assets[j]!.bars.open[t]!;
      c += units[j]! * p - mm * Math.abs(units[j]!) * p;
    }
    const u = units[a]!;
    // solve c + u·P = mm·|u|·P for P
    if (u > 0) return c < 0 ? -c / (u * (1 - mm)) : NaN;
    return c / (-u * (1 + mm));
  };

  const insideBar = (a: number, t: number) => {
    const b = assets[a]!.bars;
    const tr = open[a]!;
    const side = sgn(units[a]!);
    const o = b.open[t]!;
    const hi = b.high[t]!;
    const lo = b.low[t]!;
    // "beyond" in the adverse direction: below for a long, above for a short
    const adverseTouch = (price: number, level: number) => (side > 0 ? price <= level : price >= level);
    const favourTouch = (price: number, level: number) => (side > 0 ? price >= level : price <= level);
    let stopLevel = tr.stopLoss;
    let stopReason: Reason = 'stop-loss';
    if (opts.trailingStop !== undefined) {
      const trail = typeof opts.trailingStop === 'number' ? tr.extreme * (1 - side * opts.trailingStop) : tr.extreme - side * tr.trailDistance;
      const tighter = side > 0 ? trail > stopLevel : trail < stopLevel;
      if (!Number.isNaN(trail) && (Number.isNaN(stopLevel) || tighter)) {
        stopLevel = trail;
        stopReason = 'trailing-stop';
      }
    }
    const liq = liquidationPrice(a, t);
    const tp = tr.takeProfit;
    // gaps: the bar opens beyond a level (beyond the liquidation price, the exchange acts first)
    if (adverseTouch(o, liq)) return exitAt(a, t, o, 'liquidation');
    if (adverseTouch(o, stopLevel)) return exitAt(a, t, o, stopReason);
    if (favourTouch(o, tp)) return exitAt(a, t, o, 'take-profit');
    const far = side > 0 ? lo : hi;
    const near = side > 0 ? hi : lo;
    // the adverse level met first is the one nearer the open
    let adverse: { level: number; reason: Reason } | null = null;
    const hitStop = adverseTouch(far, stopLevel);
    const hitLiq = adverseTouch(far, liq);
    if (hitStop && hitLiq) adverse = (side > 0 ? stopLevel >= liq : stopLevel <= liq) ? { level: stopLevel, reason: stopReason } : { level: liq, reason: 'liquidation' };
    else if (hitStop) adverse = { level: stopLevel, reason: stopReason };
    else if (hitLiq) adverse = { level: liq, reason: 'liquidation' };
    const hitTp = favourTouch(near, tp);
    if (adverse && hitTp) {
      ambiguous++;
      return optimistic ? exitAt(a, t, tp, 'take-profit') : exitAt(a, t, adverse.level, adverse.reason);
    }
    if (adverse) return exitAt(a, t, adverse.level, adverse.reason);
    if (hitTp) return exitAt(a, t, tp, 'take-profit');
    // still open: the trailing extreme takes this bar's high (long) or low (short)
    tr.extreme = side > 0 ? Math.max(tr.extreme, hi) : Math.min(tr.extreme, lo);
  };

  const tfLength = assets[0]!.bars.timeframe ? tfMs(assets[0]!.bars.timeframe) : 0;
  const fundingRate = (a: number, t: number): number => {
    const series = assets[a]!.fundingRates ?? (opts.funding && 'rates' in opts.funding ? opts.funding.rates : undefined);
    if (series) return series[t]!;
    if (!opts.funding || !('rate' in opts.funding)) return 0;
    const every = tfMs(opts.funding.every ?? '8h');
    const ts = assets[0]!.bars.ts[t]!;
    let events = 0;
    // funding instants m·every with open < m·every <= close
    for (let m = Math.floor(ts / every) + 1; m * every <= ts + tfLength; m++) events++;
    return events * opts.funding.rate;
  };

  for (let t = 0; t < n; t++) {
    if (!fillAtClose && t >= 1) {
      const opens = assets.map((x) => x.bars.open[t]!);
      for (let a = 0; a < k; a++) onTarget(a, t - 1, t, opens);
    }
    for (let a = 0; a < k; a++) if (units[a] !== 0) insideBar(a, t);
    for (let a = 0; a < k; a++) {
      if (units[a] === 0) continue;
      const rate = fundingRate(a, t);
      if (!rate) continue;
      let pay = units[a]! * assets[a]!.bars.close[t]! * rate;
      // funding is paid out of the margin, never more than the account is worth; all of it liquidates at the close
      const worth = accountEquity(assets.map((x) => x.bars.close[t]!));
      const allOfIt = pay > 0 && pay >= worth;
      if (allOfIt) {
        absorbed += pay - Math.max(worth, 0);
        pay = Math.max(worth, 0);
      }
      cash -= pay;
      open[a]!.funding += pay;
      if (allOfIt) exitAt(a, t, assets[a]!.bars.close[t]!, 'liquidation');
    }
    if (fillAtClose) {
      const closes = assets.map((x) => x.bars.close[t]!);
      for (let a = 0; a < k; a++) onTarget(a, t, t, closes);
    }
    equity.push(accountEquity(assets.map((x) => x.bars.close[t]!)));
    for (let a = 0; a < k; a++) positions[a]!.push(units[a]!);
  }
  for (let a = 0; a < k; a++) {
    const tr = open[a];
    if (!tr) continue;
    tr.removedUnits += Math.abs(units[a]!);
    tr.removedValue += Math.abs(units[a]!) * assets[a]!.bars.close[n - 1]!;
    closeOut(a, n - 1, 'end');
  }
  return { equity, positions, fills, trades, finalEquity: equity[n - 1] ?? cash, ambiguous, liquidations, commissions, resized, refused, absorbed };
}
