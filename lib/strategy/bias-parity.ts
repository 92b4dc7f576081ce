import { isoTime, type Bars } from '../core';
import { firstDisagreement, flattenOutputs, streamOutputs, targetForms } from './bias-series';
import { computeIndicators } from './compute';
import { streamTargets } from './cursor';
import type { AnyStrategy } from './define';
import type { IndicatorSpecs } from './indicator';

/** Where two forms first disagree. */
export interface ParityDifference {
  /** the two forms compared ('targets()' and 'decide()', 'decide()' and 'stream'…), or an indicator and its twin. */
  forms: [string, string];
  bar: number;
  time: string;
  values: [number, number];
  /** for an indicator's streaming twin: the strategy's name for it and its spec key. */
  indicator?: { name: string; key: string };
}

export interface ParityReport {
  ok: boolean;
  /** the forms compared: targets() and targetEvents() when defined, the decide() loop, the streaming twins + decide(). */
  forms: string[];
  bars: number;
  /** bars with a finite target (0 means nothing was really compared). */
  signals: number;
  /** relative tolerance for indicator twins (targets must be bit for bit equal). */
  tolerance: number;
  /** the earliest difference found, or null. */
  firstDifference: ParityDifference | null;
  /** every difference found, one per pair of forms and per indicator series, by bar. */
  differences: ParityDifference[];
}

/**
 * The three-form parity check: the whole-array targets (targets(), targetEvents()), the decide() loop over
 * whole-array indicators and decide() over the streaming twins (what the runner trades) must agree bar
 * for bar, and each indicator's streaming twin must agree with its whole-array form (to `tolerance`).
 */
export function checkParity(
  strategy: AnyStrategy,
  bars: Bars,
  params: Record<string, unknown>,
  options: { tolerance?: number } = {},
  full?: { computed: Record<string, unknown>; stream: Float64Array; forms?: Map<string, Float64Array> },
): ParityReport {
  const tol = options.tolerance ?? 1e-9;
  const specs = strategy.indicators(params as never) as IndicatorSpecs;
  const computed = full?.computed ?? (computeIndicators(specs, bars) as Record<string, unknown>);
  const forms = new Map(full?.forms ?? targetForms(strategy, bars, params, computed));
  forms.set('stream', full?.stream ?? streamTargets(strategy, bars, params));
  const names = [...forms.keys()];
  const ref = names[0]!;
  const differences: ParityDifference[] = [];
  const differ = (a: string, b: string, x: ArrayLike<number>, y: ArrayLike<number>, t: number, indicator?: ParityDifference['indicator']) => {
    const at = x.length !== y.length ? 0 : firstDisagreement(x, y, t);
    if (at >= 0) differences.push({ forms: [a, b], bar: at, time: isoTime(bars.ts[at]!), values: [x[at]!, y[at]!], ...(indicator ? { indicator } : {}) });
  };
  for (const name of names.slice(1)) differ(ref, name, forms.get(ref)!, forms.get(name)!, 0);
  const twins = flattenOutputs(specs, streamOutputs(specs, bars, computed));
  const byName = new Map(twins.map((s) => [s.name, s.values]));
  for (const s of flattenOutputs(specs, computed)) {
    const twin = byName.get(s.name) ?? new Float64Array(0);
    differ(`${s.name} whole-array`, `${s.name} stream`, s.values, twin, tol, { name: s.name, key: s.key });
  }
  differences.sort((a, b) => a.bar - b.bar);
  let signals = 0;
  for (const x of forms.get(ref)!) if (x === x) signals++;
  return { ok: differences.length === 0, forms: names, bars: bars.close.length, signals, tolerance: tol, firstDifference: differences[0] ?? null, differences };
}
