import { sliceBars, type Bar, type Bars } from '../core';
import { TargetEvents } from '../backtest/events';
import { decideTargets } from './cursor';
import type { AnyStrategy } from './define';
import type { AnySpec, IndicatorSpecs } from './indicator';
import { inputFeeder, inputsOf, withInputs, type InputBarsFeed } from './inputs';

/** One series of an indicator's output: 'fast' for a single series, 'bands.upper' for a field. */
export interface NamedSeries {
  /** the strategy's name for it ('fast', 'bands.upper'). */
  name: string;
  /** the indicator it belongs to ('bands'). */
  indicator: string;
  /** the spec's cache key ('sma(10,close)'). */
  key: string;
  values: ArrayLike<number>;
}

/** Every series of every indicator output, in the strategy's declaration order. */
export function flattenOutputs(specs: IndicatorSpecs, computed: Record<string, unknown>): NamedSeries[] {
  const out: NamedSeries[] = [];
  for (const name of Object.keys(specs)) {
    const spec = specs[name] as AnySpec;
    const v = computed[name];
    if (isSeries(v)) out.push({ name, indicator: name, key: spec.key, values: v });
    else if (v && typeof v === 'object') {
      const fields = spec.fields ?? Object.keys(v);
      for (const f of fields) {
        const s = (v as Record<string, unknown>)[f];
        if (isSeries(s)) out.push({ name: `${name}.${f}`, indicator: name, key: spec.key, values: s });
      }
    }
  }
  return out;
}

function isSeries(v: unknown): v is ArrayLike<number> {
  return ArrayBuffer.isView(v) || Array.isArray(v);
}

/**
 * Equal within a relative tolerance: NaN equals NaN, infinities equal themselves, otherwise
 * |a − b| ≤ tol · max(1, |b|). tol 0 asks for the same number.
 */
export function agrees(a: number, b: number, tol: number): boolean {
  if (Object.is(a, b) || a === b) return true;
  if (a !== a || b !== b) return a !== a && b !== b;
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
}

/** First index in [from, to) where a and b disagree, or -1. */
export function firstDisagreement(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, from = 0, to = Math.min(a.length, b.length)): number {
  for (let i = from; i < to; i++) if (!agrees(a[i]!, b[i]!, tol)) return i;
  return -1;
}

/**
 * The whole-array target forms a strategy has, from one set of computed indicators: its targets()
 * (when defined), the decide() loop (unless `decide` is false and targets() exists), and its sparse
 * targetEvents() made dense (when defined).
 */
export function targetForms(strategy: AnyStrategy, bars: Bars, params: Record<string, unknown>, computed: Record<string, unknown>, decide = true): Map<string, Float64Array> {
  const n = bars.close.length;
  const forms = new Map<string, Float64Array>();
  if (strategy.targets) forms.set('targets()', strategy.targets(bars, computed as never, params as never, new Float64Array(n)));
  if (decide || !strategy.targets) forms.set('decide()', decideTargets(strategy, bars, params, computed));
  if (strategy.targetEvents) forms.set('targetEvents()', strategy.targetEvents(bars, computed as never, params as never, new TargetEvents()).toDense(n));
  return forms;
}

/** Each indicator's streaming twin fed every bar in order: the same layout as the whole-array outputs. */
export function streamOutputs(specs: IndicatorSpecs, bars: Bars, whole: Record<string, unknown>): Record<string, unknown> {
  const n = bars.close.length;
  const out: Record<string, unknown> = {};
  const bar: { ts: number; open: number; high: number; low: number; close: number; volume: number; inputs?: InputBarsFeed } = { ts: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  for (const name of Object.keys(specs)) {
    const spec = specs[name] as AnySpec;
    const feed = inputFeeder(bars); // other symbols' bars closed since the previous bar, as the runner feeds them
    const w = whole[name];
    const stream = spec.stream();
    const single = isSeries(w);
    const fields = single ? [] : (spec.fields ?? Object.keys((w ?? {}) as object));
    const cols = single ? [new Float64Array(n)] : fields.map(() => new Float64Array(n));
    for (let t = 0; t < n; t++) {
      if (feed) bar.inputs = feed(t);
      bar.ts = bars.ts[t]!;
      bar.open = bars.open[t]!;
      bar.high = bars.high[t]!;
      bar.low = bars.low[t]!;
      bar.close = bars.close[t]!;
      bar.volume = bars.volume[t]!;
      const v = stream.update(bar as Bar) as number | Record<string, number>;
      if (single) cols[0]![t] = v as number;
      else for (let j = 0; j < fields.length; j++) cols[j]![t] = (v as Record<string, number>)?.[fields[j]!] ?? NaN;
    }
    out[name] = single ? cols[0] : Object.fromEntries(fields.map((f, j) => [f, cols[j]]));
  }
  return out;
}

/** First index of sorted `ts` at or after `t`. */
function lowerBound(ts: Float64Array, t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Bars start .. end − 1, with the strategy inputs attached to `bars` cut to the same span of time: a cut
 * removes the inputs' later bars too, and a late start (start > 0) restarts their history with the base's
 * (from 0 they keep the history they have before the base's first bar).
 */
export function cutBars(bars: Bars, start: number, end: number): Bars {
  const part = sliceBars(bars, start, end);
  const a = inputsOf(bars);
  if (!a) return part;
  const from = start > 0 ? bars.ts[start]! : -Infinity;
  const to = bars.ts[end - 1]!;
  const inputs: Record<string, Bars> = {};
  for (const [name, b] of Object.entries(a.inputs)) inputs[name] = sliceBars(b, lowerBound(b.ts, from), lowerBound(b.ts, to + 1));
  return withInputs(part, inputs, { gaps: a.gaps });
}

/** `bars` with `change` applied to the base and to every attached input (each told the time of the cut). */
export function mapWithInputs(bars: Bars, change: (b: Bars, cutTs: number) => Bars, cutTs: number): Bars {
  const base = change(bars, cutTs);
  const a = inputsOf(bars);
  if (!a) return base;
  const inputs: Record<string, Bars> = {};
  for (const [name, b] of Object.entries(a.inputs)) inputs[name] = change(b, cutTs);
  return withInputs(base, inputs, { gaps: a.gaps });
}
