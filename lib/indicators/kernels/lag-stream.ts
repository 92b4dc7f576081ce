import type { Stream } from '../../core';

/** @internal Keeps the last n values; returns f(x[t], x[t-n]) once n+1 values are in, resets on NaN. */
export function lagStream(n: number, f: (v: number, old: number) => number): Stream<number, number> {
  const size = n + 1;
  const ring = new Float64Array(size);
  let count = 0;
  return {
    update(v: number): number {
      if (v !== v) {
        count = 0;
        return NaN;
      }
      ring[count % size] = v;
      count++;
      return count > n ? f(v, ring[count % size]!) : NaN;
    },
    reset() {
      count = 0;
    },
  };
}
