import { defineStrategy } from '../define';
import { ind } from '../ind';
import { int } from '../params';
import { crossEvents, crossSignal, crossTargets } from '../signals';

/** ema-cross: as sma-cross with exponential averages (TA-Lib seeding). */
export const emaCross = defineStrategy({
  name: 'ema-cross',
  description: 'Long when the fast EMA crosses above the slow EMA, flat when it crosses below.',
  params: { fast: int(2, 200, { default: 12 }), slow: int(3, 400, { default: 26 }) },
  check: (p) => p.fast < p.slow || `fast (${p.fast}) must be < slow (${p.slow})`,
  indicators: (p) => ({ fast: ind.ema(p.fast), slow: ind.ema(p.slow) }),
  decide: (bar, { prev }) => crossSignal(bar.fast, bar.slow, prev.fast, prev.slow, 1, 0),
  targets: (_bars, ind, _p, out) => crossTargets(ind.fast, ind.slow, 1, 0, out),
  targetEvents: (_bars, ind, _p, out) => crossEvents(ind.fast, ind.slow, 1, 0, out),
});
