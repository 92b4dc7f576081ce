import { QuantlabError, type Bars } from '../core';
import type { TargetEvents } from '../backtest/events';
import type { Computed, Cursor, IndicatorSpecs } from './indicator';
import type { InputDecls } from './inputs';
import { resolveParams, type ParamSpace, type ParamValues } from './params';

/** What `decide()` knows besides the current bar: the previous bar, its own last target, the parameters. */
export interface DecideContext<I extends IndicatorSpecs, P> {
  /** the previous bar's cursor (every field NaN before the first bar). */
  readonly prev: Cursor<I>;
  /** the last finite target this strategy returned (NaN before the first). */
  readonly target: number;
  readonly params: P;
}

/**
 * A strategy maps closed bars to a target exposure per bar: a fraction of equity (negative = short, NaN =
 * keep the current position). It never places orders; the simulator (or the runner) does.
 */
export interface StrategyDefinition<S extends ParamSpace, I extends IndicatorSpecs> {
  /** registry name, kebab-case: 'sma-cross'. */
  name: string;
  description?: string;
  /** parameter declarations (int, float, logFloat, choice), with defaults. */
  params: S;
  /** cross-parameter rule: true, or a message saying what is wrong ('fast (60) must be < slow (50)'). */
  check?: (p: ParamValues<S>) => boolean | string;
  /**
   * Other symbols the indicators read (`onInput('btc', spec)`), by name: `{ btc: { symbol: 'BTCUSDT' } }`.
   * Backtests, sweeps and the CLI then need their bars (`{ inputs: { btc: bars } }`, `--input btc=BTCUSDT`).
   */
  inputs?: InputDecls;
  /** indicator specs (recipes with cache keys), not values. */
  indicators: (p: ParamValues<S>) => I;
  /**
   * The bar-by-bar form: the target for the bar in `bar`, from that bar's values, the previous bar's
   * (`ctx.prev`), the strategy's previous target and the parameters. Must be a pure function of those;
   * the cursor objects are reused between bars (copy what you keep).
   */
  decide: (bar: Cursor<I>, ctx: DecideContext<I, ParamValues<S>>) => number;
  /** Optional whole-array form, for speed: must equal looping decide() (tested for the built-ins). */
  targets?: (bars: Bars, ind: Computed<I>, p: ParamValues<S>, out: Float64Array) => Float64Array;
  /**
   * Optional sparse form for sweeps: append (bar, target) for every bar whose target is not NaN, in bar
   * order, to `out` (cleared first). Must equal targets() (tested for the built-ins).
   */
  targetEvents?: (bars: Bars, ind: Computed<I>, p: ParamValues<S>, out: TargetEvents) => TargetEvents;
}

export interface Strategy<S extends ParamSpace = ParamSpace, I extends IndicatorSpecs = IndicatorSpecs> extends StrategyDefinition<S, I> {
  readonly kind: 'strategy';
  /** Fills defaults and checks values and `check`; throws BAD_ARGUMENT naming the parameter. */
  resolveParams(given?: Partial<Record<string, unknown>>): ParamValues<S>;
}

/** A strategy with its types erased (registry entries, CLI). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStrategy = Strategy<any, any>;

const RESERVED = new Set(['ts', 'open', 'high', 'low', 'close', 'volume']);

/**
 * Declares a strategy. Checks the definition's shape; the indicator names are checked against the bar
 * fields when the indicators are first built.
 * @example
 * import { int, ind } from 'quantlab';
 * const aboveSma = defineStrategy({
 *   name: 'above-sma', params: { n: int(2, 400, { default: 50 }) },
 *   indicators: (p) => ({ avg: ind.sma(p.n) }),
 *   decide: (bar) => (bar.close > bar.avg ? 1 : bar.close < bar.avg ? 0 : NaN),
 * });
 * aboveSma.name // 'above-sma'
 */
export function defineStrategy<S extends ParamSpace, I extends IndicatorSpecs>(def: StrategyDefinition<S, I>): Strategy<S, I> {
  const bad = (msg: string) => new QuantlabError('BAD_ARGUMENT', `defineStrategy${def?.name ? ` '${def.name}'` : ''}: ${msg}`);
  if (!def || typeof def.name !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/i.test(def.name)) throw bad(`expected a name like 'sma-cross', found ${JSON.stringify(def?.name)}`);
  if (typeof def.params !== 'object' || def.params === null) throw bad('expected params: { name: int(...) | float(...) | logFloat(...) | choice([...]) }');
  if (typeof def.indicators !== 'function') throw bad('expected indicators: (params) => ({ name: ind.sma(...) })');
  if (typeof def.decide !== 'function') throw bad('expected decide: (bar, ctx) => target');
  if (def.targets !== undefined && typeof def.targets !== 'function') throw bad('targets must be a function when given');
  if (def.targetEvents !== undefined && typeof def.targetEvents !== 'function') throw bad('targetEvents must be a function when given');
  if (def.inputs !== undefined) {
    if (typeof def.inputs !== 'object' || def.inputs === null) throw bad("expected inputs: { name: { symbol: 'BTCUSDT' } }");
    for (const [k, d] of Object.entries(def.inputs)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw bad(`input name '${k}': expected letters, digits and _ (not starting with a digit)`);
      if (!d || typeof d.symbol !== 'string' || !d.symbol) throw bad(`input '${k}': expected { symbol: 'BTCUSDT' }, found ${JSON.stringify(d)}`);
    }
  }
  const indicators = (p: ParamValues<S>): I => {
    const specs = def.indicators(p);
    for (const k of Object.keys(specs)) {
      if (RESERVED.has(k)) throw bad(`indicator name '${k}' collides with a bar field; rename it`);
    }
    return specs;
  };
  return {
    ...def,
    kind: 'strategy',
    indicators,
    resolveParams: (given) => resolveParams(`strategy '${def.name}'`, def.params, given, def.check),
  };
}
