/** The three WMA periods of HMA(n): floor(n/2), n, floor(sqrt(n)). */
export const hmaPeriods = (n: number): { half: number; full: number; sqrt: number } => ({
  half: Math.floor(n / 2),
  full: n,
  sqrt: Math.floor(Math.sqrt(n)),
});
