import { makeBars, parseTimeframe, QuantlabError, type Bar, type Bars, type Series, type Stream } from '../core';
import type { IndicatorOutput, IndicatorSpec, PointOf } from './indicator';
import { inputsOf, withInputs, type InputBarsFeed } from './inputs';

/**
 * Higher-timeframe indicators on base bars, without look-ahead.
 *
 * `onTimeframe(ind.sma(50), '1d')` (what `ind.sma(50).on('1d')` calls) on hourly bars: the base bars are
 * bucketed into UTC days (the data layer's resample rules: days start 00:00 UTC, weeks on Monday; open =
 * first open, high = max, low = min, close = last close, volume = sum; a bucket with no bars is not created),
 * the indicator is computed on those daily bars, and each daily value becomes visible on the **first base bar
 * whose close is at or after the daily bar's close**: the 23:00 bar (its close is the day's close), or, when
 * that bar is missing, the next bar that exists (the day then closes with the bars it has). Never earlier:
 * the 22:00 bar sees the previous day's value. The last bucket shows only once it has closed, so an
 * incomplete last day never shows.
 *
 * There is no way to ask for a higher-timeframe value by its open time: the only alignment is by close.
 *
 * The base bar's close is its open plus the base step. Both forms learn the step from the bars they see
 * (the smallest spacing between consecutive bars so far — the timeframe as soon as two adjacent bars have been
 * seen), so the streaming twin needs nothing but the bars the runner already feeds and gives bit-identical
 * values. Consequence at the very start: before the second bar the step is unknown, so a bucket whose last
 * bar is the first bar of the data shows from the second bar.
 *
 * Incomplete buckets (a gap inside, or a first day that starts after 00:00) are kept, as `resample` keeps
 * them, and counted by {@link timeframeReport}; nothing is filled. Should the data start with missing bars so
 * that the learned step is too large and a bucket closes early, a later bar of that bucket is left out of it
 * (and counted as `late`).
 *
 * Strategy inputs (other symbols, `ind.input`) inside the spec are bucketed the same way: the higher bars
 * carry the inputs' higher bars, so `ind.ratio('close', ind.input('btc', ind.field('close'))).on('1d')` is
 * the daily ratio. An input's day is handed over when the base bars' day closes.
 */

const WEEK_ANCHOR = 4 * 86_400_000; // 1970-01-05, a Monday (as lib/data's grid)
const anchorOf = (tfMs: number): number => (tfMs % 604_800_000 === 0 ? WEEK_ANCHOR : 0);

/** What higher-timeframe alignment saw on some bars (see {@link timeframeReport}). */
export interface TimeframeReport {
  timeframe: string;
  /** higher bars that closed (became visible) within the data. */
  closed: number;
  /** closed higher bars built from fewer base bars than a full one holds (gaps, a first bucket starting late). */
  incomplete: number;
  /** open times (ISO) of the incomplete ones, at most 20. */
  incompleteAt: string[];
  /** the last bucket had not closed at the end of the data, so it never shows. */
  lastHidden: boolean;
  /** base bars left out of an already closed bucket (only when the data starts with missing bars). */
  late: number;
  /** index of the first base bar that sees a higher-timeframe value (-1 when none does). */
  firstVisible: number;
}

interface Alignment {
  higher: Bars;
  /** per base bar: index of the latest closed higher bar, -1 before the first. */
  visible: Int32Array;
  counts: Int32Array;
  late: number;
  lastHidden: boolean;
}

