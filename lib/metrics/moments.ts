/** Arithmetic mean of x[from..to). NaN when the range is empty. */
export function mean(x: Float64Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i]!;
  return to > from ? s / (to - from) : NaN;
}

/** Sample standard deviation (n − 1 denominator) of x[from..to). NaN for fewer than 2 values. */
export function sampleStd(x: Float64Array, from = 0, to = x.length): number {
  const n = to - from;
  if (n < 2) return NaN;
  const m = mean(x, from, to);
  let ss = 0;
  for (let i = from; i < to; i++) {
    const d = x[i]! - m;
    ss += d * d;
  }
  return Math.sqrt(ss / (n - 1));
}

/** Moments of a sample: mean, sample std, skewness m3/m2^1.5 and kurtosis m4/m2² (population moments, not excess). */
export interface Moments {
  n: number;
  mean: number;
  std: number;
  skew: number;
  kurtosis: number;
}

/** Returns {@link Moments} of x[from..to) in two passes. */
export function moments(x: Float64Array, from = 0, to = x.length): Moments {
  const n = to - from;
  const m = mean(x, from, to);
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = from; i < to; i++) {
    const d = x[i]! - m;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  const std = n >= 2 ? Math.sqrt(m2 / (n - 1)) : NaN;
  m2 /= n;
  m3 /= n;
  m4 /= n;
  return { n, mean: m, std, skew: m2 > 0 ? m3 / m2 ** 1.5 : NaN, kurtosis: m2 > 0 ? m4 / (m2 * m2) : NaN };
}
