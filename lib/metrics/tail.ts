/**
 * Linear-interpolation quantile (numpy's default): h = (n − 1)·q, value = x₍⌊h⌋₎ + (h − ⌊h⌋)(x₍⌊h⌋+1₎ − x₍⌊h⌋₎)
 * over the sorted sample. Uses selection (O(n)) on `scratch` (a copy of x is written there). NaN for an empty sample.
 */
export function quantile(x: Float64Array, q: number, scratch: Float64Array = new Float64Array(x.length)): number {
  const n = x.length;
  if (n === 0) return NaN;
  const a = scratch.length === n ? scratch : scratch.subarray(0, n);
  a.set(x);
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const xl = select(a, lo, 0, n - 1);
  if (lo + 1 >= n || h === lo) return xl;
  // the (lo+1)-th order statistic is the minimum of the right part after selection
  let xr = Infinity;
  for (let i = lo + 1; i < n; i++) if (a[i]! < xr) xr = a[i]!;
  return xl + (h - lo) * (xr - xl);
}

/**
 * Rearranges a[left..right] so a[k] holds the k-th smallest value, smaller-or-equal values before it and
 * greater-or-equal after (Floyd–Rivest selection: a sample narrows the range first, so a quantile near either
 * end costs little more than one pass). Returns a[k].
 */
function select(a: Float64Array, k: number, left: number, right: number): number {
  while (right > left) {
    if (right - left > 600) {
      const n = right - left + 1;
      const i = k - left + 1;
      const z = Math.log(n);
      const s = 0.5 * Math.exp((2 * z) / 3);
      const sd = 0.5 * Math.sqrt((z * s * (n - s)) / n) * (i - n / 2 < 0 ? -1 : 1);
      select(a, k, Math.max(left, Math.floor(k - (i * s) / n + sd)), Math.min(right, Math.floor(k + ((n - i) * s) / n + sd)));
    }
    const pivot = a[k]!;
    let i = left;
    let j = right;
    swap(a, left, k);
    if (a[right]! > pivot) swap(a, left, right);
    while (i < j) {
      swap(a, i, j);
      i++;
      j--;
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
    }
    if (a[left] === pivot) swap(a, left, j);
    else {
      j++;
      swap(a, j, right);
    }
    if (j <= k) left = j + 1;
    if (k <= j) right = j - 1;
  }
  return a[k]!;
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

/** Historical value at risk: VaR(level) = −quantile(r, 1 − level), a loss as a positive number (level 0.95 by default). */
export function valueAtRisk(r: Float64Array, level = 0.95, scratch?: Float64Array): number {
  return -quantile(r, 1 - level, scratch);
}

/** Historical VaR and CVaR at one level with a single selection (see {@link valueAtRisk}, {@link conditionalValueAtRisk}). */
export function tailRisk(r: Float64Array, level = 0.95, scratch?: Float64Array): { var: number; cvar: number } {
  const q = quantile(r, 1 - level, scratch);
  return { var: -q, cvar: -meanAtOrBelow(r, q) };
}

function meanAtOrBelow(r: Float64Array, q: number): number {
  let s = 0;
  let k = 0;
  for (let i = 0; i < r.length; i++) {
    if (r[i]! <= q) {
      s += r[i]!;
      k++;
    }
  }
  return k ? s / k : NaN;
}

/** Historical conditional VaR (expected shortfall): CVaR = −mean{ r : r ≤ quantile(r, 1 − level) }. */
export function conditionalValueAtRisk(r: Float64Array, level = 0.95, scratch?: Float64Array): number {
  return -meanAtOrBelow(r, quantile(r, 1 - level, scratch));
}
