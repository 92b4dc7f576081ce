import { QuantlabError, type Series, type Stream } from '../core';

// The one declaration each indicator file makes about itself: what it reads, its parameters (defaults and
// valid ranges), its outputs, its warm-up and its TA-Lib counterpart. Strategy specs (`ind.*`), the shared
// indicator test, the TA-Lib agreement helper and the README's indicator table are all derived from it.

/** A bar column an indicator can read directly. */
export type BarField = 'ts' | 'open' | 'high' | 'low' | 'close' | 'volume';

/** Bar-derived series a series input can default to or be given by name. */
export type SourceName = 'open' | 'high' | 'low' | 'close' | 'volume' | 'hl2' | 'hlc3' | 'ohlc4';

export type ParamValue = number | boolean | string;

/** One parameter: its kind, default and valid range (inclusive bounds; `minExclusive` for (min, max]). */
export interface ParamDef<V extends ParamValue = ParamValue> {
  readonly kind: 'int' | 'float' | 'bool' | 'choice';
  readonly default: V;
  readonly min?: number;
  readonly max?: number;
  readonly minExclusive?: boolean;
  readonly values?: readonly V[];
  /** How the value is written in a spec key (default `String(v)`). */
  readonly keyText?: (v: V) => string;
}

/** An integer parameter in [min, max]. */
export const intParam = (def: number, min: number, max = Infinity): ParamDef<number> => ({ kind: 'int', default: def, min, max });
/** A finite number in [min, max] (or (min, max] with `minExclusive`). */
export const floatParam = (def: number, min: number, max = Infinity, minExclusive = false): ParamDef<number> => ({
  kind: 'float',
  default: def,
  min,
  max,
  minExclusive,
});
/** A boolean; `keyText` names the two values in keys (e.g. ['incl', 'prior']). */
export const boolParam = (def: boolean, keyText?: readonly [string, string]): ParamDef<boolean> => ({
  kind: 'bool',
  default: def,
  keyText: keyText ? (v) => (v ? keyText[1] : keyText[0]) : undefined,
});
/** One of a fixed list of strings. */
export const choiceParam = <V extends string>(def: V, values: readonly V[]): ParamDef<V> => ({ kind: 'choice', default: def, values });

/** A series input: defaults to a bar source, or (no default) must be given; `constant` accepts a number too. */
export interface SeriesInput {
  readonly series: string;
  readonly default?: SourceName;
  readonly constant?: boolean;
}
/** Declares a series input (composable: a source name, another spec's output, or an expression). */
export const series = (name: string, def?: SourceName, options: { constant?: boolean } = {}): SeriesInput => ({
  series: name,
  default: def,
  constant: options.constant,
});

/** An input: a fixed bar column, or a series that strategies may replace by any other series. */
export type InputDef = BarField | SeriesInput;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ParamDefs = Readonly<Record<string, ParamDef<any>>>;
export type ParamValues<P extends ParamDefs> = { [K in keyof P]: P[K] extends ParamDef<infer V> ? V : never };

/** What a whole-array form returns: one series or named series. */
export type IndicatorResult = Series | object;
/** One bar's reading of a result (a number, or the same names with numbers). */
export type ResultPoint<O> = O extends Series ? number : { [K in keyof O]: number };

/** The TA-Lib counterpart: function, option names per parameter, fixed options, output names. */
export interface TalibRef<P extends ParamDefs = ParamDefs> {
  readonly fn: string;
  /** parameter -> TA-Lib option name(s), e.g. `{ n: 'optInTimePeriod', k: ['optInNbDevUp', 'optInNbDevDn'] }`. */
  readonly options?: { readonly [K in keyof P]?: string | readonly string[] };
  /** Options that are always passed (e.g. `{ optInMAType: 0 }`). */
  readonly fixed?: Readonly<Record<string, number>>;
  /** Numeric TA-Lib codes of choice parameters: `{ maType: { sma: 0, ema: 1 } }`. */
  readonly codes?: { readonly [K in keyof P]?: Readonly<Record<string, number>> };
  /** TA-Lib input name per declared input (default: 'inReal' for series, the column name for bar fields). */
  readonly inputs?: readonly string[];
  /** our output -> TA-Lib output (default for one output: 'outReal'). */
  readonly outputs?: Readonly<Record<string, string>>;
  /** Largest relative difference still counted as agreement (default 1e-9). */
  readonly tolerance?: number;
}

