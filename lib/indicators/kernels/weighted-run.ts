import type { Series } from '../../core';

/**
 * @internal sum(x·w)/sum(w) over n values of x[s..e), w[s..e) (no NaN inside); first n-1 are NaN.
 * The window sums are built from window members only (no running subtraction, which leaves garbage
 * residues when the window's volume is tiny or 0 next to earlier large volumes): the run is cut into
 * blocks of n, and a window = a suffix of one block + a prefix of the next. `scratch` holds 4 arrays of
 * length >= e.
 */
export function weightedRun(
  x: Series,
  w: Series,
  n: number,
  s: number,
  e: number,
  out: Series,
  scratch: readonly [Float64Array, Float64Array, Float64Array, Float64Array],
): void {
  const [preP, preV, sufP, sufV] = scratch;
  for (let b = s; b < e; b += n) {
    const be = Math.min(b + n, e);
    let ap = 0;
    let av = 0;
    for (let j = b; j < be; j++) {
      const v = w[j]!;
      ap += x[j]! * v;
      av += v;
      preP[j] = ap;
      preV[j] = av;
    }
    ap = 0;
    av = 0;
    for (let j = be - 1; j >= b; j--) {
      const v = w[j]!;
      ap = x[j]! * v + ap;
      av = v + av;
      sufP[j] = ap;
      sufV[j] = av;
    }
  }
  const warmEnd = Math.min(e, s + n - 1);
  for (let t = s; t < warmEnd; t++) out[t] = NaN;
  for (let t = warmEnd; t < e; t++) {
    const a = t - n + 1;
    if ((a - s) % n === 0) out[t] = preP[t]! / preV[t]!;
    else out[t] = (sufP[a]! + preP[t]!) / (sufV[a]! + preV[t]!);
  }
}

/** @internal Scratch for {@link weightedRun}. */
export const weightedScratch = (len: number): [Float64Array, Float64Array, Float64Array, Float64Array] => [
  new Float64Array(len),
  new Float64Array(len),
  new Float64Array(len),
  new Float64Array(len),
];

/** @internal Streaming twin of {@link weightedRun} (same block sums, bit for bit); resets on NaN. */
export function weightedRunStream(n: number): { update(x: number, w: number): number; reset(): void } {
  const blockP = new Float64Array(n);
  const blockV = new Float64Array(n);
  const sufP = new Float64Array(n);
  const sufV = new Float64Array(n);
  let count = 0;
  let ap = 0;
  let av = 0;
  const reset = (): void => {
    count = 0;
    ap = 0;
    av = 0;
  };
  return {
    update(x: number, w: number): number {
      if (x !== x || w !== w) {
        reset();
        return NaN;
      }
      const pos = count % n;
      if (pos === 0 && count > 0) {
        // the block just completed: its suffix sums serve the windows that start inside it
        let sp = 0;
        let sv = 0;
        for (let j = n - 1; j >= 0; j--) {
          const v = blockV[j]!;
          sp = blockP[j]! + sp;
          sv = v + sv;
          sufP[j] = sp;
          sufV[j] = sv;
        }
        ap = 0;
        av = 0;
      }
      const p = x * w;
      blockP[pos] = p;
      blockV[pos] = w;
      ap += p;
      av += w;
      count++;
      if (count < n) return NaN;
      if (pos === n - 1) return ap / av;
      return (sufP[pos + 1]! + ap) / (sufV[pos + 1]! + av);
    },
    reset,
  };
}