/** The whole-array form of the bucketing: the same steps as the streaming twin, over columns. */
function align(bars: Bars, tf: { name: string; ms: number }): Alignment {
  const { ts, open, high, low, close, volume } = bars;
  const n = ts.length;
  const T = tf.ms;
  const anchor = anchorOf(T);
  const cols = { ts: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
  const counts = new Int32Array(n);
  const visible = new Int32Array(n);
  let m = 0; // higher bars started
  let closed = 0; // higher bars closed (0..m)
  let cur = NaN;
  let step = Infinity;
  let late = 0;
  for (let i = 0; i < n; i++) {
    const t = ts[i]!;
    if (i > 0) {
      const d = t - ts[i - 1]!;
      if (!(d > 0)) throw new QuantlabError('UNSORTED', `on('${tf.name}'): bars must be sorted and unique; bar ${i} (${new Date(t).toISOString()}) is not after bar ${i - 1}`);
      if (d < step) step = d;
    }
    const b = t - ((((t - anchor) % T) + T) % T);
    if (b !== cur) {
      if (closed < m) closed = m; // the previous bucket closes: this bar's close is past its end
      cur = b;
      const j = m++;
      cols.ts[j] = b;
      cols.open[j] = open[i]!;
      cols.high[j] = high[i]!;
      cols.low[j] = low[i]!;
      cols.close[j] = close[i]!;
      cols.volume[j] = volume[i]!;
      counts[j] = 1;
    } else if (closed === m) {
      late++;
    } else {
      const j = m - 1;
      if (high[i]! > cols.high[j]!) cols.high[j] = high[i]!;
      if (low[i]! < cols.low[j]!) cols.low[j] = low[i]!;
      cols.close[j] = close[i]!;
      cols.volume[j]! += volume[i]!;
      counts[j]!++;
    }
    if (closed < m && step < Infinity && t + step >= cur + T) closed = m;
    visible[i] = closed - 1;
  }
  const sub = (c: Float64Array) => c.slice(0, m);
  const higher = makeBars({ ts: sub(cols.ts), open: sub(cols.open), high: sub(cols.high), low: sub(cols.low), close: sub(cols.close), volume: sub(cols.volume) }, bars.symbol, tf.name);
  return { higher, visible, counts: counts.slice(0, m), late, lastHidden: closed < m };
}

/** Every bar of `bars` bucketed to `tf` (an input's higher bars: its buckets as they are, no closing rule). */
function buckets(bars: Bars, tf: { name: string; ms: number }): Bars {
  const { ts, open, high, low, close, volume } = bars;
  const T = tf.ms;
  const anchor = anchorOf(T);
  const cols = { ts: [] as number[], open: [] as number[], high: [] as number[], low: [] as number[], close: [] as number[], volume: [] as number[] };
  let cur = NaN;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    const b = t - ((((t - anchor) % T) + T) % T);
    const j = cols.ts.length - 1;
    if (b !== cur) {
      cur = b;
      cols.ts.push(b);
      cols.open.push(open[i]!);
      cols.high.push(high[i]!);
      cols.low.push(low[i]!);
      cols.close.push(close[i]!);
      cols.volume.push(volume[i]!);
    } else {
      if (high[i]! > cols.high[j]!) cols.high[j] = high[i]!;
      if (low[i]! < cols.low[j]!) cols.low[j] = low[i]!;
      cols.close[j] = close[i]!;
      cols.volume[j]! += volume[i]!;
    }
  }
  return makeBars(cols, bars.symbol, tf.name);
}

/** The streaming form of {@link buckets} for one input: bars in, finished buckets handed over on request. */
class InputBuckets {
  private agg: { ts: number; open: number; high: number; low: number; close: number; volume: number } | null = null;
  private done: Bar[] = [];
  constructor(private readonly T: number, private readonly anchor: number) {}
  add(x: Bar): void {
    const t = x.ts!;
    const b = t - ((((t - this.anchor) % this.T) + this.T) % this.T);
    const a = this.agg;
    if (a && a.ts === b) {
      if (x.high > a.high) a.high = x.high;
      if (x.low < a.low) a.low = x.low;
      a.close = x.close;
      a.volume += x.volume;
      return;
    }
    if (a) this.done.push(a);
    this.agg = { ts: b, open: x.open, high: x.high, low: x.low, close: x.close, volume: x.volume };
  }
  /** The buckets opened at or before `bucket` (closed or not: no later bar of them can come). */
  take(bucket: number): Bar[] {
    let k = 0;
    while (k < this.done.length && this.done[k]!.ts! <= bucket) k++;
    const out = this.done.splice(0, k);
    if (k === out.length && !this.done.length && this.agg && this.agg.ts <= bucket) {
      out.push(this.agg);
      this.agg = null;
    }
    return out;
  }
}

