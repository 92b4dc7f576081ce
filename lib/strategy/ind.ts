import { QuantlabError, type Series } from '../core';
import { INDICATORS, type IndicatorCatalog } from '../indicators/catalog';
import type { AnyDescriptor, IndicatorDescriptor, ParamValue } from '../indicators/descriptor';
import { binarySpec, fieldSpec, isSpec, pickSpec, specFromDescriptor, type Operand } from './compose';
import type { AnySpec, IndicatorOutput, IndicatorSpec, Source, Spec } from './indicator';
import { onInput } from './inputs';

export { INDICATORS, indicatorDescriptor, indicatorTable, type IndicatorCatalog } from '../indicators/catalog';
export type { Operand } from './compose';

/** An argument of `ind.<name>(...)`: a parameter value, parameters by name, or a series input. */
export type SpecArg = number | boolean | string | AnySpec | Readonly<Record<string, ParamValue>> | undefined;

/** `ind.<name>`: parameters in declaration order and/or by name, series inputs as sources or specs. */
export type SpecFn<O extends IndicatorOutput> = (...args: SpecArg[]) => Spec<O>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type OutputOfDescriptor<D> = D extends IndicatorDescriptor<string, any, infer O> ? O : never;
type FromCatalog = { readonly [K in keyof IndicatorCatalog]: SpecFn<OutputOfDescriptor<IndicatorCatalog[K]>> };

/** The composition operators `ind` adds to the indicators. */
export interface IndComposition {
  /** A bar source as a series (`ind.field('volume')`, key 'volume'), or one output of a multi-series spec (`ind.field(ind.bbands(20), 'upper')`). */
  field(source: Source): Spec<Series>;
  field(spec: AnySpec, output: string): Spec<Series>;
  /** a + b bar by bar (sources, series specs or numbers). */
  add(a: Operand, b: Operand): Spec<Series>;
  /** a − b, e.g. `ind.sub('close', ind.sma(200))`. */
  sub(a: Operand, b: Operand): Spec<Series>;
  /** a × b, e.g. `ind.mul(ind.atr(14), 2)`. */
  mul(a: Operand, b: Operand): Spec<Series>;
  /** a / b (IEEE: ±Infinity for x/0, NaN for 0/0). */
  div(a: Operand, b: Operand): Spec<Series>;
  /** a / b — the same spec (and key) as {@link div}; reads better for price ratios. */
  ratio(a: Operand, b: Operand): Spec<Series>;
  /** `spec` computed on the bars of the strategy's input `name` (another symbol), aligned by time: see {@link onInput}. */
  input<O extends IndicatorOutput>(name: string, spec: IndicatorSpec<O>): Spec<O>;
}

function buildInd(): FromCatalog & IndComposition {
  const out: Record<string, unknown> = {};
  for (const d of Object.values(INDICATORS) as AnyDescriptor[]) out[d.name] = (...args: unknown[]) => specFromDescriptor(d, args);
  const composition: IndComposition = {
    field: ((a: Source | AnySpec, output?: string) => (isSpec(a) ? pickSpec(a, output as string) : fieldSpec(a))) as IndComposition['field'],
    add: (a, b) => binarySpec('add', a, b) as Spec<Series>,
    sub: (a, b) => binarySpec('sub', a, b) as Spec<Series>,
    mul: (a, b) => binarySpec('mul', a, b) as Spec<Series>,
    div: (a, b) => binarySpec('div', a, b) as Spec<Series>,
    ratio: (a, b) => binarySpec('div', a, b) as Spec<Series>,
    input: <O extends IndicatorOutput>(name: string, spec: IndicatorSpec<O>) => onInput(name, spec) as Spec<O>,
  };
  for (const k of Object.keys(composition)) {
    if (k in out) throw new QuantlabError('INTERNAL', `ind: the indicator '${k}' has the name of a composition operator; rename its descriptor`);
  }
  return Object.freeze(Object.assign(out, composition)) as unknown as FromCatalog & IndComposition;
}

/**
 * Indicator specs for strategies (`indicators: (p) => ({ fast: ind.sma(p.fast) })`): one per indicator
 * descriptor in lib/indicators (see {@link INDICATORS}), plus composition — `ind.ema(ind.rsi(14), 9)`,
 * `ind.zscore(ind.field('volume'), 50)`, `ind.sub('close', ind.sma(200))`, `ind.ratio(a, b)`,
 * `ind.crossover(a, b)`, `ind.field(ind.bbands(20), 'upper')`. Keys nest (`ema(9,rsi(14,close))`), so
 * equal keys mean equal outputs and sweeps compute each distinct sub-indicator once. Every spec has
 * `.on(timeframe)`.
 * @example
 * ind.sma(10).key // 'sma(10,close)'
 * ind.ema(ind.rsi(14), 9).key // 'ema(9,rsi(14,close))'
 * ind.ema(ind.rsi(14), 9).warmup // 22
 * ind.sub('close', ind.sma(200)).key // 'sub(close,sma(200,close))'
 * ind.field(ind.bbands(20), 'upper').key // 'bbands(20,2,close).upper'
 * ind.rsi(1) // throws /rsi: parameter 'n' must be an integer >= 2, found 1/
 */
export const ind = buildInd();
