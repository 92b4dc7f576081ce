import { parseTimeframe, type Bars } from '../core';
import {
  ColumnBuilder,
  ORDER_TYPES,
  REASON_END,
  REASON_LIQUIDATION,
  REASON_SIGNAL,
  REASON_STOP_LOSS,
  REASON_TAKE_PROFIT,
  REASON_TRAILING_STOP,
  TRADE_TYPES,
} from './columns';
import { SIZE_KELLY, STOP_ATR, STOP_FRACTION, type ResolvedOptions } from './options';
import { badTarget, blankOrder, directedTarget, fillFee, floorClose, ORDER_REFUSED, ORDER_RESIZED, sizeOrder, slippageRate } from './order';

/** One asset of a run: aligned bars, the strategy's targets, and the series some options read. */
export interface AssetInput {
  bars: Bars;
  targets: Float64Array;
  /** ATR per bar, read by ATR stops and risk sizing (the value at the signal bar). */
  atr?: Float64Array | null;
  /** funding rate to charge at each bar's close; overrides the options' funding for this asset. */
  fundingRates?: Float64Array | null;
}

/** What one engine run produces. Columns and curves only when recording. */
export interface EngineOutput {
  finalEquity: number;
  ambiguous: number;
  commissions: number;
  funding: number;
  liquidations: number;
  /** target orders cut to the margin cap (leverage × equity after fees) or turned into a close. */
  resizedOrders: number;
  /** target orders not placed because equity after fees could not carry them. */
  refusedOrders: number;
  /** losses beyond the account's equity that the exchange took (fees waived, fills at the bankruptcy price, funding beyond equity). */
  absorbedLoss: number;
  exposedBars: number;
  /** number of trades, counting a position open at the end. */
  tradeCount: number;
  /** Σ r and Σ r² of per-bar returns (r = equity / previous equity − 1, the first against the initial cash); runs without records only. */
  sumReturns: number;
  sumSquaredReturns: number;
  /** runs without records only (a recorded curve gets the full statistics instead). */
  maxDrawdown: number;
  equity: Float64Array | null;
  positions: Float64Array[] | null;
  orders: ColumnBuilder<keyof typeof ORDER_TYPES> | null;
  trades: ColumnBuilder<keyof typeof TRADE_TYPES> | null;
}

const sign = (x: number): number => (x > 0 ? 1 : x < 0 ? -1 : 0);
// bound once: under tsx every read through an import is a getter call
const REFUSED = ORDER_REFUSED;
const RESIZED = ORDER_RESIZED;

/**
 * The general simulator: any number of aligned assets sharing one cash balance, every option of
 * {@link ResolvedOptions}. Per bar t, in this order:
 * 1. next-open fill: targets of bar t−1 fill at bar t's open (assets in index order); a position whose bar
 *    opened beyond its liquidation level is liquidated at the open before its order is sized;
 * 2. each open position is checked inside the bar: a gap through the liquidation level, a stop or the
 *    take-profit fills at the open (in that order); otherwise levels touched by the low/high fill at the level; a bar that
 *    touched both an adverse level and the take-profit is ambiguous and resolves pessimistically by default;
 * 3. trailing-stop extremes take the bar's high (long) / low (short);
 * 4. funding is charged on positions held at the bar's close (never more than the account's equity);
 * 5. close fill: targets of bar t fill at bar t's close;
 * 6. equity is marked at the close.
 * After the last bar an open position becomes a trade with reason 'end', marked at the last close without fee.
 * Orders go through the margin cap of {@link sizeOrder}; every fill that closes a position goes through the
 * zero floor of {@link floorClose}, so a single-asset account never goes below zero.
 */
export class Engine {
  readonly k: number;
  readonly n: number;
  private readonly open: Float64Array[];
  private readonly high: Float64Array[];
  private readonly low: Float64Array[];
  private readonly close: Float64Array[];
  private readonly volume: Float64Array[];
  private readonly tgt: Float64Array[];
  private readonly atr: (Float64Array | null)[];
  private readonly fund: (Float64Array | null)[];
  private readonly ts: Float64Array;
  private readonly barMs: number;

