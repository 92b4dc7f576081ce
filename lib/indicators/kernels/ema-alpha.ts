import type { Series, Stream } from '../../core';
import { BLOCK } from './blocks';

/** EMA with an explicit smoothing factor, SMA-seeded over n values (Wilder smoothing is alpha = 1/n). `out` may be `x`. */
export function emaWithAlpha(x: Series, n: number, alpha: number, out: Series = new Float64Array(x.length)): Series {
  const len = x.length;
  let i = 0;
  while (i < len && x[i] !== x[i]) out[i++] = NaN; // leading NaNs
  let seed = 0;
  const seedEnd = i + n;
  for (; i < len && i < seedEnd; i++) {
    const v = x[i]!;
    seed += v;
    out[i] = NaN;
  }
  if (i < seedEnd) return out;
  let prev = seed / n;
  if (prev !== prev) {
    // a NaN inside the seed window: no valid seed, everything stays NaN
    out.fill(NaN, seedEnd - 1);
    return out;
  }
  out[seedEnd - 1] = prev;
  const st = Float64Array.of(prev);
  for (let s = i; s < len; s += BLOCK) emaBlock(x, alpha, s, s + BLOCK < len ? s + BLOCK : len, out, st);
  return out;
}

/** The recursion of {@link emaWithAlpha} over [s, e), from and back to st[0] (blocks: see ./blocks.ts). */
function emaBlock(x: Series, alpha: number, s: number, e: number, out: Series, st: Float64Array): void {
  let prev = st[0]!;
  for (let i = s; i < e; i++) {
    const v = x[i]!;
    if (v !== v) {
      out[i] = NaN;
      continue;
    }
    prev = (v - prev) * alpha + prev;
    out[i] = prev;
  }
  st[0] = prev;
}

/** Streaming twin of {@link emaWithAlpha}. */
export function emaWithAlphaStream(n: number, alpha: number): Stream<number, number> {
  let count = 0; // finite-or-not values fed since the first finite one
  let seed = 0;
  let prev = NaN;
  let dead = false;
  return {
    update(v: number): number {
      if (dead) return NaN;
      if (count === 0 && v !== v) return NaN;
      if (count < n) {
        seed += v;
        count++;
        if (count < n) return NaN;
        prev = seed / n;
        if (prev !== prev) dead = true;
        return prev;
      }
      if (v !== v) return NaN;
      prev = (v - prev) * alpha + prev;
      return prev;
    },
    reset() {
      count = 0;
      seed = 0;
      prev = NaN;
      dead = false;
    },
  };
}
