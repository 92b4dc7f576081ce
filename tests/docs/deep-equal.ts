/**
 * The comparison behind `expr // value`: deep equality where a typed array equals a plain array of the
 * same numbers, NaN equals NaN, 0 equals -0, objects must have the same own keys, an `Approx`
 * (a number written with `…`) accepts anything within its tolerance, and `relTol` (the `≈` form)
 * accepts numbers within that relative distance (absolute below 1).
 */
import { approxTolerance } from './assertion';

export class Approx {
  readonly value: number;
  readonly tolerance: number;
  constructor(readonly text: string) {
    this.value = Number(text);
    this.tolerance = approxTolerance(text);
  }
}

const isArrayLike = (v: unknown): v is ArrayLike<unknown> => Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));

/** Where `actual` and `expected` first differ, as a sentence, or null when they are equal. */
export function firstMismatch(actual: unknown, expected: unknown, path = 'value', relTol = 0): string | null {
  const at = path;
  if (expected instanceof Approx) {
    if (typeof actual !== 'number') return `${at}: expected a number ≈ ${expected.text}…, found ${show(actual)}`;
    return Math.abs(actual - expected.value) <= expected.tolerance * (1 + 1e-12)
      ? null
      : `${at}: expected ${expected.text}… (±${expected.tolerance}), found ${show(actual)}`;
  }
  if (typeof expected === 'number') {
    if (typeof actual !== 'number') return `${at}: expected ${show(expected)}, found ${show(actual)}`;
    if (Number.isNaN(expected) ? Number.isNaN(actual) : actual === expected) return null;
    if (relTol > 0 && Number.isFinite(expected) && Math.abs(actual - expected) <= relTol * Math.max(1, Math.abs(expected))) return null;
    return `${at}: expected ${show(expected)}${relTol ? ` (±${relTol} relative)` : ''}, found ${show(actual)}`;
  }
  if (isArrayLike(expected)) {
    if (!isArrayLike(actual)) return `${at}: expected an array, found ${show(actual)}`;
    if (actual.length !== expected.length) return `${at}: expected length ${expected.length}, found length ${actual.length}: ${show(actual)}`;
    for (let i = 0; i < expected.length; i++) {
      const m = firstMismatch(actual[i], expected[i], `${path}[${i}]`, relTol);
      if (m) return m;
    }
    return null;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || isArrayLike(actual)) return `${at}: expected an object, found ${show(actual)}`;
    const ek = Object.keys(expected).sort();
    const ak = Object.keys(actual).sort();
    const missing = ek.filter((k) => !ak.includes(k));
    const extra = ak.filter((k) => !ek.includes(k));
    if (missing.length || extra.length)
      return `${at}: expected keys {${ek.join(', ')}}, found {${ak.join(', ')}}${missing.length ? ` (missing ${missing.join(', ')})` : ''}${extra.length ? ` (extra ${extra.join(', ')})` : ''}`;
    for (const k of ek) {
      const m = firstMismatch((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], `${path}.${k}`, relTol);
      if (m) return m;
    }
    return null;
  }
  return Object.is(actual, expected) ? null : `${at}: expected ${show(expected)}, found ${show(actual)}`;
}

/** A short readable rendering of a value for failure messages (long arrays cut). */
export function show(v: unknown, depth = 0): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'function') return `[function ${v.name || 'anonymous'}]`;
  if (v === null || typeof v !== 'object') return String(v);
  if (v instanceof Approx) return `${v.text}…`;
  if (depth > 2) return isArrayLike(v) ? '[…]' : '{…}';
  if (isArrayLike(v)) {
    const n = v.length;
    const items = Array.from({ length: Math.min(n, 12) }, (_, i) => show(v[i], depth + 1));
    const kind = Array.isArray(v) ? '' : `${v.constructor.name}(${n}) `;
    return `${kind}[${items.join(', ')}${n > 12 ? `, … ${n - 12} more` : ''}]`;
  }
  if (v instanceof Date) return v.toISOString();
  const keys = Object.keys(v);
  const parts = keys.slice(0, 10).map((k) => `${k}: ${show((v as Record<string, unknown>)[k], depth + 1)}`);
  return `{ ${parts.join(', ')}${keys.length > 10 ? `, … ${keys.length - 10} more` : ''} }`;
}