function checkBase(bars: Bars, tf: { name: string; ms: number }, key: string): void {
  if (!bars.timeframe) return;
  const base = parseTimeframe(bars.timeframe);
  if (tf.ms < base.ms || tf.ms % base.ms !== 0) {
    throw new QuantlabError('BAD_TIMEFRAME', `${key}: timeframe ${tf.name} must be a whole multiple of the bars' timeframe ${base.name}`);
  }
}

function spread(src: Series, visible: Int32Array): Series {
  const n = visible.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const j = visible[i]!;
    out[i] = j < 0 ? NaN : src[j]!;
  }
  return out;
}

/** A spec's output mapped onto the base bars by `visible` (single series, or each field of an object). */
function mapOutput<O>(value: O, visible: Int32Array): O {
  if (value instanceof Float64Array) return spread(value, visible) as O;
  const out: Record<string, Series> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (!(v instanceof Float64Array)) throw new QuantlabError('BAD_ARGUMENT', `on(): output field '${k}' is not a series`);
    out[k] = spread(v, visible);
  }
  return out as O;
}

/**
 * `spec` computed on `timeframe` bars built from the base bars, each value visible from the first base bar
 * whose close is at or after the higher bar's close (see the module comment). Key: `${spec.key}@${timeframe}`.
 * @example
 * import { makeBars } from 'quantlab';
 * const H = 3_600_000;
 * const hours = Array.from({ length: 48 }, (_, i) => i * H); // two days of hourly bars from 1970-01-01
 * const px = hours.map((_, i) => 100 + i);
 * const bars = makeBars({ ts: hours, open: px, high: px, low: px, close: px, volume: px.map(() => 1) }, 'X', '1h');
 * const dailyClose = onTimeframe(ql.customIndicator('close', (b) => b.close, () => ({ update: (x) => x.close, reset() {} })), '1d');
 * const v = dailyClose.compute(bars);
 * [v[22], v[23], v[46], v[47]] // [NaN, 123, 123, 147]
 * dailyClose.key // 'close@1d'
 */
export function onTimeframe<O extends IndicatorOutput>(spec: IndicatorSpec<O>, timeframe: string): IndicatorSpec<O> {
  const tf = parseTimeframe(timeframe);
  const key = `${spec.key}@${tf.name}`;
  const fields = spec.fields;
  const out = {
    key,
    fields,
    timeframe: tf.name,
    inner: spec,
    compute(bars: Bars): O {
      checkBase(bars, tf, key);
      const a = align(bars, tf);
      const att = inputsOf(bars);
      const higher = att ? withInputs(a.higher, Object.fromEntries(Object.entries(att.inputs).map(([k, b]) => [k, buckets(b, tf)])), { gaps: att.gaps }) : a.higher;
      return mapOutput(spec.compute(higher), a.visible);
    },
    stream(): Stream<Bar, PointOf<O>> {
      return timeframeStream(spec, tf, key);
    },
    on(next: string): IndicatorSpec<O> {
      return onTimeframe(out as IndicatorSpec<O>, next);
    },
  };
  return out as IndicatorSpec<O>;
}

