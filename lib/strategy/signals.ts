import type { Series } from '../core';
import type { TargetEvents } from '../backtest/events';
import { blockRangeOf as rangeOf, scanAbove as above, scanBelow as below } from './blocks';

// bound once: under tsx (esbuild's CommonJS output) each call through an import reads a getter
const blockRangeOf = rangeOf;
const scanAbove = above;
const scanBelow = below;

/**
 * The crossing rule in one place, so the vector and bar-by-bar forms cannot drift apart: `up` when a
 * crosses above b (a > b now, a <= b on the previous bar), `down` when it crosses below (a < b now,
 * a >= b before), NaN (keep) otherwise — including whenever a value is NaN.
 */
export const crossSignal = (a: number, b: number, prevA: number, prevB: number, up: number, down: number): number =>
  a > b && prevA <= prevB ? up : a < b && prevA >= prevB ? down : NaN;

/** Whole-array {@link crossSignal}: out[0] = NaN, out[t] from (a[t], b[t], a[t−1], b[t−1]). */
export function crossTargets(a: Series, b: Series, up: number, down: number, out: Float64Array = new Float64Array(a.length)): Float64Array {
  out.fill(NaN);
  const n = a.length;
  let t = 1;
  while (t < n) {
    // runs of one relation (a > b, a < b, neither) hold no crossing; test the rule where the relation changes
    const pa = a[t - 1]!;
    const pb = b[t - 1]!;
    if (pa > pb) while (t < n && a[t]! > b[t]!) t++;
    else if (pa < pb) while (t < n && a[t]! < b[t]!) t++;
    else while (t < n && !(a[t]! > b[t]!) && !(a[t]! < b[t]!)) t++;
    if (t >= n) break;
    out[t] = crossSignal(a[t]!, b[t]!, a[t - 1]!, b[t - 1]!, up, down);
    t++;
  }
  return out;
}

/**
 * Sparse {@link crossTargets}: only the crossing bars, appended to `out` (cleared first). Scans runs of one
 * relation (a > b, a < b, or neither: equal or NaN) with a single comparison per bar and applies
 * {@link crossSignal} where the relation changes — no crossing can happen inside a run.
 */
export function crossEvents(a: Series, b: Series, up: number, down: number, out: TargetEvents): TargetEvents {
  out.clear();
  const n = a.length;
  // arrays from an IndicatorCache may carry block ranges: whole blocks of one relation are skipped
  const ra = blockRangeOf(a);
  const rb = blockRangeOf(b);
  const blocks = ra !== undefined && rb !== undefined && b.length === n;
  let t = 1;
  while (t < n) {
    const pa = a[t - 1]!;
    const pb = b[t - 1]!;
    if (pa > pb) {
      if (blocks) t = scanAbove(a, b, ra, rb, t, n);
      else while (t < n && a[t]! > b[t]!) t++;
    } else if (pa < pb) {
      if (blocks) t = scanBelow(a, b, ra, rb, t, n);
      else while (t < n && a[t]! < b[t]!) t++;
    } else while (t < n && !(a[t]! > b[t]!) && !(a[t]! < b[t]!)) t++;
    if (t >= n) break;
    const x = crossSignal(a[t]!, b[t]!, a[t - 1]!, b[t - 1]!, up, down);
    if (x === x) out.push(t, x);
    t++;
  }
  return out;
}

/** Threshold rule: `below` when x < lo, `above` when x > hi, NaN (keep) otherwise. */
export const bandSignal = (x: number, lo: number, hi: number, below: number, above: number): number => (x < lo ? below : x > hi ? above : NaN);

/** Whole-array {@link bandSignal} with per-bar or constant thresholds. */
export function bandTargets(
  x: Series,
  lo: Series | number,
  hi: Series | number,
  below: number,
  above: number,
  out: Float64Array = new Float64Array(x.length),
): Float64Array {
  const n = x.length;
  const los = typeof lo === 'number' ? null : lo;
  const his = typeof hi === 'number' ? null : hi;
  const l0 = typeof lo === 'number' ? lo : 0;
  const h0 = typeof hi === 'number' ? hi : 0;
  for (let t = 0; t < n; t++) {
    const v = x[t]!;
    out[t] = v < (los ? los[t]! : l0) ? below : v > (his ? his[t]! : h0) ? above : NaN;
  }
  return out;
}
