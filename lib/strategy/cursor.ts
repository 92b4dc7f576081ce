import type { Bar, Bars, Stream } from '../core';
import { TargetEvents } from '../backtest/events';
import { computeIndicators, type IndicatorCache } from './compute';
import type { AnyStrategy } from './define';
import type { AnySpec, IndicatorSpecs } from './indicator';
import { inputFeeder, type InputBarsFeed } from './inputs';

type Row = Record<string, number | Record<string, number>>;

/** Field layout of a cursor: single-series indicators and multi-series ones with their fields. */
interface Layout {
  singles: string[];
  multis: { name: string; fields: readonly string[] }[];
}

function layoutOf(specs: IndicatorSpecs, sample?: Record<string, unknown>): Layout {
  const singles: string[] = [];
  const multis: Layout['multis'] = [];
  for (const name of Object.keys(specs)) {
    const spec = specs[name] as AnySpec;
    const v = sample?.[name];
    const fields = spec.fields ?? (v && !(v instanceof Float64Array) ? Object.keys(v) : undefined);
    if (fields) multis.push({ name, fields });
    else singles.push(name);
  }
  return { singles, multis };
}

/** A cursor object with every field NaN. */
function blankRow(layout: Layout): Row {
  const row: Row = { ts: NaN, open: NaN, high: NaN, low: NaN, close: NaN, volume: NaN };
  for (const s of layout.singles) row[s] = NaN;
  for (const m of layout.multis) row[m.name] = Object.fromEntries(m.fields.map((f) => [f, NaN]));
  return row;
}

/** Copies every field of `from` into `to` (same layout). */
function copyRow(layout: Layout, from: Row, to: Row): void {
  to.ts = from.ts!;
  to.open = from.open!;
  to.high = from.high!;
  to.low = from.low!;
  to.close = from.close!;
  to.volume = from.volume!;
  for (const s of layout.singles) to[s] = from[s]!;
  for (const m of layout.multis) {
    const a = from[m.name] as Record<string, number>;
    const b = to[m.name] as Record<string, number>;
    for (const f of m.fields) b[f] = a[f]!;
  }
}

/**
 * The decide() loop over whole-array indicator values: at bar t the cursor holds bar t's OHLCV and
 * indicator values and ctx.prev holds bar t−1's; nothing later is reachable. Writes targets into `out`.
 */
export function decideTargets(
  strategy: AnyStrategy,
  bars: Bars,
  params: Record<string, unknown>,
  computed: Record<string, unknown>,
  out: Float64Array = new Float64Array(bars.close.length),
): Float64Array {
  const specs = strategy.indicators(params as never) as IndicatorSpecs;
  const layout = layoutOf(specs, computed);
  const cur = blankRow(layout);
  const prev = blankRow(layout);
  const ctx = { prev, target: NaN, params };
  const singles = layout.singles.map((s) => computed[s] as Float64Array);
  const multis = layout.multis.map((m) => m.fields.map((f) => (computed[m.name] as Record<string, Float64Array>)[f]!));
  const { ts, open, high, low, close, volume } = bars;
  const n = close.length;
  for (let t = 0; t < n; t++) {
    cur.ts = ts[t]!;
    cur.open = open[t]!;
    cur.high = high[t]!;
    cur.low = low[t]!;
    cur.close = close[t]!;
    cur.volume = volume[t]!;
    for (let i = 0; i < singles.length; i++) cur[layout.singles[i]!] = singles[i]![t]!;
    for (let i = 0; i < multis.length; i++) {
      const m = layout.multis[i]!;
      const o = cur[m.name] as Record<string, number>;
      for (let j = 0; j < m.fields.length; j++) o[m.fields[j]!] = multis[i]![j]![t]!;
    }
    const x = strategy.decide(cur as never, ctx as never);
    out[t] = x;
    if (x === x) ctx.target = x;
    copyRow(layout, cur, prev);
  }
  return out;
}

/** The bar-by-bar form a runner uses: `update(bar)` feeds the streaming twins and returns decide()'s target. */
export interface Decider {
  update(bar: Bar): number;
  reset(): void;
}

