/**
 * Drawdown series: dd[i] = 1 − equity[i] / peak[i], peak[i] = max(initial, equity[0..i]). 0 at a new high.
 * @example drawdownSeries(Float64Array.of(100, 80, 120), 100) // ≈ [0, 0.2, 0]
 */
export function drawdownSeries(equity: Float64Array, initial: number, out: Float64Array = new Float64Array(equity.length)): Float64Array {
  let peak = initial;
  for (let i = 0; i < equity.length; i++) {
    const e = equity[i]!;
    if (e > peak) peak = e;
    out[i] = 1 - e / peak;
  }
  return out;
}

/** Drawdown figures of an equity curve. An episode is a maximal run of bars below the running peak. */
export interface DrawdownStats {
  /** max over bars of 1 − equity / running peak (the running peak starts at the initial equity). */
  maxDrawdown: number;
  /** mean over episodes of each episode's deepest drawdown (0 when there is none). */
  avgDrawdown: number;
  /** bars underwater in the episode holding the max drawdown. */
  maxDrawdownBars: number;
  /** mean bars underwater per episode. */
  avgDrawdownBars: number;
  /** bars underwater in the longest episode (an unfinished episode counts up to the last bar). */
  longestUnderwaterBars: number;
  /** highest equity reached, including the initial equity. */
  peakEquity: number;
  /** number of drawdown episodes. */
  episodes: number;
}

/** Returns {@link DrawdownStats} in one pass. */
export function drawdownStats(equity: Float64Array, initial: number): DrawdownStats {
  let peak = initial;
  let maxDd = 0;
  let maxDdBars = 0;
  let longest = 0;
  let episodes = 0;
  let sumDepth = 0;
  let sumBars = 0;
  let depth = 0; // deepest drawdown of the current episode
  let bars = 0; // bars underwater in the current episode
  const close = () => {
    episodes++;
    sumDepth += depth;
    sumBars += bars;
    if (bars > longest) longest = bars;
  };
  for (let i = 0; i < equity.length; i++) {
    const e = equity[i]!;
    if (e >= peak) {
      if (bars > 0) close();
      peak = e;
      depth = 0;
      bars = 0;
      continue;
    }
    bars++;
    const dd = 1 - e / peak;
    if (dd > depth) depth = dd;
    if (dd > maxDd) maxDd = dd;
    if (depth === maxDd && depth > 0) maxDdBars = bars;
  }
  if (bars > 0) close();
  return {
    maxDrawdown: maxDd,
    avgDrawdown: episodes ? sumDepth / episodes : 0,
    maxDrawdownBars: maxDdBars,
    avgDrawdownBars: episodes ? sumBars / episodes : 0,
    longestUnderwaterBars: longest,
    peakEquity: peak,
    episodes,
  };
}
