/**
 * Per-bar simple returns of an equity curve: r[i] = equity[i] / equity[i−1] − 1, with equity[−1] = `initial`.
 * @example barReturns(Float64Array.of(110, 99), 100) // ≈ [0.1, -0.1]
 */
export function barReturns(equity: Float64Array, initial: number, out: Float64Array = new Float64Array(equity.length)): Float64Array {
  let prev = initial;
  for (let i = 0; i < equity.length; i++) {
    const e = equity[i]!;
    out[i] = e / prev - 1;
    prev = e;
  }
  return out;
}

/** Close-to-close returns of a price series: r[0] = 0, r[i] = price[i] / price[i−1] − 1. */
export function priceReturns(price: Float64Array, out: Float64Array = new Float64Array(price.length)): Float64Array {
  if (price.length) out[0] = 0;
  for (let i = 1; i < price.length; i++) out[i] = price[i]! / price[i - 1]! - 1;
  return out;
}
