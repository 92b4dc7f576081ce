import { attachHidden, QuantlabError, withSummary, type Bars } from '../core';
import { fastPathApplies, resolveOptions, TargetEvents, SIM_OPTION_NAMES, simulatePortfolio, simulateSummary, type SimOptions, type SimResult, type SimSummary } from '../backtest';
import { computeStats, type Stats } from '../metrics';
import { computeIndicators, type IndicatorCache } from './compute';
import { strategyEvents, strategyTargets } from './cursor';
import type { AnyStrategy } from './define';
import { biasError, checkBias, type BiasReport } from './bias';
import { ind } from './ind';
import { inputsReport, requireInputs, withInputs, type InputGaps, type InputReport } from './inputs';
import { getStrategy } from './registry';
import { timeframeReport, type TimeframeReport } from './timeframe';

/** Simulator options plus what the strategy layer adds. */
export interface BacktestOptions extends SimOptions {
  /** indicator cache shared across runs on the same Bars object (sweeps, optimiser). */
  cache?: IndicatorCache;
  /** ATR period for `{ atr: k }` stops and ATR risk sizing (default 14, Wilder, as lib/indicators/atr). */
  atrPeriod?: number;
  /** annual risk-free rate for Sharpe and Sortino (default 0). */
  riskFreeRate?: number;
  /** number of variants tried, for the deflated Sharpe (default 1). */
  trials?: number;
  /** ignore the strategy's targets() and loop decide() (parity checks). */
  useDecide?: boolean;
  /** bars of the other symbols the strategy declares as `inputs` ({ btc: btcBars }), same timeframe. */
  inputs?: Readonly<Record<string, Bars>>;
  /** what a base bar without an input bar at the same time shows: 'hold' (default: the latest closed value), 'nan', or 'error'. */
  inputGaps?: InputGaps;
  /** run checkBias first: a failed check throws BIAS (details.report), a passed one is the result's `bias`. */
  checkBias?: boolean;
}

/** A simulation with its strategy, parameters, targets and statistics. */
export interface BacktestResult extends SimResult {
  strategy: string;
  params: Record<string, unknown>;
  /** the targets the strategy produced, per bar (one array per asset for portfolios: targetsByAsset). */
  targets: Float64Array;
  targetsByAsset: Float64Array[];
  /** the bias check's report (first asset), with `checkBias: true`. */
  bias?: BiasReport;
  stats: Stats;
  /** the options as given to the strategy layer (cache and input bars left out). */
  backtestOptions: Omit<BacktestOptions, 'cache' | 'inputs'>;
  /** what aligning other timeframes and inputs found (first asset): gaps, incomplete buckets; only when the strategy uses them. */
  alignment?: { timeframes?: Record<string, TimeframeReport>; inputs?: Record<string, InputReport> };
  /** the bars it ran on (the first asset's for portfolios), so charts and reports need no second argument; not enumerable (kept out of JSON). */
  readonly bars?: Bars;
}

const EXTRA = ['cache', 'atrPeriod', 'riskFreeRate', 'trials', 'useDecide', 'checkBias', 'inputs', 'inputGaps'];

function split(options: BacktestOptions): { sim: SimOptions; extra: Omit<BacktestOptions, keyof SimOptions> } {
  const sim: Record<string, unknown> = {};
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    if (EXTRA.includes(k)) extra[k] = v;
    else if (SIM_OPTION_NAMES.includes(k)) sim[k] = v;
    else if (v !== undefined) {
      throw new QuantlabError('BAD_ARGUMENT', `backtest option '${k}': expected one of ${[...SIM_OPTION_NAMES, ...EXTRA].join(', ')}, found an unknown option`);
    }
  }
  const p = extra.atrPeriod;
  if (p !== undefined && !(Number.isInteger(p) && (p as number) >= 1)) throw new QuantlabError('BAD_ARGUMENT', `backtest option 'atrPeriod': expected an integer >= 1, found ${String(p)}`);
  const tr = extra.trials;
  if (tr !== undefined && !(typeof tr === 'number' && tr >= 1)) throw new QuantlabError('BAD_ARGUMENT', `backtest option 'trials': expected a number >= 1, found ${String(tr)}`);
  return { sim: sim as SimOptions, extra };
}

