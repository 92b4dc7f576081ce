import type { Bar, BarFields, Bars, Series, Stream } from '../core';
import { onTimeframe } from './timeframe';

/** What an indicator spec computes: one series, or an object of named series (bands, MACD lines…). */
export type IndicatorOutput = Series | object;

/** One bar's reading of an output: a number, or an object of numbers with the same field names. */
export type PointOf<O> = O extends Series ? number : { [K in keyof O]: number };

/**
 * An indicator as a strategy declares it: not values but a recipe with a cache key. `compute` gives the
 * whole-array form (backtests, sweeps); `stream` makes the streaming twin the runner feeds bar by bar.
 * Both must agree value for value (tested for every built-in).
 */
export interface IndicatorSpec<O extends IndicatorOutput = Series> {
  /** Cache key: name, parameters and input, e.g. 'sma(10,close)'. Equal keys must mean equal outputs. */
  readonly key: string;
  /** Output field names for multi-series outputs (undefined for a single series). */
  readonly fields?: readonly string[];
  /**
   * The whole-array output. `ctx` (given by {@link computeIndicators}) computes the specs this one reads
   * through the same cache, so a sub-indicator shared by many specs of a sweep is computed once.
   */
  compute(bars: Bars, ctx?: ComputeContext): O;
  stream(): Stream<Bar, PointOf<O>>;
  /** Indicator name ('sma', 'sub', 'field', …) for specs built by `ind.*`. */
  readonly name?: string;
  /** Specs whose outputs this one reads (composition), in input order. */
  readonly inputs?: readonly AnySpec[];
  /**
   * First valid bar (leading NaNs) on gap-free bars: for several outputs, the largest. Composites follow
   * `max(warm-up of each input) + the indicator's own warm-up`. Undefined when not known.
   */
  readonly warmup?: number;
  /** Warm-up per output field of a multi-series spec. */
  readonly fieldWarmup?: Readonly<Record<string, number>>;
  /** The same indicator computed on `timeframe` bars and shown on these bars without look-ahead. */
  on?(timeframe: string): IndicatorSpec<O>;
}

/** A spec as `ind.*` and {@link customIndicator} build it: `.on(timeframe)` is always there. */
export type Spec<O extends IndicatorOutput = Series> = IndicatorSpec<O> & { on(timeframe: string): Spec<O> };

/** How a composite spec gets the outputs of the specs it reads (see {@link IndicatorSpec.compute}). */
export interface ComputeContext {
  input<O extends IndicatorOutput>(spec: IndicatorSpec<O>): O;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnySpec = IndicatorSpec<any>;
export type IndicatorSpecs = Readonly<Record<string, AnySpec>>;
export type OutputOf<S> = S extends IndicatorSpec<infer O> ? O : never;

/** Whole-array outputs of a set of specs, under the strategy's names. */
export type Computed<I extends IndicatorSpecs> = { [K in keyof I]: OutputOf<I[K]> };

/** The bar fields every cursor carries (core's row of Bars). */
export type { BarFields };

/** What `decide()` sees for one bar: OHLCV plus each indicator's reading at that bar. */
export type Cursor<I extends IndicatorSpecs> = BarFields & { [K in keyof I]: PointOf<OutputOf<I[K]>> };

/** Price inputs an indicator can read. */
export type Source = 'open' | 'high' | 'low' | 'close' | 'volume' | 'hl2' | 'hlc3' | 'ohlc4';

/** Returns the source column of `bars` (shared for OHLCV, computed for hl2/hlc3/ohlc4). */
export function sourceSeries(bars: Bars, source: Source): Series {
  switch (source) {
    case 'open':
    case 'high':
    case 'low':
    case 'close':
    case 'volume':
      return bars[source];
    default: {
      const n = bars.close.length;
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = sourceValue(bars.open[i]!, bars.high[i]!, bars.low[i]!, bars.close[i]!, bars.volume[i]!, source);
      return out;
    }
  }
}

/** The source value of one bar. */
export function sourceValue(o: number, h: number, l: number, c: number, v: number, source: Source): number {
  switch (source) {
    case 'open':
      return o;
    case 'high':
      return h;
    case 'low':
      return l;
    case 'close':
      return c;
    case 'volume':
      return v;
    case 'hl2':
      return (h + l) / 2;
    case 'hlc3':
      return (h + l + c) / 3;
    case 'ohlc4':
      return (o + h + l + c) / 4;
  }
}

/** Lifts a single-input streaming twin to one that takes bars and reads `source`. */
export function onSource<T>(s: Stream<number, T>, source: Source): Stream<Bar, T> {
  return {
    update: (b: Bar) => s.update(sourceValue(b.open, b.high, b.low, b.close, b.volume, source)),
    reset: () => s.reset(),
  };
}

/** A spec from parts — for indicators of your own. `key` must identify the output exactly. Has `.on(timeframe)`. */
export function customIndicator<O extends IndicatorOutput>(
  key: string,
  compute: (bars: Bars) => O,
  stream: () => Stream<Bar, PointOf<O>>,
  fields?: readonly string[],
): Spec<O> {
  const spec: Spec<O> = {
    key,
    compute,
    stream,
    fields,
    on(timeframe: string): Spec<O> {
      return onTimeframe(spec, timeframe) as Spec<O>;
    },
  };
  return spec;
}
