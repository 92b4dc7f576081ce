import type { Series, Stream } from '../../core';

/**
 * @internal WMA of x[s..e) as if the series began at s (no NaN inside). n may be 1 (identity).
 * Writes out[s..e); the first n-1 of them are NaN.
 */
export function wmaRun(x: Series, n: number, s: number, e: number, out: Series): void {
  const divider = (n * (n + 1)) / 2;
  let sum = 0;
  let sub = 0;
  let i = s;
  const warmEnd = Math.min(e, s + n - 1);
  for (let k = 1; i < warmEnd; i++, k++) {
    const v = x[i]!;
    sub += v;
    sum += v * k;
    out[i] = NaN;
  }
  let trailing = 0;
  let t = s;
  for (; i < e; i++) {
    const v = x[i]!;
    sub += v;
    sub -= trailing;
    sum += v * n;
    trailing = x[t++]!;
    out[i] = sum / divider;
    sum -= sub;
  }
}

/** @internal Streaming twin of {@link wmaRun} (n may be 1); resets on NaN. */
export function wmaRunStream(n: number): Stream<number, number> {
  const divider = (n * (n + 1)) / 2;
  const ring = new Float64Array(n);
  let count = 0;
  let sum = 0;
  let sub = 0;
  let trailing = 0;
  const reset = (): void => {
    count = 0;
    sum = 0;
    sub = 0;
    trailing = 0;
  };
  return {
    update(v: number): number {
      if (v !== v) {
        reset();
        return NaN;
      }
      ring[count % n] = v;
      if (count < n - 1) {
        sub += v;
        sum += v * (count + 1);
        count++;
        return NaN;
      }
      sub += v;
      sub -= trailing;
      sum += v * n;
      trailing = ring[(count + 1) % n]!;
      const r = sum / divider;
      sum -= sub;
      count++;
      return r;
    },
    reset,
  };
}
