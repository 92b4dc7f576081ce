import { barsPerYear, QuantlabError, type Bars } from '../core';
import { type OrderColumns, type TradeColumns } from './columns';
import { Engine, type AssetInput, type EngineOutput } from './engine';
import { TargetEvents } from './events';
import { fastPathApplies, fastSummary, sharpeFromSums, type SimSummary } from './fast';
import { resolveOptions, type ResolvedOptions, type SimOptions } from './options';

/** Everything a simulation produces; curves and columns are typed arrays the length of the bars / fills. */
export interface SimResult {
  /** the options used, every default filled in. */
  options: ResolvedOptions['echo'];
  symbols: string[];
  initialCash: number;
  /** equity at each bar's close. */
  equity: Float64Array;
  /** units held at each bar's close, one array per asset. */
  positions: Float64Array[];
  /** positions[0]: the units of the first (or only) asset. */
  position: Float64Array;
  orders: OrderColumns;
  trades: TradeColumns;
  finalEquity: number;
  /** final equity when every ambiguous bar resolves against / for the trade. One of them equals finalEquity. */
  pessimisticFinalEquity: number;
  optimisticFinalEquity: number;
  /** trades ended in a bar that touched both an adverse level (stop or liquidation) and the take-profit. */
  ambiguousTrades: number;
  /** fees paid (rate and fixed). */
  commissions: number;
  /** funding paid (negative: received). */
  funding: number;
  liquidations: number;
  /** target orders cut to the margin cap (notional ≤ leverage × equity after fees) or turned into a close. */
  resizedOrders: number;
  /** target orders not placed because the equity left after fees could not carry any position (e.g. at zero equity). */
  refusedOrders: number;
  /** what the exchange took beyond the account's equity: fees waived and gaps beyond the bankruptcy price at closes, funding beyond equity. */
  absorbedLoss: number;
  /** bars that closed holding a position. */
  exposedBars: number;
}

/** Optional per-bar series some options read. */
export interface SimSeries {
  /** ATR per bar, for `{ atr: k }` stops and risk sizing. */
  atr?: Float64Array | null;
  /** funding rate to charge at each bar's close (same as the `funding: { rates }` option). */
  fundingRates?: Float64Array | null;
}

function checkAsset(a: AssetInput, i: number, n: number, ts: Float64Array, o: ResolvedOptions): void {
  const name = a.bars.symbol || `asset ${i}`;
  if (a.bars.close.length !== n) throw new QuantlabError('BAD_ARGUMENT', `simulate: ${name} has ${a.bars.close.length} bars, expected ${n} (aligned bars)`);
  if (a.targets.length !== n) throw new QuantlabError('BAD_ARGUMENT', `simulate: ${name} has ${a.targets.length} targets, expected ${n} (one per bar)`);
  if (a.atr && a.atr.length !== n) throw new QuantlabError('BAD_ARGUMENT', `simulate: ${name} has ${a.atr.length} ATR values, expected ${n}`);
  if (o.needsAtr && !a.atr) throw new QuantlabError('BAD_ARGUMENT', `simulate: an ATR stop or ATR risk sizing needs an ATR series for ${name}; none was given`);
  if (i > 0 && a.bars.ts !== ts) {
    for (let t = 0; t < n; t++) {
      if (a.bars.ts[t] !== ts[t]) throw new QuantlabError('BAD_ARGUMENT', `simulate: ${name} bar ${t} opens at ${a.bars.ts[t]}, asset 0 at ${ts[t]} (bars must be aligned)`);
    }
  }
}

function run(assets: readonly AssetInput[], o: ResolvedOptions, record: boolean, optimistic: boolean): EngineOutput {
  return new Engine(assets, o, record, optimistic).run();
}

/**
 * Simulates several aligned assets that share one cash balance. Each asset's targets are fractions of the
 * whole account's equity. Orders fill in asset index order at each fill time. See {@link simulate}.
 */
