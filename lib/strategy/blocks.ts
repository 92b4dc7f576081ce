import type { Series } from '../core';

/** Bars per block of a {@link BlockRange}. */
export const BLOCK = 8;
const SHIFT = 3;

/** Min and max of each block of {@link BLOCK} values (NaN for a block holding a NaN). */
export interface BlockRange {
  min: Float64Array;
  max: Float64Array;
}

const ranges = new WeakMap<Series, BlockRange>();

/** Computes the block ranges of x. */
export function computeBlockRange(x: Series): BlockRange {
  const n = x.length;
  const nb = Math.ceil(n / BLOCK);
  const min = new Float64Array(nb);
  const max = new Float64Array(nb);
  const whole = n >> SHIFT;
  // Math.min / Math.max return NaN when any argument is NaN: a block holding a NaN gets NaN, branch-free
  for (let k = 0, i = 0; k < whole; k++, i += BLOCK) {
    const x0 = x[i]!, x1 = x[i + 1]!, x2 = x[i + 2]!, x3 = x[i + 3]!, x4 = x[i + 4]!, x5 = x[i + 5]!, x6 = x[i + 6]!, x7 = x[i + 7]!;
    min[k] = Math.min(Math.min(Math.min(x0, x1), Math.min(x2, x3)), Math.min(Math.min(x4, x5), Math.min(x6, x7)));
    max[k] = Math.max(Math.max(Math.max(x0, x1), Math.max(x2, x3)), Math.max(Math.max(x4, x5), Math.max(x6, x7)));
  }
  if (whole < nb) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = whole * BLOCK; i < n; i++) {
      lo = Math.min(lo, x[i]!);
      hi = Math.max(hi, x[i]!);
    }
    min[whole] = lo;
    max[whole] = hi;
  }
  return { min, max };
}

/**
 * Attaches block ranges to an array an IndicatorCache owns (shared, never written), so scans over it can
 * skip whole blocks. Only computeIndicators calls this, for cached outputs used more than once.
 */
export function indexBlocks(x: Series): void {
  if (!ranges.has(x)) ranges.set(x, computeBlockRange(x));
}

/** The block ranges of a cached indicator array, when it has them. */
export const blockRangeOf = (x: Series): BlockRange | undefined => ranges.get(x);

/** First index i >= t with !(a[i] > b[i]) (n if none), skipping blocks where min(a) > max(b). */
export function scanAbove(a: Series, b: Series, ra: BlockRange, rb: BlockRange, t: number, n: number): number {
  const amin = ra.min;
  const bmax = rb.max;
  while (t < n && (t & (BLOCK - 1)) !== 0) {
    if (!(a[t]! > b[t]!)) return t;
    t++;
  }
  while (t + BLOCK <= n) {
    const k = t >> SHIFT;
    if (amin[k]! > bmax[k]!) {
      t += BLOCK;
      continue;
    }
    const end = t + BLOCK;
    for (; t < end; t++) if (!(a[t]! > b[t]!)) return t;
  }
  for (; t < n; t++) if (!(a[t]! > b[t]!)) return t;
  return n;
}

/** First index i >= t with !(a[i] < b[i]) (n if none), skipping blocks where max(a) < min(b). */
export function scanBelow(a: Series, b: Series, ra: BlockRange, rb: BlockRange, t: number, n: number): number {
  const amax = ra.max;
  const bmin = rb.min;
  while (t < n && (t & (BLOCK - 1)) !== 0) {
    if (!(a[t]! < b[t]!)) return t;
    t++;
  }
  while (t + BLOCK <= n) {
    const k = t >> SHIFT;
    if (amax[k]! < bmin[k]!) {
      t += BLOCK;
      continue;
    }
    const end = t + BLOCK;
    for (; t < end; t++) if (!(a[t]! < b[t]!)) return t;
  }
  for (; t < n; t++) if (!(a[t]! < b[t]!)) return t;
  return n;
}
