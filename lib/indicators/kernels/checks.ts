import { check } from '../../core';

// Argument checks shared by the indicator kernels: BAD_ARGUMENT errors that name the function, what was
// expected and what was found.

/** Throws BAD_ARGUMENT naming the function unless `n` is an integer >= min. */
export function checkPeriod(fn: string, n: number, min = 1): void {
  check(Number.isInteger(n) && n >= min, `${fn}: period must be an integer >= ${min}, found ${n}`);
}

/** Throws BAD_ARGUMENT naming `fn` unless `k` is an integer >= min. */
export function checkInteger(fn: string, name: string, k: number, min: number): void {
  check(Number.isInteger(k) && k >= min, `${fn}: ${name} must be an integer >= ${min}, found ${k}`);
}

/** Throws BAD_ARGUMENT naming `fn` unless `v` is a finite number >= 0 (band multipliers, accelerations). */
export function checkNonNegative(fn: string, name: string, v: number): void {
  check(typeof v === 'number' && Number.isFinite(v) && v >= 0, `${fn}: ${name} must be a finite number >= 0, found ${v}`);
}

/**
 * Throws BAD_ARGUMENT naming `fn` and the column unless every column has the length of the first one;
 * returns that length. `checkLengths('atr', { high, low, close })`.
 */
export function checkLengths(fn: string, cols: Readonly<Record<string, ArrayLike<number>>>): number {
  const names = Object.keys(cols);
  const first = names[0]!;
  const len = cols[first]!.length;
  for (const k of names) {
    const l = cols[k]!.length;
    check(l === len, `${fn}: '${k}' has ${l} values, expected ${len} (the length of '${first}')`);
  }
  return len;
}

/** True when any value of `x` is NaN. */
export function hasNaN(x: ArrayLike<number>): boolean {
  for (let i = 0; i < x.length; i++) if (x[i] !== x[i]) return true;
  return false;
}