const usesAtr = (o: SimOptions): boolean =>
  [o.stopLoss, o.takeProfit, o.trailingStop, o.sizing && 'stop' in o.sizing ? o.sizing.stop : undefined].some((s) => typeof s === 'object' && s !== null);

const lookup = (s: AnyStrategy | string): AnyStrategy => (typeof s === 'string' ? getStrategy(s) : s);

/** `bars` with the strategy's inputs attached from the options (the same object back for the same inputs), checked. */
export function strategyBars(s: AnyStrategy, bars: Bars, options: { inputs?: Readonly<Record<string, Bars>>; inputGaps?: InputGaps }): Bars {
  const b = options.inputs ? withInputs(bars, options.inputs, { gaps: options.inputGaps }) : bars;
  requireInputs(`strategy '${s.name}'`, s.inputs, b);
  return b;
}

/** Timeframes used by specs (and the specs they wrap), each reported on `bars`; inputs' gap reports. */
function alignmentOf(specs: Record<string, unknown>, bars: Bars): BacktestResult['alignment'] {
  const tfs = new Set<string>();
  const visit = (x: unknown, depth: number) => {
    if (!x || typeof x !== 'object' || depth > 20) return;
    const o = x as { timeframe?: unknown; input?: unknown; inner?: unknown; inputs?: unknown };
    if (typeof o.timeframe === 'string' && o.input === undefined) tfs.add(o.timeframe);
    if (o.input !== undefined) return; // a timeframe inside an input is the input's, not the base bars'
    if (o.inner) visit(o.inner, depth + 1);
    if (Array.isArray(o.inputs)) for (const c of o.inputs) visit(c, depth + 1);
  };
  for (const v of Object.values(specs)) visit(v, 0);
  const inputs = inputsReport(bars);
  const out: NonNullable<BacktestResult['alignment']> = {};
  if (tfs.size) out.timeframes = Object.fromEntries([...tfs].map((tf) => [tf, timeframeReport(bars, tf)]));
  if (Object.keys(inputs).length) out.inputs = inputs;
  return out.timeframes || out.inputs ? out : undefined;
}

/** Statistics of a simulation over its bars (buy & hold of the equal-weight basket for several assets). */
export function simulationStats(sim: SimResult, bars: Bars | readonly Bars[], options: { riskFreeRate?: number; trials?: number } = {}): Stats {
  const list = Array.isArray(bars) ? (bars as readonly Bars[]) : [bars as Bars];
  const first = list[0]!;
  let benchmark = first.close;
  if (list.length > 1) {
    benchmark = new Float64Array(first.close.length);
    for (const b of list) for (let t = 0; t < benchmark.length; t++) benchmark[t] += b.close[t]! / b.close[0]! / list.length;
  }
  return computeStats({
    equity: sim.equity,
    initialCash: sim.initialCash,
    ts: first.ts,
    timeframe: first.timeframe,
    benchmark,
    exposedBars: sim.exposedBars,
    commissions: sim.commissions,
    trades: sim.trades,
    riskFreeRate: options.riskFreeRate,
    trials: options.trials,
  });
}

/**
 * Backtests a strategy (or a registered name) on bars: params resolved and checked, indicators computed
 * whole-array (cached when `options.cache` is given), targets from targets() or the decide() loop, then the
 * simulator and the full statistics.
 * @example
 * const bars = await ql.loadDataset('BTCUSDT', '1h');
 * const r = backtest('sma-cross', bars, { fast: 10, slow: 50 }, { fill: 'close', fee: 0.001 });
 * r.finalEquity // 54358.89… (the golden number of the close-fill convention)
 * r.stats.sharpe // 0.6966…
 */
export function backtest(strategy: AnyStrategy | string, bars: Bars, params: Record<string, unknown> = {}, options: BacktestOptions = {}): BacktestResult {
  return backtestPortfolio(strategy, [bars], params, options);
}

/**
 * The strategy run on several aligned assets sharing one cash balance; each asset's targets are scaled
 * by its weight (default 1 / number of assets).
 */