  private cash: number;
  private readonly units: Float64Array;
  private readonly last: Float64Array;
  // the open trade of each asset
  private readonly tOpen: Uint8Array;
  private readonly tSide: Float64Array;
  private readonly tEntryBar: Int32Array;
  private readonly tEntryUnits: Float64Array;
  private readonly tEntryNotional: Float64Array;
  private readonly tExitUnits: Float64Array;
  private readonly tExitNotional: Float64Array;
  private readonly tFees: Float64Array;
  private readonly tEntryFees: Float64Array;
  private readonly tFunding: Float64Array;
  // stops of the open trade
  private readonly slLvl: Float64Array;
  private readonly tpLvl: Float64Array;
  private readonly trailDist: Float64Array;
  private readonly peak: Float64Array;
  // closed trades, for Kelly sizing
  private kCount = 0;
  /** cached liquidation level of asset 0 (single-asset runs without stops); stale after any cash change. */
  private liq = NaN;
  private liqStale = true;
  private kWins = 0;
  /** the order being placed (reused: sizing allocates nothing). */
  private readonly ord = blankOrder();
  private kSumWin = 0;
  private kSumLoss = 0;

  ambiguous = 0;
  commissions = 0;
  fundingPaid = 0;
  liquidations = 0;
  resizedOrders = 0;
  refusedOrders = 0;
  absorbedLoss = 0;
  exposedBars = 0;

  constructor(
    assets: readonly AssetInput[],
    private readonly o: ResolvedOptions,
    private readonly record: boolean,
    private readonly optimistic: boolean,
  ) {
    const k = (this.k = assets.length);
    const n = (this.n = k ? assets[0]!.bars.close.length : 0);
    this.open = assets.map((a) => a.bars.open);
    this.high = assets.map((a) => a.bars.high);
    this.low = assets.map((a) => a.bars.low);
    this.close = assets.map((a) => a.bars.close);
    this.volume = assets.map((a) => a.bars.volume);
    this.tgt = assets.map((a) => a.targets);
    this.atr = assets.map((a) => a.atr ?? null);
    this.fund = assets.map((a) => a.fundingRates ?? o.fundingRates);
    this.ts = k ? assets[0]!.bars.ts : new Float64Array(0);
    const tf = k ? assets[0]!.bars.timeframe : '';
    this.barMs = tf ? parseTimeframe(tf).ms : n > 1 ? this.ts[1]! - this.ts[0]! : 0;
    this.cash = o.cash;
    const f = () => new Float64Array(k);
    this.units = f();
    this.last = f().fill(NaN);
    this.tOpen = new Uint8Array(k);
    this.tSide = f();
    this.tEntryBar = new Int32Array(k);
    this.tEntryUnits = f();
    this.tEntryNotional = f();
    this.tExitUnits = f();
    this.tExitNotional = f();
    this.tFees = f();
    this.tEntryFees = f();
    this.tFunding = f();
    this.slLvl = f().fill(NaN);
    this.tpLvl = f().fill(NaN);
    this.trailDist = f().fill(NaN);
    this.peak = f().fill(NaN);
    this.equity = record ? new Float64Array(n) : null;
    this.positions = record ? assets.map(() => new Float64Array(n)) : null;
    this.orders = record ? new ColumnBuilder(ORDER_TYPES) : null;
    this.trades = record ? new ColumnBuilder(TRADE_TYPES) : null;
  }

  readonly equity: Float64Array | null;
  readonly positions: Float64Array[] | null;
  readonly orders: ColumnBuilder<keyof typeof ORDER_TYPES> | null;
  readonly trades: ColumnBuilder<keyof typeof TRADE_TYPES> | null;

