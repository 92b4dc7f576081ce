import { check, type Series, type Stream } from '../core';
import { checkInteger } from './kernels/checks';
import { defineIndicator, intParam, series } from './descriptor';

// Series transforms. NaN policy: elementwise — an output is NaN where an input it reads is NaN.

/**
 * Shifts a series by `k` bars: out[t] = x[t-k] (`out` may be `x`). First k values are NaN (k > 0 lags, which is safe to
 * use at t). k < 0 LEADS (out[t] = x[t+|k|], last |k| values NaN): that reads the future, use it only
 * for labels/plots, never for a signal. k = 0 copies.
 * @example shift(Float64Array.of(1, 2, 3), 1) // [NaN, 1, 2]
 */
export function shift(x: Series, k: number, out: Series = new Float64Array(x.length)): Series {
  check(Number.isInteger(k), `shift: k must be an integer, found ${k}`);
  const len = x.length;
  if (k >= 0) {
    const m = Math.min(k, len);
    for (let i = len - 1; i >= m; i--) out[i] = x[i - k]!;
    for (let i = 0; i < m; i++) out[i] = NaN;
  } else {
    const j = -k;
    const m = Math.max(len - j, 0);
    for (let i = 0; i < m; i++) out[i] = x[i + j]!;
    for (let i = m; i < len; i++) out[i] = NaN;
  }
  return out;
}

/**
 * Difference over `k` bars: out[t] = x[t] - x[t-k]. First k values are NaN. Matches pandas `diff(k)`.
 * @example diff(Float64Array.of(1, 4, 9)) // [NaN, 3, 5]
 */
export function diff(x: Series, k = 1, out: Series = new Float64Array(x.length)): Series {
  checkInteger('diff', 'k', k, 1);
  const len = x.length;
  for (let i = len - 1; i >= k; i--) out[i] = x[i]! - x[i - k]!;
  for (let i = 0; i < Math.min(k, len); i++) out[i] = NaN;
  return out;
}

/**
 * Relative change over `k` bars: out[t] = x[t] / x[t-k] - 1. First k values are NaN. A zero base gives
 * ±Infinity (or NaN for 0/0), as pandas `pct_change(k)` does (without its forward fill of NaNs).
 * @example pctChange(Float64Array.of(100, 110, 99)) // ≈ [NaN, 0.1, -0.1] (to rounding)
 */
export function pctChange(x: Series, k = 1, out: Series = new Float64Array(x.length)): Series {
  checkInteger('pctChange', 'k', k, 1);
  const len = x.length;
  for (let i = len - 1; i >= k; i--) out[i] = x[i]! / x[i - k]! - 1;
  for (let i = 0; i < Math.min(k, len); i++) out[i] = NaN;
  return out;
}

/** Streaming form of a k-bar lag rule f(x[t], x[t−k]) (NaN for the first k values; NaNs pass through f). */
function lagTwin(k: number, f: (v: number, old: number) => number): Stream<number, number> {
  const ring = new Float64Array(k + 1);
  let count = 0;
  return {
    update(v: number): number {
      ring[count % (k + 1)] = v;
      count++;
      return count > k ? f(v, ring[count % (k + 1)]!) : NaN;
    },
    reset() {
      count = 0;
    },
  };
}

/** Descriptor of {@link shift} for strategies: lags only (k >= 0), a lead would read the future. */
export const shiftDescriptor = defineIndicator({
  name: 'shift',
  title: 'x k bars ago',
  inputs: [series('x', 'close')],
  params: { k: intParam(1, 0) },
  warmup: (p) => p.k,
  whole: ([x], p) => shift(x!, p.k),
  stream: (p) => lagTwin(p.k, (_v, old) => old),
});

/** Descriptor of {@link diff}. */
export const diffDescriptor = defineIndicator({
  name: 'diff',
  title: 'x[t] − x[t−k]',
  inputs: [series('x', 'close')],
  params: { k: intParam(1, 1) },
  warmup: (p) => p.k,
  whole: ([x], p) => diff(x!, p.k),
  stream: (p) => lagTwin(p.k, (v, old) => v - old),
});

/** Descriptor of {@link pctChange}. */
export const pctChangeDescriptor = defineIndicator({
  name: 'pctChange',
  title: 'x[t] / x[t−k] − 1',
  inputs: [series('x', 'close')],
  params: { k: intParam(1, 1) },
  warmup: (p) => p.k,
  whole: ([x], p) => pctChange(x!, p.k),
  stream: (p) => lagTwin(p.k, (v, old) => v / old - 1),
});