export function backtestPortfolio(
  strategy: AnyStrategy | string,
  barsGiven: readonly Bars[],
  params: Record<string, unknown> = {},
  options: BacktestOptions & { weights?: readonly number[] } = {},
): BacktestResult {
  const s = lookup(strategy);
  const { weights, ...rest } = options;
  const { sim, extra } = split(rest);
  const p = s.resolveParams(params);
  const barsList = barsGiven.map((b) => strategyBars(s, b, extra));
  const k = barsList.length;
  if (!k) throw new QuantlabError('BAD_ARGUMENT', 'backtest: expected at least one Bars, found none');
  if (weights && (weights.length !== k || weights.some((w) => !Number.isFinite(w)))) {
    throw new QuantlabError('BAD_ARGUMENT', `backtest option 'weights': expected ${k} finite numbers (one per asset), found ${JSON.stringify(weights)}`);
  }
  const bias = extra.checkBias ? barsList.map((b) => checkBias(s, b, p as Record<string, unknown>)) : undefined;
  const biased = bias?.find((r) => !r.ok);
  if (biased) throw biasError(biased, 'backtest');
  const atr = usesAtr(sim) ? ind.atr(extra.atrPeriod ?? 14) : null;
  const targetsByAsset = barsList.map((bars, i) => {
    const tg = strategyTargets(s, bars, p, { cache: extra.cache, useDecide: extra.useDecide, resolved: true });
    const w = weights ? weights[i]! : 1 / k;
    if (w !== 1) for (let t = 0; t < tg.length; t++) tg[t] = tg[t]! * w;
    return tg;
  });
  const assets = barsList.map((bars, i) => ({
    bars,
    targets: targetsByAsset[i]!,
    atr: atr ? (computeIndicators({ atr }, bars, extra.cache).atr as Float64Array) : null,
  }));
  const result = simulatePortfolio(assets, sim);
  const { cache: _c, inputs: _in, ...echo } = options;
  void [_c, _in];
  const alignment = alignmentOf(s.indicators(p as never) as Record<string, unknown>, barsList[0]!);
  const out: BacktestResult = {
    ...result,
    strategy: s.name,
    params: p as Record<string, unknown>,
    targets: targetsByAsset[0]!,
    targetsByAsset,
    stats: simulationStats(result, barsList, extra),
    backtestOptions: echo,
    ...(bias ? { bias: bias[0] } : {}),
    ...(alignment ? { alignment } : {}),
  };
  return withSummary(attachHidden(out, 'bars', barsList[0]!), 'backtest');
}

let scratch = new Float64Array(0);
const scratchEvents = new TargetEvents(4096);

/**
 * Final equity, Sharpe, max drawdown, trade count and exposure only — for sweeps and optimisers. Reuses one
 * targets buffer and (with `options.cache`) the indicator arrays. When the options allow the fast kernel (see
 * simulateSummary) it feeds it sparse targets — the strategy's targetEvents() when it has one — so a run costs
 * one pass to find the signals plus the bars held. No trade list, no equity curve, no N-bars allocation per call.
 * The result is the same as backtest()'s (final equity exactly; Sharpe to ~1e-12 of the full statistics).
 */
export function backtestSummary(strategy: AnyStrategy | string, barsGiven: Bars, params: Record<string, unknown> = {}, options: BacktestOptions = {}): SimSummary {
  const s = lookup(strategy);
  const { sim, extra } = split(options);
  const p = s.resolveParams(params);
  const bars = extra.inputs || s.inputs ? strategyBars(s, barsGiven, extra) : barsGiven;
  const n = bars.close.length;
  if (scratch.length !== n) scratch = new Float64Array(n);
  const o = resolveOptions(sim, { length: n, timeframe: bars.timeframe });
  const fast = fastPathApplies(o) && !extra.useDecide;
  const tg = fast
    ? strategyEvents(s, bars, p, { cache: extra.cache, out: scratchEvents, scratch, resolved: true })
    : strategyTargets(s, bars, p, { cache: extra.cache, useDecide: extra.useDecide, out: scratch, resolved: true });
  const atr = o.needsAtr ? (computeIndicators({ atr: ind.atr(extra.atrPeriod ?? 14) }, bars, extra.cache).atr as Float64Array) : null;
  return simulateSummary(bars, tg, o, { atr }, extra.riskFreeRate ?? 0);
}
