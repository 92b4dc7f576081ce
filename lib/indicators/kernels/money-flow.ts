/**
 * Money-flow volume of one bar: ((close - low) - (high - close)) / (high - low) × volume, 0 when
 * high <= low (TA-Lib's rule for a flat bar). NaN if any input is NaN.
 */
export function moneyFlowVolume(h: number, l: number, c: number, v: number): number {
  if (h !== h || l !== l || c !== c || v !== v) return NaN;
  const range = h - l;
  return range > 0 ? (((c - l) - (h - c)) / range) * v : 0;
}
