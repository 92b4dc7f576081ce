/**
 * Downsampling for display. Charts keep at most a few thousand points per series so a chart of the 1m file
 * or a million-bar backtest stays small and opens fast; the full data stays in the caller's arrays.
 */

/**
 * Largest-Triangle-Three-Buckets: picks `threshold` indices of (x, y) that keep the visual shape of a line.
 * Always keeps the first and last point and, in addition, the global minimum and maximum of y (so drawdown
 * troughs and equity peaks are never lost). Returns sorted indices (all indices when n <= threshold).
 * NaN points are skipped when choosing but never break the walk.
 */
export function lttbIndices(x: ArrayLike<number>, y: ArrayLike<number>, threshold: number): Int32Array {
  const n = y.length;
  if (threshold >= n || threshold < 3) return Int32Array.from({ length: n }, (_, i) => i);
  const picked = new Int32Array(threshold);
  const budget = threshold - 2; // buckets between the fixed first and last points
  const every = (n - 2) / budget;
  let a = 0;
  picked[0] = 0;
  for (let b = 0; b < budget; b++) {
    // average of the next bucket (the "third" point of the triangle)
    const nextStart = Math.floor((b + 1) * every) + 1;
    const nextEnd = Math.min(Math.floor((b + 2) * every) + 1, n);
    let ax = 0, ay = 0, cnt = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      const yj = y[j]!;
      if (yj !== yj) continue;
      ax += x[j]!;
      ay += yj;
      cnt++;
    }
    if (cnt === 0) {
      ax = x[n - 1]!;
      ay = y[n - 1]!;
    } else {
      ax /= cnt;
      ay /= cnt;
    }
    const start = Math.floor(b * every) + 1;
    const end = Math.min(Math.floor((b + 1) * every) + 1, n - 1);
    const px = x[a]!, py = y[a]!;
    let best = start, bestArea = -1;
    for (let j = start; j < end; j++) {
      const yj = y[j]!;
      if (yj !== yj) continue;
      const area = Math.abs((px - ax) * (yj - py) - (px - x[j]!) * (ay - py));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    picked[b + 1] = best;
    a = best;
  }
  picked[threshold - 1] = n - 1;
  // keep the global extremes: each replaces the pick of the bucket it falls in (a neighbour's when both share one)
  let lo = -1, hi = -1;
  for (let i = 0; i < n; i++) {
    const v = y[i]!;
    if (v !== v) continue;
    if (lo < 0 || v < y[lo]!) lo = i;
    if (hi < 0 || v > y[hi]!) hi = i;
  }
  const bucketOf = (j: number) => Math.min(budget - 1, Math.max(0, Math.floor((j - 1) / every)));
  let used = -1;
  for (const e of [lo, hi]) {
    if (e <= 0 || e >= n - 1 || picked.includes(e)) continue;
    let b = bucketOf(e);
    if (b === used) b = b + 1 < budget ? b + 1 : b - 1;
    picked[b + 1] = e;
    used = b;
  }
  picked.sort();
  return picked;
}

/** Returns the points of (ts, y) kept by {@link lttbIndices}, as plain arrays ready for a trace. */
export function downsampleLine(ts: ArrayLike<number>, y: ArrayLike<number>, maxPoints: number): { x: number[]; y: Array<number | null> } {
  const idx = lttbIndices(ts, y, maxPoints);
  const xs = new Array<number>(idx.length);
  const ys = new Array<number | null>(idx.length);
  for (let k = 0; k < idx.length; k++) {
    xs[k] = ts[idx[k]!]!;
    const v = y[idx[k]!]!;
    ys[k] = v === v ? v : null;
  }
  return { x: xs, y: ys };
}

/** OHLCV bars merged into at most `maxBars` consecutive groups (first open, max high, min low, last close, summed volume); each group is stamped with its first bar's time. */
export function downsampleOhlc(
  cols: { ts: ArrayLike<number>; open: ArrayLike<number>; high: ArrayLike<number>; low: ArrayLike<number>; close: ArrayLike<number>; volume: ArrayLike<number> },
  maxBars: number,
): { ts: number[]; open: number[]; high: number[]; low: number[]; close: number[]; volume: number[]; group: number } {
  const n = cols.ts.length;
  const group = Math.max(1, Math.ceil(n / Math.max(1, maxBars)));
  const m = Math.ceil(n / group);
  const out = { ts: new Array<number>(m), open: new Array<number>(m), high: new Array<number>(m), low: new Array<number>(m), close: new Array<number>(m), volume: new Array<number>(m), group };
  for (let g = 0; g < m; g++) {
    const s = g * group;
    const e = Math.min(n, s + group);
    let h = -Infinity, l = Infinity, v = 0;
    for (let i = s; i < e; i++) {
      if (cols.high[i]! > h) h = cols.high[i]!;
      if (cols.low[i]! < l) l = cols.low[i]!;
      v += cols.volume[i]!;
    }
    out.ts[g] = cols.ts[s]!;
    out.open[g] = cols.open[s]!;
    out.high[g] = h;
    out.low[g] = l;
    out.close[g] = cols.close[e - 1]!;
    out.volume[g] = v;
  }
  return out;
}
