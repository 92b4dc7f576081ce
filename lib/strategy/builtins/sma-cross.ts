import { defineStrategy } from '../define';
import { ind } from '../ind';
import { int } from '../params';
import { crossEvents, crossSignal, crossTargets } from '../signals';

/**
 * sma-cross: target 1 on an up-cross at t (fast[t] > slow[t] and fast[t−1] <= slow[t−1], evaluated only where
 * both are defined at t−1), target 0 on a down-cross (fast[t] < slow[t] and fast[t−1] >= slow[t−1]), hold otherwise.
 */
export const smaCross = defineStrategy({
  name: 'sma-cross',
  description: 'Long when the fast SMA crosses above the slow SMA, flat when it crosses below.',
  params: { fast: int(2, 200, { default: 10 }), slow: int(3, 400, { default: 50 }) },
  check: (p) => p.fast < p.slow || `fast (${p.fast}) must be < slow (${p.slow})`,
  indicators: (p) => ({ fast: ind.sma(p.fast), slow: ind.sma(p.slow) }),
  decide: (bar, { prev }) => crossSignal(bar.fast, bar.slow, prev.fast, prev.slow, 1, 0),
  targets: (_bars, ind, _p, out) => crossTargets(ind.fast, ind.slow, 1, 0, out),
  targetEvents: (_bars, ind, _p, out) => crossEvents(ind.fast, ind.slow, 1, 0, out),
});

/** sma-cross-ls: the long/short variant — target 1 on an up-cross, −1 on a down-cross (always in the market once started). */
export const smaCrossLongShort = defineStrategy({
  name: 'sma-cross-ls',
  description: 'Long on a fast-over-slow SMA up-cross, short on a down-cross.',
  params: { fast: int(2, 200, { default: 10 }), slow: int(3, 400, { default: 50 }) },
  check: (p) => p.fast < p.slow || `fast (${p.fast}) must be < slow (${p.slow})`,
  indicators: (p) => ({ fast: ind.sma(p.fast), slow: ind.sma(p.slow) }),
  decide: (bar, { prev }) => crossSignal(bar.fast, bar.slow, prev.fast, prev.slow, 1, -1),
  targets: (_bars, ind, _p, out) => crossTargets(ind.fast, ind.slow, 1, -1, out),
  targetEvents: (_bars, ind, _p, out) => crossEvents(ind.fast, ind.slow, 1, -1, out),
});