  /** Runs every bar; returns the final equity. */
  run(): EngineOutput {
    const { k, n, o } = this;
    const hasFunding = o.fundingEveryMs > 0 || this.fund.some((x) => x !== null);
    // with no stops and one asset, the only intrabar event is a liquidation, whose level changes only with
    // cash and units: keep it cached and enter intrabar() only on bars that reach it
    const gate = k === 1 && o.slKind === 0 && o.tpKind === 0 && o.trailKind === 0;
    const low0 = k ? this.low[0]! : null;
    const high0 = k ? this.high[0]! : null;
    const tgt0 = k ? this.tgt[0]! : null;
    let eq = o.cash;
    let prev = o.cash;
    let peak = o.cash;
    let maxDd = 0;
    let floor = o.cash * (1 + 1e-12); // equities at or above this cannot deepen the drawdown
    let sr = 0;
    let sr2 = 0;
    const units = this.units;
    const closes = this.close;
    const positions = this.positions;
    const equity = this.equity;
    const close0 = k ? closes[0]! : null;
    const pos0 = positions ? positions[0]! : null;
    for (let t = 0; t < n; t++) {
      if (!o.fillClose && t > 0 && (k !== 1 || tgt0![t - 1] === tgt0![t - 1])) this.fillTargets(t - 1, t, this.open);
      if (gate) {
        const u = this.units[0]!;
        if (u !== 0) {
          if (this.liqStale) {
            this.liq = this.liquidationLevel(0, t);
            this.liqStale = false;
          }
          const L = this.liq;
          if (u > 0 ? low0![t]! <= L : high0![t]! >= L) this.intrabar(0, t);
        }
      } else {
        for (let a = 0; a < k; a++) {
          if (this.units[a] !== 0) this.intrabar(a, t);
        }
      }
      if (hasFunding) for (let a = 0; a < k; a++) this.chargeFunding(a, t);
      if (o.fillClose && (k !== 1 || tgt0![t] === tgt0![t])) this.fillTargets(t, t, this.close);
      eq = this.cash;
      if (k === 1) {
        const u = units[0]!;
        if (u !== 0) {
          eq += u * close0![t]!;
          this.exposedBars++;
        }
        if (pos0) pos0[t] = u;
      } else {
        let exposed = false;
        for (let a = 0; a < k; a++) {
          const u = units[a]!;
          if (u !== 0) {
            eq += u * closes[a]![t]!;
            exposed = true;
          }
          if (positions) positions[a]![t] = u;
        }
        if (exposed) this.exposedBars++;
      }
      if (equity) equity[t] = eq;
      else {
        // running figures for summaries (the recorded curve gets full statistics instead)
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
    for (let a = 0; a < k; a++) {
      if (this.tOpen[a]) {
        this.addExit(a, Math.abs(this.units[a]!), this.close[a]![n - 1]!, 0);
        this.closeTrade(a, n - 1, REASON_END);
      }
    }
    return {
      finalEquity: eq,
      ambiguous: this.ambiguous,
      commissions: this.commissions,
      funding: this.fundingPaid,
      liquidations: this.liquidations,
      resizedOrders: this.resizedOrders,
      refusedOrders: this.refusedOrders,
      absorbedLoss: this.absorbedLoss,
      exposedBars: this.exposedBars,
      tradeCount: this.kCount,
      sumReturns: sr,
      sumSquaredReturns: sr2,
      maxDrawdown: maxDd,
      equity: this.equity,
      positions: this.positions,
      orders: this.orders,
      trades: this.trades,
    };
  }

  /** Equity with every asset at px[j][t]. */
  private equityAt(px: Float64Array[], t: number): number {
    let e = this.cash;
    for (let j = 0; j < this.k; j++) {
      const u = this.units[j]!;
      if (u !== 0) e += u * px[j]![t]!;
    }
    return e;
  }

  /** Places the orders for the targets of signal bar `sig`, filling at px[a][t]. */
  private fillTargets(sig: number, t: number, px: Float64Array[]): void {
    const o = this.o;
    for (let a = 0; a < this.k; a++) {
      let raw = this.tgt[a]![sig]!;
      if (raw !== raw) continue;
      if (raw - raw !== 0) throw badTarget(sig, raw);
      raw = directedTarget(o, raw);
      if (!o.rebalance && raw === this.last[a]) continue;
      this.last[a] = raw;
      if (px === this.open) {
        // a bar that opened beyond the liquidation level liquidates before the order reaches the exchange
        const u = this.units[a]!;
        if (u !== 0) {
          const L = this.liquidationLevel(a, t);
          const op = px[a]![t]!;
          if (u > 0 ? op <= L : op >= L) this.exit(a, t, op, REASON_LIQUIDATION);
        }
      }
      this.targetOrder(a, raw, sig, t, px);
    }
  }

  /** Kelly multiplier in [0, 1] from the options or the trades closed so far. */
  private kellyFactor(): number {
    const o = this.o;
    let w: number;
    let r: number;
    if (o.kellyWinRate === o.kellyWinRate) {
      w = o.kellyWinRate;
      r = o.kellyPayoff;
    } else {
      if (this.kCount < o.kellyMinTrades) return Math.min(1, o.kellyFraction);
      const losses = this.kCount - this.kWins;
      if (losses === 0 || this.kSumLoss === 0) return Math.min(1, o.kellyFraction);
      if (this.kWins === 0) return 0;
      w = this.kWins / this.kCount;
      r = this.kSumWin / this.kWins / (this.kSumLoss / losses);
    }
    const f = o.kellyFraction * (w - (1 - w) / r);
    return f > 1 ? 1 : f > 0 ? f : 0;
  }

  /** Sizes and fills one target order for asset a at bar t (unslipped price px[a][t]) by the one order rule. */
  private targetOrder(a: number, raw: number, sig: number, t: number, px: Float64Array[]): void {
    const o = this.o;
    const kelly = o.sizing === SIZE_KELLY ? this.kellyFactor() : 1;
    const atrs = this.atr[a];
    const ord = this.ord;
    if (!sizeOrder(ord, o, this.units[a]!, this.equityAt(px, t), px[a]![t]!, raw, kelly, atrs ? atrs[sig]! : NaN, this.volume[a]![t]!)) {
      if (ord.status === REFUSED) this.refusedOrders++;
      return;
    }
    if (ord.status === RESIZED) this.resizedOrders++;
    this.fill(a, t, ord.delta, ord.price, ord.fee, REASON_SIGNAL, sig);
    if (ord.absorbed > 0) this.absorb(ord.absorbed, this.othersAt(a, px, t));
  }

  /** Value of the positions other than asset a's at px[j][t]. */
  private othersAt(a: number, px: Float64Array[], t: number): number {
    let v = 0;
    for (let j = 0; j < this.k; j++) if (j !== a && this.units[j] !== 0) v += this.units[j]! * px[j]![t]!;
    return v;
  }

  /**
   * Books a loss the exchange took on a floored close: the account is then worth exactly zero with the other
   * positions at the prices the floor used (`others`, 0 for a single asset).
   */
  private absorb(loss: number, others: number): void {
    this.absorbedLoss += loss;
    this.cash = 0 - others;
  }

  /** Books a fill of `delta` units at price q paying `fee`: cash, fees, order record, trade bookkeeping, stops. */
  private fill(a: number, t: number, delta: number, q: number, fee: number, reason: number, sig: number): void {
    const u = this.units[a]!;
    const next = delta === -u ? 0 : u + delta;
    this.cash -= delta * q + fee;
    this.liqStale = true;
    this.commissions += fee;
    this.units[a] = next;
    if (this.orders) {
      const i = this.orders.next();
      const c = this.orders.cols;
      c.bar[i] = t;
      c.ts[i] = this.ts[t]!;
      c.asset[i] = a;
      c.units[i] = delta;
      c.price[i] = q;
      c.fee[i] = fee;
      c.reason[i] = reason;
    }
    if (u === 0) this.openTrade(a, t, sign(next), Math.abs(delta), q, fee, sig);
    else if (next === 0) {
      this.addExit(a, Math.abs(delta), q, fee);
      this.closeTrade(a, t, reason);
    } else if (sign(next) === sign(u)) {
      if (Math.abs(next) > Math.abs(u)) {
        this.tEntryUnits[a] += Math.abs(delta);
        this.tEntryNotional[a] += Math.abs(delta) * q;
        this.tFees[a] += fee;
        this.tEntryFees[a] += fee;
      } else this.addExit(a, Math.abs(delta), q, fee);
    } else {
      const closing = (fee * Math.abs(u)) / Math.abs(delta);
      this.addExit(a, Math.abs(u), q, closing);
      this.closeTrade(a, t, reason);
      this.openTrade(a, t, sign(next), Math.abs(next), q, fee - closing, sig);
    }
  }

  private openTrade(a: number, t: number, side: number, units: number, q: number, fee: number, sig: number): void {
    const o = this.o;
    this.tOpen[a] = 1;
    this.tSide[a] = side;
    this.tEntryBar[a] = t;
    this.tEntryUnits[a] = units;
    this.tEntryNotional[a] = units * q;
    this.tExitUnits[a] = 0;
    this.tExitNotional[a] = 0;
    this.tFees[a] = fee;
    this.tEntryFees[a] = fee;
    this.tFunding[a] = 0;
    const atrs = this.atr[a];
    const atr = atrs ? atrs[sig]! : NaN;
    this.slLvl[a] = o.slKind === STOP_FRACTION ? q * (1 - side * o.sl) : o.slKind === STOP_ATR ? q - side * o.sl * atr : NaN;
    this.tpLvl[a] = o.tpKind === STOP_FRACTION ? q * (1 + side * o.tp) : o.tpKind === STOP_ATR ? q + side * o.tp * atr : NaN;
    this.trailDist[a] = o.trailKind === STOP_ATR ? o.trail * atr : NaN;
    this.peak[a] = q;
  }

  private addExit(a: number, units: number, q: number, fee: number): void {
    this.tExitUnits[a] += units;
    this.tExitNotional[a] += units * q;
    this.tFees[a] += fee;
  }

  private closeTrade(a: number, t: number, reason: number): void {
    const side = this.tSide[a]!;
    const entryNotional = this.tEntryNotional[a]!;
    const pnl = side * (this.tExitNotional[a]! - entryNotional) - this.tFees[a]! - this.tFunding[a]!;
    const ret = pnl / (entryNotional + this.tEntryFees[a]!);
    this.tOpen[a] = 0;
    this.kCount++;
    if (ret > 0) {
      this.kWins++;
      this.kSumWin += ret;
    } else this.kSumLoss -= ret;
    if (!this.trades) return;
    const i = this.trades.next();
    const c = this.trades.cols;
    c.asset[i] = a;
    c.side[i] = side;
    c.entryBar[i] = this.tEntryBar[a]!;
    c.exitBar[i] = t;
    c.entryTs[i] = this.ts[this.tEntryBar[a]!]!;
    c.exitTs[i] = this.ts[t]!;
    c.size[i] = this.tEntryUnits[a]!;
    c.entryPrice[i] = entryNotional / this.tEntryUnits[a]!;
    c.exitPrice[i] = this.tExitNotional[a]! / this.tExitUnits[a]!;
    c.fees[i] = this.tFees[a]!;
    c.funding[i] = this.tFunding[a]!;
    c.pnl[i] = pnl;
    c.returns[i] = ret;
    c.barsHeld[i] = t - this.tEntryBar[a]!;
    c.exitReason[i] = reason;
  }

  /** Level at which asset a's position is liquidated during bar t (other assets at this bar's open); NaN if none. */
  private liquidationLevel(a: number, t: number): number {
    const mm = this.o.maintenance;
    let c = this.cash;
    for (let j = 0; j < this.k; j++) {
      const u = this.units[j]!;
      if (j === a || u === 0) continue;
      const p = this.open[j]![t]!;
      c += u * p - mm * Math.abs(u) * p;
    }
    const u = this.units[a]!;
    if (u > 0) return c < 0 ? -c / (u * (1 - mm)) : NaN;
    return c / (-u * (1 + mm));
  }

  /**
   * Closes asset a's whole position at level x (stops pay slippage; take-profit and liquidation do not),
   * through the zero floor (other positions valued at this bar's open, as for the liquidation level).
   */
  private exit(a: number, t: number, x: number, reason: number): void {
    const o = this.o;
    const u = this.units[a]!;
    let q = x;
    let feeRate = o.taker;
    if (reason === REASON_TAKE_PROFIT) feeRate = o.maker;
    else if (reason === REASON_LIQUIDATION) this.liquidations++;
    else q = x * (1 - sign(u) * slippageRate(o, u, this.volume[a]![t]!));
    const others = this.k === 1 ? 0 : this.othersAt(a, this.open, t);
    const ord = this.ord;
    floorClose(ord, u, q, fillFee(o, u, q, feeRate), this.cash + u * q + others);
    this.fill(a, t, -u, ord.price, ord.fee, reason, t);
    if (ord.absorbed > 0) this.absorb(ord.absorbed, others);
  }

  /** Stops, take-profit and liquidation inside bar t for asset a's open position. */
  private intrabar(a: number, t: number): void {
    const o = this.o;
    const u = this.units[a]!;
    const op = this.open[a]![t]!;
    const hi = this.high[a]![t]!;
    const lo = this.low[a]![t]!;
    const L = this.liquidationLevel(a, t);
    const B = this.tpLvl[a]!;
    let A = this.slLvl[a]!;
    let why = REASON_STOP_LOSS;
    if (u > 0) {
      if (o.trailKind !== 0) {
        const tl = o.trailKind === STOP_FRACTION ? this.peak[a]! * (1 - o.trail) : this.peak[a]! - this.trailDist[a]!;
        if (tl === tl && !(tl <= A)) {
          A = tl;
          why = REASON_TRAILING_STOP;
        }
      }
      if (op <= L) return this.exit(a, t, op, REASON_LIQUIDATION);
      if (op <= A) return this.exit(a, t, op, why);
      if (op >= B) return this.exit(a, t, op, REASON_TAKE_PROFIT);
      let adv = 0;
      let lvl = NaN;
      if (lo <= A && !(L > A)) {
        adv = why;
        lvl = A;
      } else if (lo <= L) {
        adv = REASON_LIQUIDATION;
        lvl = L;
      }
      const hitB = hi >= B;
      if (adv !== 0 && hitB) {
        this.ambiguous++;
        if (this.optimistic) return this.exit(a, t, B, REASON_TAKE_PROFIT);
        return this.exit(a, t, lvl, adv);
      }
      if (adv !== 0) return this.exit(a, t, lvl, adv);
      if (hitB) return this.exit(a, t, B, REASON_TAKE_PROFIT);
      if (hi > this.peak[a]!) this.peak[a] = hi;
    } else {
      if (o.trailKind !== 0) {
        const tl = o.trailKind === STOP_FRACTION ? this.peak[a]! * (1 + o.trail) : this.peak[a]! + this.trailDist[a]!;
        if (tl === tl && !(tl >= A)) {
          A = tl;
          why = REASON_TRAILING_STOP;
        }
      }
      if (op >= L) return this.exit(a, t, op, REASON_LIQUIDATION);
      if (op >= A) return this.exit(a, t, op, why);
      if (op <= B) return this.exit(a, t, op, REASON_TAKE_PROFIT);
      let adv = 0;
      let lvl = NaN;
      if (hi >= A && !(L < A)) {
        adv = why;
        lvl = A;
      } else if (hi >= L) {
        adv = REASON_LIQUIDATION;
        lvl = L;
      }
      const hitB = lo <= B;
      if (adv !== 0 && hitB) {
        this.ambiguous++;
        if (this.optimistic) return this.exit(a, t, B, REASON_TAKE_PROFIT);
        return this.exit(a, t, lvl, adv);
      }
      if (adv !== 0) return this.exit(a, t, lvl, adv);
      if (hitB) return this.exit(a, t, B, REASON_TAKE_PROFIT);
      if (lo < this.peak[a]!) this.peak[a] = lo;
    }
  }

  /** Funding on asset a's position at bar t's close. */
  private chargeFunding(a: number, t: number): void {
    const u = this.units[a]!;
    if (u === 0) return;
    const series = this.fund[a];
    let rate: number;
    if (series) rate = series[t]!;
    else {
      const every = this.o.fundingEveryMs;
      const t0 = this.ts[t]!;
      rate = (Math.floor((t0 + this.barMs) / every) - Math.floor(t0 / every)) * this.o.fundingRate;
    }
    if (!(rate !== 0 && rate === rate)) return;
    let pay = u * this.close[a]![t]! * rate;
    let exhausted = false;
    if (pay > 0) {
      // funding comes out of the margin and never takes the account below zero (the rest is the exchange's);
      // funding that takes all of it liquidates the position at the close
      const e = this.equityAt(this.close, t);
      if (pay >= e) {
        const paid = e > 0 ? e : 0;
        this.absorbedLoss += pay - paid;
        pay = paid;
        exhausted = true;
      }
    }
    this.cash -= pay;
    this.liqStale = true;
    this.fundingPaid += pay;
    this.tFunding[a] += pay;
    if (exhausted) this.exit(a, t, this.close[a]![t]!, REASON_LIQUIDATION);
  }
}
