import { parseTimeframe, QuantlabError } from '../core';

/** The exchange maximum of the `leverage` option (Binance USDT-M futures). */
export const MAX_LEVERAGE = 125;

/** When an order for bar t's target fills: at bar t+1's open (default) or at bar t's close. */
export type FillTiming = 'next-open' | 'close';

/** A stop distance: a number is a fraction of the entry price (0.02 = 2 %); `{ atr: k }` is k × ATR at the signal bar. */
export type StopSpec = number | { atr: number };

/**
 * How a target becomes a position size (default `percent`):
 * - `percent`: hold target × leverage × equity in the asset (all-in convention: see the README / simulate()).
 * - `cash`: hold target × `amount` of cash worth of the asset (at the fill price).
 * - `units`: hold target × `amount` units.
 * - `risk`: hold target × `risk` × equity / stop distance units (lose `risk` of equity at the stop).
 * Every mode is capped: the position after an order is worth at most `leverage` × the equity left after the
 * order's fees (see `leverage`).
 * - `kelly`: percent sizing scaled by `fraction` × the Kelly fraction W − (1 − W)/R, from `winRate`/`payoff` when
 *   given, else estimated from the trades closed so far (1 until `minTrades` have closed); clamped to [0, 1].
 */
export type Sizing =
  | { mode: 'percent' }
  | { mode: 'cash'; amount: number }
  | { mode: 'units'; amount: number }
  | { mode: 'risk'; risk: number; stop?: StopSpec }
  | { mode: 'kelly'; fraction?: number; winRate?: number; payoff?: number; minTrades?: number };

/** Slippage: a number is basis points against you; `volumeImpact` adds impact × order units / bar volume (a fraction). */
export type Slippage = number | { bps?: number; volumeImpact?: number };

/**
 * Perpetual-futures funding. `{ rate, every }`: a constant rate charged at each multiple of `every` (default '8h',
 * epoch-aligned) that falls in (open, close] of a bar; `{ rates }`: the rate to charge at each bar's close (NaN = none).
 * Longs pay position value × rate (shorts receive it) when the rate is positive.
 */
export type Funding = { rate: number; every?: string } | { rates: ArrayLike<number> };

/** Simulator options. Every field has a documented default. */
export interface SimOptions {
  /** initial cash (default 10 000). */
  cash?: number;
  /** default 'next-open'. */
  fill?: FillTiming;
  /** fee rate per side for both maker and taker fills (default 0.001 = 0.1 %, Binance spot). */
  fee?: number;
  /** maker fee rate (take-profit limit fills), default `fee`. */
  makerFee?: number;
  /** taker fee rate (target, stop and liquidation fills), default `fee`. */
  takerFee?: number;
  /** fixed fee per order, in cash (default 0). */
  fixedFee?: number;
  /** default 0. */
  slippage?: Slippage;
  /** default `{ mode: 'percent' }`. */
  sizing?: Sizing;
  /** trade back to the target on every bar with a finite target, not only when it changes (default false). */
  rebalance?: boolean;
  /**
   * exposure multiplier: exposure = target × leverage (default 1), in (0, 125] (125× is the exchange maximum).
   * It is also the margin cap of every order in every sizing mode: the position after an order is worth at
   * most leverage × the equity left after the order's fees; larger orders are cut (`resizedOrders`), orders
   * equity cannot carry at all are refused (`refusedOrders`), so a target beyond ±1 holds ±leverage × equity.
   */
  leverage?: number;
  /** 'long' drops short targets to 0, 'short' drops long targets to 0 (default 'both'). */
  direction?: 'both' | 'long' | 'short';
  /**
   * maintenance margin as a fraction of position value (default 0): a position is liquidated (taker fee, no
   * slippage) at the price where equity = maintenanceMargin × position value, at the open when the bar
   * gapped through that price. Isolated margin: the whole equity is the margin of the position, and a
   * liquidation never leaves it below zero — a gap beyond the level or a fee larger than what is left is the
   * exchange's loss (`absorbedLoss`), booked by waiving the fee and then filling at the bankruptcy price.
   */
  maintenanceMargin?: number;
  /** default none. */
  funding?: Funding;
  stopLoss?: StopSpec;
  takeProfit?: StopSpec;
  trailingStop?: StopSpec;
  /** which way a bar that touched both a stop and the take-profit resolves (default 'pessimistic'). */
  intrabar?: 'pessimistic' | 'optimistic';
  /** round position sizes down to a multiple of this many units (default 0 = no rounding). */
  lotSize?: number;
  /** skip orders worth less than this (default 0); an order that closes a position is never skipped. */
  minNotional?: number;
}

/** Stop kinds in the resolved options. */
export const STOP_NONE = 0;
export const STOP_FRACTION = 1;
export const STOP_ATR = 2;

/** Sizing codes in the resolved options. */
export const SIZE_PERCENT = 0;
export const SIZE_CASH = 1;
export const SIZE_UNITS = 2;
export const SIZE_RISK = 3;
export const SIZE_KELLY = 4;

