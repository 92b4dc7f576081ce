import { isoTime, makeBars, type Bars } from '../core';
import { cutBars, flattenOutputs, firstDisagreement, mapWithInputs, targetForms, type NamedSeries } from './bias-series';
import { computeIndicators } from './compute';
import type { AnyStrategy } from './define';
import type { IndicatorSpecs } from './indicator';

/** Something that changed at or before a cut when the bars after the cut were removed or changed. */
export interface LookAheadFinding {
  /** an indicator's series, or the targets of one form. */
  kind: 'indicator' | 'target';
  /** the indicator's name in the strategy ('fast', 'bands.upper'), or the target form ('targets()', 'decide()', 'targetEvents()'). */
  name: string;
  /** the indicator spec's key ('sma(10,close)'); absent for targets. */
  key?: string;
  /** the first bar (index) whose value moved, and its open time. */
  bar: number;
  time: string;
  /** the last bar kept by the cut that showed it, and its open time. */
  cut: number;
  cutTime: string;
  /** 'truncated': the bars after the cut were dropped; 'future changed': they were replaced by other prices. */
  how: 'truncated' | 'future changed';
  /** the value on the full data and on the cut data. */
  full: number;
  cutValue: number;
}

export interface LookAheadReport {
  ok: boolean;
  /** the last bar kept by each truncation. */
  cuts: number[];
  /** the cuts after which the bars were replaced by a different future (same length). */
  futureChanged: number[];
  /** relative tolerance of the comparison. */
  tolerance: number;
  /** one finding per indicator series or target form that moved (its earliest bar), indicators first, each by bar. */
  findings: LookAheadFinding[];
}

export interface LookAheadOptions {
  /** truncation points spread over the series (default 20); four more sit near the end. */
  cuts?: number;
  /** relative tolerance (default 1e-12). */
  tolerance?: number;
}

/**
 * Where the data is cut: `spread` points over the series (kept off round multiples so a cut rarely ends a
 * day or a week) and four near the end. Each is the index of the last bar kept.
 */
export function cutPoints(n: number, spread = 20): number[] {
  const set = new Set<number>();
  const first = Math.min(n - 2, Math.max(1, Math.floor(n / (spread + 1))));
  for (let k = 1; k <= spread; k++) {
    const c = Math.floor((n * k) / (spread + 1)) + ((k * 7) % 11) - 5;
    set.add(Math.max(first, Math.min(n - 2, c)));
  }
  for (const back of [2, 3, 9, 31]) if (n - back >= 1) set.add(n - back);
  return [...set].filter((c) => c >= 1 && c <= n - 2).sort((a, b) => a - b);
}

/**
 * `bars` unchanged up to the bar opened at `cutTs`, then prices on a different random walk (and volume
 * tripled); attached inputs change after the same time.
 */
export function changeFutureAfter(bars: Bars, cutTs: number, seed: number): Bars {
  return mapWithInputs(
    bars,
    (b, at) => {
      let s = seed >>> 0 || 7;
      const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
      const n = b.close.length;
      const scale = new Float64Array(n);
      let k = 1.3;
      for (let i = 0; i < n; i++) scale[i] = b.ts[i]! <= at ? 1 : (k *= 1 + (rnd() - 0.45) * 0.06);
      const m = (x: Float64Array) => Float64Array.from(x, (v, i) => v * scale[i]!);
      const volume = Float64Array.from(b.volume, (v, i) => (b.ts[i]! <= at ? v : v * 3 + 1));
      return makeBars({ ts: Float64Array.from(b.ts), open: m(b.open), high: m(b.high), low: m(b.low), close: m(b.close), volume }, b.symbol, b.timeframe);
    },
    cutTs,
  );
}

/**
 * The look-ahead check: the indicators and every target form on the full data, then on the data cut at
 * many points (and, at three of them, with a different future; the strategy's inputs are cut and changed
 * with them); any value at or before a cut that moved
 * is a look-ahead, reported with the indicator's name (or the target form) and the first bar it moved at.
 */
export function checkLookAhead(
  strategy: AnyStrategy,
  bars: Bars,
  params: Record<string, unknown>,
  options: LookAheadOptions = {},
  full?: { computed: Record<string, unknown>; forms?: Map<string, Float64Array> },
): LookAheadReport {
  const tol = options.tolerance ?? 1e-12;
  const n = bars.close.length;
  const specs = strategy.indicators(params as never) as IndicatorSpecs;
  const computed = full?.computed ?? (computeIndicators(specs, bars) as Record<string, unknown>);
  const fullSeries = flattenOutputs(specs, computed);
  const fullTargets = full?.forms ?? targetForms(strategy, bars, params, computed);
  const cuts = cutPoints(n, options.cuts ?? 20);
  const futureChanged = cuts.length >= 3 ? [cuts[Math.floor(cuts.length / 5)]!, cuts[Math.floor(cuts.length / 2)]!, cuts[cuts.length - 1]!] : cuts.slice();
  const found = new Map<string, LookAheadFinding>();

  const compare = (other: Bars, cut: number, how: LookAheadFinding['how'], decide: boolean) => {
    const c = computeIndicators(specs, other) as Record<string, unknown>;
    const series = flattenOutputs(specs, c);
    const byName = new Map<string, NamedSeries>(series.map((s) => [s.name, s]));
    const note = (kind: LookAheadFinding['kind'], name: string, key: string | undefined, a: ArrayLike<number>, b: ArrayLike<number> | undefined) => {
      const at = b === undefined ? 0 : firstDisagreement(b, a, tol, 0, Math.min(cut + 1, b.length));
      if (at < 0) return;
      const id = `${kind}:${name}`;
      const prev = found.get(id);
      if (prev && prev.bar <= at) return;
      found.set(id, { kind, name, ...(key ? { key } : {}), bar: at, time: isoTime(bars.ts[at]!), cut, cutTime: isoTime(bars.ts[cut]!), how, full: a[at]!, cutValue: b?.[at] ?? NaN });
    };
    for (const s of fullSeries) note('indicator', s.name, s.key, s.values, byName.get(s.name)?.values);
    const forms = targetForms(strategy, other, params, c, decide);
    for (const [form, t] of fullTargets) if (forms.has(form)) note('target', form, undefined, t, forms.get(form));
  };

  // the decide() loop is the slow form: beside a targets() it runs at every fourth cut, the last four and the changed futures
  cuts.forEach((cut, i) => compare(cutBars(bars, 0, cut + 1), cut, 'truncated', i % 4 === 0 || i >= cuts.length - 4));
  futureChanged.forEach((cut, i) => compare(changeFutureAfter(bars, bars.ts[cut]!, 1000 + i), cut, 'future changed', true));

  const findings = [...found.values()].sort((a, b) => (a.kind === b.kind ? a.bar - b.bar : a.kind === 'indicator' ? -1 : 1));
  return { ok: findings.length === 0, cuts, futureChanged, tolerance: tol, findings };
}
