import type { Series, Stream } from '../../core';

/**
 * @internal SMA of x[s..e) as if the series began at s (no NaN inside), with TA-Lib's running-sum order
 * (sum the window, divide, then drop the oldest), so composites built on it agree with TA-Lib bit for
 * bit where TA-Lib uses its SMA. Writes out[s..e); the first n-1 are NaN. Does nothing when s >= e.
 */
export function smaRun(x: Series, n: number, s: number, e: number, out: Series): void {
  let sum = 0;
  let i = s;
  const warmEnd = Math.min(e, s + n - 1);
  for (; i < warmEnd; i++) {
    sum += x[i]!;
    out[i] = NaN;
  }
  let t = s;
  for (; i < e; i++) {
    sum += x[i]!;
    const r = sum / n;
    sum -= x[t++]!;
    out[i] = r;
  }
}

/** @internal Streaming twin of {@link smaRun}; a NaN input returns NaN and restarts the warm-up. */
export function smaRunStream(n: number): Stream<number, number> {
  const ring = new Float64Array(n);
  let count = 0;
  let sum = 0;
  return {
    update(v: number): number {
      if (v !== v) {
        count = 0;
        sum = 0;
        return NaN;
      }
      ring[count % n] = v;
      sum += v;
      if (count < n - 1) {
        count++;
        return NaN;
      }
      const r = sum / n;
      sum -= ring[(count + 1) % n]!;
      count++;
      return r;
    },
    reset() {
      count = 0;
      sum = 0;
    },
  };
}
