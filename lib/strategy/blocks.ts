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
  for (let k = 0; k < nb; k++) {
    let lo = Infinity;
    let hi = -Infinity;
    const end = Math.min(n, (k + 1) * BLOCK);
    for (let i = k * BLOCK; i < end; i++) {
      const v = x[i]!;
      if (v !== v) {
        lo = hi = NaN;
        break;
      }
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    min[k] = lo;
    max[k] = hi;
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
