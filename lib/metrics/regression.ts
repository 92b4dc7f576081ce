/**
 * Beta = cov(r, m) / var(m) and alpha = (mean(r) − β·mean(m))·P (Jensen's alpha, annualised, rf = 0) over
 * r[from..), m[from..): strategy and benchmark per-bar returns. NaN when the benchmark does not move.
 */
export function alphaBeta(r: Float64Array, m: Float64Array, barsPerYear: number, from = 1): { alpha: number; beta: number } {
  const n = r.length - from;
  if (n < 2) return { alpha: NaN, beta: NaN };
  let sr = 0;
  let sm = 0;
  for (let i = from; i < r.length; i++) {
    sr += r[i]!;
    sm += m[i]!;
  }
  const mr = sr / n;
  const mm = sm / n;
  let cov = 0;
  let vm = 0;
  for (let i = from; i < r.length; i++) {
    const dm = m[i]! - mm;
    cov += (r[i]! - mr) * dm;
    vm += dm * dm;
  }
  if (!(vm > 0)) return { alpha: NaN, beta: NaN };
  const beta = cov / vm;
  return { alpha: (mr - beta * mm) * barsPerYear, beta };
}
