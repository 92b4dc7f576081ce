import { QuantlabError } from '../core';
import { decimalScale, latticePoint } from './decimal';

/** The most values one range may hold (a guard against a mistyped step). */
export const RANGE_LIMIT = 10_000_000;

/**
 * The numbers lo, lo + step, … up to hi (hi included when it lands on the step), for grid values:
 * `sweep(s, bars, { grid: { fast: range(2, 50), slow: range(10, 200, 2) } })`. Decimal steps are exact
 * (no float drift). Throws BAD_ARGUMENT on non-finite arguments, step <= 0 or lo > hi.
 * @example range(2, 10, 4) // [2, 6, 10]
 * @example range(1, 4) // [1, 2, 3, 4]
 * @example range(0.1, 0.5, 0.1) // [0.1, 0.2, 0.3, 0.4, 0.5]
 * @example range(0, 1, 0.3) // [0, 0.3, 0.6, 0.9]
 * @example range(5, 2) // throws BAD_ARGUMENT
 */
export function range(lo: number, hi: number, step = 1): number[] {
  const call = `range(${lo}, ${hi}, ${step})`;
  const fail = (msg: string): never => {
    throw new QuantlabError('BAD_ARGUMENT', `${call}: ${msg}`);
  };
  for (const [name, x] of [['lo', lo], ['hi', hi], ['step', step]] as const) {
    if (typeof x !== 'number' || !Number.isFinite(x)) fail(`expected ${name} to be a finite number, found ${typeof x === 'number' ? x : JSON.stringify(x)}`);
  }
  if (!(step > 0)) fail(`expected step > 0, found ${step}`);
  if (lo > hi) fail(`expected lo <= hi, found lo ${lo} > hi ${hi}`);
  const scale = decimalScale(lo, hi, step);
  const last = scale
    ? Math.floor((Math.round(hi * scale) - Math.round(lo * scale)) / Math.round(step * scale))
    : Math.floor((hi - lo) / step + 1e-9);
  if (last + 1 > RANGE_LIMIT) fail(`expected at most ${RANGE_LIMIT} values, found ${last + 1}; check the step`);
  const out = new Array<number>(last + 1);
  for (let k = 0; k <= last; k++) out[k] = latticePoint(lo, step, k, scale);
  return out;
}