/**
 * An indicator's declaration. `whole(inputs, p)` gets the declared inputs in order as series;
 * `stream(p)` takes one Bar per update when every input is a bar field, a number when the only input is
 * a series, else an array of numbers in input order.
 */
export interface IndicatorDescriptor<N extends string = string, P extends ParamDefs = ParamDefs, O extends IndicatorResult = IndicatorResult> {
  readonly name: N;
  /** One line for the README's table. */
  readonly title: string;
  readonly inputs: readonly InputDef[];
  readonly params: P;
  /** Output names for named-series results (absent for one series). */
  readonly outputs?: readonly string[];
  /**
   * Leading NaNs on NaN-free input: one number for every output, or one per output. A composite's
   * first value follows the rule `max(first valid bar of each series input) + warmup`.
   */
  readonly warmup: (p: ParamValues<P>) => number | Readonly<Record<string, number>>;
  /** 'never-nan': outputs are never NaN (crossing masks), so the rule above does not apply (warm-up 0). */
  readonly nan?: 'never-nan';
  /** Cross-parameter rule: a message when `p` is invalid. */
  readonly check?: (p: ParamValues<P>) => string | undefined;
  /** The TA-Lib counterpart(s): several when TA-Lib splits the outputs over functions (ADX, PLUS_DI, …). */
  readonly talib?: TalibRef<P> | readonly TalibRef<P>[];
  readonly whole: (inputs: readonly Series[], p: ParamValues<P>) => O;
  /** The streaming twin; its readings are {@link ResultPoint}s of O (checked by the shared indicator test). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly stream: (p: ParamValues<P>) => Stream<any, any>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDescriptor = IndicatorDescriptor<string, any, any>;

const DESCRIPTOR = Symbol.for('quantlab.indicatorDescriptor');

/**
 * Declares an indicator (see {@link IndicatorDescriptor}); the result is frozen and recognisable. An indicator
 * file exports it as `<name>Descriptor`; with the file's line in lib/indicators/index.ts that is all `ind.<name>`,
 * the shared indicator test, `talibAgreement` and the README table need.
 * @example
 * const range = defineIndicator({
 *   name: 'barRange',
 *   title: 'High minus low',
 *   inputs: ['high', 'low'],
 *   params: { scale: floatParam(1, 0) },
 *   warmup: () => 0,
 *   whole: ([h, l], p) => Float64Array.from(h!, (x, i) => (x - l![i]!) * p.scale),
 *   stream: (p) => ({ update: (b: { high: number; low: number }) => (b.high - b.low) * p.scale, reset: () => {} }),
 * });
 * isIndicatorDescriptor(range) // true
 * resolveIndicatorParams(range, { scale: 2 }) // { scale: 2 }
 * resolveIndicatorParams(range, { scale: -1 }) // throws /barRange: parameter 'scale' must be a number >= 0, found -1/
 */
export function defineIndicator<N extends string, P extends ParamDefs, O extends IndicatorResult>(d: IndicatorDescriptor<N, P, O>): IndicatorDescriptor<N, P, O> {
  return Object.freeze(Object.assign(Object.create({ [DESCRIPTOR]: true }) as object, d)) as IndicatorDescriptor<N, P, O>;
}

/** True for a value made by {@link defineIndicator}. */
export function isIndicatorDescriptor(v: unknown): v is AnyDescriptor {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[DESCRIPTOR] === true;
}

/** The allowed range of a parameter, in words: 'an integer >= 2', 'a number in (0, 1]', "one of 'sma', 'ema'". */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function rangeText(def: ParamDef<any>): string {
  switch (def.kind) {
    case 'bool':
      return 'true or false';
    case 'choice':
      return `one of ${def.values!.map((v) => `'${String(v)}'`).join(', ')}`;
    default: {
      const what = def.kind === 'int' ? 'an integer' : 'a number';
      const min = def.min ?? -Infinity;
      const max = def.max ?? Infinity;
      if (max === Infinity) return `${what} ${def.minExclusive ? '>' : '>='} ${min}`;
      return `${what} in ${def.minExclusive ? '(' : '['}${min}, ${max}]`;
    }
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function validValue(def: ParamDef<any>, v: unknown): boolean {
  switch (def.kind) {
    case 'bool':
      return typeof v === 'boolean';
    case 'choice':
      return (def.values as readonly unknown[]).includes(v);
    default: {
      if (typeof v !== 'number' || !Number.isFinite(v)) return false;
      if (def.kind === 'int' && !Number.isInteger(v)) return false;
      const min = def.min ?? -Infinity;
      return (def.minExclusive ? v > min : v >= min) && v <= (def.max ?? Infinity);
    }
  }
}

const shown = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : String(v));

/**
 * Full, validated parameters: `given` (by name) over the defaults. Throws BAD_ARGUMENT naming the
 * indicator, the parameter, its allowed range and the value found; unknown names are refused too.
 */
export function resolveIndicatorParams<P extends ParamDefs>(d: IndicatorDescriptor<string, P>, given: Readonly<Record<string, unknown>> = {}): ParamValues<P> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(given)) {
    if (!(k in d.params)) {
      const names = Object.keys(d.params);
      throw new QuantlabError('BAD_ARGUMENT', `${d.name}: unknown parameter '${k}' (${names.length ? `its parameters: ${names.join(', ')}` : 'it takes none'})`);
    }
  }
  for (const [k, def] of Object.entries(d.params)) {
    const v = given[k] === undefined ? def.default : given[k];
    if (!validValue(def, v)) throw new QuantlabError('BAD_ARGUMENT', `${d.name}: parameter '${k}' must be ${rangeText(def)}, found ${shown(v)}`);
    out[k] = v;
  }
  const bad = d.check?.(out as ParamValues<P>);
  if (bad) throw new QuantlabError('BAD_ARGUMENT', `${d.name}: ${bad}`);
  return out as ParamValues<P>;
}