/** The streaming twin: builds the higher bars from the base bars fed, with the same steps as compute(). */
function timeframeStream<O extends IndicatorOutput>(spec: IndicatorSpec<O>, tf: { name: string; ms: number }, key: string): Stream<Bar, PointOf<O>> {
  const T = tf.ms;
  const anchor = anchorOf(T);
  const blank = (): PointOf<O> => (spec.fields ? (Object.fromEntries(spec.fields.map((f) => [f, NaN])) as PointOf<O>) : (NaN as PointOf<O>));
  let inner = spec.stream();
  let last = blank();
  let cur = NaN;
  let prevTs = NaN;
  let step = Infinity;
  let open = true; // the current bucket has not closed
  const agg: { ts: number; open: number; high: number; low: number; close: number; volume: number; inputs?: InputBarsFeed } = { ts: NaN, open: NaN, high: NaN, low: NaN, close: NaN, volume: NaN };
  let ins: Map<string, InputBuckets> | null = null; // strategy inputs, bucketed alike
  let gaps: unknown;
  const finish = () => {
    if (ins) {
      const feed: Record<string, Bar[]> = {};
      for (const [k, q] of ins) feed[k] = q.take(cur);
      Object.defineProperty(feed, 'gaps', { value: gaps, enumerable: false });
      agg.inputs = feed;
    }
    const v = inner.update(agg);
    last = (typeof v === 'object' && v !== null ? { ...(v as object) } : v) as PointOf<O>;
    open = false;
  };
  return {
    update(bar: Bar): PointOf<O> {
      const t = bar.ts;
      if (t === undefined || !Number.isFinite(t)) throw new QuantlabError('BAD_ARGUMENT', `${key}: the streaming twin needs each bar's open time (ts), found ${String(t)}`);
      if (prevTs === prevTs) {
        const d = t - prevTs;
        if (!(d > 0)) throw new QuantlabError('UNSORTED', `${key}: bars must arrive in time order; ${new Date(t).toISOString()} is not after ${new Date(prevTs).toISOString()}`);
        if (d < step) step = d;
      }
      prevTs = t;
      const fed = (bar as { inputs?: InputBarsFeed }).inputs;
      if (fed) {
        ins ??= new Map();
        gaps = (fed as { gaps?: unknown }).gaps;
        for (const [k, list] of Object.entries(fed)) {
          let q = ins.get(k);
          if (!q) ins.set(k, (q = new InputBuckets(T, anchor)));
          for (const x of list) q.add(x);
        }
      }
      const b = t - ((((t - anchor) % T) + T) % T);
      if (b !== cur) {
        if (open && cur === cur) finish();
        cur = b;
        agg.ts = b;
        agg.open = bar.open;
        agg.high = bar.high;
        agg.low = bar.low;
        agg.close = bar.close;
        agg.volume = bar.volume;
        open = true;
      } else if (open) {
        if (bar.high > agg.high) agg.high = bar.high;
        if (bar.low < agg.low) agg.low = bar.low;
        agg.close = bar.close;
        agg.volume += bar.volume;
      }
      if (open && step < Infinity && t + step >= cur + T) finish();
      return last;
    },
    reset() {
      inner = spec.stream();
      last = blank();
      cur = NaN;
      prevTs = NaN;
      step = Infinity;
      open = true;
      ins = null;
    },
  };
}

/**
 * What aligning `bars` to `timeframe` finds: closed higher bars, incomplete ones (kept, as resample keeps
 * them — nothing is filled), whether the last bucket stays hidden, late bars, the first bar that sees a value.
 * @example
 * const bars = await ql.loadDataset('BTCUSDT', '1h');
 * const r = timeframeReport(bars, '1d');
 * r.late // 0
 * r.closed > 2700 // true
 */
export function timeframeReport(bars: Bars, timeframe: string): TimeframeReport {
  const tf = parseTimeframe(timeframe);
  checkBase(bars, tf, `timeframeReport('${tf.name}')`);
  const a = align(bars, tf);
  const perBar = bars.timeframe ? tf.ms / parseTimeframe(bars.timeframe).ms : NaN;
  const closedN = a.higher.ts.length - (a.lastHidden ? 1 : 0);
  const incompleteAt: string[] = [];
  let incomplete = 0;
  for (let j = 0; j < closedN; j++) {
    if (a.counts[j]! < perBar) {
      incomplete++;
      if (incompleteAt.length < 20) incompleteAt.push(new Date(a.higher.ts[j]!).toISOString());
    }
  }
  return { timeframe: tf.name, closed: closedN, incomplete, incompleteAt, lastHidden: a.lastHidden, late: a.late, firstVisible: a.visible.findIndex((v) => v >= 0) };
}

/**
 * For charts: a higher-timeframe series drawn on base bars as steps that change where the value became
 * visible — the base bar times and the mapped values (what `onTimeframe(spec, tf).compute(bars)` gives),
 * ready for a line trace with `line: { shape: 'hv' }`.
 */
export function higherTimeframeOverlay(spec: IndicatorSpec<Series>, bars: Bars, timeframe: string): { x: string[]; y: number[]; name: string } {
  const s = onTimeframe(spec, timeframe);
  const v = s.compute(bars);
  return { x: Array.from(bars.ts, (t) => new Date(t).toISOString()), y: Array.from(v), name: s.key };
}
