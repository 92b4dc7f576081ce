import { QuantlabError, type Bar, type Bars, type Series, type Stream } from '../core';
import { computeIndicators, type IndicatorCache } from '../strategy/compute';
import type { AnySpec, IndicatorSpec, IndicatorSpecs } from '../strategy/indicator';

/**
 * A feature matrix: one `Float64Array` column per feature, all of `rows` length, with the bar each row
 * came from. Rows where any feature is NaN (indicator warm-up, gaps) are dropped and counted, never filled.
 */
export interface FeatureMatrix {
  /** Column names: the spec's name, or `name.field` for multi-series specs (bands, MACD lines…). */
  readonly names: string[];
  readonly columns: Float64Array[];
  readonly rows: number;
  /** Bar index of each row in the bars the matrix was built from. */
  readonly index: Int32Array;
  /** Bars dropped because a feature was NaN: before the first complete row (warm-up) and after it. */
  readonly dropped: { warmup: number; other: number };
}

/** Names of the columns `specs` produce, in order (multi-series specs give `name.field`). */
function flatten(specs: IndicatorSpecs, computed: Record<string, unknown>): { names: string[]; series: Series[] } {
  const names: string[] = [];
  const series: Series[] = [];
  for (const name of Object.keys(specs)) {
    const v = computed[name];
    if (v instanceof Float64Array) {
      names.push(name);
      series.push(v);
      continue;
    }
    const spec = specs[name] as AnySpec;
    const obj = v as Record<string, Series>;
    for (const f of spec.fields ?? Object.keys(obj)) {
      const col = obj[f];
      if (!(col instanceof Float64Array)) throw new QuantlabError('BAD_ARGUMENT', `features: spec '${name}' (${spec.key}) field '${f}' is not a Float64Array`);
      names.push(`${name}.${f}`);
      series.push(col);
    }
  }
  return { names, series };
}

/** The full-length feature columns (NaN rows kept), for callers that align them with something else. */
export function featureColumns(bars: Bars, specs: IndicatorSpecs, cache?: IndicatorCache): { names: string[]; series: Series[] } {
  if (!specs || typeof specs !== 'object' || Object.keys(specs).length === 0) {
    throw new QuantlabError('BAD_ARGUMENT', 'features: expected specs like { fast: ind.sma(10), rsi: ind.rsi(14) }, found none');
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (!spec || typeof (spec as AnySpec).compute !== 'function' || typeof (spec as AnySpec).stream !== 'function') {
      throw new QuantlabError('BAD_ARGUMENT', `features: '${name}' is not an indicator spec (expected ind.sma(20), ml.lag(...), ml.hour()…)`);
    }
  }
  return flatten(specs, computeIndicators(specs, bars, cache) as Record<string, unknown>);
}

/**
 * The feature matrix of `bars` from indicator specs (any `ind.*`, compositions, `lag`, `hour`, `weekday`,
 * `pastReturn`, or `customIndicator`). Each feature is computed by its spec's whole-array form; the runner
 * computes the same values with the streaming twins (`featureStream`).
 * @example
 * import { ind } from 'quantlab';
 * const bars = await ql.loadDataset('BTCUSDT', '1h');
 * const f = features(bars, { rsi: ind.rsi(14), bb: ind.bbands(20, 2), hour: hour() });
 * f.names // ['rsi', 'bb.upper', 'bb.middle', 'bb.lower', 'hour']
 * f.dropped.warmup // 19
 * f.rows === bars.close.length - 19 // true
 */
export function features(bars: Bars, specs: IndicatorSpecs, options: { cache?: IndicatorCache } = {}): FeatureMatrix {
  const { names, series } = featureColumns(bars, specs, options.cache);
  const n = bars.close.length;
  const keep = new Uint8Array(n);
  let rows = 0;
  let warmup = 0;
  let seen = false;
  for (let t = 0; t < n; t++) {
    let ok = true;
    for (let j = 0; j < series.length; j++) {
      if (Number.isNaN(series[j]![t]!)) {
        ok = false;
        break;
      }
    }
    if (ok) {
      keep[t] = 1;
      rows++;
      seen = true;
    } else if (!seen) warmup++;
  }
  const index = new Int32Array(rows);
  const columns = series.map(() => new Float64Array(rows));
  for (let t = 0, r = 0; t < n; t++) {
    if (!keep[t]) continue;
    index[r] = t;
    for (let j = 0; j < series.length; j++) columns[j]![r] = series[j]![t]!;
    r++;
  }
  return { names, columns, rows, index, dropped: { warmup, other: n - rows - warmup } };
}

/**
 * The streaming twin of `features`: feed closed bars one at a time; returns the feature vector of that bar
 * (same order as `features(...).names`) or null while any feature is NaN. The returned array is reused.
 */