/** Builds a {@link Decider}: indicators through their streaming twins, decide() on each closed bar. */
export function createDecider(strategy: AnyStrategy, params: Record<string, unknown>): Decider {
  const p = strategy.resolveParams(params);
  const specs = strategy.indicators(p) as IndicatorSpecs;
  const layout = layoutOf(specs);
  const streams: Stream<Bar, unknown>[] = [...layout.singles, ...layout.multis.map((m) => m.name)].map((name) => (specs[name] as AnySpec).stream());
  const cur = blankRow(layout);
  const prev = blankRow(layout);
  const ctx = { prev, target: NaN, params: p };
  const ns = layout.singles.length;
  return {
    update(bar: Bar): number {
      cur.ts = bar.ts ?? NaN;
      cur.open = bar.open;
      cur.high = bar.high;
      cur.low = bar.low;
      cur.close = bar.close;
      cur.volume = bar.volume;
      for (let i = 0; i < ns; i++) cur[layout.singles[i]!] = streams[i]!.update(bar) as number;
      for (let i = 0; i < layout.multis.length; i++) {
        const m = layout.multis[i]!;
        const v = streams[ns + i]!.update(bar) as Record<string, number>;
        const o = cur[m.name] as Record<string, number>;
        for (const f of m.fields) o[f] = v[f]!;
      }
      const x = strategy.decide(cur as never, ctx as never);
      if (x === x) ctx.target = x;
      copyRow(layout, cur, prev);
      return x;
    },
    reset() {
      for (const s of streams) s.reset();
      copyRow(layout, blankRow(layout), prev);
      ctx.target = NaN;
    },
  };
}

/** Targets computed the runner's way: every bar fed in order through a {@link Decider}. */
export function streamTargets(strategy: AnyStrategy, bars: Bars, params: Record<string, unknown> = {}): Float64Array {
  const d = createDecider(strategy, params);
  const n = bars.close.length;
  const out = new Float64Array(n);
  const bar: { ts: number; open: number; high: number; low: number; close: number; volume: number; inputs?: InputBarsFeed } = { ts: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  const feed = inputFeeder(bars); // other symbols' bars closed since the previous bar (strategy inputs)
  for (let t = 0; t < n; t++) {
    if (feed) bar.inputs = feed(t);
    bar.ts = bars.ts[t]!;
    bar.open = bars.open[t]!;
    bar.high = bars.high[t]!;
    bar.low = bars.low[t]!;
    bar.close = bars.close[t]!;
    bar.volume = bars.volume[t]!;
    out[t] = d.update(bar);
  }
  return out;
}

/**
 * Targets the backtest way: indicators whole-array (through `cache` when given), then the strategy's
 * `targets()` when it has one (unless `useDecide`), else the decide() loop.
 */
export function strategyTargets(
  strategy: AnyStrategy,
  bars: Bars,
  params: Record<string, unknown> = {},
  options: { cache?: IndicatorCache; useDecide?: boolean; out?: Float64Array; resolved?: boolean } = {},
): Float64Array {
  const p = options.resolved ? params : strategy.resolveParams(params);
  const computed = computeIndicators(strategy.indicators(p as never) as IndicatorSpecs, bars, options.cache);
  const out = options.out ?? new Float64Array(bars.close.length);
  if (strategy.targets && !options.useDecide) return strategy.targets(bars, computed as never, p as never, out);
  return decideTargets(strategy, bars, p, computed, out);
}

/**
 * Sparse targets the sweep way: the strategy's targetEvents() when it has one, else its dense targets
 * reduced to events. `out` is cleared and reused.
 */
export function strategyEvents(
  strategy: AnyStrategy,
  bars: Bars,
  params: Record<string, unknown>,
  options: { cache?: IndicatorCache; out?: TargetEvents; resolved?: boolean; scratch?: Float64Array } = {},
): TargetEvents {
  const p = options.resolved ? params : strategy.resolveParams(params);
  const out = options.out ?? new TargetEvents();
  if (strategy.targetEvents) {
    const computed = computeIndicators(strategy.indicators(p as never) as IndicatorSpecs, bars, options.cache);
    return strategy.targetEvents(bars, computed as never, p as never, out);
  }
  const dense = strategyTargets(strategy, bars, p, { cache: options.cache, out: options.scratch, resolved: true });
  return TargetEvents.fromDense(dense, out);
}