export function simulatePortfolio(assets: readonly AssetInput[], options: SimOptions = {}): SimResult {
  if (!assets.length) throw new QuantlabError('BAD_ARGUMENT', 'simulatePortfolio: expected at least one asset, found none');
  const n = assets[0]!.bars.close.length;
  const o = resolveOptions(options, { length: n, timeframe: assets[0]!.bars.timeframe });
  assets.forEach((a, i) => checkAsset(a, i, n, assets[0]!.bars.ts, o));
  const main = run(assets, o, true, o.optimistic);
  const other = main.ambiguous > 0 ? run(assets, o, false, !o.optimistic).finalEquity : main.finalEquity;
  const positions = main.positions!;
  return {
    options: o.echo,
    symbols: assets.map((a) => a.bars.symbol),
    initialCash: o.cash,
    equity: main.equity!,
    positions,
    position: positions[0]!,
    orders: main.orders!.finish() as unknown as OrderColumns,
    trades: main.trades!.finish() as unknown as TradeColumns,
    finalEquity: main.finalEquity,
    pessimisticFinalEquity: o.optimistic ? other : main.finalEquity,
    optimisticFinalEquity: o.optimistic ? main.finalEquity : other,
    ambiguousTrades: main.ambiguous,
    commissions: main.commissions,
    funding: main.funding,
    liquidations: main.liquidations,
    resizedOrders: main.resizedOrders,
    refusedOrders: main.refusedOrders,
    absorbedLoss: main.absorbedLoss,
    exposedBars: main.exposedBars,
  };
}

/**
 * Turns one asset's targets into fills, trades and an equity curve.
 *
 * `targets[t]` is decided on bar t's close: a fraction of equity (× leverage; negative = short; NaN = keep the
 * current position). A target equal to the previous finite target places no order unless `rebalance` is on,
 * so after a stop the position stays flat until the target changes. Conventions (all-in, fee f, fixed fee F):
 * an entry of all cash buys (cash − F) / (price · (1 + f)) units; an exit sells for units · price · (1 − f) − F;
 * a position open after the last bar is marked to market at the last close without an exit fee. Margin: no
 * position is ever worth more than leverage × equity after fees (orders are cut or refused, and counted), and
 * a single asset's equity never goes below zero (liquidation at the maintenance margin; a loss beyond the
 * margin is the exchange's, `absorbedLoss`); at zero equity no further order is placed.
 * @example
 * const bars = await ql.loadDataset('BTCUSDT', '1h');
 * const targets = new Float64Array(bars.close.length).fill(1); // all in from the first close: buy and hold
 * simulate(bars, targets, { fill: 'close', fee: 0.001 }).finalEquity // 193105.05…
 */
export function simulate(bars: Bars, targets: Float64Array, options: SimOptions = {}, series: SimSeries = {}): SimResult {
  return simulatePortfolio([{ bars, targets, atr: series.atr, fundingRates: series.fundingRates }], options);
}

/**
 * Final equity, Sharpe, max drawdown and trade count without building the trade list or the equity curve —
 * the call a parameter sweep makes thousands of times. Targets may be dense or sparse ({@link TargetEvents}). Uses the one-pass fast kernel when the options allow it
 * (percent sizing, no stops, funding, volume slippage or lot rounding), else the engine without records.
 * `riskFreeRate` is annual, as in the statistics.
 */
export function simulateSummary(
  bars: Bars,
  targets: Float64Array | TargetEvents,
  options: SimOptions | ResolvedOptions = {},
  series: SimSeries = {},
  riskFreeRate = 0,
): SimSummary {
  const o = 'echo' in options ? (options as ResolvedOptions) : resolveOptions(options as SimOptions, { length: bars.close.length, timeframe: bars.timeframe });
  const n = bars.close.length;
  if (targets instanceof TargetEvents) {
    if (targets.length && (targets.index[targets.length - 1]! >= n || targets.index[0]! < 0)) {
      throw new QuantlabError('BAD_ARGUMENT', `simulate: target events reach bar ${targets.index[targets.length - 1]}, beyond the ${n} bars`);
    }
  } else if (targets.length !== n) throw new QuantlabError('BAD_ARGUMENT', `simulate: ${targets.length} targets for ${n} bars (expected one per bar)`);
  const P = bars.timeframe ? barsPerYear(bars.timeframe) : n > 1 ? (365 * 86_400_000) / (bars.ts[1]! - bars.ts[0]!) : NaN;
  if (fastPathApplies(o)) return fastSummary(bars, targets, o, P, riskFreeRate);
  const dense = targets instanceof TargetEvents ? targets.toDense(n) : targets;
  const asset: AssetInput = { bars, targets: dense, atr: series.atr, fundingRates: series.fundingRates };
  checkAsset(asset, 0, n, bars.ts, o);
  const r = run([asset], o, false, o.optimistic);
  return {
    finalEquity: r.finalEquity,
    totalReturn: r.finalEquity / o.cash - 1,
    sharpe: sharpeFromSums(r.sumReturns, r.sumSquaredReturns, n, P, riskFreeRate),
    maxDrawdown: r.maxDrawdown,
    trades: r.tradeCount,
    exposure: n ? r.exposedBars / n : NaN,
    resizedOrders: r.resizedOrders,
    refusedOrders: r.refusedOrders,
  };
}
