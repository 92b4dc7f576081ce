/** Helpers for the indicator tests: feed streaming twins, compare series bit for bit. */
import type { Bar, Bars } from '../../lib/core';

/** The bars as Bar objects, in order (what a runner would feed). */
export function barList(b: Bars): Bar[] {
  const out: Bar[] = new Array(b.ts.length);
  for (let i = 0; i < out.length; i++) {
    out[i] = { ts: b.ts[i]!, open: b.open[i]!, high: b.high[i]!, low: b.low[i]!, close: b.close[i]!, volume: b.volume[i]! };
  }
  return out;
}

/** Feeds every value to `s.update` and collects the numeric outputs. */
export function feed<In>(s: { update(v: In): number }, xs: ArrayLike<In>): Float64Array {
  const out = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) out[i] = s.update(xs[i]!);
  return out;
}

/** Feeds every value and collects each named field of the object outputs. */
export function feedObject<In, K extends string>(
  s: { update(v: In): Record<K, number> },
  xs: ArrayLike<In>,
  keys: readonly K[],
): Record<K, Float64Array> {
  const out = {} as Record<K, Float64Array>;
  for (const k of keys) out[k] = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) {
    const r = s.update(xs[i]!);
    for (const k of keys) out[k][i] = r[k];
  }
  return out;
}

/** Index of the first element where a and b differ bit for bit (NaN equals NaN), or -1. */
export function firstBitDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y && !(x !== x && y !== y)) return i;
    if (x === 0 && y === 0 && Object.is(x, -0) !== Object.is(y, -0)) return i;
  }
  return -1;
}

/** Number of leading NaNs. */
export function leadingNaNs(a: ArrayLike<number>): number {
  let i = 0;
  while (i < a.length && Number.isNaN(a[i])) i++;
  return i;
}