/** Leading NaNs of output `field` (or of every output, as the largest) for parameters `p`. */
export function warmupOf(d: AnyDescriptor, p: Readonly<Record<string, unknown>>, field?: string): number {
  const w = d.warmup(p as never);
  if (typeof w === 'number') return w;
  if (field !== undefined) return w[field] ?? 0;
  return Math.max(0, ...Object.values(w));
}

/** The TA-Lib counterparts of a descriptor as a list (empty when TA-Lib has none). */
export const talibRefs = (d: AnyDescriptor): readonly TalibRef[] => (d.talib === undefined ? [] : Array.isArray(d.talib) ? d.talib : [d.talib as TalibRef]);

/** The series inputs of a descriptor (those a strategy may replace), in order. */
export const seriesInputs = (d: AnyDescriptor): SeriesInput[] => d.inputs.filter((i): i is SeriesInput => typeof i !== 'string');

/** How the streaming twin is fed: a Bar, one number, or an array of numbers in input order. */
export function streamFeed(d: AnyDescriptor): 'bar' | 'value' | 'values' {
  const s = seriesInputs(d).length;
  if (s === 0) return 'bar';
  return s === 1 && d.inputs.length === 1 ? 'value' : 'values';
}

/** Parameter values as a spec key writes them, in declaration order. */
export function paramKeyTexts(d: AnyDescriptor, p: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(d.params as ParamDefs).map(([k, def]) => (def.keyText ? (def.keyText as (v: unknown) => string)(p[k]) : String(p[k])));
}

