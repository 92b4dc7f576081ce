/** sqrt(mean2 - mean1²) * nbdev, with TA-Lib's "variance below 1e-14 is zero" rule. */
export function sdFromSums(mean1: number, mean2: number, nbdev: number): number {
  const variance = mean2 - mean1 * mean1;
  return variance < 1e-14 ? 0 : nbdev === 1 ? Math.sqrt(variance) : Math.sqrt(variance) * nbdev;
}
