/**
 * Sparse table of range minima and maxima: where the lowest and the highest value of x lie in any range
 * [lo, hi), in O(1) per query after an O(n log n) build (about 8 · log2(n) bytes per element). The fast
 * sweep kernel asks it for the drawdown of a held stretch instead of walking the stretch.
 */
export class RangeTable {
  readonly x: Float64Array;
  /** level k ≥ 1 (ranges of 2^k values) starts at offset[k]: mins[offset[k] + i] = argmin of x[i, i + 2^k). */
  private readonly offset: Int32Array;
  private readonly mins: Int32Array;
  private readonly maxs: Int32Array;

  constructor(x: Float64Array) {
    this.x = x;
    const n = x.length;
    const levels = n > 1 ? 31 - Math.clz32(n) : 0;
    const offset = new Int32Array(levels + 1);
    let size = 0;
    for (let k = 1; k <= levels; k++) {
      offset[k] = size;
      size += n - (1 << k) + 1;
    }
    const mins = new Int32Array(size);
    const maxs = new Int32Array(size);
    for (let k = 1; k <= levels; k++) {
      const o = offset[k]!;
      const m = n - (1 << k) + 1;
      const half = 1 << (k - 1);
      if (k === 1) {
        for (let i = 0; i < m; i++) {
          const up = x[i + 1]! > x[i]!;
          mins[o + i] = up ? i : i + 1;
          maxs[o + i] = up ? i + 1 : i;
        }
        continue;
      }
      const p = offset[k - 1]!;
      for (let i = 0; i < m; i++) {
        const a = mins[p + i]!;
        const b = mins[p + i + half]!;
        mins[o + i] = x[b]! < x[a]! ? b : a;
        const c = maxs[p + i]!;
        const d = maxs[p + i + half]!;
        maxs[o + i] = x[d]! > x[c]! ? d : c;
      }
    }
    this.offset = offset;
    this.mins = mins;
    this.maxs = maxs;
  }

  /** Index of the lowest value in [lo, hi) (hi > lo). */
  argMin(lo: number, hi: number): number {
    const len = hi - lo;
    if (len === 1) return lo;
    const k = 31 - Math.clz32(len);
    const o = this.offset[k]!;
    const a = this.mins[o + lo]!;
    const b = this.mins[o + hi - (1 << k)]!;
    return this.x[b]! < this.x[a]! ? b : a;
  }

  /** Index of the highest value in [lo, hi) (hi > lo). */
  argMax(lo: number, hi: number): number {
    const len = hi - lo;
    if (len === 1) return lo;
    const k = 31 - Math.clz32(len);
    const o = this.offset[k]!;
    const a = this.maxs[o + lo]!;
    const b = this.maxs[o + hi - (1 << k)]!;
    return this.x[b]! > this.x[a]! ? b : a;
  }
}
