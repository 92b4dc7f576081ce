/**
 * Exact decimal lattices: lo + k·step computed in scaled integers when lo and step are short decimals, so
 * 0.1 + 2·0.1 gives 0.3 (the double nearest the decimal), not 0.30000000000000004.
 */

/** Digits after the decimal point in the shortest text of x (0.25 → 2, 1e-7 → 7, 300 → 0). */
export function decimals(x: number): number {
  const m = /^-?(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x));
  if (!m) return Infinity;
  return Math.max(0, (m[2]?.length ?? 0) - (m[3] ? Number(m[3]) : 0));
}

/** The scale 10^d that makes every x an integer, or 0 when that needs more than 15 digits or leaves the safe integers. */
export function decimalScale(...xs: number[]): number {
  let d = 0;
  for (const x of xs) d = Math.max(d, decimals(x));
  if (!(d <= 15)) return 0;
  const scale = 10 ** d;
  for (const x of xs) if (!Number.isSafeInteger(Math.round(x * scale))) return 0;
  return scale;
}

/** lo + k·step, exact to the decimal when `scale` (from decimalScale(lo, step)) is not 0. */
export function latticePoint(lo: number, step: number, k: number, scale: number): number {
  if (scale === 0) return lo + k * step;
  const n = Math.round(lo * scale) + k * Math.round(step * scale);
  return Number.isSafeInteger(n) ? n / scale : lo + k * step;
}
