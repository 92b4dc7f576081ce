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

/** Rearranges a[left..right] so a[k] holds the k-th smallest value (Hoare selection); returns it. */
function select(a: Float64Array, k: number, left: number, right: number): number {
  while (right > left) {
    const pivot = median3(a[left]!, a[(left + right) >>> 1]!, a[right]!);
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return a[k]!;
}

const median3 = (a: number, b: number, c: number): number =>
  a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;

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
