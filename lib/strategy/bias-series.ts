import type { Bar, Bars } from '../core';
import { TargetEvents } from '../backtest/events';
import { decideTargets } from './cursor';
import type { AnyStrategy } from './define';
import type { AnySpec, IndicatorSpecs } from './indicator';

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
 * (when defined), the decide() loop, and its sparse targetEvents() made dense (when defined).
 */
export function targetForms(strategy: AnyStrategy, bars: Bars, params: Record<string, unknown>, computed: Record<string, unknown>): Map<string, Float64Array> {
  const n = bars.close.length;
  const forms = new Map<string, Float64Array>();
  if (strategy.targets) forms.set('targets()', strategy.targets(bars, computed as never, params as never, new Float64Array(n)));
  forms.set('decide()', decideTargets(strategy, bars, params, computed));
  if (strategy.targetEvents) forms.set('targetEvents()', strategy.targetEvents(bars, computed as never, params as never, new TargetEvents()).toDense(n));
  return forms;
}

/** Each indicator's streaming twin fed every bar in order: the same layout as the whole-array outputs. */
export function streamOutputs(specs: IndicatorSpecs, bars: Bars, whole: Record<string, unknown>): Record<string, unknown> {
  const n = bars.close.length;
  const out: Record<string, unknown> = {};
  const bar = { ts: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  for (const name of Object.keys(specs)) {
    const spec = specs[name] as AnySpec;
    const w = whole[name];
    const stream = spec.stream();
    const single = isSeries(w);
    const fields = single ? [] : (spec.fields ?? Object.keys((w ?? {}) as object));
    const cols = single ? [new Float64Array(n)] : fields.map(() => new Float64Array(n));
    for (let t = 0; t < n; t++) {
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
