import type { Series } from '../core';
import { checkLengths } from './kernels/checks';
import { defineIndicator, series } from './descriptor';

/**
 * Masks of crossings: 1 at t where `a` crosses above `b` (a[t] > b[t] and a[t-1] <= b[t-1]), else 0.
 * Returned as a Uint8Array of 0/1 (cheap, and `mask[t] === 1` reads plainly). `b` may be a constant
 * level (e.g. 30 for RSI). Bar 0 is always 0; a NaN in a or b at t or t-1 gives 0 (no crossing is
 * claimed across a gap). Same rule as TradingView's `ta.crossover`.
 * @example crossover(Float64Array.of(1, 2, 3), Float64Array.of(2, 2, 2)) // [0, 0, 1]
 */
export function crossover(a: Series, b: Series | number, out: Uint8Array = new Uint8Array(a.length)): Uint8Array {
  return crossMask('crossover', a, b, true, out);
}

/**
 * 1 at t where `a` crosses below `b` (a[t] < b[t] and a[t-1] >= b[t-1]), else 0; see {@link crossover}.
 * @example crossunder(Float64Array.of(3, 2, 1), 2) // [0, 0, 1]
 */
export function crossunder(a: Series, b: Series | number, out: Uint8Array = new Uint8Array(a.length)): Uint8Array {
  return crossMask('crossunder', a, b, false, out);
}

function crossMask(fn: string, a: Series, b: Series | number, over: boolean, out: Uint8Array): Uint8Array {
  const len = a.length;
  const isConst = typeof b === 'number';
  if (!isConst) checkLengths(fn, { a, b });
  if (len === 0) return out;
  const bc = isConst ? b : 0;
  const bs = isConst ? null : b;
  out[0] = 0;
  let pa = a[0]!;
  let pb = bs ? bs[0]! : bc;
  for (let i = 1; i < len; i++) {
    const ca = a[i]!;
    const cb = bs ? bs[i]! : bc;
    out[i] = (over ? ca > cb && pa <= pb : ca < cb && pa >= pb) ? 1 : 0;
    pa = ca;
    pb = cb;
  }
  return out;
}

/** Bar-by-bar crossing detector: `update(a, b)` is true when this bar's (a, b) crosses as the mask says. */
export interface CrossStream {
  update(a: number, b: number): boolean;
  reset(): void;
}

/** Streaming twin of {@link crossover}: `update(a[t], b[t]) === (crossover(a, b)[t] === 1)`. */
export function crossoverStream(): CrossStream {
  return crossStream(true);
}

/** Streaming twin of {@link crossunder}. */
export function crossunderStream(): CrossStream {
  return crossStream(false);
}

function crossStream(over: boolean): CrossStream {
  let pa = NaN;
  let pb = NaN;
  return {
    update(ca: number, cb: number): boolean {
      const r = over ? ca > cb && pa <= pb : ca < cb && pa >= pb;
      pa = ca;
      pb = cb;
      return r;
    },
    reset() {
      pa = pb = NaN;
    },
  };
}

const toMask = (m: Uint8Array): Float64Array => {
  const out = new Float64Array(m.length);
  for (let i = 0; i < m.length; i++) out[i] = m[i]!;
  return out;
};

const crossTwin = (s: CrossStream) => ({
  update: (v: readonly number[]): number => (s.update(v[0]!, v[1]!) ? 1 : 0),
  reset: () => s.reset(),
});

/** Descriptor of {@link crossover}: 1 on the bar a crosses above b, else 0 (never NaN); b may be a number. */
export const crossoverDescriptor = defineIndicator({
  name: 'crossover',
  title: '1 where a crosses above b, else 0',
  inputs: [series('a'), series('b', undefined, { constant: true })],
  params: {},
  nan: 'never-nan',
  warmup: () => 0,
  whole: ([a, b]) => toMask(crossover(a!, b!)),
  stream: () => crossTwin(crossoverStream()),
});

/** Descriptor of {@link crossunder}. */
export const crossunderDescriptor = defineIndicator({
  name: 'crossunder',
  title: '1 where a crosses below b, else 0',
  inputs: [series('a'), series('b', undefined, { constant: true })],
  params: {},
  nan: 'never-nan',
  warmup: () => 0,
  whole: ([a, b]) => toMask(crossunder(a!, b!)),
  stream: () => crossTwin(crossunderStream()),
});