/** Options flattened to numbers for the kernels. */
export interface ResolvedOptions {
  cash: number;
  fillClose: boolean;
  maker: number;
  taker: number;
  fixedFee: number;
  slip: number;
  volumeImpact: number;
  sizing: number;
  amount: number;
  riskStopKind: number;
  riskStop: number;
  kellyFraction: number;
  kellyWinRate: number;
  kellyPayoff: number;
  kellyMinTrades: number;
  rebalance: boolean;
  leverage: number;
  allowLong: boolean;
  allowShort: boolean;
  maintenance: number;
  fundingRate: number;
  fundingEveryMs: number;
  fundingRates: Float64Array | null;
  slKind: number;
  sl: number;
  tpKind: number;
  tp: number;
  trailKind: number;
  trail: number;
  optimistic: boolean;
  lotSize: number;
  minNotional: number;
  /** true when some stop or the risk sizing reads an ATR series. */
  needsAtr: boolean;
  /** the options as given, with every default filled in (for reports). */
  echo: Required<Omit<SimOptions, 'funding' | 'stopLoss' | 'takeProfit' | 'trailingStop'>> &
    Pick<SimOptions, 'funding' | 'stopLoss' | 'takeProfit' | 'trailingStop'>;
}

export const SIM_OPTION_NAMES: readonly string[] = [
  'cash', 'fill', 'fee', 'makerFee', 'takerFee', 'fixedFee', 'slippage', 'sizing', 'rebalance', 'leverage', 'direction',
  'maintenanceMargin', 'funding', 'stopLoss', 'takeProfit', 'trailingStop', 'intrabar', 'lotSize', 'minNotional',
];

const bad = (name: string, expected: string, found: unknown): QuantlabError =>
  new QuantlabError('BAD_ARGUMENT', `backtest option '${name}': expected ${expected}, found ${show(found)}`);

const show = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

function num(name: string, v: unknown, dflt: number, lo: number, hi: number, loOpen = false): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !(loOpen ? v > lo : v >= lo) || !(v <= hi)) {
    throw bad(name, `a number in ${loOpen ? '(' : '['}${lo}, ${hi}]`, v);
  }
  return v;
}

function stop(name: string, v: unknown): [kind: number, value: number] {
  if (v === undefined) return [STOP_NONE, NaN];
  if (typeof v === 'number') return [STOP_FRACTION, num(name, v, 0, 0, 10, true)];
  if (typeof v === 'object' && v !== null && Object.keys(v).length === 1 && 'atr' in v) {
    return [STOP_ATR, num(`${name}.atr`, (v as { atr: unknown }).atr, 0, 0, 1000, true)];
  }
  throw bad(name, 'a fraction of the entry price (0.02) or { atr: multiple }', v);
}

