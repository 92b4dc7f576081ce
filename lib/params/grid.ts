import type { FloatParam, IntParam, Params, ParamSpace, ParamSpec, Constraint, Choice } from './declare';
import { decimalScale, latticePoint } from './decimal';
import { constraintError, isActive } from './validate';

/** Number of distinct values of a declaration (Infinity for continuous ones). */
export function valueCount(s: ParamSpec): number {
  switch (s.kind) {
    case 'choice':
      return s.choices.length;
    case 'int':
      return Math.floor((s.high - s.low) / s.step) + 1;
    case 'float':
      return s.step > 0 ? Math.floor((s.high - s.low) / s.step + 1e-9) + 1 : s.low === s.high ? 1 : Infinity;
    case 'logFloat':
      return s.low === s.high ? 1 : Infinity;
  }
}

/** The k-th value of a stepped declaration, low + k·step, exact to the decimal (0.1 + 2·0.1 is 0.3). */
export function stepValue(s: IntParam | FloatParam, k: number): number {
  if (s.kind === 'int') return s.low + k * s.step;
  return latticePoint(s.low, s.step, k, decimalScale(s.low, s.step));
}

/**
 * Values a grid visits for one declaration: every value when discrete, else `points` (at least 2) evenly
 * spaced, log-spaced for logFloat.
 * @example gridValues({ kind: 'float', low: 0, high: 0.3, step: 0.1 }) // [0, 0.1, 0.2, 0.3]
 */
export function gridValues(s: ParamSpec, points = 10): Choice[] {
  if (s.kind === 'choice') return [...s.choices];
  const size = valueCount(s);
  if (s.kind !== 'logFloat' && s.step > 0) return Array.from({ length: size }, (_, k) => stepValue(s, k));
  if (size === 1) return [s.low];
  const m = Math.max(2, points);
  if (s.kind === 'float') return Array.from({ length: m }, (_, k) => (k === m - 1 ? s.high : s.low + ((s.high - s.low) * k) / (m - 1)));
  const lo = Math.log(s.low), hi = Math.log(s.high);
  return Array.from({ length: m }, (_, k) => (k === 0 ? s.low : k === m - 1 ? s.high : Math.exp(lo + ((hi - lo) * k) / (m - 1))));
}

/**
 * Calls `visit` on every grid point in a fixed order (the first parameter varies slowest), conditional
 * parameters expanded only where active. `visit` returns false to stop.
 */
export function forEachGridPoint(space: ParamSpace, points: number, visit: (p: Params) => boolean | void): void {
  const names = Object.keys(space);
  const values = names.map((n) => gridValues(space[n]!, points));
  const cur: Params = {};
  let stop = false;
  const rec = (i: number): void => {
    if (stop) return;
    if (i === names.length) {
      if (visit({ ...cur }) === false) stop = true;
      return;
    }
    const name = names[i]!;
    if (!isActive(space, name, cur)) {
      rec(i + 1);
      return;
    }
    for (const v of values[i]!) {
      cur[name] = v;
      rec(i + 1);
      if (stop) break;
    }
    delete cur[name];
  };
  rec(0);
}

/** Number of points of the full grid (conditional branches counted exactly, capped at 10^7), before any constraint. */
export function gridSize(space: ParamSpace, points = 10): number {
  let count = 0;
  forEachGridPoint(space, points, () => {
    count++;
    return count < 1e7;
  });
  return count;
}

/**
 * Every grid point that satisfies the constraint, in grid order.
 * @example gridPoints({ a: { kind: 'int', low: 1, high: 2, step: 1 }, b: { kind: 'choice', choices: ['x'] } }) // [{ a: 1, b: 'x' }, { a: 2, b: 'x' }]
 */
export function gridPoints(space: ParamSpace, constraint?: Constraint, points = 10): Params[] {
  const out: Params[] = [];
  forEachGridPoint(space, points, (p) => {
    if (constraintError(constraint, p) === null) out.push(p);
  });
  return out;
}