export function featureStream(specs: IndicatorSpecs): Stream<Bar, Float64Array | null> & { names: string[] } {
  const keys = Object.keys(specs);
  const streams = keys.map((k) => (specs[k] as AnySpec).stream());
  const fields = keys.map((k) => (specs[k] as AnySpec).fields as readonly string[] | undefined);
  const names: string[] = [];
  keys.forEach((k, i) => (fields[i] ? fields[i]!.forEach((f) => names.push(`${k}.${f}`)) : names.push(k)));
  const out = new Float64Array(names.length);
  return {
    names,
    update(bar: Bar): Float64Array | null {
      let j = 0;
      let ok = true;
      for (let i = 0; i < streams.length; i++) {
        const v = streams[i]!.update(bar) as number | Record<string, number>;
        const fs = fields[i];
        if (!fs && typeof v !== 'number') throw new QuantlabError('BAD_ARGUMENT', `featureStream: '${keys[i]}' (${(specs[keys[i]!] as AnySpec).key}) streams several series but declares no fields; give the spec fields: ['a', 'b', …]`);
        if (fs) for (const f of fs) ok = !Number.isNaN((out[j++] = (v as Record<string, number>)[f]!)) && ok;
        else ok = !Number.isNaN((out[j++] = v as number)) && ok;
      }
      return ok ? out : null;
    },
    reset: () => streams.forEach((s) => s.reset()),
  };
}

const single = (spec: AnySpec, name: string): void => {
  if (!spec || typeof spec.compute !== 'function') throw new QuantlabError('BAD_ARGUMENT', `${name}: expected an indicator spec, found ${typeof spec}`);
};

/** One field of a multi-series spec as a single series: `field(ind.bbands(20), 'upper')`. */
export function field<O extends object>(spec: IndicatorSpec<O>, name: keyof O & string): IndicatorSpec<Series> {
  single(spec, 'field');
  if (spec.fields && !spec.fields.includes(name)) throw new QuantlabError('BAD_ARGUMENT', `field: ${spec.key} has fields ${spec.fields.join(', ')}, found '${name}'`);
  return {
    key: `${spec.key}.${name}`,
    compute: (b) => (spec.compute(b) as Record<string, Series>)[name]!,
    stream: () => {
      const s = spec.stream();
      return { update: (bar: Bar) => (s.update(bar) as Record<string, number>)[name]!, reset: () => s.reset() };
    },
  };
}

/**
 * The value of a single-series spec `k` bars ago (NaN for the first k bars).
 * @example
 * import { ind } from 'quantlab';
 * const bars = await ql.loadDataset('BTCUSDT', '1d');
 * const a = ind.sma(3).compute(bars), b = lag(ind.sma(3), 2).compute(bars);
 * b[10] === a[8] // true
 */
export function lag(spec: IndicatorSpec<Series>, k: number): IndicatorSpec<Series> {
  single(spec, 'lag');
  if (!(Number.isInteger(k) && k >= 1)) throw new QuantlabError('BAD_ARGUMENT', `lag: expected k to be an integer >= 1, found ${k}`);
  return {
    key: `lag(${spec.key},${k})`,
    compute: (b) => {
      const x = spec.compute(b);
      const out = new Float64Array(x.length).fill(NaN);
      for (let t = k; t < x.length; t++) out[t] = x[t - k]!;
      return out;
    },
    stream: () => {
      const s = spec.stream();
      const ring = new Float64Array(k).fill(NaN);
      let i = 0;
      return {
        update(bar: Bar): number {
          const v = s.update(bar) as number;
          const old = ring[i]!;
          ring[i] = v;
          i = (i + 1) % k;
          return old;
        },
        reset() {
          s.reset();
          ring.fill(NaN);
          i = 0;
        },
      };
    },
  };
}

/** close[t] / close[t−n] − 1: the return over the last n bars (known at bar t's close). */
export function pastReturn(n = 1): IndicatorSpec<Series> {
  if (!(Number.isInteger(n) && n >= 1)) throw new QuantlabError('BAD_ARGUMENT', `pastReturn: expected n to be an integer >= 1, found ${n}`);
  return {
    key: `pastReturn(${n})`,
    compute: (b) => {
      const c = b.close;
      const out = new Float64Array(c.length).fill(NaN);
      for (let t = n; t < c.length; t++) out[t] = c[t]! / c[t - n]! - 1;
      return out;
    },
    stream: () => {
      const ring = new Float64Array(n).fill(NaN);
      let i = 0;
      return {
        update(bar: Bar): number {
          const old = ring[i]!;
          ring[i] = bar.close;
          i = (i + 1) % n;
          return bar.close / old - 1;
        },
        reset() {
          ring.fill(NaN);
          i = 0;
        },
      };
    },
  };
}

function calendar(name: string, of: (ts: number) => number): IndicatorSpec<Series> {
  return {
    key: `${name}()`,
    compute: (b) => Float64Array.from(b.ts, of),
    stream: () => ({ update: (bar: Bar) => of(bar.ts ?? NaN), reset: () => {} }),
  };
}

/** UTC hour of the bar's open, 0–23. */
export const hour = (): IndicatorSpec<Series> => calendar('hour', (ts) => (Number.isFinite(ts) ? new Date(ts).getUTCHours() : NaN));
/** UTC weekday of the bar's open, 0 = Sunday … 6 = Saturday. */
export const weekday = (): IndicatorSpec<Series> => calendar('weekday', (ts) => (Number.isFinite(ts) ? new Date(ts).getUTCDay() : NaN));

/** Plain rows (`number[][]`) from a feature matrix, or the rows as given. */
export function toRows(X: FeatureMatrix | readonly (readonly number[])[]): number[][] {
  if (Array.isArray(X)) return X as number[][];
  const m = X as FeatureMatrix;
  return Array.from({ length: m.rows }, (_, r) => m.columns.map((c) => c[r]!));
}