/** Checks every option and fills the defaults. Throws BAD_ARGUMENT naming the option, what was expected and what was found. */
export function resolveOptions(opts: SimOptions = {}, bars?: { length: number; timeframe?: string }): ResolvedOptions {
  for (const k of Object.keys(opts)) {
    if (!SIM_OPTION_NAMES.includes(k) && (opts as Record<string, unknown>)[k] !== undefined) {
      throw bad(k, `one of ${SIM_OPTION_NAMES.join(', ')}`, 'an unknown option');
    }
  }
  const cash = num('cash', opts.cash, 10_000, 0, Number.MAX_VALUE, true);
  const fill = opts.fill ?? 'next-open';
  if (fill !== 'next-open' && fill !== 'close') throw bad('fill', "'next-open' or 'close'", fill);
  const fee = num('fee', opts.fee, 0.001, 0, 0.5);
  const maker = num('makerFee', opts.makerFee, fee, -0.5, 0.5);
  const taker = num('takerFee', opts.takerFee, fee, 0, 0.5);
  const fixedFee = num('fixedFee', opts.fixedFee, 0, 0, Number.MAX_VALUE);
  let slip = 0;
  let volumeImpact = 0;
  const s = opts.slippage;
  if (typeof s === 'number' || s === undefined) slip = num('slippage', s, 0, 0, 5000) / 1e4;
  else if (typeof s === 'object' && s !== null && Object.keys(s).every((k) => k === 'bps' || k === 'volumeImpact')) {
    slip = num('slippage.bps', s.bps, 0, 0, 5000) / 1e4;
    volumeImpact = num('slippage.volumeImpact', s.volumeImpact, 0, 0, 100);
  } else throw bad('slippage', 'basis points (a number) or { bps?, volumeImpact? }', s);

  const sz = opts.sizing ?? { mode: 'percent' };
  let sizing = SIZE_PERCENT;
  let amount = NaN;
  let riskStopKind = STOP_NONE;
  let riskStop = NaN;
  let kellyFraction = 1;
  let kellyWinRate = NaN;
  let kellyPayoff = NaN;
  let kellyMinTrades = 20;
  switch (sz?.mode) {
    case 'percent':
      break;
    case 'cash':
      sizing = SIZE_CASH;
      amount = num('sizing.amount', sz.amount, NaN, 0, Number.MAX_VALUE, true);
      break;
    case 'units':
      sizing = SIZE_UNITS;
      amount = num('sizing.amount', sz.amount, NaN, 0, Number.MAX_VALUE, true);
      break;
    case 'risk': {
      sizing = SIZE_RISK;
      amount = num('sizing.risk', sz.risk, NaN, 0, 1, true);
      const st = sz.stop ?? opts.stopLoss;
      if (st === undefined) throw bad('sizing.stop', "a stop distance (or a 'stopLoss' option) for risk sizing", undefined);
      [riskStopKind, riskStop] = stop('sizing.stop', st);
      break;
    }
    case 'kelly':
      sizing = SIZE_KELLY;
      kellyFraction = num('sizing.fraction', sz.fraction, 0.5, 0, 1, true);
      kellyWinRate = num('sizing.winRate', sz.winRate, NaN, 0, 1);
      kellyPayoff = num('sizing.payoff', sz.payoff, NaN, 0, Number.MAX_VALUE, true);
      if ((sz.winRate === undefined) !== (sz.payoff === undefined)) {
        throw bad('sizing', 'both winRate and payoff, or neither (estimate from trades)', sz);
      }
      kellyMinTrades = num('sizing.minTrades', sz.minTrades, 20, 1, 1e9);
      break;
    default:
      throw bad('sizing.mode', "'percent', 'cash', 'units', 'risk' or 'kelly'", (sz as { mode?: unknown })?.mode);
  }
  const rebalance = opts.rebalance ?? false;
  if (typeof rebalance !== 'boolean') throw bad('rebalance', 'true or false', rebalance);
  const leverage = opts.leverage ?? 1;
  if (typeof leverage !== 'number' || !(leverage > 0) || !(leverage <= MAX_LEVERAGE)) {
    throw bad('leverage', `a number in (0, ${MAX_LEVERAGE}] (${MAX_LEVERAGE}× is the exchange maximum)`, leverage);
  }
  const direction = opts.direction ?? 'both';
  if (direction !== 'both' && direction !== 'long' && direction !== 'short') throw bad('direction', "'both', 'long' or 'short'", direction);
  const maintenance = num('maintenanceMargin', opts.maintenanceMargin, 0, 0, 1);
  if (maintenance >= 1) throw bad('maintenanceMargin', 'a number in [0, 1)', maintenance);

  let fundingRate = 0;
  let fundingEveryMs = 0;
  let fundingRates: Float64Array | null = null;
  const f = opts.funding;
  if (f !== undefined) {
    if (typeof f === 'object' && f !== null && 'rates' in f) {
      const r = f.rates;
      if (!r || typeof r.length !== 'number') throw bad('funding.rates', 'an array of rates, one per bar', r);
      if (bars && r.length !== bars.length) throw bad('funding.rates', `${bars.length} rates (one per bar)`, `${r.length} rates`);
      fundingRates = r instanceof Float64Array ? r : Float64Array.from(r);
    } else if (typeof f === 'object' && f !== null && 'rate' in f) {
      fundingRate = num('funding.rate', f.rate, 0, -1, 1);
      try {
        fundingEveryMs = parseTimeframe(f.every ?? '8h').ms;
      } catch {
        throw bad('funding.every', "a timeframe such as '8h'", f.every);
      }
      if (bars && !bars.timeframe) throw bad('funding', 'bars with a timeframe for a constant funding rate', 'bars without one');
    } else throw bad('funding', '{ rate, every? } or { rates }', f);
  }
  const [slKind, sl] = stop('stopLoss', opts.stopLoss);
  const [tpKind, tp] = stop('takeProfit', opts.takeProfit);
  const [trailKind, trail] = stop('trailingStop', opts.trailingStop);
  const intrabar = opts.intrabar ?? 'pessimistic';
  if (intrabar !== 'pessimistic' && intrabar !== 'optimistic') throw bad('intrabar', "'pessimistic' or 'optimistic'", intrabar);
  const lotSize = num('lotSize', opts.lotSize, 0, 0, Number.MAX_VALUE);
  const minNotional = num('minNotional', opts.minNotional, 0, 0, Number.MAX_VALUE);
  const needsAtr = slKind === STOP_ATR || tpKind === STOP_ATR || trailKind === STOP_ATR || riskStopKind === STOP_ATR;
  return {
    cash, fillClose: fill === 'close', maker, taker, fixedFee, slip, volumeImpact, sizing, amount, riskStopKind, riskStop,
    kellyFraction, kellyWinRate, kellyPayoff, kellyMinTrades, rebalance, leverage,
    allowLong: direction !== 'short', allowShort: direction !== 'long', maintenance,
    fundingRate, fundingEveryMs, fundingRates, slKind, sl, tpKind, tp, trailKind, trail,
    optimistic: intrabar === 'optimistic', lotSize, minNotional, needsAtr,
    echo: {
      cash, fill, fee, makerFee: maker, takerFee: taker, fixedFee, slippage: s ?? 0, sizing: sz, rebalance, leverage, direction,
      maintenanceMargin: maintenance, funding: f, stopLoss: opts.stopLoss, takeProfit: opts.takeProfit,
      trailingStop: opts.trailingStop, intrabar, lotSize, minNotional,
    },
  };
}
